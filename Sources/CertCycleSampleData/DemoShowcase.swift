public import CertCycleCore
import CertCycleCSV
import CertCycleRegister
import Foundation

/// A handful of hand-made cases added to the demo's generated register, so that on the demo's
/// date every obligation kind and every stage is on the list, a status changes, a letter of
/// each sort goes out and a late suspension shows as a compliance warning.
public enum DemoShowcase {
    /// Appends the cases, dated around `today`, to the CSV files of a generated register in `directory`.
    public static func append(to directory: String, around today: CivilDate) throws {
        let r = today
        func d(_ days: Int) -> String { r.addingDays(days).description }
        func m(_ months: Int, _ days: Int = 0) -> String { r.addingMonths(months).addingDays(days).description }
        var rows: [RegisterTable: [[String]]] = [:]
        let orgs: [(String, String, String, String)] = [
            ("ORG-DEMO-01", "杭州西湖家电服务有限公司", "浙江省杭州市西湖区天目山路 181 号", "45"),
            ("ORG-DEMO-02", "宁波甬安汽车销售服务有限公司", "浙江省宁波市鄞州区中山东路 1088 号", "230"),
            ("ORG-DEMO-03", "南京金陵电梯工程有限公司", "江苏省南京市鼓楼区中山北路 30 号", "640"),
            ("ORG-DEMO-04", "成都天府家居股份有限公司", "四川省成都市锦江区红星路三段 1 号", "1450"),
            ("ORG-DEMO-05", "广州羊城通信设备有限公司", "广东省广州市天河区天河路 385 号", "18"),
            ("ORG-DEMO-06", "武汉江城医疗器械有限公司", "湖北省武汉市江汉区解放大道 690 号", "96"),
        ]
        for (id, name, address, employees) in orgs {
            rows[.organizations, default: []].append([id, name, address, "", employees, "service@\(id.lowercased()).example.cn"])
        }
        func certificate(_ n: Int, _ org: String, _ scope: String) {
            rows[.certificates, default: []].append(["CAS-DEMO-0\(n)", org, scope, "GB/T 27922-2011", "", ""])
        }
        func audit(_ id: String, _ cert: Int, _ kind: String, end: String, score: String, decided: String, due: String = "", reason: String = "") {
            rows[.audits, default: []].append([id, "CAS-DEMO-0\(cert)", kind, end, end, score, score.isEmpty ? "" : "1", decided,
                                               score.isEmpty ? "" : "DM-01", "AUD-0001;AUD-0002", "", due, reason])
        }
        // 1: five stars, first surveillance opens in 30 days (upcoming, notice with man-days).
        certificate(1, "ORG-DEMO-01", "家用电器的售后服务（安装、维修、退换货）")
        audit("AU-DEMO-01", 1, "initial", end: m(-9, 30), score: "96", decided: m(-9, 40))
        // 2: surveillance 10 days overdue (suspend within 5 working days), an overdue corrective action,
        //    a misuse case and a special audit.
        certificate(2, "ORG-DEMO-02", "汽车销售服务（维修保养、配件供应、客户投诉处理）")
        audit("AU-DEMO-02", 2, "initial", end: m(-12, -10), score: "84", decided: m(-12, 0))
        audit("AU-DEMO-02S", 2, "special", end: d(20), score: "", decided: "", due: d(25), reason: "相关方对获证组织的售后服务多次投诉，经核实情况属实")
        rows[.nonconformities, default: []].append(["NC-DEMO-02", "CAS-DEMO-02", "AU-DEMO-02", m(-2, -10), "", ""])
        rows[.misuse, default: []].append(["MU-DEMO-02", "CAS-DEMO-02", d(-20), ""])
        // 3: recertification application due (expires in 5 months), two surveillances done.
        certificate(3, "ORG-DEMO-03", "电梯的安装、维修保养及改造服务")
        audit("AU-DEMO-03", 3, "initial", end: m(-31, -10), score: "88", decided: m(-31))
        audit("AU-DEMO-03S1", 3, "surveillance", end: m(-20), score: "90", decided: m(-20, 7))
        audit("AU-DEMO-03S2", 3, "surveillance", end: m(-9), score: "91", decided: m(-9, 7))
        // 4: expires in 19 days, never applied for recertification.
        certificate(4, "ORG-DEMO-04", "家具的销售及售后服务（配送、安装、维修）")
        audit("AU-DEMO-04", 4, "initial", end: m(-36, 10), score: "92", decided: m(-36, 20))
        audit("AU-DEMO-04S1", 4, "surveillance", end: m(-25), score: "90", decided: m(-25, 7))
        audit("AU-DEMO-04S2", 4, "surveillance", end: m(-14), score: "89", decided: m(-14, 7))
        // 5: suspended 6 months and 3 days ago (withdraw within 5 working days).
        certificate(5, "ORG-DEMO-05", "通信设备的销售及售后服务")
        audit("AU-DEMO-05", 5, "initial", end: m(-20), score: "80", decided: m(-20, 10))
        rows[.suspensions, default: []].append(["SP-DEMO-05", "CAS-DEMO-05", "2", m(-6, -8), m(-6, -3), "", ""])
        // 6: suspended today, 12 days after its cause was verified (a compliance warning), letter today.
        certificate(6, "ORG-DEMO-06", "医疗器械的销售及售后服务（安装、维修、培训）")
        audit("AU-DEMO-06", 6, "initial", end: m(-15), score: "86", decided: m(-15, 10))
        audit("AU-DEMO-06S1", 6, "surveillance", end: m(-4), score: "82", decided: m(-4, 5))
        rows[.suspensions, default: []].append(["SP-DEMO-06", "CAS-DEMO-06", "1", d(-12), d(0), "", ""])
        // An appeal due, one overdue; an application found not acceptable, applicant not told.
        rows[.appeals, default: []].append(["AP-DEMO-1", "CAS-DEMO-02", "ORG-DEMO-02", d(-40), ""])
        rows[.appeals, default: []].append(["AP-DEMO-2", "", "ORG-DEMO-05", d(-70), ""])
        rows[.applications, default: []].append(["APP-DEMO-1", "ORG-DEMO-06", "", "initial", d(-10), d(-8), "not_accepted", "",
                                                 "申请资料不齐全：未提供服务管理体系有效运行 3 个月以上的证据（第 6.1.2 条第（6）项）"])

        for (table, tableRows) in rows {
            let path = URL(fileURLWithPath: directory).appendingPathComponent(table.fileName).path
            guard let handle = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileNoSuchFile) }
            defer { try? handle.close() }
            handle.seekToEndOfFile()
            handle.write(Data(tableRows.map(CSVWriter.line).joined().utf8))
        }
    }
}
