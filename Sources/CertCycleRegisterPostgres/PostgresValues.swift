import CertCycleCore
import CertCycleRegister
import Foundation
import PostgresNIO

// MARK: Values

/// Binds a `date` in PostgreSQL's binary format: days since 2000-01-01.
struct PostgresDay: PostgresNonThrowingEncodable, Sendable {
    let date: CivilDate

    /// `CivilDate.dayNumber` counts from 1970-01-01; PostgreSQL's from 2000-01-01.
    static let epochOffset = 10_957

    static var psqlType: PostgresDataType { .date }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeInteger(Int32(date.dayNumber - Self.epochOffset))
    }
}

extension PostgresBindings {
    mutating func append(day: CivilDate?) {
        if let day { append(PostgresDay(date: day)) } else { appendNull() }
    }

    mutating func append(text: String?) {
        if let text { append(text) } else { appendNull() }
    }

    mutating func append(int: Int?) {
        if let int { append(int) } else { appendNull() }
    }

    mutating func append(double: Double?) {
        if let double { append(double) } else { appendNull() }
    }
}

/// Reads a row's values front to back, decoding the binary (or text) wire format directly.
///
/// Large reads ask for each row as one composite value, `SELECT ROW(a, b, …)`, which arrives in
/// PostgreSQL's binary record format (a field count, then type, length and bytes of each field);
/// `init(record:)` reads its fields straight from that buffer. That avoids making a
/// `PostgresCell` (with its buffer slice and column name) per value, which costs more than the
/// value itself on a scan of millions of rows.
struct CellReader {
    private var iterator: PostgresRow.Iterator?
    private var record: ByteBuffer?

    /// A row of plain columns.
    init(_ row: PostgresRow) {
        iterator = row.makeIterator()
    }

    /// A row whose only column is `ROW(…)`.
    init(record row: PostgresRow) {
        var cells = row.makeIterator()
        var bytes = cells.next()?.bytes ?? ByteBuffer()
        _ = bytes.readInteger(as: Int32.self)
        record = bytes
    }

    /// OIDs of the types the register uses.
    private enum OID {
        static let bool: UInt32 = 16
        static let int8: UInt32 = 20
        static let int2: UInt32 = 21
        static let int4: UInt32 = 23
        static let text: UInt32 = 25
        static let float4: UInt32 = 700
        static let float8: UInt32 = 701
        static let varchar: UInt32 = 1043
        static let date: UInt32 = 1082
    }

    /// The next value as its type and raw bytes (nil for NULL).
    private mutating func next() -> (type: UInt32, format: PostgresFormat, bytes: ByteBuffer?)? {
        if record != nil {
            guard let type = record!.readInteger(as: UInt32.self), let length = record!.readInteger(as: Int32.self) else { return nil }
            guard length >= 0 else { return (type, .binary, nil) }
            return (type, .binary, record!.readSlice(length: Int(length)))
        }
        guard let cell = iterator?.next() else { return nil }
        return (UInt32(cell.dataType.rawValue), cell.format, cell.bytes)
    }

    mutating func skip(_ count: Int = 1) {
        for _ in 0..<count { _ = next() }
    }

    mutating func text() -> String? {
        if record != nil {
            // Read in place: no slice for the commonest value.
            guard record!.readInteger(as: UInt32.self) != nil, let length = record!.readInteger(as: Int32.self), length >= 0 else { return nil }
            return record!.readString(length: Int(length))
        }
        guard let value = next(), let bytes = value.bytes else { return nil }
        return String(buffer: bytes)
    }

    mutating func requiredText() -> String { text() ?? "" }

    // MARK: Arrays of records (in record mode)

    /// Opens an array field whose elements are records: how many there are (0 for NULL or empty).
    mutating func beginArray() -> Int {
        guard record != nil, record!.readInteger(as: UInt32.self) != nil, let length = record!.readInteger(as: Int32.self), length >= 0,
              let dimensions = record!.readInteger(as: Int32.self), dimensions > 0 else { return 0 }
        // Then: has-nulls flag, element type, and per dimension its length and lower bound.
        record!.moveReaderIndex(forwardBy: 8)
        var count = 1
        for _ in 0..<dimensions {
            count *= Int(record!.readInteger(as: Int32.self) ?? 0)
            record!.moveReaderIndex(forwardBy: 4)
        }
        return count
    }

    /// Opens the next element of the array: its fields are read next. Returns where it ends.
    mutating func beginElement() -> Int {
        let length = Int(record!.readInteger(as: Int32.self) ?? -1)
        let start = record!.readerIndex
        guard length >= 0 else { return start }
        _ = record!.readInteger(as: Int32.self)
        return start + length
    }

    /// Moves past the element, whatever of it was read.
    mutating func endElement(at end: Int) {
        record!.moveReaderIndex(to: end)
    }

    /// In record mode, the next field's type and length, the reader left at its bytes.
    private mutating func field() -> (type: UInt32, length: Int)? {
        guard let type = record!.readInteger(as: UInt32.self), let length = record!.readInteger(as: Int32.self) else { return nil }
        return (type, Int(length))
    }

    mutating func int() -> Int? {
        if record != nil, let (type, length) = field() {
            // Read in place, without a slice.
            guard length >= 0 else { return nil }
            switch (type, length) {
            case (OID.int8, 8): return record!.readInteger(as: Int64.self).map(Int.init)
            case (OID.int4, 4): return record!.readInteger(as: Int32.self).map(Int.init)
            default:
                guard var bytes = record!.readSlice(length: length) else { return nil }
                return Self.int(type: type, &bytes)
            }
        }
        guard let value = next(), var bytes = value.bytes else { return nil }
        if value.format == .text { return Int(String(buffer: bytes)) }
        return Self.int(type: value.type, &bytes)
    }

