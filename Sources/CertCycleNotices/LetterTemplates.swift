import Foundation
import Mustache

/// A problem with a letter template: the file and what is wrong, in one line.
public struct TemplateError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The template file (or folder) concerned.
    public var file: String
    /// What is wrong, on one line.
    public var message: String
    /// The line of `file` where the problem is, when known (1-based).
    public var line: Int?

    public init(file: String, message: String, line: Int? = nil) {
        self.file = file
        self.message = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        self.line = line
    }

    public var description: String {
        if let line { return "\(file):\(line): \(message)" }
        return "\(file): \(message)"
    }
}

/// The letter templates of `Jobs/templates`: every `NAME.mustache` in the folder, by `NAME`.
///
/// Letters are plain text, so values are never HTML-escaped: the loader puts every template in
/// Mustache's `TEXT` content type (by a `{{%CONTENT_TYPE:TEXT}}` line it adds in front of the
/// source), and `{{name}}` and `{{{name}}}` both give the value exactly as it is, `&`, `<` and
/// quotes included. Templates are read as UTF-8 with `\n` lines: a byte-order mark and CRLF
/// line ends (as Windows editors save them) are removed on loading.
public struct LetterTemplates: Sendable {
    /// The templates the nightly run uses: `KIND-STAGE` for obligation letters, `status-STATUS`
    /// for changes of public status, and the parts every letter includes (`{{> _letterhead}}`,
    /// `{{> _signature}}`), whose names start with `_`.
    public static let standardNames = [
        "surveillance-upcoming", "surveillance-reminder", "surveillance-overdue",
        "recertification_application-due", "recertification_application-overdue",
        "certificate_expiry-due",
        "corrective_action-reminder", "corrective_action-overdue",
        "suspension_limit-overdue",
        "misuse_correction-due", "misuse_correction-overdue",
        "application_notice-due",
        "appeal_reply-reply",
        "status-suspended", "status-withdrawn", "status-expired", "status-restored",
        "status-scope_reduced", "status-scope_restored", "status-star_removed",
        "_letterhead", "_signature",
    ]

    static let fileExtension = "mustache"
    static let textPragma = "{{%CONTENT_TYPE:TEXT}}\n"

    private let library: MustacheLibrary
    private let sources: [String: String]
    private let files: [String: String]

    /// The names of the templates loaded, sorted.
    public let names: [String]

    /// Every `*.mustache` file directly inside `directory`, by file name without the extension.
    /// Throws for a folder that cannot be read, a file that is not UTF-8, or a template that does
    /// not parse (naming the file, the line and the problem).
    public static func load(directory: String) throws(TemplateError) -> LetterTemplates {
        let fileManager = FileManager.default
        let entries: [String]
        do {
            entries = try fileManager.contentsOfDirectory(atPath: directory)
        } catch {
            throw TemplateError(file: directory, message: "cannot read the templates folder: it does not exist or is not readable")
        }
        var sources: [String: String] = [:]
        var files: [String: String] = [:]
        for entry in entries.sorted() where entry.hasSuffix("." + fileExtension) && !entry.hasPrefix(".") {
            let path = (directory as NSString).appendingPathComponent(entry)
            guard let data = fileManager.contents(atPath: path) else {
                throw TemplateError(file: path, message: "cannot read the template")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw TemplateError(file: path, message: "the template is not UTF-8 text; save it as UTF-8")
            }
            let name = String(entry.dropLast(fileExtension.count + 1))
            sources[name] = text
            files[name] = path
        }
        return try LetterTemplates(sources: sources, files: files)
    }

    /// Templates from their texts, by name (for tests and embedded defaults); `files` names the
    /// file each came from, for error messages (default: `NAME.mustache`).
    public init(sources: [String: String], files: [String: String] = [:]) throws(TemplateError) {
        var library = MustacheLibrary()
        var normalized: [String: String] = [:]
        var fileNames: [String: String] = [:]
        for name in sources.keys.sorted() {
            let file = files[name] ?? "\(name).\(Self.fileExtension)"
            var text = sources[name]!
            if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
            text = text.replacingOccurrences(of: "\r\n", with: "\n")
            do {
                library.register(try MustacheTemplate(string: Self.textPragma + text), named: name)
            } catch let error as MustacheTemplate.ParserError {
                // The added pragma line is line 1; the file's own lines start at 2.
                let line = max(1, error.context.lineNumber - 1)
                let near = error.context.line.trimmingCharacters(in: .whitespaces)
                throw TemplateError(file: file, message: Self.explain(error.error) + (near.isEmpty ? "" : " near “\(near)”"), line: line)
            } catch {
                throw TemplateError(file: file, message: "the template does not parse: \(error)")
            }
            normalized[name] = text
            fileNames[name] = file
        }
        self.library = library
        self.sources = normalized
        self.files = fileNames
        self.names = normalized.keys.sorted()
    }

    public func has(_ name: String) -> Bool { sources[name] != nil }

