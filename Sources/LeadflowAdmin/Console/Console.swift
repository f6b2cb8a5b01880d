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
        router.get("/console/pipelines") { request, _ in
            await self.guarded { try await self.page(request, reading: [.listPipelines]) { try await self.pipelines(request, $0) } }
        }
        router.get("/console/pipeline") { request, _ in
            await self.guarded { try await self.page(request, reading: [.getPipeline]) { try await self.pipeline(request, $0) } }
        }
        router.post("/console/pipeline/pause") { request, _ in await self.guarded { try await self.pipelinePause(.pausePipeline, request) } }
        router.post("/console/pipeline/resume") { request, _ in await self.guarded { try await self.pipelinePause(.resumePipeline, request) } }
        router.post("/console/org/pause") { request, _ in await self.guarded { try await self.pause(.pauseOrganization, request) } }
        router.post("/console/org/resume") { request, _ in await self.guarded { try await self.pause(.resumeOrganization, request) } }
        router.post("/console/lead/cancel") { request, _ in await self.guarded { try await self.control(.cancelLead, request) } }
        router.post("/console/lead/replay") { request, _ in await self.guarded { try await self.control(.replayLead, request) } }
    }

    /// A page's answer; a control's ``Refusal``; or — for an error that is not a problem the handlers raised
    /// (the database is down, a bug) — a 500 page, the cause in the log at error level rather than in the browser.
    func guarded(_ answer: () async throws -> Response) async -> Response {
        do {
            return try await answer()
        } catch let refusal as Refusal {
            return refusal.response
        } catch let problem as AdminProblem {
            return Self.problemPage(problem, nil)
        } catch {
            logger.error("console page failed", metadata: ["error": "\(error)"])
            return Self.problemPage(AdminProblem(.internalError, "the console could not answer; the service's log has the cause"), nil)
        }
    }

    /// A page for a logged-in browser (others go to the login page), rendered as its token; a problem the
    /// handlers throw becomes the problem page.
    func page(
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

    /// A control's form as posted, once it passed every check — another site, the session, a readable form, the
    /// session's CSRF token, the role `operation` needs; otherwise it throws the ``Refusal`` to answer with
    /// (``guarded(_:)`` does).
    func checkedForm(for operation: AdminOperation, _ request: Request) async throws -> (ConsoleSession, ConsoleForm) {
        if let refusal = Self.crossSite(request) { throw Refusal(response: refusal) }
        guard let session = try await session(of: request) else { throw Refusal(response: Self.redirect(to: "/console/login")) }
        guard let form = try await Self.form(of: request) else {
            throw Refusal(
                response: Self.problemPage(AdminProblem(.badRequest, "the form could not be read; reload the page and submit it again"), session))
        }
        guard session.accepts(csrf: form["csrf"]) else { throw Refusal(response: Self.forgedForm(session)) }
        guard session.may(operation) else { throw Refusal(response: Self.problemPage(Self.roleProblem(operation, session), session)) }
        return (session, form)
    }

    /// The answer to a control that did not pass ``checkedForm(for:_:)``.
    struct Refusal: Error {
        let response: Response
    }
}
