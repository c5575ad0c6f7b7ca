/// Why an obligation's dates are what they are (`certcycle explain`): the records it comes
/// from and each step of the computation, with the clause behind it. Pure, like the rules:
/// the same history and date always give the same explanation.
public struct Explanation: Hashable, Sendable {
    public var obligation: Obligation
    /// The register rows the computation used, in the order it used them.
    public var records: [Record]
    public var steps: [Step]

    public init(obligation: Obligation, records: [Record], steps: [Step]) {
        self.obligation = obligation
        self.records = records
        self.steps = steps
    }

    /// One register row: its table, id and what it says that matters here.
    public struct Record: Hashable, Sendable {
        public var table: String
        public var id: String
        public var summary: String

        public init(table: String, id: String, summary: String) {
            self.table = table
            self.id = id
            self.summary = summary
        }
    }

    /// One step: a sentence for staff, the date it gives (if any), the clause, and whether a
    /// year without calendar data was counted through (RULES §1, §9).
    public struct Step: Hashable, Sendable {
        public var text: String
        public var date: CivilDate?
        public var clause: String?
        public var provisional: Bool = false

        public init(text: String, date: CivilDate?, clause: String?, provisional: Bool = false) {
            self.text = text
            self.date = date
            self.clause = clause
            self.provisional = provisional
        }
    }
}

extension CertificationRules {
    /// The explanation of every obligation of the certificate on `date` (those `obligations(of:on:)`
    /// gives, in staff order), or of the ones of `kind`.
    public func explain(_ history: CertificateHistory, on date: CivilDate, kind: ObligationKind? = nil) -> [Explanation] {
        obligations(of: history, on: date).filter { kind == nil || $0.kind == kind }.sorted(by: Obligation.staffOrder).map { o in
            var e = Explanation(obligation: o, records: [], steps: [])
            explainDates(of: o, history: history, on: date, into: &e)
            explainStage(of: o, on: date, into: &e)
            return e
        }
    }

    /// An appeal's, a not-acceptable application's or the body's monthly report's obligation explained.
    public func explain(_ obligation: Obligation, received: CivilDate, on date: CivilDate) -> Explanation {
        var e = Explanation(obligation: obligation, records: [], steps: [])
        if obligation.kind == .regulatorReport {
            e.records.append(.init(table: "ledger", id: "monthly:\(obligation.subject)#1", summary: "账本中尚无 \(obligation.subject) 月度报告的生成记录"))
            e.steps.append(.init(text: "报告月份 \(obligation.subject) 的次月 1 日 \(obligation.opens) 起可报送", date: obligation.opens, clause: "9.3.4"))
            e.steps.append(.init(text: "报送期限为次月 10 日 \(obligation.due)，节假日不顺延", date: obligation.due, clause: "9.3.4"))
        } else if obligation.kind == .appealReply {
            e.records.append(.init(table: "appeals", id: obligation.subject, summary: "收到日期 \(received)"))
            e.steps.append(.init(text: "申诉收到日 \(received) 加 60 日（日历日）为书面答复期限", date: obligation.due, clause: "10"))
        } else {
            e.records.append(.init(table: "applications", id: obligation.subject, summary: "收到日期 \(received)，评审日期 \(obligation.opens)，结论不予受理"))
            e.steps.append(.init(text: "申请评审日 \(obligation.opens) 加 5 日（日历日）为通知申请组织的期限", date: obligation.due, clause: "6.1.5"))
        }
        explainStage(of: obligation, on: date, into: &e)
        return e
    }

    // MARK: Steps

