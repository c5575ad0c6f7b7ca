public import CertCycleCore

/// `certcycle explain`: the explanations as staff read them (Chinese text) and as tools do (JSON).
public enum ExplanationOutput {
    public static func text(certificate: String, asOf: CivilDate, _ explanations: [Explanation], titles: (ObligationKind) -> String) -> String {
        var out = "\(certificate) 在 \(asOf) 的待办事项及其日期的由来\n"
        if explanations.isEmpty { return out + "\n无待办事项。\n" }
        for (n, e) in explanations.enumerated() {
            let o = e.obligation
            out += "\n\(n + 1). \(titles(o.kind))（\(ClauseCitation.chinese(o.clause))）：\(o.stage.chineseName)，"
            out += "开始 \(o.opens)，期限 \(o.due)\(o.record.map { "，记录 \($0)" } ?? "")\n"
            out += "   依据的记录：\n"
            for r in e.records { out += "   - \(r.table) \(r.id)：\(r.summary)\n" }
            out += "   计算：\n"
            for (i, step) in e.steps.enumerated() {
                out += "   \(i + 1)) \(step.text)"
                if let clause = step.clause { out += "（\(ClauseCitation.chinese(clause))）" }
                if step.provisional { out += "（暂定）" }
                out += "\n"
            }
        }
        return out
    }

    /// A JSON array, one object per obligation: its contract fields, `records` and `steps`.
    public static func json(certificate: String, asOf: CivilDate, _ explanations: [Explanation]) -> String {
        let items = explanations.map { e -> String in
            let o = e.obligation
            var line = JSONLine()
            line.add("certificate", certificate)
            line.add("as_of", asOf.description)
            ObligationOutput.addFields(o, asOf: asOf, to: &line)
            let records = e.records.map { r in
                var item = JSONLine()
                item.add("table", r.table)
                item.add("id", r.id)
                item.add("summary", r.summary)
                return item.string
            }
            line.add("records", number: "[" + records.joined(separator: ",") + "]")
            let steps = e.steps.map { s in
                var item = JSONLine()
                item.add("text", s.text)
                item.add("date", s.date?.description)
                item.add("clause", s.clause)
                item.add("provisional", s.provisional)
                return item.string
            }
            line.add("steps", number: "[" + steps.joined(separator: ",") + "]")
            return line.string
        }
        return "[" + items.joined(separator: ",\n") + "]\n"
    }
}
