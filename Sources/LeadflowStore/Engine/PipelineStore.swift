import LeadflowDomain
import LeadflowPipeline
import LeadflowProto
import Postgres
import SwiftProtobuf

/// Pipeline definitions in PostgreSQL: `pipeline.upsert` writes them; enrolls and stage changes read the rows.
public enum PipelineStore {
    /// The pipeline a definition was stored as.
    public struct Saved: Sendable, Equatable {
        public let pipelineID: Int
        /// 1 for a new pipeline, then one more per upsert.
        public let version: Int
    }

    /// Creates the organization when it is new, then creates or replaces the pipeline `definition.name`.
    ///
    /// Stages are matched by name and keep their ids, so leads in them stay; a stage left out keeps its row
    /// with no position. Actions are written anew under the new version; lead stages entered earlier keep the
    /// actions they were entered with. The definition must have passed `PipelineValidator`.
    public static func upsert(
        _ definition: Leadflow_V1_PipelineDefinition, org: String, on connection: isolated PostgresConnection
    ) throws -> Saved {
        try connection.execute(Self.insertOrganization, [org])
        let row = try connection.query(
            Self.upsertPipeline, [org, definition.name, PostgresJSON(try definition.jsonString())])[0]
        let saved = Saved(pipelineID: try row.decode(Int.self, at: 0), version: try row.decode(Int.self, at: 1))
        let stageNames = definition.stages.map(\.name)
        try connection.executeScript("SET CONSTRAINTS pipeline_stages_pipeline_id_position_key DEFERRED")
        try connection.execute(Self.retireStages, [saved.pipelineID, stageNames])
        try connection.execute(Self.upsertStages, [saved.pipelineID, stageNames])
        let rows = try ActionRows(definition)
        try connection.execute(
            Self.insertActions,
            [
                saved.pipelineID, saved.version, rows.stage, rows.seq, rows.type, rows.config, rows.maxAttempts,
                rows.delaySeconds, rows.targetStage, rows.replyStage, rows.channel,
            ])
        try connection.execute(Self.deleteUnusedActions, [saved.pipelineID, saved.version])
        return saved
    }

    /// The columns of the action rows of a definition, one array per column, for one `unnest` insert.
    struct ActionRows {
        var stage: [String] = []
        var seq: [Int32] = []
        var type: [String] = []
        var config: [String] = []
        var maxAttempts: [Int32?] = []
        var delaySeconds: [Double?] = []
        var targetStage: [String?] = []
        var replyStage: [String?] = []
        var channel: [String?] = []

        init(_ definition: Leadflow_V1_PipelineDefinition) throws {
            for stage in definition.stages {
                for (position, action) in stage.actions.enumerated() {
                    guard let config = action.config else { continue }
                    self.stage.append(stage.name)
                    seq.append(Int32(position))
                    type.append(ActionType(config).rawValue)
                    self.config.append(try action.jsonString())
                    maxAttempts.append(action.hasMaxAttempts ? Int32(clamping: action.maxAttempts) : nil)
                    var delay: Google_Protobuf_Duration?
                    var target: String?
                    var reply: String?
                    var channel: String?
                    switch config {
                    case .wait(let wait): delay = wait.duration
                    case .waitForReply(let wait):
                        delay = wait.timeout
                        target = wait.hasOnTimeoutStage ? wait.onTimeoutStage : nil
                        reply = wait.hasOnReplyStage ? wait.onReplyStage : nil
                        channel = ActionRows.channelName(wait.channel)
                    case .move(let move): target = move.stage
                    case .email, .sms, .webhook, .end: break
                    }
                    delaySeconds.append(delay.map { Double($0.seconds) + Double($0.nanos) / 1e9 })
                    targetStage.append(target)
                    replyStage.append(reply)
                    self.channel.append(channel)
                }
            }
        }

        static func channelName(_ channel: Leadflow_V1_Channel) -> String? {
            switch channel {
            case .email: "email"
            case .sms: "sms"
            case .unspecified, .UNRECOGNIZED: nil
            }
        }
    }

    static let insertOrganization = PostgresStatement(
        name: "pipeline_insert_org", sql: "INSERT INTO organizations (id) VALUES ($1) ON CONFLICT (id) DO NOTHING")

    static let upsertPipeline = PostgresStatement(
        name: "pipeline_upsert",
        sql: """
            INSERT INTO pipelines (org_id, name, definition) VALUES ($1, $2, $3)
            ON CONFLICT (org_id, name) DO UPDATE
                SET version = pipelines.version + 1, definition = EXCLUDED.definition, updated_at = now()
            RETURNING id, version
            """)

    static let retireStages = PostgresStatement(
        name: "pipeline_retire_stages",
        sql: """
            UPDATE pipeline_stages SET position = NULL
            WHERE pipeline_id = $1 AND position IS NOT NULL AND NOT (name = ANY ($2::text[]))
            """)

    static let upsertStages = PostgresStatement(
        name: "pipeline_upsert_stages",
        sql: """
            INSERT INTO pipeline_stages (pipeline_id, position, name)
            SELECT $1, s.ord - 1, s.name FROM unnest($2::text[]) WITH ORDINALITY AS s (name, ord)
            ON CONFLICT (pipeline_id, name) DO UPDATE SET position = EXCLUDED.position
            """)

    static let insertActions = PostgresStatement(
        name: "pipeline_insert_actions",
        sql: """
            INSERT INTO pipeline_stage_actions
                (stage_id, version, seq, type, config, max_attempts, delay, target_stage_id, reply_stage_id, channel)
            SELECT s.id, $2, a.seq, a.type, a.config::jsonb, a.max_attempts, make_interval(secs => a.delay), t.id,
                   r.id, a.channel
            FROM unnest($3::text[], $4::int[], $5::text[], $6::text[], $7::int[], $8::float8[], $9::text[],
                        $10::text[], $11::text[])
                AS a (stage, seq, type, config, max_attempts, delay, target, reply, channel)
            JOIN pipeline_stages s ON s.pipeline_id = $1 AND s.name = a.stage
            LEFT JOIN pipeline_stages t ON t.pipeline_id = $1 AND t.name = a.target
            LEFT JOIN pipeline_stages r ON r.pipeline_id = $1 AND r.name = a.reply
            """)

    static let deleteUnusedActions = PostgresStatement(
        name: "pipeline_delete_unused_actions",
        sql: """
            DELETE FROM pipeline_stage_actions a USING pipeline_stages s
            WHERE a.stage_id = s.id AND s.pipeline_id = $1 AND a.version < $2
              AND NOT EXISTS (SELECT FROM lead_stage_actions l WHERE l.pipeline_action_id = a.id)
            """)
}