    /// The letter `name` with the variables of `context` (see `LetterContext`).
    public func render(_ name: String, _ context: [String: Any]) throws(TemplateError) -> String {
        guard has(name), let text = library.render(context, withTemplate: name) else {
            throw TemplateError(file: "\(name).\(Self.fileExtension)", message: "there is no letter template named '\(name)' in the templates folder")
        }
        return text
    }

    /// The names in `required` that have no template (default: `standardNames`).
    public func missing(_ required: [String] = LetterTemplates.standardNames) -> [String] {
        required.filter { !has($0) }
    }

    /// Every use of a variable that the letter's context does not have (most likely a typo, which
    /// Mustache would silently print as nothing): `status-*` templates are checked against
    /// `LetterContext.statusKeys`, the others against `LetterContext.obligationKeys`. A template
    /// that changes its delimiters (`{{=…=}}`) is not checked.
    public func unknownVariables() -> [TemplateError] {
        var problems: [TemplateError] = []
        for name in names {
            let known = name.hasPrefix("status-") ? LetterContext.statusKeys : LetterContext.obligationKeys
            for (partial, line) in Self.partials(in: sources[name]!) where !has(partial) {
                problems.append(TemplateError(file: files[name]!, message: "includes '{{> \(partial)}}', which is not in the templates folder", line: line))
            }
            guard let uses = Self.variables(in: sources[name]!) else { continue }
            for use in uses where !known.contains(use.name) {
                problems.append(TemplateError(file: files[name]!, message: "unknown variable '\(use.name)': a letter of this kind has \(known.filter { !$0.hasPrefix("has_") }.sorted().joined(separator: ", ")) (and has_NAME for each)", line: use.line))
            }
        }
        return problems
    }

    /// The templates a template includes (`{{> name}}`), with their lines.
    static func partials(in source: String) -> [(name: String, line: Int)] {
        var found: [(name: String, line: Int)] = []
        for (index, line) in source.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var rest = Substring(line)
            while let open = rest.range(of: "{{>") {
                rest = rest[open.upperBound...]
                guard let close = rest.range(of: "}}") else { break }
                found.append((rest[..<close.lowerBound].trimmingCharacters(in: .whitespaces), index + 1))
                rest = rest[close.upperBound...]
            }
        }
        return found
    }

    /// The variable names a template uses, with their lines, or nil when it changes delimiters.
    static func variables(in source: String) -> [(name: String, line: Int)]? {
        var uses: [(name: String, line: Int)] = []
        var seen = Set<String>()
        var line = 1
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            line += rest[..<open.lowerBound].utf8.count(where: { $0 == 0x0A })
            var inside = rest[open.upperBound...]
            let triple = inside.first == "{"
            if triple { inside = inside.dropFirst() }
            guard let close = inside.range(of: "}}") else { break }
            var tag = Substring(inside[..<close.lowerBound].trimmingCharacters(in: .whitespaces))
            line += inside[..<close.lowerBound].utf8.count(where: { $0 == 0x0A })
            rest = inside[close.upperBound...]
            if triple, rest.first == "}" { rest = rest.dropFirst() }
            guard let sigil = tag.first else { continue }
            switch sigil {
            case "=": return nil
            case "!", ">", "<", "%", "$": continue
            case "#", "^", "/", "&": tag = Substring(tag.dropFirst().trimmingCharacters(in: .whitespaces))
            default: break
            }
            // A transform, `empty(record)`, applies to the innermost name.
            if let paren = tag.lastIndex(of: "(") {
                tag = tag[tag.index(after: paren)...].prefix { $0 != ")" }
            }
            guard let first = tag.split(separator: ".").first, tag != "." else { continue }
            let name = String(first)
            if seen.insert("\(name)@\(line)").inserted { uses.append((name, line)) }
        }
        return uses
    }

    private static func explain(_ error: any Error) -> String {
        guard let error = error as? MustacheTemplate.Error else { return "the template does not parse: \(error)" }
        switch error {
        case .sectionCloseNameIncorrect: return "a section is closed with another name than it was opened with ({{#name}} … {{/name}})"
        case .unfinishedName: return "a tag is not closed with }} or its name has characters other than letters, digits, '.', '_', '-'"
        case .expectedSectionEnd: return "a section opened with {{#name}} or {{^name}} is never closed with {{/name}}"
        case .invalidSetDelimiter: return "a set-delimiter tag {{=… …=}} is badly written"
        case .transformAppliedToInheritanceSection: return "a transform cannot be applied to an inherited section"
        case .illegalTokenInsideInheritSection: return "only {{$block}} sections may appear inside {{<parent}}"
        case .textInsideInheritSection: return "text may not appear directly inside {{<parent}}"
        case .invalidConfigVariableSyntax: return "a pragma tag {{%NAME:VALUE}} is badly written"
        case .unrecognisedConfigVariable: return "unknown pragma; only {{%CONTENT_TYPE:TEXT}} and {{%CONTENT_TYPE:HTML}} exist"
        }
    }
}
