import Foundation
import LeadflowAdminAPI
import LeadflowDomain
import LeadflowStore
import Postgres

extension AdminAPI {
    /// Most leads a search returns.
    static let searchLimit = 100

    func searchLeads(_ input: Operations.SearchLeads.Input) async throws -> Operations.SearchLeads.Output {
        let principal = try AdminPrincipal.required()
        let org = try Self.visibleOrganization(input.path.org, to: principal)
        let value = try RequestCheck.text(input.query.value, 1...320, field: "value")
        let criterion: LeadSearch.Criterion =
            switch input.query.by {
            case .email: .email(value)
            case .phone: .phone(value)
            case .externalId: .externalID(value)
            }
        let leads = try await database.withTransaction { connection in
            try Self.lookup { try LeadSearch.find(org: org, criterion, limit: Self.searchLimit, on: connection) }
        }
        return .ok(.init(body: .json(.init(leads: try leads.map(Components.Schemas.Lead.init)))))
    }

    func getLead(_ input: Operations.GetLead.Input) async throws -> Operations.GetLead.Output {
        let principal = try AdminPrincipal.required()
        let org = try Self.visibleOrganization(input.path.org, to: principal)
        let externalID = try RequestCheck.text(input.path.externalId, 1...255, field: "external_id")
        let defaults = tenantDefaults
        let (lead, waits) = try await database.withTransaction { connection in
            let lead = try Self.requireLead(org: org, externalID: externalID, on: connection)
            return (lead, try LeadWaits.explain(leadID: lead.id, defaults: defaults, on: connection))
        }
        return .ok(
            .init(body: .json(.init(lead: try .init(lead), openActions: try waits.map { try .init($0, org: org) }))))
    }

    func getLeadTimeline(_ input: Operations.GetLeadTimeline.Input) async throws -> Operations.GetLeadTimeline.Output {
        let principal = try AdminPrincipal.required()
        let org = try Self.visibleOrganization(input.path.org, to: principal)
        let externalID = try RequestCheck.text(input.path.externalId, 1...255, field: "external_id")
        let limit = try input.query.limit.map { try RequestCheck.range($0, 1...1_000, field: "limit") } ?? 100
        let cursor = try RequestCheck.cursor(input.query.cursor, LeadHistoryEntry.Cursor.init)
        let entries = try await database.withTransaction { connection in
            let lead = try Self.requireLead(org: org, externalID: externalID, on: connection)
            return try LeadHistory.timelineWithPauses(of: lead, after: cursor, limit: limit, on: connection)
        }
        // Pauses merged in (id 0) are no cursor; a full page of history events has a next one.
        let events = entries.filter { $0.id != 0 }
        let next = events.count == limit ? events.last?.cursor.description : nil
        return .ok(
            .init(body: .json(.init(entries: try entries.map(Components.Schemas.TimelineEntry.init), nextCursor: next))))
    }

    func cancelLead(_ input: Operations.CancelLead.Input) async throws -> Operations.CancelLead.Output {
        guard case .json(let body) = input.body else { throw Self.notJSON }
        let selection = try leadSelection(input.path.org, input.path.externalId, pipeline: body.pipeline)
        let reason = try RequestCheck.text(body.reason, 1...500, field: "reason")
        let report = try await leadControl { actor, _, connection in
            try LeadControls.cancel(selection, reason: reason, dryRun: body.dryRun ?? false, by: actor, on: connection)
        }
        return .ok(.init(body: .json(report)))
    }

    func moveLead(_ input: Operations.MoveLead.Input) async throws -> Operations.MoveLead.Output {
        guard case .json(let body) = input.body else { throw Self.notJSON }
        let selection = try leadSelection(input.path.org, input.path.externalId, pipeline: body.pipeline)
        let stage = try RequestCheck.text(body.stage, 1...200, field: "stage")
        let report = try await leadControl { actor, maxAttempts, connection in
            try LeadControls.move(
                selection, to: stage, dryRun: body.dryRun ?? false, by: actor, defaultMaxAttempts: maxAttempts,
                on: connection)
        }
        return .ok(.init(body: .json(report)))
    }