    private func explainDates(of o: Obligation, history: CertificateHistory, on date: CivilDate, into e: inout Explanation) {
        let file = history.file
        guard let cycle = history.currentCycle(on: date) else { return }
        let cycleKind = cycle.audit.kind == .initial ? "初次审查" : "再认证审查"
        e.records.append(.init(table: "audits", id: cycle.audit.id,
                               summary: "\(cycleKind)，现场审查结束 \(cycle.audit.onsiteEnd)，认证决定 \(cycle.decision)：本认证周期的起点"))
        switch o.kind {
        case .surveillance where o.isExtraAudit:
            if let audit = file.audits.first(where: { $0.id == o.record }) {
                e.records.append(.init(table: "audits", id: audit.id, summary: "特殊审查\(audit.reason.map { "（\($0)）" } ?? "")，应完成日期 \(o.due)"))
            }
            e.steps.append(.init(text: "第 7.2 条的特殊审查按登记册所载的应完成日期 \(o.due) 跟踪；审查开始日期（未载明时为应完成日期）\(o.opens)", date: o.due, clause: "7.2"))
        case .surveillance:
            let done = history.surveillanceAudits(of: cycle, asOf: date)
            for audit in done {
                e.records.append(.init(table: "audits", id: audit.id, summary: "监督审查，现场审查结束 \(audit.onsiteEnd)"))
            }
            let base = done.last?.onsiteEnd ?? cycle.audit.onsiteEnd
            let why = done.isEmpty
                ? "本周期尚无监督审查，基准日为\(cycleKind) \(cycle.audit.id) 的现场审查结束日"
                : "本周期已有 \(done.count) 次监督审查，基准日为最近一次（\(done.last!.id)）的现场审查结束日"
            e.steps.append(.init(text: "\(why) \(base)（审查以现场审查结束日计）", date: base, clause: "7.1"))
            e.steps.append(monthStep("监督审查期开始：基准日加 9 个月", from: base, months: 9, clause: "7.1"))
            e.steps.append(monthStep("监督审查期限：基准日加 12 个月", from: base, months: 12, clause: "7.1"))
            if let notice = settings.kinds[.surveillance]?.noticeDays, notice > 0 {
                e.steps.append(.init(text: "开始前 \(notice) 日起显示为“即将开始”：\(o.opens.addingDays(-notice))", date: o.opens.addingDays(-notice), clause: nil))
            }
        case .recertificationApplication, .certificateExpiry:
            let rule = cycle.ruleValidThrough
            e.steps.append(.init(text: "证书有效期至：认证决定日 \(cycle.decision) 加 3 年减 1 日 = \(rule)", date: rule, clause: "5"))
            if cycle.validThrough != rule {
                e.steps.append(.init(text: "证书所载有效期为 \(cycle.validThrough)，与规则计算不同，按证书所载日期处理", date: cycle.validThrough, clause: "5"))
            }
            if o.kind == .certificateExpiry {
                e.steps.append(.init(text: "有效期至日前 30 日起提示：\(o.opens)", date: o.opens, clause: "5"))
                e.steps.append(.init(text: "有效期至日 \(o.due) 前未作出再认证决定的，次日起证书失效并公布", date: o.due, clause: "9.3.5"))
            } else {
                e.steps.append(monthStep("再认证申请期开始：有效期至日减 6 个月", from: cycle.validThrough, months: -6, clause: "8.1"))
                e.steps.append(monthStep("再认证申请期限：有效期至日减 3 个月", from: cycle.validThrough, months: -3, clause: "8.1"))
            }
        case .correctiveAction:
            if let nc = file.nonconformities.first(where: { $0.id == o.record }) {
                e.records.append(.init(table: "nonconformities", id: nc.id, summary: "通知日期 \(nc.notifiedOn)\(nc.dueOn.map { "，登记册载明整改期限 \($0)" } ?? "")"))
                if let stated = nc.dueOn {
                    e.steps.append(.init(text: "整改期限按登记册载明的 \(stated)（不按通知日加 2 个月计算）", date: stated, clause: "7.5"))
                } else {
                    e.steps.append(monthStep("整改期限：通知日加 2 个月", from: nc.notifiedOn, months: 2, clause: "7.5"))
                }
            }
        case .suspensionLimit:
            if let s = file.suspensions.first(where: { $0.id == o.record }) {
                e.records.append(.init(table: "suspensions", id: s.id, summary: "暂停原因第 9.3.2.1 条第（\(s.reason)）项，自 \(s.startOn) 起"))
                e.steps.append(monthStep("暂停期限：暂停开始日加 6 个月（起始日不计入，民法典第二百零一条）", from: s.startOn, months: 6, clause: "9.3.2.2"))
            }
        case .misuseCorrection:
            if let m = file.misuseCases.first(where: { $0.id == o.record }) {
                e.records.append(.init(table: "misuse", id: m.id, summary: "要求纠正日期 \(m.requestedOn)"))
                e.steps.append(monthStep("纠正期限：要求纠正日加 2 个月", from: m.requestedOn, months: 2, clause: "9.3.3.1(7)"))
            }
        case .appealReply, .applicationNotice, .regulatorReport:
            break
        }
    }

