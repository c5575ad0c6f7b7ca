public import CertCycleCore

/// The parts of an `.xlsx` workbook (Office Open XML SpreadsheetML, ECMA-376), as text: what the
/// monthly report is written as. Worksheets are made in pieces (head, one row at a time, tail) so
/// a sheet of any length is streamed to a file; the zip container is the caller's.
///
/// Every text cell is an inline string: a spreadsheet never reads one as a formula, whatever the
/// register holds (`=HYPERLINK(…)` stays text). Characters XML 1.0 cannot carry are written with
/// the format's own `_xHHHH_` escape, which Excel, LibreOffice and openpyxl decode.
public enum SpreadsheetML {
    /// Excel's limit on one cell's text.
    public static let maxCellCharacters = 32_767

    public static func contentTypes(sheets: Int) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#
        xml += #"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#
        xml += #"<Default Extension="xml" ContentType="application/xml"/>"#
        xml += #"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#
        for i in 1...max(1, sheets) {
            xml += #"<Override PartName="/xl/worksheets/sheet\#(i).xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        }
        xml += #"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#
        xml += #"<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>"#
        xml += #"<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>"#
        return xml + "</Types>"
    }

    public static let rootRelationships: String = {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
        xml += #"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>"#
        xml += #"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>"#
        xml += #"<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>"#
        return xml + "</Relationships>"
    }()

    /// One sheet of the workbook: its name and, for the filter on its header row, its size.
    public struct SheetEntry: Sendable {
        public var name: String
        public var columns: Int
        public var rows: Int

        public init(name: String, columns: Int, rows: Int) {
            self.name = name
            self.columns = columns
            self.rows = rows
        }
    }

