import Foundation
import HTTPTypes
import Hummingbird
import LeadflowAdminAPI
import LeadflowDomain
import LeadflowSecrets
import LeadflowStore
import Logging
import NIOCore
import Postgres

// An organization's page: its pauses and limits; pausing and resuming.
extension Console {
    func organization(_ request: Request, _ session: ConsoleSession) async throws -> (page: String, context: [String: Any]) {
        let query = try Self.readQuery(of: request)
        let org = query.text("org") ?? session.onlyOrganization
        var context: [String: Any] = ["title": "Organization", "organizations": session.token.scope.organizations ?? []]
        guard let org else { return ("organization", context) }
        let limits = try await api.getOrganizationLimits(.init(path: .init(org: org))).ok.body.json
        let pauses = try await api.listPauses(.init(path: .init(org: org))).ok.body.json.pauses
        let defaults = api.tenantDefaults
        context["title"] = org
        context["org"] = org
        context["chosen"] = true
        context["leadsLink"] = "/console/leads?org=\(Self.percentEncoded(org))"
        context["channels"] = limits.channels.map { channel -> [String: Any] in
            [
                "channel": channel.channel.rawValue,
                "maxInFlight": channel.maxInFlight.map(String.init) ?? "\(defaults.maxInFlight) (default)",
                "rate": channel.ratePerSecond.map { "\($0)/s" } ?? "\(defaults.ratePerSecond)/s (default)",
                "burst": channel.burst.map(String.init) ?? "\(defaults.burst) (default)",
                "inFlight": channel.inFlight,
            ]
        }
        let canResume = session.may(.resumeOrganization)
        context["pauses"] = pauses.map { pause -> [String: Any] in
            var row: [String: Any] = [
                "scope": pause.scope.rawValue, "since": Self.time(pause.pausedAt), "by": pause.pausedBy, "reason": pause.reason ?? "",
                "what": pause.pipeline.map { "pipeline \($0)" } ?? (pause.scope == .all ? "all work" : "\(pause.scope.rawValue) actions"),
            ]
            // A pipeline's pause is resumed on its pipeline (the API's resumePipeline), not here.
            if canResume, pause.pipeline == nil { row["resumable"] = true }
            return row
        }
        context["hasPauses"] = !pauses.isEmpty
        if session.may(.pauseOrganization) {
            let paused = Set(pauses.filter { $0.pipeline == nil }.map(\.scope.rawValue))
            let scopes = Components.Parameters.PauseScope.allCases.filter { !paused.contains($0.rawValue) }
            context["canPause"] = !scopes.isEmpty
            context["scopes"] = scopes.map { ["value": $0.rawValue, "label": $0 == .all ? "all work" : "\($0.rawValue) actions"] }
        }
        if let done = query.text("done"), ["paused", "resumed"].contains(done), let scope = query.text("scope"),
            let known = Components.Parameters.PauseScope(rawValue: scope)
        {
            context["notice"] = "\(done == "paused" ? "Paused" : "Resumed") \(known == .all ? "all work" : "\(known.rawValue) actions")."
        }
        return ("organization", context)
    }

    /// Pausing or resuming a scope of an organization (no dry run: either can be undone at once).
    func pause(_ operation: AdminOperation, _ request: Request) async throws -> Response {
        let (session, form) = try await checkedForm(for: operation, request)
        let org = form["org"] ?? ""
        guard let scope = form["scope"].flatMap(Components.Parameters.PauseScope.init(rawValue:)) else {
            return Self.problemPage(AdminProblem(.badRequest, "scope must be one of all, email, sms, webhook", field: "scope"), session)
        }
        do {
            try await AdminPrincipal.$current.withValue(session.principal) {
                if operation == .pauseOrganization {
                    let body = Components.Schemas.PauseRequest(reason: form.text("reason"))
                    _ = try await api.pauseOrganization(.init(path: .init(org: org, scope: scope), body: .json(body))).ok
                } else {
                    _ = try await api.resumeOrganization(.init(path: .init(org: org, scope: scope))).ok
                }
            }
        } catch let problem as AdminProblem {
            return Self.problemPage(problem, session)
        }
        let done = operation == .pauseOrganization ? "paused" : "resumed"
        return Self.redirect(to: "/console/org?org=\(Self.percentEncoded(org))&done=\(done)&scope=\(scope.rawValue)")
    }
}
