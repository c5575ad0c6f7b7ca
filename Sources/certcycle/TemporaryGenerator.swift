// TEMPORARY: stands in until CertCycleRegister.RegisterGenerator lands. Delete this file then.
import CertCycleCore
import CertCycleRegister
struct RegisterGenerator {
    init(certificates: Int, seed: UInt64 = 1, around reference: CivilDate = CivilDate(year: 2026, month: 6, day: 30)!) {}
    func write(to directory: String) throws -> [RegisterTable: Int] { throw RegisterError("generator not built yet") }
}
