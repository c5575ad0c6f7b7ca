import CertCycleCore
@testable import CertCycleRegister
import Foundation

/// The first byte chooses a column kind, the rest is the cell: parsing must never crash, a
/// parsed date must print and parse back to itself, and the control-character check must agree
/// with a plain scalar scan.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCells(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let kinds: [RegisterColumn.Kind] = [
        .id, .reference(.certificates), .text, .idText, .list, .idList, .date, .count, .score, .manDays,
        .reason(1...7), .reason(1...10), .choice(["initial", "surveillance"]), .creditCode, .email,
    ]
    let kind = kinds[Int(bytes[0]) % kinds.count]
    let raw = String(decoding: bytes[1...], as: UTF8.self)

    let control = CellParser.controlCharacterProblem(raw)
    let hasControl = raw.unicodeScalars.contains { v in
        (v.value < 0x20 && v.value != 0x09 && v.value != 0x0A && v.value != 0x0D) || (0x7F...0x9F).contains(v.value)
    }
    precondition((control != nil) == hasControl, "control-character check disagrees on \(raw.debugDescription)")

    let cell = CellParser.trimmed(raw)
    if !cell.isEmpty { _ = CellParser.parse(cell, as: kind) }
    if let date = CivilDate(parsing: raw) {
        precondition(CivilDate(parsing: date.description) == date, "\(date) does not parse back")
        _ = date.addingDays(1)
    }
    return 0
}

/// SwiftPM links an executable with `main` renamed to `FuzzCells_main` (so that tests could import it);
/// libFuzzer's own `main` is then never used, so this one starts libFuzzer's driver.
@_cdecl("FuzzCells_main")
public func fuzzCellsMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzCells(UnsafeRawPointer(data ?? UnsafePointer(bitPattern: 1)!), size) }
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
