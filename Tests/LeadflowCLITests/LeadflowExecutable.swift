import LeadflowTestKit

/// The `leadflow` executable, built beside the test bundle by `swift build` / `swift test`, run as a user
/// runs it.
enum LeadflowExecutable {
    static var path: String { ChildProcess.leadflowExecutable }

    /// Runs the executable with `arguments` and `environment` added (``CommandRun``); returns its exit status,
    /// stdout and stderr.
    static func run(
        _ arguments: [String], environment: [String: String]
    ) async throws -> (status: Int32, output: String, errors: String) {
        let outcome = try await CommandRun.run(path, arguments, environment: environment)
        return (outcome.status, outcome.output, outcome.errors)
    }
}