    /// `addMonths` with its clamping said when it happens (2025-08-31 + 6 months = 2026-02-28).
    private func monthStep(_ what: String, from start: CivilDate, months: Int, clause: String) -> Explanation.Step {
        let result = start.addingMonths(months)
        var text = "\(what)：\(start) \(months >= 0 ? "+" : "−") \(abs(months)) 个月 = \(result)"
        if result.parts.day != start.parts.day {
            text += "（\(result.parts.year) 年 \(result.parts.month) 月没有 \(start.parts.day) 日，取该月最后一日）"
        }
        return .init(text: text, date: result, clause: clause)
    }

    /// The stage on `date`, and for an overdue obligation its escalation and every day the
    /// working-day count stepped through.
    private func explainStage(of o: Obligation, on date: CivilDate, into e: inout Explanation) {
        let stageText: String = switch o.stage {
        case .upcoming: "\(date) 在开始日 \(o.opens) 之前的提示期内：即将开始"
        case .due: "\(date) 在 \(o.opens) 至 \(o.due) 之间：进行中，剩 \(date.days(to: o.due)) 天"
        case .overdue: "\(date) 已过期限 \(o.due)：逾期 \(o.due.days(to: date)) 天"
        }
        e.steps.append(.init(text: stageText, date: nil, clause: o.clause))
        guard o.stage == .overdue, let by = o.escalationBy else { return }
        let n = settings.settings(for: o.kind).escalationWorkingDays
        e.steps.append(.init(text: "\(o.escalation.chineseName)的期限：期限次日起第 \(n) 个工作日 = \(by.date)；" + workingDaysText(after: o.due, through: by.date),
                             date: by.date, clause: o.kind.escalationClause, provisional: by.provisional))
        if let taken = o.escalationTaken {
            e.steps.append(.init(text: "证书已自 \(taken) 起暂停：暂停已经采取，不再重复", date: taken, clause: "9.3.2"))
            if let next = o.nextStep {
                let text = next.escalation == .none
                    ? "下一步：暂停原因为许可证办理中（第 9.3.2.1 条第（5）项），无 6 个月期限，按期跟进许可办理情况"
                    : "下一步：暂停期满 \(next.from.map(\.description) ?? "") 后\(next.escalation.chineseName)" + (next.by.map { "，期限 \($0.date)" } ?? "")
                e.steps.append(.init(text: text, date: next.by?.date ?? next.from, clause: next.clause, provisional: next.by?.provisional ?? false))
            }
        }
    }

    /// `2026-02-14（周六，调休上班日）计入；2026-02-15 至 2026-02-23 放假或周末，不计；…`
    func workingDaysText(after start: CivilDate, through end: CivilDate) -> String {
        var counted: [String] = []
        var skipped: [String] = []
        var provisional: Set<Int> = []
        var day = start.addingDays(1)
        while day <= end {
            let answer = calendar.isWorkingDay(day)
            if answer.provisional { provisional.insert(day.year) }
            switch (answer.isWorkingDay, day.isWeekend) {
            case (true, true): counted.append("\(day)（周末调休上班日）")
            case (true, false): counted.append(day.description)
            case (false, true): skipped.append("\(day)（周末）")
            case (false, false): skipped.append("\(day)（法定节假日）")
            }
            day = day.addingDays(1)
        }
        var text = "计入的工作日：" + (counted.isEmpty ? "无" : counted.joined(separator: "、"))
        if !skipped.isEmpty { text += "；跳过：" + skipped.joined(separator: "、") }
        if !provisional.isEmpty {
            text += "；\(provisional.sorted().map(String.init).joined(separator: "、")) 年尚无官方日历，按法定节假日暂定推算（结果为暂定）"
        }
        return text
    }
}
