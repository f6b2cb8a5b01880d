import Foundation
import Postgres

/// What an operator reads about pipelines (`leadflow pipeline list|show`, the admin API): each pipeline's
/// version, its stages and their actions in the current version, how many leads are in each stage now, and
/// whether it is paused (``OrganizationPauses``).
public enum PipelineCatalog {
    /// One pipeline, as a listing shows it.
    public struct Summary: Sendable, Hashable, Codable {
        public var org: String
        public var name: String
        /// One more per `pipeline.upsert`; leads run the version they entered a stage with.
        public var version: Int
        /// Stages of the current definition.
        public var stages: Int
        public var createdAt: Date
        public var updatedAt: Date
        /// The pause in force, if any.
        public var pause: OrganizationPauses.Pause?
    }

    /// One stage of a pipeline with the leads in it now.
    public struct Stage: Sendable, Hashable, Codable {
        public var name: String
        /// Its place in the current definition; `nil` for a stage the definition left out, kept while leads
        /// were in it.
        public var position: Int?
        /// The action types of the current version, in order (none for a stage left out).
        public var actions: [String]
        /// Leads in the stage now.
        public var leads: Int
    }

    /// One pipeline in full.
    public struct Detail: Sendable, Hashable, Codable {
        public var summary: Summary
        /// The current definition's stages in order, then the ones it left out that leads were in.
        public var stages: [Stage]
    }

    /// The pipelines of `org`, or of every organization, by organization and name.
    public static func list(org: String? = nil, on connection: isolated PostgresConnection) throws -> [Summary] {
        let pauses = try pausesByPipeline(org: org, on: connection)
        return try connection.query(listStatement, [org]).map { try summary($0, pauses: pauses) }
    }

    /// Pipeline `name` of `org`; `nil` when there is none. Counting the leads of a stage reads the stage's lead
    /// stages, present and past.
    public static func show(org: String, name: String, on connection: isolated PostgresConnection) throws -> Detail? {
        guard let row = try connection.query(showStatement, [org, name]).first else { return nil }
        let summary = try summary(row, pauses: try pausesByPipeline(org: org, on: connection))
        let id = try row.decode(Int.self, at: 6)
        let stages = try connection.query(stagesStatement, [id]).map { row in
            Stage(
                name: try row.decode(String.self, at: 0), position: try row.decode(Int?.self, at: 1),
                actions: try row.decode([String].self, at: 2), leads: try row.decode(Int.self, at: 3))
        }
        return Detail(summary: summary, stages: stages)
    }

    private static func pausesByPipeline(
        org: String?, on connection: isolated PostgresConnection
    ) throws -> [PipelineKey: OrganizationPauses.Pause] {
        var pauses: [PipelineKey: OrganizationPauses.Pause] = [:]
        for pause in try OrganizationPauses.list(org: org, on: connection) {
            guard let pipeline = pause.pipeline else { continue }
            pauses[PipelineKey(org: pause.org, name: pipeline)] = pause
        }
        return pauses
    }

    private struct PipelineKey: Hashable {
        var org: String
        var name: String
    }

    private static func summary(_ row: PostgresRow, pauses: [PipelineKey: OrganizationPauses.Pause]) throws -> Summary {
        let (org, name, version, stages, createdAt, updatedAt) = try row.decode((String, String, Int, Int, Date, Date).self)
        return Summary(
            org: org, name: name, version: version, stages: stages, createdAt: createdAt, updatedAt: updatedAt,
            pause: pauses[PipelineKey(org: org, name: name)])
    }

    // MARK: SQL

    static let columns = """
        p.org_id, p.name, p.version,
        (SELECT count(*) FROM pipeline_stages s WHERE s.pipeline_id = p.id AND s.position IS NOT NULL)::bigint,
        p.created_at, p.updated_at, p.id
        """

    static let listStatement = PostgresStatement(
        name: "pipeline_catalog_list",
        sql: """
            SELECT \(columns) FROM pipelines p WHERE $1::text IS NULL OR p.org_id = $1 ORDER BY p.org_id, p.name
            """)

    static let showStatement = PostgresStatement(
        name: "pipeline_catalog_show",
        sql: "SELECT \(columns) FROM pipelines p WHERE p.org_id = $1 AND p.name = $2")

    /// Stages of pipeline $1: the current ones by position, then those left out that leads are or were in.
    static let stagesStatement = PostgresStatement(
        name: "pipeline_catalog_stages",
        sql: """
            SELECT s.name, s.position,
                   coalesce((SELECT array_agg(a.type ORDER BY a.seq) FROM pipeline_stage_actions a
                             WHERE a.stage_id = s.id AND a.version = p.version), '{}')::text[],
                   (SELECT count(*) FROM lead_stages ls WHERE ls.stage_id = s.id AND ls.exited_at IS NULL)::bigint
            FROM pipeline_stages s JOIN pipelines p ON p.id = s.pipeline_id
            WHERE s.pipeline_id = $1
              AND (s.position IS NOT NULL OR EXISTS (SELECT 1 FROM lead_stages ls WHERE ls.stage_id = s.id))
            ORDER BY s.position NULLS LAST, s.name
            """)
}