    public static func workbook(_ sheets: [SheetEntry]) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#
        xml += #"<bookViews><workbookView activeTab="0"/></bookViews><sheets>"#
        for (i, sheet) in sheets.enumerated() {
            xml += #"<sheet name="\#(attribute(sheet.name))" sheetId="\#(i + 1)" r:id="rId\#(i + 1)"/>"#
        }
        xml += "</sheets><definedNames>"
        // The filter each sheet's header row carries (Excel keeps its range as a hidden name).
        for (i, sheet) in sheets.enumerated() {
            let quoted = "'" + sheet.name.replacingOccurrences(of: "'", with: "''") + "'"
            let range = "$A$1:$\(columnName(max(1, sheet.columns)))$\(sheet.rows + 1)"
            xml += #"<definedName name="_xlnm._FilterDatabase" localSheetId="\#(i)" hidden="1">\#(text(quoted + "!" + range))</definedName>"#
        }
        return xml + "</definedNames></workbook>"
    }

    public static func workbookRelationships(sheets: Int) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
        for i in 1...max(1, sheets) {
            xml += #"<Relationship Id="rId\#(i)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet\#(i).xml"/>"#
        }
        xml += #"<Relationship Id="rId\#(sheets + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#
        return xml + "</Relationships>"
    }

    /// Style 0: plain; style 1: the bold, shaded header row; style 2: numbers with up to two decimals.
    public static let styles: String = {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#
        xml += #"<numFmts count="1"><numFmt numFmtId="164" formatCode="0.##"/></numFmts>"#
        xml += #"<fonts count="2"><font><sz val="11"/><name val="宋体"/><family val="2"/></font><font><b/><sz val="11"/><name val="宋体"/><family val="2"/></font></fonts>"#
        xml += #"<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>"#
        xml += #"<fill><patternFill patternType="solid"><fgColor rgb="FFE7EEF7"/><bgColor indexed="64"/></patternFill></fill></fills>"#
        xml += #"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#
        xml += #"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#
        xml += #"<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#
        xml += #"<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>"#
        xml += #"<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>"#
        xml += #"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#
        return xml + "</styleSheet>"
    }()

    /// `docProps/core.xml`: title, author and the creation time (given, so the same report
    /// is the same bytes).
    public static func coreProperties(title: String, creator: String, created: String) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#
        xml += "<dc:title>\(text(title))</dc:title><dc:creator>\(text(creator))</dc:creator>"
        xml += #"<dcterms:created xsi:type="dcterms:W3CDTF">\#(created)</dcterms:created>"#
        return xml + "</cp:coreProperties>"
    }

    public static let appProperties: String = {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>certcycle</Application></Properties>"#
        return xml
    }()

    // MARK: Worksheets, in pieces

    /// The start of a worksheet: the header row frozen, column widths from the titles, the
    /// header row itself.
    public static func sheetHead(titles: [String]) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
        xml += #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#
        xml += #"<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#
        xml += #"<sheetFormatPr defaultRowHeight="15"/><cols>"#
        for (i, title) in titles.enumerated() {
            let width = min(60, max(12, displayWidth(title) + 4))
            xml += #"<col min="\#(i + 1)" max="\#(i + 1)" width="\#(width)" customWidth="1"/>"#
        }
        xml += "</cols><sheetData>"
        xml += row(titles.map { .text($0) }, number: 1, style: 1)
        return xml
    }

    /// Row `number` (1-based; the header is row 1).
    public static func row(_ values: [ReportValue], number: Int, style: Int = 0) -> String {
        var xml = #"<row r="\#(number)">"#
        for (i, value) in values.enumerated() {
            let ref = columnName(i + 1) + String(number)
            let s = style == 0 ? "" : #" s="\#(style)""#
            switch value {
            case .empty:
                continue
            case .number(let n):
                xml += #"<c r="\#(ref)"\#(style == 0 ? #" s="2""# : s)><v>\#(Self.number(n))</v></c>"#
            case .text(let t):
                xml += #"<c r="\#(ref)"\#(s) t="inlineStr"><is><t xml:space="preserve">\#(cellText(t))</t></is></c>"#
            }
        }
        return xml + "</row>"
    }

    /// The end of a worksheet of `rows` data rows and `columns` columns, with the filter on its header.
    public static func sheetTail(rows: Int, columns: Int) -> String {
        "</sheetData><autoFilter ref=\"A1:\(columnName(max(1, columns)))\(rows + 1)\"/>"
            + #"<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>"#
            + #"<pageSetup paperSize="9" orientation="landscape"/></worksheet>"#
    }

    // MARK: Text

    /// `A`, …, `Z`, `AA`, … for a 1-based column index.
    public static func columnName(_ index: Int) -> String {
        var n = index
        var name = ""
        while n > 0 {
            let r = (n - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + r))) + name
            n = (n - 1) / 26
        }
        return name
    }

    /// A number as `xsd:double` text: integral values without a fraction.
    public static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// A cell's text: cut to Excel's limit, escaped for XML, with `_xHHHH_` for what XML 1.0
    /// cannot carry (C0 controls but tab and line feed; a carriage return is kept the same way,
    /// since XML parsers turn a raw one into a line feed) and for a literal `_xHHHH_`.
    public static func cellText(_ value: String) -> String {
        var out = ""
        out.reserveCapacity(value.utf8.count)
        let scalars = Array(value.unicodeScalars.prefix(maxCellCharacters))
        var i = 0
        while i < scalars.count {
            let s = scalars[i]
            switch s {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\t", "\n": out.unicodeScalars.append(s)
            case "_" where isEscapeLiteral(scalars, at: i): out += "_x005F_"
            default:
                if s.value < 0x20 || s.value == 0xFFFE || s.value == 0xFFFF {
                    out += "_x" + hex4(s.value) + "_"
                } else {
                    out.unicodeScalars.append(s)
                }
            }
            i += 1
        }
        return out
    }

    /// Text for an attribute value.
    static func attribute(_ value: String) -> String {
        text(value).replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Plain XML escaping (for names the layout file gives; they hold no control characters).
    static func text(_ value: String) -> String {
        value.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    private static func isEscapeLiteral(_ s: [Unicode.Scalar], at i: Int) -> Bool {
        guard i + 6 < s.count, s[i + 1] == "x" || s[i + 1] == "X", s[i + 6] == "_" else { return false }
        return (i + 2...i + 5).allSatisfy { s[$0].properties.isASCIIHexDigit }
    }

    private static func hex4(_ v: UInt32) -> String {
        let h = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }

    /// Columns' width in Excel's units: CJK characters count twice.
    static func displayWidth(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 ? 2 : 1) }
    }
}
