import Foundation
import LeadflowTestKit
import Testing

/// The files under `deploy/` are checked by Prometheus's own tool: the configuration and rules load, the alert
/// rules fire on the series they are meant for (promtool's rule unit tests), and every dashboard query parses.
@Suite("Deploy files")
struct DeployFilesTests {
    static let promtool = "/usr/bin/promtool"
    static let deploy = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("deploy").path

    @Test("prometheus.yml and its rule file load")
    func configurationLoads() async throws {
        let outcome = try await CommandRun.run(Self.promtool, ["check", "config", "\(Self.deploy)/prometheus/prometheus.yml"])
        #expect(outcome.status == 0, "\(outcome.output)\(outcome.errors)")
        #expect(outcome.output.contains("SUCCESS: 1 rule files found"))
    }

    @Test("the alert rules fire and stay quiet as their unit tests expect")
    func alertRulesUnitTests() async throws {
        let outcome = try await CommandRun.run(
            Self.promtool, ["test", "rules", "\(Self.deploy)/prometheus/leadflow-alerts.test.yml"])
        #expect(outcome.status == 0, "\(outcome.output)\(outcome.errors)")
    }

    @Test("every alert of the collector's defaults has a Prometheus equivalent")
    func everyDefaultAlertHasAPrometheusRule() throws {
        let rules = try String(contentsOfFile: "\(Self.deploy)/prometheus/leadflow-alerts.yml", encoding: .utf8)
        for alert in [
            "LeadflowOperationSlow", "LeadflowOperationVerySlow", "LeadflowStepLagSlow", "LeadflowBacklogGrowing", "LeadflowOldestDueOverSLA",
            "LeadflowErrorRate", "LeadflowCircuitBreakerOpen", "LeadflowDeadLettersGrowing", "LeadflowNPlusOneQueries",
        ] {
            #expect(rules.contains("- alert: \(alert)\n"), "missing \(alert)")
        }
    }

    /// promtool has no "check this query" command, but it parses every expression of a rule file: each panel
    /// query becomes a recording rule of a throwaway file.
    @Test("every Grafana panel query is valid PromQL")
    func dashboardQueriesParse() async throws {
        let expressions = try Self.dashboardExpressions()
        #expect(expressions.count >= 12)
        let rules = expressions.enumerated().map { index, expression in
            "      - record: leadflow:panel_\(index)\n        expr: \(Self.yamlQuoted(expression))"
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dashboard-\(UUID().uuidString).yml").path
        try ("groups:\n  - name: dashboard\n    rules:\n" + rules.joined(separator: "\n") + "\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let outcome = try await CommandRun.run(Self.promtool, ["check", "rules", file])
        #expect(outcome.status == 0, "\(outcome.output)\(outcome.errors)")
        #expect(outcome.output.contains("SUCCESS: \(expressions.count) rules found"))
    }

    @Test("the dashboard has the panels an operator opens first")
    func dashboardPanels() throws {
        let titles = try Self.dashboard().panels.map(\.title)
        for needed in ["Throughput", "Step lag", "Backlog (", "Backlog growth", "Error rate", "In flight per organization", "Dead letters"] {
            #expect(titles.contains { $0.hasPrefix(needed) }, "no panel starting \"\(needed)\" in \(titles)")
        }
    }

    struct Dashboard: Decodable {
        struct Panel: Decodable {
            struct Target: Decodable { let expr: String }
            let title: String
            let targets: [Target]
        }
        let panels: [Panel]
    }

    static func dashboard() throws -> Dashboard {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(deploy)/grafana/leadflow-dashboard.json"))
        return try JSONDecoder().decode(Dashboard.self, from: data)
    }

    /// Every panel query of the dashboard.
    static func dashboardExpressions() throws -> [String] {
        try dashboard().panels.flatMap { $0.targets.map(\.expr) }
    }

    static func yamlQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
