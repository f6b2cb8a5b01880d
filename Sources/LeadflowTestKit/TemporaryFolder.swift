import Foundation

/// A fresh folder under the system's temporary directory for one test, removed when `body` returns.
public func withTemporaryFolder<T>(_ body: (String) async throws -> T) async throws -> T {
    let folder = NSTemporaryDirectory() + "leadflow-test-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try await body(folder)
}
