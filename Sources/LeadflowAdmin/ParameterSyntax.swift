import Foundation
import LeadflowAdminAPI
import LeadflowDomain

/// The path and query parameters of openapi/admin.yaml that the generated code decodes into a type other than
/// a string, with what each must look like. The runtime's error for such a parameter does not say which one
/// failed, so ``ProblemMiddleware`` asks here to name the field (a test checks that every typed parameter of
/// the document is listed).
enum ParameterSyntax {
    /// Each typed parameter's check and what its value must be.
    static let rules: [String: (accepts: @Sendable (String) -> Bool, expected: String)] = [
        "id": ({ Int64($0).map { $0 >= 1 } ?? false }, "a positive integer"),
        "limit": ({ Int($0) != nil }, "an integer"),
        "include_revoked": ({ $0 == "true" || $0 == "false" }, "true or false"),
        "since": ({ RFC3339Time.date($0) != nil }, "an RFC 3339 date-time such as 2026-12-07T09:30:00Z"),
        "type": ({ Components.Schemas.Channel(rawValue: $0) != nil }, "one of \(names(Components.Schemas.Channel.self))"),
        "channel": ({ Components.Schemas.Channel(rawValue: $0) != nil }, "one of \(names(Components.Schemas.Channel.self))"),
        "action": ({ Components.Schemas.AuditAction(rawValue: $0) != nil }, "one of \(names(Components.Schemas.AuditAction.self))"),
        "by": ({ ["email", "phone", "external_id"].contains($0) }, "one of email, phone, external_id"),
        "scope": ({ ["all", "email", "sms", "webhook"].contains($0) }, "one of all, email, sms, webhook"),
    ]

    /// A 400 for a date-time that is not RFC 3339. The transcoder does not say which value it read; request
    /// bodies hold no date-time (a test checks the document), so it is a parameter.
    static func invalidDate(path: [String: Substring], query: String?) -> AdminProblem {
        problem(path: path, query: query)
            ?? AdminProblem(.badRequest, "a date-time parameter must be \(rules["since"]!.expected)")
    }

    /// The first typed parameter of the request whose value its type does not take, as a 400; nil when all
    /// are well-formed.
    static func problem(path: [String: Substring], query: String?) -> AdminProblem? {
        var values = path.map { ($0.key, String($0.value).removingPercentEncoding ?? String($0.value)) }.sorted { $0.0 < $1.0 }
        for item in (query ?? "").split(separator: "&") {
            let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (text: Substring) in
                String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
            }
            values.append((decode(pair[0]), pair.count > 1 ? decode(pair[1]) : ""))
        }
        for (name, value) in values {
            guard let rule = rules[name], !rule.accepts(value) else { continue }
            return AdminProblem(.badRequest, "\(name) must be \(rule.expected)", field: name)
        }
        return nil
    }

    private static func names<T: CaseIterable & RawRepresentable>(_: T.Type) -> String where T.RawValue == String {
        T.allCases.map(\.rawValue).joined(separator: ", ")
    }
}
