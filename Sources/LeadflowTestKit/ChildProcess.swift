import Foundation
import Synchronization

/// One running child process (a `leadflow` service, Alertmanager…): stdout and stderr go to a log file, and its
/// exit is awaited on a thread of its own, never on the cooperative pool.
public final class ChildProcess: Sendable {
    /// How the process ended.
    public enum Termination: Sendable, Equatable, CustomStringConvertible {
        case exited(Int32)
        case signalled(Int32)

        public var description: String {
            switch self {
            case .exited(let status): "exit status \(status)"
            case .signalled(let signal): "killed by signal \(signal)"
            }
        }
    }

    private struct State {
        var termination: Termination?
        var waiters: [Int: CheckedContinuation<Termination?, Never>] = [:]
        var nextWaiter = 0
    }

    public let name: String
    public let logPath: String
    public let pid: Int32
    private let state = Mutex(State())

    /// What went wrong starting a process.
    public struct StartError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The built `leadflow` executable, beside the test bundle (`swift build` / `swift test` put it there).
    public static var leadflowExecutable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("leadflow").path
    }

    /// Starts `executable arguments…` with its output in `logPath`. The test process's `DATABASE_URL` is not
    /// passed on (children are told their database explicitly); `environment` adds to the rest.
    public init(
        name: String, executable: String = ChildProcess.leadflowExecutable, arguments: [String], logPath: String,
        environment: [String: String] = [:]
    ) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw StartError(description: "\(executable) is missing or not executable")
        }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        guard let log = FileHandle(forWritingAtPath: logPath) else {
            throw StartError(description: "cannot write \(logPath)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var inherited = ProcessInfo.processInfo.environment
        inherited.removeValue(forKey: "DATABASE_URL")
        process.environment = inherited.merging(environment) { _, new in new }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try? log.close()
        self.name = name
        self.logPath = logPath
        self.pid = process.processIdentifier
        let thread = Thread { [self] in
            process.waitUntilExit()
            ended(
                process.terminationReason == .uncaughtSignal
                    ? .signalled(process.terminationStatus) : .exited(process.terminationStatus))
        }
        thread.name = "wait-\(name)"
        thread.start()
    }

    private func ended(_ termination: Termination) {
        let waiters = state.withLock { state in
            state.termination = termination
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: termination) }
    }

    /// How it ended, or `nil` while it runs.
    public var termination: Termination? { state.withLock { $0.termination } }

    /// Sends `signal` (e.g. `SIGKILL`, `SIGTERM`) unless the process has already ended.
    public func send(_ signal: Int32) {
        if termination == nil { kill(pid, signal) }
    }

    /// Waits until the process ends, for at most `timeout`; `nil` when it still runs.
    public func waitForExit(timeout: Duration) async -> Termination? {
        await withTaskGroup(of: Termination?.self) { group in
            group.addTask { await self.exit() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? termination
        }
    }

    /// The exit, awaited; `nil` when the waiting task is cancelled first.
    private func exit() async -> Termination? {
        let id = state.withLock { state in
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (waiter: CheckedContinuation<Termination?, Never>) in
                let now = state.withLock { state -> Termination?? in
                    if let termination = state.termination { return .some(termination) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[id] = waiter
                    return .none
                }
                if let now { waiter.resume(returning: now) }
            }
        } onCancel: {
            let waiter = state.withLock { state in state.waiters.removeValue(forKey: id) }
            waiter?.resume(returning: nil)
        }
    }

    /// The process's whole output so far.
    public var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The last `count` lines of its output, for failure reports.
    public func tail(_ count: Int = 30) -> String {
        output.split(separator: "\n", omittingEmptySubsequences: false).suffix(count).joined(separator: "\n")
    }
}
