import ArgumentParser

@main
struct Leadflow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leadflow",
        abstract: "Lead-pipeline automation over ZeroMQ and PostgreSQL.")
}
