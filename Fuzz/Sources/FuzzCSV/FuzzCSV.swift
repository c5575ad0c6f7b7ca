import CertCycleCSV
import Foundation

/// Any bytes as a register file: decoding (UTF-8, BOM, GB18030), reading every record with the
/// reader's resynchronisation after errors, and the writer's round trip of what was read.
/// Nothing may crash or hang; written fields must read back unchanged; neutralised fields must
/// never start with a formula character.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSV(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    guard let (text, _) = try? decodeCSVText(data) else { return 0 }
    var records: [[String]] = []
    var iterator = CSVReader(text: text).makeIterator()
    var steps = 0
    while steps <= count + 1 {
        steps += 1
        do {
            guard let record = try iterator.next() else { break }
            records.append(record.fields)
        } catch {
            continue // resumes at the next line
        }
    }
    precondition(steps <= count + 1, "the reader did not advance")
    for fields in records {
        let line = CSVWriter.line(fields)
        let back = try! CSVReader.parseAll(line).map(\.fields)
        precondition(back == [fields], "round trip changed \(fields.debugDescription) into \(back.debugDescription)")
        for field in fields {
            let safe = SpreadsheetSafety.neutralized(field)
            if let first = safe.unicodeScalars.first, "=+-@\t\r".unicodeScalars.contains(first) {
                precondition(safe.allSatisfy { "+-.0123456789".contains($0) }, "not neutralised: \(safe.debugDescription)")
            }
        }
    }
    return 0
}

/// SwiftPM links an executable with `main` renamed to `FuzzCSV_main` (so that tests could import it);
/// libFuzzer's own `main` is then never used, so this one starts libFuzzer's driver.
@_cdecl("FuzzCSV_main")
public func fuzzCSVMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzCSV(UnsafeRawPointer(data ?? UnsafePointer(bitPattern: 1)!), size) }
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
