import ArgumentParser
import CertCycleConfig
import CertCycleCore
import CertCycleNotices
import CertCycleRegister
import CertCycleRunner
import Foundation

/// The exit codes of INTERFACE.md.
enum Exit: Int32 {
    case ok = 0
    case failure = 1
    case usage = 64
    case dataError = 65
    case unavailable = 69
    case tryAgain = 75
    case configuration = 78
}

/// An error the CLI reports with its exit code and one line saying what to do.
struct CLIError: CodedError {
    var code: FailureCode
    var message: String

    init(_ code: FailureCode, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { message }
    var report: String { message }
}

extension FailureCode {
    /// INTERFACE.md's exit code for the failure.
    var exit: Exit {
        switch self {
        case .failure: .failure
        case .usage: .usage
        case .data: .dataError
        case .unavailable: .unavailable
        case .tryAgain: .tryAgain
        case .configuration: .configuration
        }
    }
}

/// Runs a command body, turning every failure into its message on stderr and its exit code.
func runReporting(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as any CodedError {
        throw exit(error.code.exit, error.report)
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        // SQLite's "malformed" from a read of a damaged register: one line, exit 65.
        if let damaged = SQLiteRegister.damage(error) { throw exit(.dataError, damaged.message) }
        throw exit(.failure, "error: \(error)")
    }
}

/// Prints `message` on stderr and gives the exit code to throw.
func exit(_ code: Exit, _ message: String) -> ExitCode {
    printError(message)
    return ExitCode(code.rawValue)
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
