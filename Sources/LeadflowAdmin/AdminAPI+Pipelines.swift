import LeadflowAdminAPI
import LeadflowStore
import Postgres

extension AdminAPI {
    func listPipelines(_ input: Operations.ListPipelines.Input) async throws -> Operations.ListPipelines.Output {
        let org = try Self.visibleOrganization(input.path.org, to: try AdminPrincipal.required())
        let pipelines = try await database.withTransaction { connection in
            try Self.requireOrganization(org, on: connection)
            return try PipelineCatalog.list(org: org, on: connection)
        }
        return .ok(.init(body: .json(.init(pipelines: try pipelines.map(Components.Schemas.PipelineSummary.init)))))
    }

    func getPipeline(_ input: Operations.GetPipeline.Input) async throws -> Operations.GetPipeline.Output {
        let org = try Self.visibleOrganization(input.path.org, to: try AdminPrincipal.required())
        let name = try RequestCheck.text(input.path.pipeline, 1...200, field: "pipeline")
        let detail = try await database.withTransaction { connection in
            try Self.requireOrganization(org, on: connection)
            return try PipelineCatalog.show(org: org, name: name, on: connection)
        }
        guard let detail else { throw AdminProblem(.notFound, "no pipeline \"\(name)\" in organization \"\(org)\"") }
        return .ok(.init(body: .json(try .init(detail))))
    }
}

extension Components.Schemas.PipelineSummary {
    init(_ summary: PipelineCatalog.Summary) throws {
        self.init(
            organization: summary.org, name: summary.name, version: summary.version, stages: summary.stages,
            createdAt: summary.createdAt, updatedAt: summary.updatedAt, pause: try summary.pause.map(Components.Schemas.Pause.init))
    }
}

extension Components.Schemas.PipelineDetail {
    init(_ detail: PipelineCatalog.Detail) throws {
        self.init(
            pipeline: try .init(detail.summary),
            stages: try detail.stages.map { stage in
                .init(
                    name: stage.name, position: stage.position,
                    actions: try stage.actions.map { try Contract.value($0, as: Components.Schemas.ActionType.self) },
                    leads: stage.leads)
            })
    }
}
