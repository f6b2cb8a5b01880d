import Foundation
import LeadflowDomain
import LeadflowPipeline
import LeadflowProto
import LeadflowStore
import Postgres
import Testing

/// Drives the engine's store operations the way ingest and the scheduler do, one transaction per call.
struct Engine {
    let connection: PostgresConnection
    var settings = WorkQueue.Settings(lease: .seconds(60), defaultMaxAttempts: 3)

    func pipeline(_ yaml: String, org: String = "acme") async throws -> PipelineStore.Saved {
        let definition = try PipelineDecoder().decode(yaml: yaml)
        return try await connection.withTransaction { try PipelineStore.upsert(definition, org: org, on: $0) }
    }

    func upsert(_ externalID: String, org: String = "acme", email: String? = nil, attributes: [String: String] = [:])
        async throws
    {
        var message = Leadflow_V1_LeadUpsert()
        message.externalID = externalID
        if let email { message.email = email }
        message.attributes = attributes
        try await connection.withTransaction { [message] connection in
            var events = LeadEventLog(recording: false)
            try LeadWriter.upsert([.init(org: org, message)], events: &events, on: connection)
        }
    }

    /// Enrolls leads into the pipeline at `stage` (its first stage when nil), in `trace`; returns the events.
    @discardableResult
    func enroll(
        _ externalIDs: [String], pipeline: String, stage: String? = nil, org: String = "acme", trace: TraceParent? = nil
    ) async throws -> [Leadflow_V1_LeadEvent] {
        try await enrollRecording(externalIDs, pipeline: pipeline, stage: stage, org: org, trace: trace).events
    }

    /// Enrolls like ``enroll(_:pipeline:stage:org:trace:)`` and returns the whole event log.
    func enrollRecording(
        _ externalIDs: [String], pipeline: String, stage: String? = nil, org: String = "acme", trace: TraceParent? = nil
    ) async throws -> LeadEventLog {
        let pipelineID = try await connection.query(
            "SELECT id FROM pipelines WHERE org_id = $1 AND name = $2", [org, pipeline]
        ).scalar(Int.self)!
        let stageID = try await connection.query(
            """
            SELECT id FROM pipeline_stages WHERE pipeline_id = $1 AND position IS NOT NULL
              AND ($2::text IS NULL OR name = $2) ORDER BY position LIMIT 1
            """, [pipelineID, stage]
        ).scalar(Int.self)!
        let enrollments = externalIDs.map {
            LeadWriter.Enrollment(
                org: org, externalID: $0, pipelineID: pipelineID, stageID: stageID, stageNamed: stage != nil, trace: trace)
        }
        let maxAttempts = settings.defaultMaxAttempts
        return try await connection.withTransaction { connection in
            var events = LeadEventLog(recording: true)
            try LeadWriter.enroll(enrollments, defaultMaxAttempts: maxAttempts, events: &events, on: connection)
            return events
        }
    }

    func claim(limit: Int = 100) async throws -> (WorkQueue.Claim, [Leadflow_V1_LeadEvent]) {
        let (claim, log) = try await claimRecording(limit: limit)
        return (claim, log.events)
    }

    /// Claims like ``claim(limit:)`` and returns the whole event log.
    func claimRecording(
        limit: Int = 100, sharedLimit: Int? = nil, excluding excluded: Set<ActionType> = [],
        organizations: [String]? = nil
    ) async throws -> (WorkQueue.Claim, LeadEventLog) {
        let settings = settings
        return try await connection.withTransaction { connection in
            var events = LeadEventLog(recording: true)
            let claim = try WorkQueue.claim(
                limit: limit, sharedLimit: sharedLimit, excluding: excluded, organizations: organizations,
                settings: settings, events: &events, on: connection)
            return (claim, events)
        }
    }

    @discardableResult
    func apply(_ outcomes: [ActionOutcome]) async throws -> [Leadflow_V1_LeadEvent] {
        let settings = settings
        return try await connection.withTransaction { connection in
            var events = LeadEventLog(recording: true)
            try WorkQueue.apply(outcomes, settings: settings, events: &events, on: connection)
            return events.take()
        }
    }

    /// Applies like ``apply(_:)`` and returns what the transaction did (the internal follow-ups it ran).
    func applyReporting(_ outcomes: [ActionOutcome]) async throws -> WorkQueue.Applied {
        let settings = settings
        return try await connection.withTransaction { connection in
            var events = LeadEventLog(recording: true)
            return try WorkQueue.apply(outcomes, settings: settings, events: &events, on: connection)
        }
    }

    /// Succeeds every claimed dispatch.
    func succeed(_ claim: WorkQueue.Claim) async throws {
        try await apply(claim.dispatches.map { $0.outcome() })
    }

    /// `type:status` of each of the lead's actions, stage by stage in entry order, e.g. `email:succeeded`.
    func actions(of externalID: String, org: String = "acme") async throws -> [String] {
        try await connection.query(
            """
            SELECT a.type || ':' || a.status FROM lead_stage_actions a
            JOIN leads l ON l.id = a.lead_id
            WHERE l.org_id = $1 AND l.external_id = $2 ORDER BY a.lead_stage_id, a.seq
            """, [org, externalID]
        ).map { try $0.decode(String.self, at: 0) }
    }

    /// `stage:exit_reason` of each stage the lead entered, in order; `open` for the current one.
    func stages(of externalID: String, org: String = "acme") async throws -> [String] {
        try await connection.query(
            """
            SELECT s.name || ':' || coalesce(ls.exit_reason, 'open') FROM lead_stages ls
            JOIN leads l ON l.id = ls.lead_id JOIN pipeline_stages s ON s.id = ls.stage_id
            WHERE l.org_id = $1 AND l.external_id = $2 ORDER BY ls.id
            """, [org, externalID]
        ).map { try $0.decode(String.self, at: 0) }
    }

