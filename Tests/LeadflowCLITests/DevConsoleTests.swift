import Curl
import Foundation
import LeadflowTestKit
import Testing

/// `leadflow dev` on its private database prints the console's address and two ready-made tokens.
@Suite("leadflow dev: the console's tokens")
struct DevConsoleTests {
    @Test("a start on the private database prints a viewer and an operator token that work; the next start revokes them")
    func tokens() async throws {
        try await withTemporaryFolder { folder in
            let curl = CurlWorker(name: "test.dev-console")
            defer { curl.shutdown() }
            let adminPort = try LoopbackPort.unused()
            var previous: (viewer: String, operator: String)?
            for start in 1...2 {
                let dev = try ChildProcess(
                    name: "dev",
                    arguments: [
                        "dev", "--directory", "\(folder)/postgres", "--no-collector", "--set", "admin.listen=127.0.0.1:\(adminPort)",
                        "--set", "ingest.endpoint=tcp://127.0.0.1:*", "--set", "ingest.events_endpoint=",
                        "--set", "scheduler.events_endpoint=inproc://dev-console-events",
                    ],
                    logPath: "\(folder)/dev-\(start).log")
                defer { dev.send(SIGKILL) }
                try await eventually("leadflow dev prints the operator token", timeout: .seconds(120)) {
                    if let termination = dev.termination { throw TimedOut(description: "dev ended: \(termination)\n\(dev.tail())") }
                    return dev.output.contains("leadflow dev:   operator lfa_")
                }
                #expect(dev.output.contains("leadflow dev: console at http://127.0.0.1:\(adminPort)/console"), "\(dev.tail())")
                let token = { (role: String) in
                    dev.output.split(separator: "\n").first { $0.hasPrefix("leadflow dev:   \(role) ") }
                        .map { String($0.split(separator: " ").last ?? "") } ?? ""
                }
                let tokens = (viewer: token("viewer"), operator: token("operator"))
                for (secret, role) in [(tokens.viewer, "viewer"), (tokens.operator, "operator")] {
                    let reply = try await curl.perform(
                        HTTPRequest(url: "http://127.0.0.1:\(adminPort)/v1/token", headers: ["Authorization": "Bearer \(secret)"]))
                    let text = String(decoding: reply.body, as: UTF8.self)
                    #expect(reply.status == 200 && text.contains(#""role":"\#(role)""#) && text.contains(#""name":"dev-\#(role)""#), "\(text)")
                }
                if let previous {
                    let old = try await curl.perform(
                        HTTPRequest(url: "http://127.0.0.1:\(adminPort)/v1/token", headers: ["Authorization": "Bearer \(previous.viewer)"]))
                    let text = String(decoding: old.body, as: UTF8.self)
                    #expect(old.status == 401 && text.contains("was revoked"), "\(text)")
                }
                previous = tokens
                dev.send(SIGTERM)
                #expect(await dev.waitForExit(timeout: .seconds(60)) != nil, "leadflow dev did not stop on SIGTERM")
            }
        }
    }
}
