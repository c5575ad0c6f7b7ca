/// Clauses as a Chinese text cites them: `9.3.2.1(4)` → `第 9.3.2.1 条第（4）项`, `7.1` →
/// `第 7.1 条`, `附录 A` unchanged. Machine outputs (JSONL, webhooks) keep the short form.
public enum ClauseCitation {
    public static func chinese(_ clause: String) -> String {
        guard let first = clause.unicodeScalars.first, ("0"..."9").contains(first) else { return clause }
        if let open = clause.firstIndex(of: "("), clause.hasSuffix(")") {
            let number = clause[..<open]
            let item = clause[clause.index(after: open)..<clause.index(before: clause.endIndex)]
            return "第 \(number) 条第（\(item)）项"
        }
        return "第 \(clause) 条"
    }
}
