import LeadflowAdminAPI
import LeadflowStore
import Postgres

extension AdminAPI {
    func listPauses(_ input: Operations.ListPauses.Input) async throws -> Operations.ListPauses.Output {
        let principal = try AdminPrincipal.required()
        let org = try Self.visibleOrganization(input.path.org, to: principal)
        let pauses = try await database.withTransaction { connection in
            try Self.requireOrganization(org, on: connection)
            return try OrganizationPauses.list(org: org, on: connection)
        }
        return .ok(.init(body: .json(.init(pauses: try pauses.map(Components.Schemas.Pause.init)))))
    }

    func pauseOrganization(_ input: Operations.PauseOrganization.Input) async throws -> Operations.PauseOrganization.Output {
        let principal = try AdminPrincipal.required()
        let org = try Self.visibleOrganization(input.path.org, to: principal)
        guard case .json(let body) = input.body else { throw Self.notJSON }
        let reason = try body.reason.map { try RequestCheck.text($0, 1...500, field: "reason") }
        let scope = try Self.pauseScope(input.path.scope.rawValue)
        let pause = try await pauseControl(org) { connection in
            try OrganizationPauses.pause(org: org, scope: scope, by: principal.actor, reason: reason, on: connection)
        }
        return .ok(.init(body: .json(try .init(pause))))
    }

    func resumeOrganization(
        _ input: Operations.ResumeOrganization.Input
    ) async throws -> Operations.ResumeOrganization.Output {
        let principal = try AdminPrincipal.required()
        let org = try Self.visibleOrganization(input.path.org, to: principal)
        let scope = try Self.pauseScope(input.path.scope.rawValue)
        let pause = try await pauseControl(org) { connection in
            try OrganizationPauses.resume(org: org, scope: scope, by: principal.actor, on: connection)
        }
        return .ok(.init(body: .json(try .init(pause))))
    }

    func pausePipeline(_ input: Operations.PausePipeline.Input) async throws -> Operations.PausePipeline.Output {
        let principal = try AdminPrincipal.required()
        let org = try Self.visibleOrganization(input.path.org, to: principal)
        guard case .json(let body) = input.body else { throw Self.notJSON }
        let reason = try body.reason.map { try RequestCheck.text($0, 1...500, field: "reason") }
        let scope = OrganizationPauses.Scope.pipeline(try RequestCheck.text(input.path.pipeline, 1...200, field: "pipeline"))
        let pause = try await pauseControl(org) { connection in
            try OrganizationPauses.pause(org: org, scope: scope, by: principal.actor, reason: reason, on: connection)
        }
        return .ok(.init(body: .json(try .init(pause))))
    }

    func resumePipeline(_ input: Operations.ResumePipeline.Input) async throws -> Operations.ResumePipeline.Output {
        let principal = try AdminPrincipal.required()
        let org = try Self.visibleOrganization(input.path.org, to: principal)
        let scope = OrganizationPauses.Scope.pipeline(try RequestCheck.text(input.path.pipeline, 1...200, field: "pipeline"))
        let pause = try await pauseControl(org) { connection in
            try OrganizationPauses.resume(org: org, scope: scope, by: principal.actor, on: connection)
        }
        return .ok(.init(body: .json(try .init(pause))))
    }

    private static func pauseScope(_ name: String) throws -> OrganizationPauses.Scope {
        guard let scope = OrganizationPauses.Scope(name: name) else {
            throw AdminProblem(.badRequest, "scope must be all, email, sms or webhook", field: "scope")
        }
        return scope
    }

    /// Runs a pause or resume in one transaction; its failures as 404 and 409 problems.
    private func pauseControl(
        _ org: String, _ change: @escaping @Sendable (isolated PostgresConnection) throws -> OrganizationPauses.Pause
    ) async throws -> OrganizationPauses.Pause {
        try await database.withTransaction { connection in
            do {
                return try change(connection)
            } catch let failure as OrganizationPauses.Failure {
                switch failure {
                case .unknownOrganization: throw AdminProblem(.notFound, "organization '\(org)' not found")
                case .unknownPipeline: throw AdminProblem(.notFound, failure.description)
                case .alreadyPaused, .notPaused: throw AdminProblem(.conflict, failure.description, state: failure.description)
                }
            }
        }
    }
}
