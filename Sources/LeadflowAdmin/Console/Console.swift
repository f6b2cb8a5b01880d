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

/// The web console (docs/console.md): server-rendered pages under `/console` on the admin service's listener.
/// Each page calls the admin API's own handler for its data, as the logged-in token (``AdminPrincipal``), so
/// roles, organization scope and every check are the API's; a problem the handler throws is shown on the page
/// with its status.
struct Console: Sendable {
    let api: AdminAPI
    let tokens: TokenAuthenticator
    let database: PostgresClient
    let logger: Logger
    /// The largest form body read.
    static let maxFormBytes = 16 * 1024

    func register(on router: Router<AdminRequestContext>) {
        router.get("/console") { _, _ in Self.redirect(to: "/console/leads") }
        router.get("/console/console.css") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(string: ConsoleTemplates.stylesheet)))
        }
        router.get("/console/favicon.svg") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "image/svg+xml", .cacheControl: "max-age=86400"],
                body: .init(byteBuffer: ByteBuffer(string: ConsoleTemplates.icon)))
        }
        router.get("/console/login") { request, _ in await self.guarded { try await self.loginPage(request) } }
        router.post("/console/login") { request, context in
            await self.guarded { try await self.logIn(request, from: context.clientAddress) }
        }
        router.post("/console/logout") { request, _ in await self.guarded { try await self.logOut(request) } }
        router.get("/console/leads") { request, _ in
            await self.guarded { try await self.page(request, reading: [.searchLeads]) { try await self.leads(request, $0) } }
        }
        router.get("/console/lead") { request, _ in
            await self.guarded {
                try await self.page(request, reading: [.getLead, .getLeadTimeline]) { try await self.lead(request, $0) }
            }
        }
        router.get("/console/org") { request, _ in
            await self.guarded {
                try await self.page(request, reading: [.getOrganizationLimits, .listPauses]) { try await self.organization(request, $0) }
            }
        }
        router.get("/console/audit") { request, _ in
            await self.guarded { try await self.page(request, reading: [.listAudit]) { try await self.audit(request, $0) } }
        }
        router.get("/console/dead-letters") { request, _ in
            await self.guarded { try await self.page(request, reading: [.listDeadLetters]) { try await self.deadLetters(request, $0) } }
        }
        router.post("/console/dead-letters/replay") { request, _ in
            await self.guarded { try await self.deadLetterControl(.replayDeadLetter, request) }
        }
        router.post("/console/dead-letters/discard") { request, _ in
            await self.guarded { try await self.deadLetterControl(.discardDeadLetter, request) }
        }
        router.post("/console/org/pause") { request, _ in await self.guarded { try await self.pause(.pauseOrganization, request) } }
        router.post("/console/org/resume") { request, _ in await self.guarded { try await self.pause(.resumeOrganization, request) } }
        router.post("/console/lead/cancel") { request, _ in await self.guarded { try await self.control(.cancelLead, request) } }
        router.post("/console/lead/replay") { request, _ in await self.guarded { try await self.control(.replayLead, request) } }
    }

    /// A page's answer, or — for an error that is not a problem the handlers raised (the database is down, a
    /// bug) — a 500 page, the cause in the log at error level rather than in the browser.
    private func guarded(_ answer: () async throws -> Response) async -> Response {
        do {
            return try await answer()
        } catch let problem as AdminProblem {
            return Self.problemPage(problem, nil)
        } catch {
            logger.error("console page failed", metadata: ["error": "\(error)"])
            return Self.problemPage(AdminProblem(.internalError, "the console could not answer; the service's log has the cause"), nil)
        }
    }

    // MARK: Logging in and out

    private func loginPage(_ request: Request, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        if error == nil, try await session(of: request) != nil { return Self.redirect(to: "/console/leads") }
        let nonce = AdminTokenSecret.generate(prefix: "").revealed
        var context: [String: Any] = ["title": "Log in", "csrf": nonce, "sessionHours": Int(ConsoleSession.lifetime / 3600)]
        context["error"] = error
        var response = Self.html("login", context, status: status)
        response.setCookie(
            Cookie(
                name: ConsoleSession.loginCookie, value: nonce, maxAge: 3600, path: "/console/login",
                secure: Self.isSecure(request), httpOnly: true, sameSite: .strict))
        return response
    }

    private func logIn(_ request: Request, from address: String) async throws -> Response {
        if let refusal = Self.crossSite(request) { return refusal }
        guard let form = try await Self.form(of: request) else {
            return try await loginPage(request, error: "The form could not be read; try again.", status: .badRequest)
        }
        guard let nonce = request.cookies[ConsoleSession.loginCookie]?.value,
            ConsoleSession.equalInConstantTime(form["csrf"] ?? "", nonce)
        else {
            return try await loginPage(request, error: "The login form expired or came from elsewhere; try again.", status: .forbidden)
        }
        guard let presented = form.text("token") else {
            return try await loginPage(request, error: "Enter an admin token.", status: .badRequest)
        }
        switch try await tokens.authenticate(Secret(presented), from: address) {
        case .refused(let problem):
            var response = try await loginPage(request, error: problem.detail, status: problem.kind.status)
            if let seconds = problem.retryAfterSeconds { response.headers[.retryAfter] = "\(seconds)" }
            return response
        case .admitted(let token):
            let secret = AdminTokenSecret.generate(prefix: ConsoleSession.prefix)
            let now = Date()
            let expiresAt = now.addingTimeInterval(ConsoleSession.lifetime)
            try await database.withTransaction { connection in
                try ConsoleSessions.open(
                    hash: AdminTokenSecret.hash(secret), tokenID: token.id, expiresAt: expiresAt, now: now, on: connection)
            }
            logger.info("console login", metadata: ["token.name": "\(token.name)", "client.address": "\(address)"])
            var response = Self.redirect(to: "/console/leads")
            response.setCookie(
                Cookie(
                    name: ConsoleSession.cookie, value: secret.revealed, maxAge: Int(ConsoleSession.lifetime),
                    path: "/console", secure: Self.isSecure(request), httpOnly: true, sameSite: .strict))
            response.setCookie(Self.expired(ConsoleSession.loginCookie, path: "/console/login", request))
            return response
        }
    }

    private func logOut(_ request: Request) async throws -> Response {
        if let refusal = Self.crossSite(request) { return refusal }
        guard let session = try await session(of: request) else { return Self.redirect(to: "/console/login") }
        guard let form = try await Self.form(of: request), session.accepts(csrf: form["csrf"]) else {
            return Self.forgedForm(session)
        }
        _ = try await database.withTransaction { connection in
            try ConsoleSessions.close(hash: AdminTokenSecret.hash(session.secret), on: connection)
        }
        var response = Self.redirect(to: "/console/login")
        response.setCookie(Self.expired(ConsoleSession.cookie, path: "/console", request))
        return response
    }

    /// The session the request's cookie names, if it is live and its token still lets requests in.
    private func session(of request: Request) async throws -> ConsoleSession? {
        guard let value = request.cookies[ConsoleSession.cookie]?.value,
            AdminTokenSecret.isWellFormed(value, prefix: ConsoleSession.prefix)
        else { return nil }
        let secret = Secret(value)
        let now = Date()
        let found = try await database.withTransaction { connection in
            let found = try ConsoleSessions.find(hash: AdminTokenSecret.hash(secret), at: now, on: connection)
            // The token is in use, as the API notes for a bearer token (at most once a minute).
            if let token = found?.token, token.isUsable(at: now) { try AdminTokens.noteUse(of: token, at: now, on: connection) }
            return found
        }
        guard let found, TokenAuthenticator.unusable(found.token, at: now) == nil else { return nil }
        return ConsoleSession(token: found.token, secret: secret, expiresAt: found.expiresAt)
    }

    // MARK: Pages

    /// A page for a logged-in browser (others go to the login page), rendered as its token; a problem the
    /// handlers throw becomes the problem page.
    private func page(
        _ request: Request, reading operations: [AdminOperation],
        _ build: (ConsoleSession) async throws -> (page: String, context: [String: Any])
    ) async throws -> Response {
        guard let session = try await session(of: request) else { return Self.redirect(to: "/console/login") }
        // The role each operation the page reads needs, as the API checks a bearer token's.
        if let denied = operations.first(where: { !session.may($0) }) {
            return Self.problemPage(Self.roleProblem(denied, session), session)
        }
        do {
            let (page, context) = try await AdminPrincipal.$current.withValue(session.principal) { try await build(session) }
            return Self.html(page, context.merging(Self.chrome(session)) { own, _ in own })
        } catch let problem as AdminProblem {
            return Self.problemPage(problem, session)
        }
    }

    private func leads(_ request: Request, _ session: ConsoleSession) async throws -> (page: String, context: [String: Any]) {
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
    private func latestEvents(org: String, externalID: String) async throws -> (entries: [Components.Schemas.TimelineEntry], truncated: Bool) {
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

    private func lead(_ request: Request, _ session: ConsoleSession) async throws -> (page: String, context: [String: Any]) {
        guard let query = Self.query(of: request) else { throw AdminProblem(.badRequest, "the page's query could not be read") }
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
    /// A control's form as posted, once it passed every check — another site, the session, a readable form, the
    /// session's CSRF token, the role `operation` needs — or the answer that refuses it.
    private func checkedForm(
        for operation: AdminOperation, _ request: Request
    ) async throws -> Result<(ConsoleSession, ConsoleForm), Refusal> {
        if let refusal = Self.crossSite(request) { return .failure(Refusal(response: refusal)) }
        guard let session = try await session(of: request) else { return .failure(Refusal(response: Self.redirect(to: "/console/login"))) }
        guard let form = try await Self.form(of: request) else {
            return .failure(
                Refusal(response: Self.problemPage(AdminProblem(.badRequest, "the form could not be read; reload the page and submit it again"), session)))
        }
        guard session.accepts(csrf: form["csrf"]) else { return .failure(Refusal(response: Self.forgedForm(session))) }
        guard session.may(operation) else { return .failure(Refusal(response: Self.problemPage(Self.roleProblem(operation, session), session))) }
        return .success((session, form))
    }

    /// The answer to a control that did not pass ``checkedForm(for:_:)``.
    struct Refusal: Error {
        let response: Response
    }

    private func control(_ operation: AdminOperation, _ request: Request) async throws -> Response {
        let (session, form): (ConsoleSession, ConsoleForm)
        switch try await checkedForm(for: operation, request) {
        case .failure(let refusal): return refusal.response
        case .success(let checked): (session, form) = checked
        }
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

    // MARK: Organizations

    private func organization(_ request: Request, _ session: ConsoleSession) async throws -> (page: String, context: [String: Any]) {
        guard let query = Self.query(of: request) else { throw AdminProblem(.badRequest, "the page's query could not be read") }
        let org = query.text("org") ?? session.token.scope.organizations.flatMap { $0.count == 1 ? $0.first : nil }
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
    private func pause(_ operation: AdminOperation, _ request: Request) async throws -> Response {
        let (session, form): (ConsoleSession, ConsoleForm)
        switch try await checkedForm(for: operation, request) {
        case .failure(let refusal): return refusal.response
        case .success(let checked): (session, form) = checked
        }
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

    // MARK: Dead letters

    /// Dead actions a page of the dead letters lists.
    static let deadLetterPage = 100

    private func deadLetters(_ request: Request, _ session: ConsoleSession) async throws -> (page: String, context: [String: Any]) {
        guard let query = Self.query(of: request) else { throw AdminProblem(.badRequest, "the page's query could not be read") }
        let org = query.text("org")
        let type = query.text("type")
        let error = query.text("error")
        guard type.map({ Components.Schemas.Channel(rawValue: $0) != nil }) ?? true else {
            throw AdminProblem(.badRequest, "type must be one of email, sms, webhook", field: "type")
        }
        let page = try await api.listDeadLetters(
            .init(
                query: .init(
                    org: org, _type: type.flatMap(Components.Schemas.Channel.init(rawValue:)), error: error,
                    limit: Self.deadLetterPage, cursor: query.text("cursor")))
        ).ok.body.json
        let mayAct = session.may(.replayDeadLetter)
        var groups: [String: Int] = [:]
        for letter in page.deadLetters { groups[letter.lastError ?? "(no error)", default: 0] += 1 }
        var context: [String: Any] = [
            "title": "Dead letters", "org": org ?? "", "error": error ?? "",
            "types": Components.Schemas.Channel.allCases.map { ["value": $0.rawValue, "selected": $0.rawValue == type] as [String: Any] },
            "letters": page.deadLetters.map { letter -> [String: Any] in
                var row: [String: Any] = [
                    "id": letter.id, "org": letter.organization, "type": letter._type.rawValue, "lead": letter.externalId,
                    "leadLink": Self.leadLink(org: letter.organization, externalID: letter.externalId),
                    "place": "\(letter.pipeline) · \(letter.stage)", "attempts": "\(letter.attempts) of \(letter.maxAttempts)",
                    "died": letter.diedAt.map(Self.time) ?? "", "lastError": letter.lastError ?? "",
                ]
                if mayAct {
                    row["mayAct"] = true
                    row["replayable"] = letter.replayable
                    row["blocker"] = letter.replayBlocker
                }
                return row
            },
            "hasLetters": !page.deadLetters.isEmpty, "count": page.deadLetters.count,
            "groups": groups.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { ["error": $0.key, "count": $0.value] as [String: Any] },
            "back": Self.deadLettersLink(org: org, type: type, error: error, cursor: query.text("cursor")),
        ]
        if let next = page.nextCursor { context["next"] = Self.deadLettersLink(org: org, type: type, error: error, cursor: next) }
        if let done = query.text("done"), ["replayed", "discarded"].contains(done), let id = query.text("id").flatMap(Int64.init) {
            context["notice"] = "\(done == "replayed" ? "Replayed" : "Discarded") action \(id)."
        }
        return ("dead-letters", context)
    }

    /// The dead letters' page with these filters (and page), as a link.
    static func deadLettersLink(org: String?, type: String?, error: String?, cursor: String?) -> String {
        let query = [("org", org), ("type", type), ("error", error), ("cursor", cursor)]
            .compactMap { name, value in value.map { "\(name)=\(percentEncoded($0))" } }
        return "/console/dead-letters" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
    }

    /// `path` if it is a link ``deadLettersLink(org:type:error:cursor:)`` makes: the page's path and percent-encoded
    /// query parameters, nothing else (no other path, host, or line break can ride a redirect).
    static func deadLettersPath(_ path: String) -> String? {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~%&=")
        guard path == "/console/dead-letters" || path.hasPrefix("/console/dead-letters?"),
            path.dropFirst("/console/dead-letters?".count).allSatisfy(allowed.contains)
        else { return nil }
        return path
    }

    /// Replaying or discarding one dead action from the list; back to the same filtered page with a notice.
    private func deadLetterControl(_ operation: AdminOperation, _ request: Request) async throws -> Response {
        let (session, form): (ConsoleSession, ConsoleForm)
        switch try await checkedForm(for: operation, request) {
        case .failure(let refusal): return refusal.response
        case .success(let checked): (session, form) = checked
        }
        guard let id = form.text("id").flatMap(Int64.init), id > 0 else {
            return Self.problemPage(AdminProblem(.badRequest, "id must be a positive integer", field: "id"), session)
        }
        do {
            try await AdminPrincipal.$current.withValue(session.principal) {
                if operation == .replayDeadLetter {
                    _ = try await api.replayDeadLetter(.init(path: .init(id: id))).ok
                } else {
                    _ = try await api.discardDeadLetter(.init(path: .init(id: id))).ok
                }
            }
        } catch let problem as AdminProblem {
            return Self.problemPage(problem, session)
        }
        // Back to the page the form was on (its filters came with the form), with what was done.
        var back = form["back"].flatMap(Self.deadLettersPath) ?? "/console/dead-letters"
        back += (back.contains("?") ? "&" : "?") + "done=\(operation == .replayDeadLetter ? "replayed" : "discarded")&id=\(id)"
        return Self.redirect(to: back)
    }

    // MARK: The audit log

    private func audit(_ request: Request, _ session: ConsoleSession) async throws -> (page: String, context: [String: Any]) {
        guard let query = Self.query(of: request) else { throw AdminProblem(.badRequest, "the page's query could not be read") }
        let org = query.text("org")
        let action = query.text("action")
        guard action.map({ Components.Schemas.AuditAction(rawValue: $0) != nil }) ?? true else {
            throw AdminProblem(.badRequest, "action is not one of the audit log's actions", field: "action")
        }
        let page = try await api.listAudit(
            .init(query: .init(org: org, action: action.flatMap(Components.Schemas.AuditAction.init(rawValue:)), limit: 50, cursor: query.text("cursor")))
        ).ok.body.json
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var context: [String: Any] = [
            "title": "Audit log", "org": org ?? "",
            "actions": Components.Schemas.AuditAction.allCases.map { ["value": $0.rawValue, "selected": $0.rawValue == action] as [String: Any] },
            "entries": try page.entries.map { entry -> [String: Any] in
                [
                    "when": Self.time(entry.at), "at": RFC3339Time.string(entry.at), "actor": entry.actor.name,
                    "action": entry.action.rawValue, "organizations": entry.organizations.joined(separator: ", "),
                    "target": entry.target, "rows": entry.rowsAffected,
                    "detail": String(decoding: try encoder.encode(entry.detail), as: UTF8.self),
                ]
            },
            "hasEntries": !page.entries.isEmpty,
        ]
        if let next = page.nextCursor {
            var link = "/console/audit?cursor=\(Self.percentEncoded(next))"
            if let org { link += "&org=\(Self.percentEncoded(org))" }
            if let action { link += "&action=\(Self.percentEncoded(action))" }
            context["next"] = link
        }
        return ("audit", context)
    }

    // MARK: Pieces

    /// What every page of a session shows in its header.
    private static func chrome(_ session: ConsoleSession) -> [String: Any] {
        [
            "session": [
                "tokenName": session.token.name, "role": session.token.role.rawValue, "csrf": session.csrf,
                "mayAudit": session.may(.listAudit),
            ] as [String: Any]
        ]
    }

    private static func html(_ page: String, _ context: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: securityHeaders,
            body: .init(byteBuffer: ByteBuffer(string: ConsoleTemplates.render(page, context))))
    }

    /// Every page: HTML that is never cached, framed, sniffed as something else or given a script to run.
    static let securityHeaders: HTTPFields = [
        .contentType: "text/html; charset=utf-8",
        .cacheControl: "no-store",
        .contentSecurityPolicy:
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        HTTPField.Name("Referrer-Policy")!: "same-origin",
    ]

    private static func problemPage(_ problem: AdminProblem, _ session: ConsoleSession?) -> Response {
        var context: [String: Any] = ["title": problem.kind.title, "detail": problem.detail]
        if let session { context.merge(chrome(session)) { own, _ in own } }
        return html("problem", context, status: problem.kind.status)
    }

    /// The 403 of a session whose token lacks the role `operation` needs, worded as the API's.
    private static func roleProblem(_ operation: AdminOperation, _ session: ConsoleSession) -> AdminProblem {
        AdminProblem(
            .forbidden,
            "\(operation.rawValue) needs the \(operation.requiredRole?.rawValue ?? "admin") role; token '\(session.token.name)' is \(session.token.role.rawValue)")
    }

    private static func forgedForm(_ session: ConsoleSession?) -> Response {
        problemPage(
            AdminProblem(.forbidden, "the form's CSRF token is missing or wrong: reload the page and submit it again"), session)
    }

    /// A 403 for a form posted from another site, as the browser's `Sec-Fetch-Site` says (when it sends one).
    private static func crossSite(_ request: Request) -> Response? {
        guard let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!], site != "same-origin", site != "none" else { return nil }
        return problemPage(AdminProblem(.forbidden, "a console form must be posted from the console (Sec-Fetch-Site: \(site))"), nil)
    }

    private static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// Whether the browser reached the console over TLS, as the proxy in front says; cookies are `Secure` then.
    /// Trusting the header can only make a cookie stricter.
    private static func isSecure(_ request: Request) -> Bool {
        request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https"
    }

    private static func expired(_ name: String, path: String, _ request: Request) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: path, secure: isSecure(request), httpOnly: true, sameSite: .strict)
    }

    /// The posted form, if its type is a form's and it reads; nil otherwise.
    private static func form(of request: Request) async throws -> ConsoleForm? {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else { return nil }
        guard let body = try? await request.body.collect(upTo: maxFormBytes) else { return nil }
        return ConsoleForm(Substring(String(buffer: body)))
    }

    private static func query(of request: Request) -> ConsoleForm? {
        ConsoleForm(Substring(request.uri.query ?? ""))
    }

    private static func label(_ criterion: Operations.SearchLeads.Input.Query.ByPayload) -> String {
        switch criterion {
        case .email: "Email"
        case .phone: "Phone"
        case .externalId: "External id"
        }
    }

    static func leadLink(org: String, externalID: String) -> String {
        "/console/lead?org=\(percentEncoded(org))&id=\(percentEncoded(externalID))"
    }

    private static let unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static func time(_ date: Date) -> String {
        let text = RFC3339Time.string(date)
        return text.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
    }

    private static func detail(of entry: Components.Schemas.TimelineEntry) -> String {
        var parts: [String] = []
        if let type = entry.actionType { parts.append("\(type.rawValue)\(entry.actionId.map { " #\($0)" } ?? "")") }
        if let attempt = entry.attempt { parts.append("attempt \(attempt)") }
        if let channel = entry.channel { parts.append(channel) }
        if let error = entry.error { parts.append(error) }
        if let reason = entry.reason { parts.append(reason) }
        if let due = entry.dueAt { parts.append("due \(time(due))") }
        if let id = entry.providerMessageId { parts.append("message \(id)") }
        return parts.joined(separator: " · ")
    }
}
