import ArgumentParser
import Curl
import Foundation
import LeadflowCollector

/// `leadflow top`: the collector's figures in the terminal, refreshed, for an operator without Grafana.
struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Show the collector's live figures: operations, gauges, counters and firing alerts.",
        discussion: "Reads /api/v1/summary and /alerts of a running collector (leadflow collector or leadflow dev).")

    @Option(help: "The collector's HTTP address (default: collector.http of the settings, 127.0.0.1:9470).")
    var url: String?

    @Option(help: "Seconds between refreshes.")
    var interval: Double = 2

    @Flag(help: "Print one screen and exit (for scripts).")
    var once = false

    @Option(help: "Columns to fit the screen to.")
    var width: Int = 120

    @OptionGroup var options: ConfigOptions

    func validate() throws {
        guard interval >= 0.1, interval <= 3600 else { throw ValidationError("--interval must be 0.1…3600 seconds") }
        guard width >= 40 else { throw ValidationError("--width must be at least 40") }
    }

    func run() async throws {
        let base = try baseURL()
        let curl = CurlWorker(name: "leadflow.top")
        defer { curl.shutdown() }
        let interactive = isatty(STDOUT_FILENO) == 1 && !once
        while true {
            let screen: String
            do {
                screen = try await fetch(base, curl).render(width: width)
            } catch let error as CLIError where once {
                throw error
            } catch {
                screen = "leadflow top — \(base) — \(error)\n"
            }
            // Home and clear, so the screen redraws in place; plain text when piped.
            print(interactive ? "\u{1B}[H\u{1B}[2J" + screen : screen, terminator: "")
            if once { return }
            try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
        }
    }

    func baseURL() throws -> String {
        if let url { return url.hasPrefix("http") ? url : "http://\(url)" }
        let address = try options.settings().collector.httpAddress
        return "http://" + address.replacingOccurrences(of: "0.0.0.0:", with: "127.0.0.1:")
    }

    func fetch(_ base: String, _ curl: CurlWorker) async throws -> TopScreen {
        func get(_ path: String) async throws -> Data {
            let response: HTTPResponse
            do {
                response = try await curl.perform(HTTPRequest(url: base + path, connectTimeout: .seconds(2), timeout: .seconds(5)))
            } catch {
                throw CLIError("no collector answers at \(base) (\(error)); start one with `leadflow collector`")
            }
            guard response.status == 200 else { throw CLIError("\(base)\(path) answered HTTP \(response.status)") }
            return Data(response.body)
        }
        do {
            let summary = try CollectorSummary.decode(try await get("/api/v1/summary"))
            let alerts = try JSONDecoder().decode(FiringAlertsDocument.self, from: try await get("/alerts"))
            return TopScreen(source: base, summary: summary, alerts: alerts)
        } catch let error as DecodingError {
            throw CLIError("\(base) is not a Leadflow collector (its answer does not decode: \(error))")
        }
    }
}
