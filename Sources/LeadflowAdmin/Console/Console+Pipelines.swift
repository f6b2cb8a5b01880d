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

// Pipelines: the list, a pipeline's stages, pausing and resuming one.
extension Console {
    func pipelines(_ request: Request, _ session: ConsoleSession) async throws -> (page: String, context: [String: Any]) {
        let query = try Self.readQuery(of: request)
        let org = query.text("org") ?? session.onlyOrganization
        var context: [String: Any] = ["title": "Pipelines", "organizations": session.token.scope.organizations ?? []]
        guard let org else { return ("pipelines", context) }
        let list = try await api.listPipelines(.init(path: .init(org: org))).ok.body.json.pipelines
        context["org"] = org
        context["chosen"] = true
        context["hasPipelines"] = !list.isEmpty
        context["pipelines"] = list.map { pipeline -> [String: Any] in
            var row: [String: Any] = [
                "name": pipeline.name, "link": Self.pipelineLink(org: org, name: pipeline.name), "version": pipeline.version,
                "stages": pipeline.stages, "updated": Self.time(pipeline.updatedAt),
            ]
            row["paused"] = pipeline.pause.map { "paused by \($0.pausedBy) since \(Self.time($0.pausedAt))" }
            return row
        }
        return ("pipelines", context)
    }

    static func pipelineLink(org: String, name: String) -> String {
        "/console/pipeline?org=\(percentEncoded(org))&name=\(percentEncoded(name))"
    }

    func pipeline(_ request: Request, _ session: ConsoleSession) async throws -> (page: String, context: [String: Any]) {
        let query = try Self.readQuery(of: request)
        guard let org = query.text("org") else { throw AdminProblem(.badRequest, "org is required", field: "org") }
        guard let name = query.text("name") else { throw AdminProblem(.badRequest, "name is required", field: "name") }
        let detail = try await api.getPipeline(.init(path: .init(org: org, pipeline: name))).ok.body.json
        let most = max(1, detail.stages.map(\.leads).max() ?? 1)
        var context: [String: Any] = [
            "title": name, "org": org, "name": name, "version": detail.pipeline.version,
            "backLink": "/console/pipelines?org=\(Self.percentEncoded(org))",
            "stages": detail.stages.map { stage -> [String: Any] in
                [
                    "name": stage.name, "leads": stage.leads, "most": most,
                    "actions": stage.actions.map(\.rawValue).joined(separator: " → "),
                    "retired": stage.position == nil,
                ]
            },
        ]
        if let pause = detail.pipeline.pause {
            var paused: [String: Any] = ["by": pause.pausedBy, "since": Self.time(pause.pausedAt)]
            paused["reason"] = pause.reason
            context["pause"] = paused
            if session.may(.resumePipeline) { context["canResume"] = true }
        } else if session.may(.pausePipeline) {
            context["canPause"] = true
        }
        if let done = query.text("done"), let count = query.text("actions").flatMap(Int.init) {
            switch done {
            case "paused": context["notice"] = "Paused; \(count) pending action\(count == 1 ? "" : "s") held."
            case "resumed": context["notice"] = "Resumed; \(count) held action\(count == 1 ? "" : "s") pending again."
            default: break
            }
        }
        return ("pipeline", context)
    }

    /// Pausing or resuming one pipeline, from its page.
    func pipelinePause(_ operation: AdminOperation, _ request: Request) async throws -> Response {
        let (session, form) = try await checkedForm(for: operation, request)
        let org = form["org"] ?? ""
        let name = form["name"] ?? ""
        let actions: Int
        do {
            actions = try await AdminPrincipal.$current.withValue(session.principal) {
                if operation == .pausePipeline {
                    let body = Components.Schemas.PauseRequest(reason: form.text("reason"))
                    return try await api.pausePipeline(.init(path: .init(org: org, pipeline: name), body: .json(body))).ok.body.json.actions ?? 0
                } else {
                    return try await api.resumePipeline(.init(path: .init(org: org, pipeline: name))).ok.body.json.actions ?? 0
                }
            }
        } catch let problem as AdminProblem {
            return Self.problemPage(problem, session)
        }
        let done = operation == .pausePipeline ? "paused" : "resumed"
        return Self.redirect(to: Self.pipelineLink(org: org, name: name) + "&done=\(done)&actions=\(actions)")
    }
}
