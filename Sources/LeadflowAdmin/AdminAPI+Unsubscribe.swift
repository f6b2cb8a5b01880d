import LeadflowAdminAPI
import OpenAPIRuntime

extension AdminAPI {
    func getUnsubscribePage(_ input: Operations.GetUnsubscribePage.Input) async throws -> Operations.GetUnsubscribePage.Output {
        // Checked, so a broken link says so, but nothing is recorded: scanners and previews follow links.
        let token = try oneClick.verify(input.path.token)
        return .ok(.init(body: .html(HTTPBody(UnsubscribePage.confirmation(token.channel)))))
    }

    func unsubscribeOneClick(_ input: Operations.UnsubscribeOneClick.Input) async throws -> Operations.UnsubscribeOneClick.Output {
        // The form is checked before the token: the generated code has decoded a url-encoded one already.
        try await Self.requireOneClick(input.body)
        let token = try oneClick.verify(input.path.token)
        _ = try await oneClick.record(token, in: database)
        return .ok(.init(body: .html(HTTPBody(UnsubscribePage.done(token.channel)))))
    }

    /// A 400 unless the body is the form `List-Unsubscribe=One-Click` (RFC 8058 §3.1). A url-encoded form with
    /// another value never gets here (its enum does not decode); a multipart one is read here, part by part.
    static func requireOneClick(_ body: Operations.UnsubscribeOneClick.Input.Body) async throws {
        switch body {
        case .urlEncodedForm(let form):
            guard form.listUnsubscribe == .oneClick else { throw notOneClick }
        case .multipartForm(let parts):
            var values: [String] = []
            for try await part in parts {
                guard case .listUnsubscribe(let field) = part else { continue }
                // "One-Click" is 9 bytes; anything much longer is not it, and is not read to the end.
                values.append(try await String(collecting: field.payload.body, upTo: 64))
            }
            guard values == ["One-Click"] else { throw notOneClick }
        }
    }

    private static var notOneClick: AdminProblem {
        AdminProblem(.badRequest, "the body must be the form List-Unsubscribe=One-Click (RFC 8058)", field: "List-Unsubscribe")
    }
}
