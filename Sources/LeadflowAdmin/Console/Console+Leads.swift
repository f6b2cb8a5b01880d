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

// The leads' pages: search, a lead's page, and its controls.
extension Console {
    func leads(_ request: Request, _ session: ConsoleSession) async throws -> (page: String, context: [String: Any]) {
        let query = Self.query(of: request)
        let org = query?.text("org") ?? session.token.scope.organizations?.first ?? ""
        let by = query?.text("by").flatMap(Operations.SearchLeads.Input.Query.ByPayload.init(rawValue:)) ?? .email
        let value = query?.text("value") ?? ""
        var context: [String: Any] = [
            "title": "Leads", "org": org, "value": value, "organizations": session.token.scope.organizations ?? [],
            "criteria": Operations.SearchLeads.Input.Query.ByPayload.allCases.map {
                ["value": $0.rawValue, "label": Self.label($0), "selected": $0 == by] as [String: Any]
            },
            "criterion": Self.label(by).lowercased(),
        ]
        guard query != nil else { throw AdminProblem(.badRequest, "the page's query could not be read") }
        guard !org.isEmpty, !value.isEmpty else { return ("leads", context) }
        do {
            let found = try await api.searchLeads(.init(path: .init(org: org), query: .init(by: by, value: value))).ok.body.json.leads
            context["searched"] = true
            context["hasLeads"] = !found.isEmpty
            context["count"] = found.count
            context["leads"] = found.map { lead -> [String: Any] in
                [
                    "externalID": lead.externalId, "email": lead.email ?? "", "phone": lead.phone ?? "",
                    "name": [lead.firstName, lead.lastName].compactMap { $0 }.joined(separator: " "),
                    "link": Self.leadLink(org: org, externalID: lead.externalId),
                ]
            }
        } catch let problem as AdminProblem where problem.kind == .badRequest || problem.kind == .notFound {
            context["error"] = problem.detail
        }
        return ("leads", context)
    }

    /// Timeline entries a lead's page shows, the latest first.
    static let timelineLength = 100

    /// Pages of the API's timeline (oldest first) read to find a lead's latest events, at most.
    static let timelinePages = 20

    /// The lead's timeline through the API, its last page's entries and the one before it (so at least
    /// ``timelineLength`` of the latest events, oldest first); `truncated` when ``timelinePages`` pages did not
    /// reach the end.
    func latestEvents(org: String, externalID: String) async throws -> (entries: [Components.Schemas.TimelineEntry], truncated: Bool) {
        var kept: [Components.Schemas.TimelineEntry] = []
        var cursor: String?
        for _ in 0..<Self.timelinePages {
            let page = try await api.getLeadTimeline(
                .init(path: .init(org: org, externalId: externalID), query: .init(limit: 1_000, cursor: cursor))
            ).ok.body.json
            kept = Array((kept + page.entries).suffix(Self.timelineLength + 1_000))
            guard let next = page.nextCursor else { return (kept, false) }
            cursor = next
        }
        return (kept, true)
    }

