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
            // The runtime checks the parts while they are read (a missing or repeated List-Unsubscribe, a
            // malformed part): any such failure is this 400, without echoing what the client sent.
            let values: [String]
            do {
                values = try await oneClickValues(parts)
            } catch {
                throw notOneClick
            }
            guard values == ["One-Click"] else { throw notOneClick }
        }
    }

    /// The values of the multipart form's `List-Unsubscribe` parts, each read up to 64 bytes ("One-Click" is
    /// 9); every other part's body is read to its end before the next part is asked for, as the runtime
    /// requires (the whole request is within admin.max_body_bytes already).
    private static func oneClickValues(_ parts: MultipartBody<Components.Schemas.OneClickParts>) async throws -> [String] {
        var values: [String] = []
        for try await part in parts {
            switch part {
            case .listUnsubscribe(let field):
                values.append(try await String(collecting: field.payload.body, upTo: 64))
            case .undocumented(let other):
                for try await _ in other.body {}
            }
        }
        return values
    }

    private static var notOneClick: AdminProblem {
        AdminProblem(.badRequest, "the body must be the form List-Unsubscribe=One-Click (RFC 8058)", field: "List-Unsubscribe")
    }
}
