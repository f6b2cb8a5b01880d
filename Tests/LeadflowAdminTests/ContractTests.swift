import Foundation
@testable import LeadflowAdmin
import Testing
import Yams

/// What the service knows of openapi/admin.yaml besides the generated code, checked against the document.
@Suite("Admin API: the contract")
struct ContractTests {
    @Test("every typed path or query parameter has a syntax rule, so a malformed one is a 400 naming it")
    func parameterRules() throws {
        let typed = try AdminContract.typedParameters()
        #expect(typed.isSuperset(of: ["id", "limit", "since"]), "\(typed)")
        #expect(Set(ParameterSyntax.rules.keys) == typed, "rules: \(ParameterSyntax.rules.keys.sorted()); document: \(typed.sorted())")
    }

    @Test("no request body holds a date-time (the transcoder cannot name one), every date-time parameter has a rule")
    func bodyDates() throws {
        let document = try AdminContract.document()
        let schemas = (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        var found: [String: String] = [:]
        for operation in try AdminContract.operations() {
            let paths = document["paths"] as? [String: Any]
            let item = (paths?[operation.path] as? [String: Any])?[operation.method.lowercased()] as? [String: Any]
            let content = ((item?["requestBody"] as? [String: Any])?["content"] as? [String: Any])?["application/json"] as? [String: Any]
            guard let reference = (content?["schema"] as? [String: Any])?["$ref"] as? String else { continue }
            let schema = schemas[String(reference.split(separator: "/").last ?? "")] as? [String: Any] ?? [:]
            for (name, property) in schema["properties"] as? [String: Any] ?? [:] {
                if (property as? [String: Any])?["format"] as? String == "date-time" { found[operation.id] = name }
            }
        }
        #expect(found.isEmpty, "\(found)")
    }

    @Test("problem kinds: each status once, URNs as documented")
    func problemKinds() {
        let statuses = AdminProblem.Kind.allCases.map(\.status.code)
        #expect(Set(statuses).count == statuses.count)
        #expect(AdminProblem.Kind.notFound.uri == "urn:leadflow:problem:not-found")
        #expect(AdminProblem.Kind(status: .unauthorized) == .unauthorized)
        #expect(AdminProblem.Kind(status: .init(code: 418)) == .badRequest)
    }
}