    func replayLead(_ input: Operations.ReplayLead.Input) async throws -> Operations.ReplayLead.Output {
        guard case .json(let body) = input.body else { throw Self.notJSON }
        let selection = try leadSelection(input.path.org, input.path.externalId, pipeline: body.pipeline)
        let report = try await leadControl { actor, _, connection in
            try LeadControls.replay(selection, dryRun: body.dryRun ?? false, by: actor, on: connection)
        }
        return .ok(.init(body: .json(report)))
    }

    func cancelPipelineLeads(
        _ input: Operations.CancelPipelineLeads.Input
    ) async throws -> Operations.CancelPipelineLeads.Output {
        guard case .json(let body) = input.body else { throw Self.notJSON }
        var selection = try pipelineSelection(input.path.org, input.path.pipeline)
        selection.stage = try body.stage.map { try RequestCheck.text($0, 1...200, field: "stage") }
        let reason = try RequestCheck.text(body.reason, 1...500, field: "reason")
        let report = try await leadControl { [selection] actor, _, connection in
            try LeadControls.cancel(selection, reason: reason, dryRun: body.dryRun ?? false, by: actor, on: connection)
        }
        return .ok(.init(body: .json(report)))
    }

    func movePipelineLeads(_ input: Operations.MovePipelineLeads.Input) async throws -> Operations.MovePipelineLeads.Output {
        guard case .json(let body) = input.body else { throw Self.notJSON }
        var selection = try pipelineSelection(input.path.org, input.path.pipeline)
        selection.stage = try body.fromStage.map { try RequestCheck.text($0, 1...200, field: "from_stage") }
        let stage = try RequestCheck.text(body.stage, 1...200, field: "stage")
        let report = try await leadControl { [selection] actor, maxAttempts, connection in
            try LeadControls.move(
                selection, to: stage, dryRun: body.dryRun ?? false, by: actor, defaultMaxAttempts: maxAttempts,
                on: connection)
        }
        return .ok(.init(body: .json(report)))
    }

    // MARK: Helpers

    static var notJSON: AdminProblem { AdminProblem(.unsupportedMediaType, "the body must be application/json") }

    private func leadSelection(_ org: String, _ externalID: String, pipeline: String?) throws -> LeadControls.Selection {
        let org = try Self.visibleOrganization(org, to: try AdminPrincipal.required())
        return LeadControls.Selection(
            org: org, externalID: try RequestCheck.text(externalID, 1...255, field: "external_id"),
            pipeline: try pipeline.map { try RequestCheck.text($0, 1...200, field: "pipeline") })
    }

    private func pipelineSelection(_ org: String, _ pipeline: String) throws -> LeadControls.Selection {
        let org = try Self.visibleOrganization(org, to: try AdminPrincipal.required())
        return LeadControls.Selection(org: org, pipeline: try RequestCheck.text(pipeline, 1...200, field: "pipeline"))
    }

    /// Runs a lead control in one transaction as the request's token; its failures as 404 and 409 problems.
    private func leadControl(
        _ control: @escaping @Sendable (AuditEntry.Actor, Int, isolated PostgresConnection) throws -> LeadControls.Report
    ) async throws -> Components.Schemas.ControlReport {
        let actor = try AdminPrincipal.required().actor
        let maxAttempts = defaultMaxAttempts
        let report = try await database.withTransaction { connection in
            do {
                return try control(actor, maxAttempts, connection)
            } catch let failure as LeadControls.Failure {
                switch failure {
                case .conflict(let state): throw AdminProblem(.conflict, state, state: state)
                case .pipelineRequired: throw AdminProblem(.badRequest, failure.description, field: "pipeline")
                case .unknownOrganization, .unknownLead, .unknownPipeline, .unknownStage:
                    throw AdminProblem(.notFound, failure.description)
                }
            }
        }
        return .init(leads: report.leads, stages: report.stages, actions: report.actions, dryRun: report.dryRun)
    }

    /// Runs a lookup; an unknown organization is a 404 naming it.
    private static func lookup<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as LeadLookupError {
            throw AdminProblem(.notFound, error.description)
        }
    }

    private static func requireLead(
        org: String, externalID: String, on connection: isolated PostgresConnection
    ) throws -> LeadRecord {
        guard let lead = try lookup({ try LeadRecord.find(org: org, externalID: externalID, on: connection) }) else {
            throw AdminProblem(.notFound, "no lead \"\(externalID)\" in organization \"\(org)\"")
        }
        return lead
    }
}