    func lead(_ request: Request, _ session: ConsoleSession) async throws -> (page: String, context: [String: Any]) {
        let query = try Self.readQuery(of: request)
        guard let org = query.text("org") else { throw AdminProblem(.badRequest, "org is required", field: "org") }
        guard let externalID = query["id"], !externalID.isEmpty else { throw AdminProblem(.badRequest, "id is required", field: "id") }
        let detail = try await api.getLead(.init(path: .init(org: org, externalId: externalID))).ok.body.json
        let timeline = try await latestEvents(org: org, externalID: externalID)
        let lead = detail.lead
        let name = [lead.firstName, lead.lastName].compactMap { $0 }.joined(separator: " ")
        var fields: [[String: String]] = [["name": "External id", "value": lead.externalId]]
        if let email = lead.email { fields.append(["name": "Email", "value": email]) }
        if let phone = lead.phone { fields.append(["name": "Phone", "value": phone]) }
        if !name.isEmpty { fields.append(["name": "Name", "value": name]) }
        for (key, value) in lead.attributes.additionalProperties.sorted(by: { $0.key < $1.key }) {
            fields.append(["name": key, "value": value])
        }
        fields.append(["name": "Created", "value": Self.time(lead.createdAt)])
        fields.append(["name": "Updated", "value": Self.time(lead.updatedAt)])
        if let deleted = lead.deletedAt { fields.append(["name": "Erased", "value": Self.time(deleted)]) }
        let actions = detail.openActions.map { action -> [String: Any] in
            var row: [String: Any] = [
                "id": action.id, "type": action._type.rawValue, "status": action.status.rawValue, "pipeline": action.pipeline,
                "stage": action.stage, "attempts": "\(action.attempts) of \(action.maxAttempts)", "reason": action.reason.rawValue,
                "explanation": action.explanation,
            ]
            // The explanation of a dead action quotes its error already.
            row["lastError"] = action.lastError.flatMap { action.explanation.contains($0) ? nil : $0 }
            return row
        }
        let entries = timeline.entries.suffix(Self.timelineLength).reversed().map { entry -> [String: Any] in
            [
                "at": RFC3339Time.string(entry.occurredAt), "when": Self.time(entry.occurredAt), "kind": entry.kind,
                "place": [entry.pipeline, entry.stage].compactMap { $0 }.joined(separator: " · "),
                "detail": Self.detail(of: entry), "actor": entry.actor ?? "",
            ]
        }
        var context: [String: Any] = [
            "title": lead.externalId, "heading": name.isEmpty ? lead.externalId : "\(name) (\(lead.externalId))",
            "org": org, "backLink": "/console/leads?org=\(Self.percentEncoded(org))", "fields": fields,
            "hasActions": !actions.isEmpty, "actions": actions, "hasEntries": !entries.isEmpty, "entries": entries,
            "more": timeline.entries.count > Self.timelineLength || timeline.truncated, "shown": entries.count,
        ]
        // Controls only for a token whose role may use them; the POST checks the role again.
        if session.may(.cancelLead), !detail.openActions.isEmpty {
            context["controls"] = true
            context["canCancel"] = true
            context["canReplay"] = session.may(.replayLead) && detail.openActions.contains { $0.status == .dead }
            context["leadID"] = lead.externalId
        }
        if let done = query.text("done").flatMap(LeadControl.init(rawValue:)), let count = query.text("actions").flatMap(Int.init) {
            context["notice"] = done.notice(actions: count)
        }
        return ("lead", context)
    }

    // MARK: Controls

    /// A lead's control posted from its page: checked (another site, the CSRF token, the role), then run as a
    /// dry run that the confirmation page shows with its count, and run for real once confirmed with that same
    /// count (a different count asks again); the lead's page then says what was done. The API's handler does
    /// the work, its audit row included.
    func control(_ operation: AdminOperation, _ request: Request) async throws -> Response {
        let (session, form) = try await checkedForm(for: operation, request)
        let org = form["org"] ?? ""
        let externalID = form["id"] ?? ""
        // Confirmed with the count the confirmation showed: if the dry run now counts otherwise, ask again.
        let expected = form["confirm"] == "yes" ? form.text("expected").flatMap(Int.init) : nil
        do {
            let run = { (dryRun: Bool) async throws -> (LeadControl, Components.Schemas.ControlReport) in
                try await AdminPrincipal.$current.withValue(session.principal) {
                    switch operation {
                    case .replayLead:
                        let body = Components.Schemas.ReplayRequest(dryRun: dryRun)
                        let output = try await api.replayLead(.init(path: .init(org: org, externalId: externalID), body: .json(body)))
                        return (.replayed, try output.ok.body.json)
                    default:
                        let body = Components.Schemas.CancelRequest(reason: form["reason"] ?? "", dryRun: dryRun)
                        let output = try await api.cancelLead(.init(path: .init(org: org, externalId: externalID), body: .json(body)))
                        return (.canceled, try output.ok.body.json)
                    }
                }
            }
            let back = Self.leadLink(org: org, externalID: externalID)
            let (control, preview) = try await run(true)
            guard let expected, expected == preview.actions else {
                var fields: [[String: String]] = [
                    ["name": "org", "value": org], ["name": "id", "value": externalID], ["name": "expected", "value": "\(preview.actions)"],
                ]
                if let reason = form["reason"] { fields.append(["name": "reason", "value": reason]) }
                var context: [String: Any] = [
                    "title": control.question, "question": control.question, "effect": control.effect(preview),
                    "action": "/console/lead/\(control.path)", "fields": fields, "button": control.button(actions: preview.actions),
                    "back": back, "nothing": preview.actions == 0,
                ]
                if expected != nil { context["changed"] = "The lead changed since the confirmation was shown; here is what it would do now." }
                return Self.html("confirm", context.merging(Self.chrome(session)) { own, _ in own })
            }
            let (_, report) = try await run(false)
            return Self.redirect(to: back + "&done=\(control.rawValue)&actions=\(report.actions)")
        } catch let problem as AdminProblem {
            return Self.problemPage(problem, session)
        }
    }
}