    private static func int(type: UInt32, _ bytes: inout ByteBuffer) -> Int? {
        switch type {
        case OID.int8: return bytes.readInteger(as: Int64.self).map(Int.init)
        case OID.int4: return bytes.readInteger(as: Int32.self).map(Int.init)
        case OID.int2: return bytes.readInteger(as: Int16.self).map(Int.init)
        case OID.bool: return bytes.readInteger(as: UInt8.self).map(Int.init)
        case OID.float8: return bytes.readInteger(as: UInt64.self).map { Int(Double(bitPattern: $0)) }
        case OID.text, OID.varchar: return Int(String(buffer: bytes))
        default: return nil
        }
    }

    mutating func double() -> Double? {
        if record != nil, let (type, length) = field() {
            guard length >= 0 else { return nil }
            if type == OID.float8, length == 8 { return record!.readInteger(as: UInt64.self).map { Double(bitPattern: $0) } }
            guard var bytes = record!.readSlice(length: length) else { return nil }
            return Self.double(type: type, &bytes)
        }
        guard let value = next(), var bytes = value.bytes else { return nil }
        if value.format == .text { return Double(String(buffer: bytes)) }
        return Self.double(type: value.type, &bytes)
    }

    private static func double(type: UInt32, _ bytes: inout ByteBuffer) -> Double? {
        switch type {
        case OID.float8: return bytes.readInteger(as: UInt64.self).map { Double(bitPattern: $0) }
        case OID.float4: return bytes.readInteger(as: UInt32.self).map { Double(Float(bitPattern: $0)) }
        case OID.int8: return bytes.readInteger(as: Int64.self).map(Double.init)
        case OID.int4: return bytes.readInteger(as: Int32.self).map(Double.init)
        case OID.text, OID.varchar: return Double(String(buffer: bytes))
        default: return nil
        }
    }

    mutating func date() -> CivilDate? {
        if record != nil, let (type, length) = field() {
            guard length >= 0 else { return nil }
            if type == OID.date, length == 4 {
                return record!.readInteger(as: Int32.self).map { CivilDate(dayNumber: Int($0) + PostgresDay.epochOffset) }
            }
            guard let bytes = record!.readSlice(length: length) else { return nil }
            return CivilDate(parsing: String(buffer: bytes))
        }
        guard let value = next(), var bytes = value.bytes else { return nil }
        if value.format == .text || value.type != OID.date { return CivilDate(parsing: String(buffer: bytes)) }
        return bytes.readInteger(as: Int32.self).map { CivilDate(dayNumber: Int($0) + PostgresDay.epochOffset) }
    }

    mutating func requiredDate() -> CivilDate { date() ?? CivilDate(dayNumber: 0) }

    /// The next value as a stored date: registers store DATE, so a non-NULL one is a day; a
    /// text value that is not one (a column someone retyped) is reported, not read as NULL.
    mutating func storedDate() -> DateCell {
        let text: String
        if record != nil, let (type, length) = field() {
            guard length >= 0 else { return .null }
            if type == OID.date, length == 4 {
                return record!.readInteger(as: Int32.self).map { .day(CivilDate(dayNumber: Int($0) + PostgresDay.epochOffset)) } ?? .null
            }
            guard let bytes = record!.readSlice(length: length) else { return .null }
            text = String(buffer: bytes)
        } else {
            guard let value = next() else { return .null }
            guard var bytes = value.bytes else { return .null }
            if value.format == .binary, value.type == OID.date {
                return bytes.readInteger(as: Int32.self).map { .day(CivilDate(dayNumber: Int($0) + PostgresDay.epochOffset)) } ?? .null
            }
            text = String(buffer: bytes)
        }
        return CivilDate(parsing: text).map(DateCell.day) ?? .undecodable(text)
    }

    /// One of a fixed set of values (a kind, an outcome, a status): a value certcycle could not
    /// have written is reported with its table, row and column, never read as another one.
    mutating func choice<T: RawRepresentable & CaseIterable>(table: String, row: String, column: String) throws -> T where T.RawValue == String {
        guard let value: T = try optionalChoice(table: table, row: row, column: column) else {
            throw RegisterError.undecodable(table: table, row: row, column: column, value: "", expected: "set (it is empty)")
        }
        return value
    }

    mutating func optionalChoice<T: RawRepresentable & CaseIterable>(table: String, row: String, column: String) throws -> T? where T.RawValue == String {
        guard let text = text() else { return nil }
        guard let value = T(rawValue: text) else {
            throw RegisterError.undecodable(table: table, row: row, column: column, value: text,
                                            expected: "one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }

    mutating func bool() -> Bool {
        guard let value = next(), var bytes = value.bytes else { return false }
        if value.format == .text { return String(buffer: bytes) == "t" }
        return bytes.readInteger(as: UInt8.self) == 1
    }
}

/// A row's cells for `RecordMapping` (see `StoredCells`), read by `CellReader`.
struct PostgresCells: StoredCells {
    var reader: CellReader

    init(_ reader: CellReader) {
        self.reader = reader
    }

    mutating func text() -> String? { reader.text() }
    mutating func integer() -> Int? { reader.int() }
    mutating func real() -> Double? { reader.double() }

    mutating func date() -> DateCell { reader.storedDate() }
}
