import Curl
import Foundation

/// A real Prometheus Alertmanager (Debian's `prometheus-alertmanager`) on a loopback port, with a throwaway
/// configuration and storage folder, for tests that post alerts and read them back through its own API.
public final class TestAlertmanager: Sendable {
    /// One alert as Alertmanager's `GET /api/v2/alerts` lists it.
    public struct ListedAlert: Decodable, Sendable, Hashable {
        public struct Status: Decodable, Sendable, Hashable {
            public let state: String
        }
        public let labels: [String: String]
        public let annotations: [String: String]
        public let startsAt: String
        public let endsAt: String
        public let status: Status
    }

    /// What went wrong starting or asking Alertmanager.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static let executable = "/usr/bin/prometheus-alertmanager"

    /// `http://127.0.0.1:<port>`.
    public let baseURL: String
    private let process: ChildProcess
    private let folder: String
    private let curl = CurlWorker(name: "test.alertmanager")

    /// Starts Alertmanager (clustering off) and returns once `/-/ready` answers 200, within `timeout`.
    public static func start(timeout: Duration = .seconds(20)) async throws -> TestAlertmanager {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("leadflow-alertmanager-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
        // Every alert goes to a receiver that sends nowhere: the test reads alerts through the API.
        let configuration = """
            route:
              receiver: discard
              group_wait: 0s
            receivers:
              - name: discard
            """
        try configuration.write(toFile: folder + "/alertmanager.yml", atomically: true, encoding: .utf8)
        let port = try LoopbackPort.unused()
        let process = try ChildProcess(
            name: "alertmanager", executable: executable,
            arguments: [
                "--config.file=\(folder)/alertmanager.yml", "--storage.path=\(folder)/data",
                "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=", "--log.level=warn",
            ],
            logPath: folder + "/alertmanager.log")
        let alertmanager = TestAlertmanager(baseURL: "http://127.0.0.1:\(port)", process: process, folder: folder)
        do {
            try await alertmanager.waitUntilReady(timeout: timeout)
        } catch {
            await alertmanager.stop()
            throw error
        }
        return alertmanager
    }

    /// Runs `body` against a fresh Alertmanager and stops it afterwards, whether `body` throws or not.
    public static func withAlertmanager<T>(_ body: (TestAlertmanager) async throws -> T) async throws -> T {
        let alertmanager = try await start()
        do {
            let result = try await body(alertmanager)
            await alertmanager.stop()
            return result
        } catch {
            await alertmanager.stop()
            throw error
        }
    }

    private init(baseURL: String, process: ChildProcess, folder: String) {
        self.baseURL = baseURL
        self.process = process
        self.folder = folder
    }

    /// The alerts Alertmanager holds and has not seen resolved (`GET /api/v2/alerts`).
    public func alerts() async throws -> [ListedAlert] {
        let response = try await curl.perform(HTTPRequest(url: baseURL + "/api/v2/alerts"))
        guard response.status == 200 else {
            throw Failure(description: "GET /api/v2/alerts answered \(response.status)")
        }
        return try JSONDecoder().decode([ListedAlert].self, from: Data(response.body))
    }

    /// Stops the process (SIGTERM, then SIGKILL) and removes its folder.
    public func stop() async {
        process.send(SIGTERM)
        if await process.waitForExit(timeout: .seconds(5)) == nil {
            process.send(SIGKILL)
            _ = await process.waitForExit(timeout: .seconds(5))
        }
        curl.shutdown()
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Asks `/-/ready` until it answers 200: Alertmanager's own readiness signal.
    private func waitUntilReady(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let termination = process.termination {
                throw Failure(description: "alertmanager ended (\(termination)) before it was ready:\n\(process.tail())")
            }
            let request = HTTPRequest(url: baseURL + "/-/ready", connectTimeout: .seconds(1), timeout: .seconds(2))
            if let response = try? await curl.perform(request), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Failure(description: "alertmanager not ready within \(timeout):\n\(process.tail())")
    }
}
