import ArgumentParser

@main
struct CertCycle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certcycle",
        abstract: "Keeps a certification body's certificates honest: obligations, public status, notices.",
        discussion: """
        certcycle applies the certification rules for after-sales service certification (GB/T 27922) \
        to the certificate register: what is due, what is overdue, and what each certificate's public \
        status is on any date. Start with `certcycle demo`.
        """,
        version: Version.text,
        subcommands: [
            Demo.self, Run.self, Publish.self, OutboxCommand.self, Import.self, Export.self, Generate.self, Scan.self, Status.self, Show.self,
            LedgerCommand.self, LetterCommand.self, ReportCommand.self, Explain.self, ForecastCommand.self, ManDaysCommand.self, Evaluate.self, CalendarCommand.self, MigrateStore.self,
        ]
    )
}
