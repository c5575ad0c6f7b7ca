public import CertCycleCore
import CertCycleCSV
import Foundation

/// `certcycle export DIR`: writes every table back as the CSV files staff import (UTF-8 with
/// BOM so Excel shows the Chinese; every column, id order), so export → import is lossless.
public struct RegisterExporter {
    public let register: any Register
    /// Rows written so far, per file (a terminal shows it).
    public var progress: WorkProgress = .none

    public init(register: any Register) {
        self.register = register
    }

    /// Writes the nine files into `directory` (created when missing); returns rows per table.
    @discardableResult
    public func exportDirectory(_ directory: String) throws -> [RegisterTable: Int] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var counts: [RegisterTable: Int] = [:]
        for table in RegisterTable.allCases {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(table.fileName).path
            let writer = try CSVFileWriter(path: path + ".partial", bom: true)
            try writer.write(table.columns.map(\.name))
            var rows = 0
            try register.forEachRow(of: table) { values in
                try writer.write(values.map { $0?.csvText ?? "" })
                rows += 1
                progress("exporting \(table.fileName)", rows)
            }
            try writer.close()
            // Replace any earlier export only once this one is complete.
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: path + ".partial", toPath: path)
            counts[table] = rows
        }
        return counts
    }
}
