import Foundation
import Synchronization

/// Runs a program to its end, as a user runs it from a shell: the built `leadflow`, `promtool`…
public enum CommandRun {
    /// How a finished run ended and what it printed.
    public struct Outcome: Sendable {
        public let status: Int32
        public let output: String
        public let errors: String
    }

    /// Runs `executable arguments…` with `environment` added to the test process's, `input` on its standard
    /// input and, when given, `directory` as its working directory; returns its exit status, stdout and stderr. Each pipe is drained on a thread of its own (a full pipe
    /// would stall the process), and the wait happens there too, never on the cooperative pool, which other
    /// tests' servers need meanwhile.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], input: String? = nil,
        directory: String? = nil
    ) async throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = Pipe()
        let errors = Pipe()
        let standardInput = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input == nil ? FileHandle.nullDevice : standardInput
        try process.run()
        let (outputReader, errorReader) = (output.fileHandleForReading, errors.fileHandleForReading)
        let inputWriter = standardInput.fileHandleForWriting
        return await withCheckedContinuation { continuation in
            Thread {
                let errorData = Mutex(Data())
                let drained = DispatchSemaphore(value: 0)
                Thread {
                    errorData.withLock { $0 = errorReader.readDataToEndOfFile() }
                    drained.signal()
                }.start()
                if let input {
                    Thread {
                        try? inputWriter.write(contentsOf: Data(input.utf8))
                        try? inputWriter.close()
                    }.start()
                }
                let outputData = outputReader.readDataToEndOfFile()
                drained.wait()
                process.waitUntilExit()
                continuation.resume(
                    returning: Outcome(
                        status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self),
                        errors: String(decoding: errorData.withLock { $0 }, as: UTF8.self)))
            }.start()
        }
    }
}
