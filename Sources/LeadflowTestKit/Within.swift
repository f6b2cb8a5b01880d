/// Runs `body`, or gives up after `timeout` and returns nil (the body's task is cancelled): for awaiting a real
/// signal, such as a message arriving, without waiting forever when it never comes.
public func within<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        let first = try await group.next() ?? nil
        group.cancelAll()
        return first
    }
}
