import Testing

/// Polls `condition` every 20 ms until it holds; records an issue naming `description` and throws when
/// `timeout` passes first. For conditions with no signal to await (database state).
func eventually(
    _ description: String, timeout: Duration = .seconds(60), _ condition: @Sendable () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out after \(timeout) waiting until \(description)")
    throw CancellationError()
}
