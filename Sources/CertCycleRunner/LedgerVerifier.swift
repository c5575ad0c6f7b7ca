public import CertCycleRegister
import Foundation

/// `certcycle ledger verify`: walks the hash chain and every notice folder, and reports any
/// record or file that was changed, removed or added after it was written (RULES §6, 11.3).
public struct LedgerVerifier {
    public let register: any Register
    public let notices: NoticeFolderWriter

    public init(register: any Register, notices: NoticeFolderWriter) {
        self.register = register
        self.notices = notices
    }

    public struct Result: Sendable {
        public var entries = 0
        public var folders = 0
        public var files = 0
        public var problems: [String] = []
        /// Folders set aside by a run (`…unrecorded-N`) or a rollback (`…rolled-back-N`): kept for
        /// inspection, not problems.
        public var setAside: [String] = []
    }

    public func verify() throws -> Result {
        var result = Result()
        var previous: LedgerEntry?
        var hashes: [Int: String] = [:]
        var recordedFolders: [String: String] = [:]
        var manualLetters: [String: String] = [:]
        var reports: [String: String] = [:]
        try register.forEachLedgerEntry { entry in
            result.entries += 1
            let expectedSeq = (previous?.seq ?? 0) + 1
            if entry.seq != expectedSeq {
                result.problems.append("ledger entries \(expectedSeq)–\(entry.seq - 1) are missing: removed after they were written")
            }
            if entry.previousHash != (previous?.hash ?? LedgerChain.genesis) {
                result.problems.append("ledger entry \(entry.seq) (\(entry.kind.rawValue) \(entry.key)) does not follow the entry before it: an entry was removed, inserted or changed")
            }
            let hash = LedgerChain.hash(seq: entry.seq, asOf: entry.asOf, kind: entry.kind, key: entry.key, payload: entry.payload, previousHash: entry.previousHash)
            if hash != entry.hash {
                result.problems.append("ledger entry \(entry.seq) (\(entry.kind.rawValue) \(entry.key)) was changed after it was written")
            }
            hashes[entry.seq] = entry.hash
            if entry.kind == .notice { recordedFolders[entry.key] = entry.payload }
            if entry.kind == .letter { manualLetters[entry.key] = entry.payload }
            if entry.kind == .report { reports[entry.key] = entry.payload }
            previous = entry
        }
        for (folder, payload) in recordedFolders.sorted(by: { $0.key < $1.key }) {
            result.folders += 1
            checkFolder(folder, payload: payload, hashes: hashes, into: &result)
        }
        checkManualLetters(manualLetters, hashes: hashes, into: &result)
        checkReports(reports, hashes: hashes, into: &result)
        checkUnrecordedFolders(recordedFolders, into: &result)
        return result
    }

    /// Letters issued on purpose (`NOTICES/letters/…`): each recorded folder checked, and any
    /// folder there that no record names.
    private func checkManualLetters(_ manualLetters: [String: String], hashes: [Int: String], into result: inout Result) {
        var manualFolders: Set<String> = []
        for (key, payload) in manualLetters.sorted(by: { $0.key < $1.key }) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any],
                  let folder = object["folder"] as? String, folder.hasPrefix(NightlyRun.manualFolder + "/")
            else {
                result.problems.append("ledger record of letter \(key) cannot be read")
                continue
            }
            result.folders += 1
            manualFolders.insert(String(folder.dropFirst(NightlyRun.manualFolder.count + 1)))
            checkFolder(folder, payload: payload, hashes: hashes, into: &result)
        }
        let manualRoot = notices.root + "/" + NightlyRun.manualFolder
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: manualRoot)) ?? []).sorted() where !name.hasPrefix(".") {
            if name.contains(".unrecorded-") || name.contains(".rolled-back-") {
                result.setAside.append(NightlyRun.manualFolder + "/" + name)
            } else if !manualFolders.contains(name) {
                result.problems.append("letter folder \(NightlyRun.manualFolder)/\(name) is not in the ledger: added after the fact, or left by a command that did not finish")
            }
        }
    }

    /// A day's folder in the notices root that no record names (set-aside folders are listed, not problems).
    private func checkUnrecordedFolders(_ recordedFolders: [String: String], into result: inout Result) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: notices.root)) ?? []
        for name in names.sorted() where !name.hasPrefix(".") && !NoticeFolderWriter.isRootPage(name) && name != NightlyRun.manualFolder
            && name != MonthlyReportWriter.reportsFolder {
            if name.contains(".unrecorded-") || name.contains(".rolled-back-") {
                result.setAside.append(name)
            } else if recordedFolders[name] == nil {
                result.problems.append("notice folder \(name) is not in the ledger: added after the fact, or left by a run that did not finish")
            }
        }
    }

    /// Reports made into `NOTICES/reports/` are checked like notice folders; one written with
    /// `--out` elsewhere is the caller's to keep (its hashes are in the record).
    private func checkReports(_ reports: [String: String], hashes: [Int: String], into result: inout Result) {
        let prefix = MonthlyReportWriter.reportsFolder + "/"
        var recorded: Set<String> = []
        for (key, payload) in reports.sorted(by: { $0.key < $1.key }) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any],
                  let folder = object["folder"] as? String
            else {
                result.problems.append("ledger record of report \(key) cannot be read")
                continue
            }
            guard folder.hasPrefix(prefix) else { continue }
            recorded.insert(String(folder.dropFirst(prefix.count)))
            result.folders += 1
            checkFolder(folder, payload: payload, hashes: hashes, into: &result)
        }
        let root = notices.root + "/" + MonthlyReportWriter.reportsFolder
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted() where !name.hasPrefix(".") {
            if name.contains("-unrecorded-") || name.contains(".rolled-back-") {
                result.setAside.append(prefix + name)
            } else if !recorded.contains(name) {
                result.problems.append("report folder \(prefix)\(name) is not in the ledger: added after the fact, or left by a command that did not finish")
            }
        }
    }

    private func checkFolder(_ folder: String, payload: String, hashes: [Int: String], into result: inout Result) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any],
              let files = object["files"] as? [[String: String]]
        else {
            result.problems.append("ledger record of notice folder \(folder) cannot be read")
            return
        }
        let path = notices.folderPath(folder)
        guard FileManager.default.fileExists(atPath: path) else {
            result.problems.append("notice folder \(folder) was removed")
            return
        }
        let present = (try? NoticeFolderWriter.readFiles(in: path)) ?? []
        var byPath = Dictionary(uniqueKeysWithValues: present.map { ($0.path, $0.data) })
        for file in files {
            guard let name = file["path"], let sha = file["sha256"] else { continue }
            result.files += 1
            guard let data = byPath.removeValue(forKey: name) else {
                result.problems.append("\(folder)/\(name) was removed")
                continue
            }
            if LedgerChain.sha256(data) != sha { result.problems.append("\(folder)/\(name) was changed after it was written") }
            if name == "manifest.json" { checkManifest(folder, data, hashes: hashes, into: &result) }
        }
        for name in byPath.keys.sorted() {
            result.problems.append("\(folder)/\(name) was added after the folder was written")
        }
    }

    /// The manifest names the ledger entry that was last before the day: it must still be there.
    private func checkManifest(_ folder: String, _ data: Data, hashes: [Int: String], into result: inout Result) {
        guard let manifest = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let seq = manifest["ledger_seq"] as? Int, let hash = manifest["ledger_hash"] as? String
        else { return }
        if seq > 0, hashes[seq] != hash {
            result.problems.append("\(folder)/manifest.json refers to ledger entry \(seq), which was changed or removed")
        }
    }
}
