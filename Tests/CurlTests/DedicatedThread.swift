import Curl
import Foundation

/// Runs blocking libcurl work on a thread of its own: on the cooperative pool it would hold one of the few threads
/// that the in-process test server also needs to answer it.
func onDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// Performs `request` on a fresh `CurlEasy` that lives and dies on a dedicated thread.
func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
    try await onDedicatedThread { try CurlEasy().perform(request) }
}