    /// Makes every pending and waiting action due now, as if its time had come.
    func timeTravel() async throws {
        try await connection.execute(
            "UPDATE lead_stage_actions SET perform_at = now() - interval '1 second' WHERE status IN ('pending', 'waiting')")
    }
}

func withEngine<T: Sendable>(_ body: (Engine) async throws -> T) async throws -> T {
    try await withMigratedDatabase { connection in try await body(Engine(connection: connection)) }
}

extension Engine {
    @discardableResult
    func reply(
        _ externalID: String, channel: Leadflow_V1_Channel, org: String = "acme", trace: TraceParent? = nil
    ) async throws -> LeadEventLog {
        var message = Leadflow_V1_LeadReply()
        message.externalID = externalID
        message.channel = channel
        let maxAttempts = settings.defaultMaxAttempts
        return try await connection.withTransaction { [message] connection in
            var events = LeadEventLog(recording: true)
            try LeadWriter.reply(
                [.init(org: org, message, trace: trace)], defaultMaxAttempts: maxAttempts, events: &events,
                on: connection)
            return events
        }
    }

    /// Unsubscribes the lead from `channel` (every channel by default) as ingest would; returns the events.
    @discardableResult
    func unsubscribe(
        _ externalID: String, channel: Leadflow_V1_Channel = .unspecified, at occurredAt: Date? = nil,
        reason: String? = nil, org: String = "acme"
    ) async throws -> [Leadflow_V1_LeadEvent] {
        var message = Leadflow_V1_LeadUnsubscribe()
        message.externalID = externalID
        message.channel = channel
        if let occurredAt { message.occurredAt = .init(date: occurredAt) }
        if let reason { message.reason = reason }
        let maxAttempts = settings.defaultMaxAttempts
        return try await connection.withTransaction { [message] connection in
            var events = LeadEventLog(recording: true)
            try LeadWriter.unsubscribe(
                [.init(org: org, message)], defaultMaxAttempts: maxAttempts, events: &events, on: connection)
            return events.take()
        }
    }

    /// Lifts the lead's suppression of `channel` (every channel by default) as ingest would; returns the events.
    @discardableResult
    func resubscribe(
        _ externalID: String, channel: Leadflow_V1_Channel = .unspecified, at occurredAt: Date? = nil,
        org: String = "acme"
    ) async throws -> [Leadflow_V1_LeadEvent] {
        var message = Leadflow_V1_LeadResubscribe()
        message.externalID = externalID
        message.channel = channel
        if let occurredAt { message.occurredAt = .init(date: occurredAt) }
        return try await connection.withTransaction { [message] connection in
            var events = LeadEventLog(recording: true)
            try LeadWriter.resubscribe([.init(org: org, message)], events: &events, on: connection)
            return events.take()
        }
    }

    func delete(_ externalID: String, org: String = "acme") async throws {
        var message = Leadflow_V1_LeadDelete()
        message.externalID = externalID
        try await connection.withTransaction { [message] connection in
            var events = LeadEventLog(recording: false)
            try LeadWriter.delete([.init(org: org, message)], events: &events, on: connection)
        }
    }
}

/// Pipelines the engine tests run; each uses the action types its test is about.
enum TestPipelines {
    static let steps = """
        name: steps
        stages:
          - name: first
            actions:
              - email: {sender: "a@acme.test", subject: "Hi {{first_name}}", text: "hello"}
              - wait: 0s
              - sms: {sender: "+15550001111", body: "hi"}
          - name: second
            actions:
              - webhook: {url: "https://hooks.acme.test/x"}
        """

    static let longWait = """
        name: slow
        stages:
          - name: only
            actions:
              - email: {sender: "a@acme.test", subject: "s", text: "t"}
              - wait: 1h
              - sms: {sender: "+15550001111", body: "hi"}
        """

    static let router = """
        name: router
        stages:
          - name: a
            actions:
              - move: c
          - name: b
            actions:
              - email: {sender: "a@acme.test", subject: "s", text: "t"}
          - name: c
            actions:
              - end
        """

    static let chat = """
        name: chat
        stages:
          - name: ask
            actions:
              - wait_for_reply: {channel: sms, timeout: 1h, on_reply: sales, then: cold}
          - name: sales
            actions:
              - webhook: {url: "https://hooks.acme.test/sales"}
          - name: cold
            actions:
              - end
        """

    /// One action per channel and a webhook, for the opt-out tests.
    static let reach = """
        name: reach
        stages:
          - name: touch
            actions:
              - email: {sender: "a@acme.test", subject: "s", text: "t"}
              - sms: {sender: "+15550001111", body: "hi"}
              - webhook: {url: "https://hooks.acme.test/x"}
        """

    /// A second pipeline, to see whether a lead can be reached by email after an opt-out test's orderings.
    static let again = """
        name: again
        stages:
          - name: once
            actions:
              - email: {sender: "a@acme.test", subject: "s", text: "t"}
        """

    static let replyThenNext = """
        name: nudge
        stages:
          - name: only
            actions:
              - wait_for_reply: {timeout: 1h}
              - email: {sender: "a@acme.test", subject: "s", text: "t"}
        """
}

extension ClaimedAction {
    /// What a handler would report for this dispatch.
    func outcome(_ kind: ActionOutcome.Kind = .succeeded, error: String? = nil) -> ActionOutcome {
        ActionOutcome(actionID: actionID, attempt: attempt, kind: kind, error: error)
    }
}
