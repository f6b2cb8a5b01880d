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

// The dead letters: filtered, grouped, replayed or discarded one by one.
extension Console {
    /// Dead actions a page of the dead letters lists.
    static let deadLetterPage = 100

    func deadLetters(_ request: Request, _ session: ConsoleSession) async throws -> (page: String, context: [String: Any]) {
        let query = try Self.readQuery(of: request)
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
    func deadLetterControl(_ operation: AdminOperation, _ request: Request) async throws -> Response {
        let (session, form) = try await checkedForm(for: operation, request)
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
}
