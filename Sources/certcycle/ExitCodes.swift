import ArgumentParser
import CertCycleConfig
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
struct CLIError: Error, CustomStringConvertible {
    var code: Exit
    var message: String

    init(_ code: Exit, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { message }
}

/// Runs a command body, turning every failure into one message on stderr and its exit code.
func runReporting(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ImportFailure {
        for diagnostic in error.diagnostics { printError(diagnostic.description) }
        throw exit(.dataError, "import changed nothing: \(error.diagnostics.count) problem(s) above; fix them and import again")
    } catch let error as ConfigError {
        throw exit(.configuration, "configuration error: \(error.description); fix it and run again")
    } catch let error as CLIError {
        throw exit(error.code, error.message)
    } catch let error as RunnerError {
        switch error.kind {
        case .locked: throw exit(.tryAgain, error.message)
        case .configuration: throw exit(.configuration, "configuration error: \(error.message); fix it and run again")
        case .input: throw exit(.dataError, error.message)
        case .usage: throw exit(.usage, error.message)
        case .state, .unwritable: throw exit(.configuration, error.message)
        }
    } catch let error as TemplateError {
        throw exit(.configuration, "configuration error: \(error.description); fix the template and run again")
    } catch let error as RegisterError {
        switch error.kind {
        case .unavailable: throw exit(.unavailable, error.message)
        case .damaged: throw exit(.dataError, error.message)
        case .failure: throw exit(.failure, "register error: \(error.message)")
        }
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
