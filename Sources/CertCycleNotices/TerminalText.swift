/// Text from the register made safe to print on a terminal (`scan`, `status` and `show` tables).
///
/// A name holding `ESC [ 2 J` or an OSC 8 hyperlink would otherwise clear the screen, retitle
/// the window or hide text when staff look at a table. Control characters become visible in
/// caret notation (`ESC` → `^[`, NUL → `^@`, DEL → `^?`); C1 controls and the bidirectional
/// overrides (which reorder what is shown, "Trojan Source") become `�`. JSONL and CSV are not
/// for terminals and keep the exact values (JSONL escapes controls as `\u001b`).
public enum TerminalText {
    /// `text` with every control character made visible. Line feeds are kept when
    /// `keepingLineBreaks` (whole outputs); in a table cell, line breaks and tabs become spaces
    /// so that a row stays one line.
    public static func visible(_ text: String, keepingLineBreaks: Bool = true) -> String {
        guard text.unicodeScalars.contains(where: { needsReplacing($0, keepingLineBreaks: keepingLineBreaks) }) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsReplacing(scalar, keepingLineBreaks: keepingLineBreaks) else {
                out.append(scalar)
                continue
            }
            let value = scalar.value
            if !keepingLineBreaks, value == 0x0A || value == 0x0D || value == 0x09 {
                out.append(" ")
                continue
            }
            switch value {
            case 0x00..<0x20:
                out.append("^")
                out.append(Unicode.Scalar(UInt8(scalar.value + 0x40)))
            case 0x7F:
                out.append(contentsOf: "^?".unicodeScalars)
            default:
                out.append("\u{FFFD}")
            }
        }
        return String(out)
    }

    static func needsReplacing(_ scalar: Unicode.Scalar, keepingLineBreaks: Bool) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: !keepingLineBreaks
        case 0x00..<0x20, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
