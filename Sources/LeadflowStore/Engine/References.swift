import Postgres

/// Resolves what lead commands refer to — organizations, pipelines and stages by name — for a whole batch
/// in one query each, so unknown references are answered before the batch's transaction opens.
public enum References {
    /// The organizations of `orgs` that exist.
    public static func existingOrganizations(_ orgs: [String], on connection: isolated PostgresConnection) throws -> Set<String> {
        guard !orgs.isEmpty else { return [] }
        return Set(try connection.query(organizationsStatement, [orgs]).map { try $0.decode(String.self, at: 0) })
    }

    /// A pipeline and stage an enroll named.
    public struct PipelineRef: Sendable, Hashable {
        public var org: String
        public var pipeline: String
        /// `nil`: the pipeline's first stage.
        public var stage: String?

        public init(org: String, pipeline: String, stage: String?) {
            self.org = org
            self.pipeline = pipeline
            self.stage = stage
        }
    }

    /// What a reference resolved to.
    public enum Resolved: Sendable, Hashable {
        case found(pipelineID: Int, stageID: Int)
        case unknownPipeline
        /// The pipeline exists but has no (current) stage by that name.
        case unknownStage
    }

    /// Resolves each reference, in order.
    public static func resolve(_ refs: [PipelineRef], on connection: isolated PostgresConnection) throws -> [Resolved] {
        guard !refs.isEmpty else { return [] }
        var resolved = [Resolved](repeating: .unknownPipeline, count: refs.count)
        let rows = try connection.query(
            pipelinesStatement, [refs.map(\.org), refs.map(\.pipeline), refs.map(\.stage)])
        for row in rows {
            let (ordinal, pipelineID, stageID) = try row.decode((Int, Int?, Int?).self)
            resolved[ordinal - 1] =
                switch (pipelineID, stageID) {
                case (let pipeline?, let stage?): .found(pipelineID: pipeline, stageID: stage)
                case (.some, nil): .unknownStage
                case (nil, _): .unknownPipeline
                }
        }
        return resolved
    }

    static let organizationsStatement = PostgresStatement(
        name: "refs_organizations", sql: "SELECT id FROM organizations WHERE id = ANY ($1::text[])")

    static let pipelinesStatement = PostgresStatement(
        name: "refs_pipelines",
        sql: """
            SELECT i.ord, p.id, s.id
            FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS i (org, pipeline, stage, ord)
            LEFT JOIN pipelines p ON p.org_id = i.org AND p.name = i.pipeline
            LEFT JOIN LATERAL (
                SELECT id FROM pipeline_stages
                WHERE pipeline_id = p.id AND position IS NOT NULL AND (i.stage IS NULL OR name = i.stage)
                ORDER BY position LIMIT 1
            ) s ON true
            """)
}
