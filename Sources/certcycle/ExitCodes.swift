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

/// Runs a command body, turning every failure into its message on stderr and its exit code.
func runReporting(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ImportFailure {
        for diagnostic in error.diagnostics { printError(diagnostic.description) }
        printError("import changed nothing: \(error.diagnostics.count) problem(s) above; fix them and import again")
        throw ExitCode(Exit.dataError.rawValue)
    } catch let error as ConfigError {
        printError("configuration error: \(error.description); fix it and run again")
        throw ExitCode(Exit.configuration.rawValue)
    } catch let error as CLIError {
        printError(error.message)
        throw ExitCode(error.code.rawValue)
    } catch let error as RunnerError {
        switch error.kind {
        case .locked:
            printError(error.message)
            throw ExitCode(Exit.tryAgain.rawValue)
        case .configuration:
            printError("configuration error: \(error.message); fix it and run again")
            throw ExitCode(Exit.configuration.rawValue)
        case .io:
            printError("error: \(error.message)")
            throw ExitCode(Exit.failure.rawValue)
        }
    } catch let error as TemplateError {
        printError("configuration error: \(error.description); fix the template and run again")
        throw ExitCode(Exit.configuration.rawValue)
    } catch let error as RegisterError {
        printError("register error: \(error.message)")
        throw ExitCode(Exit.failure.rawValue)
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch {
        printError("error: \(error)")
        throw ExitCode(Exit.failure.rawValue)
    }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
