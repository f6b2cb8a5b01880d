/// A condition a test waited for did not come true in time.
public struct TimedOut: Error, CustomStringConvertible {
    public let description: String
    public init(description: String) { self.description = description }
}

/// Polls `condition` every 20 ms until it holds; throws ``TimedOut`` naming `description` when `timeout` passes
/// first. For conditions with no signal to await (database state, another process's API).
public func eventually(
    _ description: String, timeout: Duration = .seconds(60), _ condition: @Sendable () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TimedOut(description: "timed out after \(timeout) waiting until \(description)")
}
