import Foundation
import Synchronization

/// The `leadflow` executable, built beside the test bundle by `swift build` / `swift test`, run as a user
/// runs it.
enum LeadflowExecutable {
    static var path: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("leadflow").path
    }

    /// Runs the executable with `arguments` and `environment` added; returns its exit status, stdout and
    /// stderr. Each pipe is drained on a thread of its own (a full pipe would stall the process), and the wait
    /// happens there too, never on the cooperative pool, which other tests' servers need meanwhile.
    static func run(
        _ arguments: [String], environment: [String: String]
    ) async throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let (outputReader, errorReader) = (output.fileHandleForReading, errors.fileHandleForReading)
        return await withCheckedContinuation { continuation in
            Thread {
                let errorData = Mutex(Data())
                let drained = DispatchSemaphore(value: 0)
                Thread {
                    errorData.withLock { $0 = errorReader.readDataToEndOfFile() }
                    drained.signal()
                }.start()
                let outputData = outputReader.readDataToEndOfFile()
                drained.wait()
                process.waitUntilExit()
                continuation.resume(
                    returning: (
                        process.terminationStatus, String(decoding: outputData, as: UTF8.self),
                        String(decoding: errorData.withLock { $0 }, as: UTF8.self)
                    ))
            }.start()
        }
    }
}
