import Foundation
import LeadflowDomain
import LeadflowProto
import Postgres

/// Applies lead commands set-wise, one statement per kind and batch: upserts, enrolls, replies, unsubscribes,
/// resubscribes and deletes, each for any number of leads of any organizations.
///
/// Every function runs on the caller's connection inside the caller's transaction; organizations, pipelines
/// and stages must exist (ingest resolves them before it opens the transaction).
public enum LeadWriter {
    /// A command for one organization, with the trace of the message that carried it.
    public struct Scoped<Message: Sendable>: Sendable {
        public var org: String
        public var message: Message
        /// Associated with the lead's events (`Traceparent` when they are published).
        public var trace: TraceParent?

        public init(org: String, _ message: Message, trace: TraceParent? = nil) {
            self.org = org
            self.message = message
            self.trace = trace
        }
    }

    /// An enroll whose pipeline and stage ingest has resolved.
    public struct Enrollment: Sendable, Hashable {
        public var org: String
        public var externalID: String
        public var pipelineID: Int
        /// The stage to enter: the one the message named, or the pipeline's first.
        public var stageID: Int
        /// Whether the message named the stage: a lead already in the pipeline moves there; otherwise an enroll
        /// of a lead already in the pipeline changes nothing.
        public var stageNamed: Bool
        /// The trace of the enroll message: the stage entered keeps it for its actions, and the stages after it
        /// inherit it.
        public var trace: TraceParent?

        public init(
            org: String, externalID: String, pipelineID: Int, stageID: Int, stageNamed: Bool, trace: TraceParent? = nil
        ) {
            self.org = org
            self.externalID = externalID
            self.pipelineID = pipelineID
            self.stageID = stageID
            self.stageNamed = stageNamed
            self.trace = trace
        }
    }

    struct LeadKey: Hashable {
        let org: String
        let externalID: String
    }

    // MARK: Upsert

    /// Creates or updates leads. Fields a message leaves out keep their value; attributes merge key by key.
    /// Several upserts of one lead in a batch apply in order. A deleted lead stays erased.
    public static func upsert(
        _ upserts: [Scoped<Leadflow_V1_LeadUpsert>], events: inout LeadEventLog,
        on connection: isolated PostgresConnection
    ) throws {
        guard !upserts.isEmpty else { return }
        var order: [LeadKey] = []
        var merged: [LeadKey: Leadflow_V1_LeadUpsert] = [:]
        var traces: [LeadKey: TraceParent] = [:]
        for upsert in upserts {
            let key = LeadKey(org: upsert.org, externalID: upsert.message.externalID)
            if events.isRecording, traces[key] == nil { traces[key] = upsert.trace }
            if var earlier = merged[key] {
                let next = upsert.message
                if next.hasEmail { earlier.email = next.email }
                if next.hasPhone { earlier.phone = next.phone }
                if next.hasFirstName { earlier.firstName = next.firstName }
                if next.hasLastName { earlier.lastName = next.lastName }
                earlier.attributes.merge(next.attributes) { _, new in new }
                merged[key] = earlier
            } else {
                order.append(key)
                merged[key] = upsert.message
            }
        }
        let leads = order.map { merged[$0]! }
        let rows = try connection.query(
            upsertStatement,
            [
                order.map(\.org), order.map(\.externalID), leads.map { $0.hasEmail ? $0.email : nil },
                leads.map { $0.hasPhone ? $0.phone : nil }, leads.map { $0.hasFirstName ? $0.firstName : nil },
                leads.map { $0.hasLastName ? $0.lastName : nil }, try leads.map { try attributesJSON($0.attributes) },
            ])
        var clearing: [Int] = []
        for row in rows {
            let (leadID, org, externalID, created) = try row.decode((Int, String, String, Bool).self)
            let key = LeadKey(org: org, externalID: externalID)
            events.associate(traces[key], lead: leadID)
            events.record(created ? .created : .updated, org: org, leadID: leadID, externalID: externalID)
            if let upsert = merged[key], Self.clearsSomething(upsert) { clearing.append(leadID) }
        }
        // The statement cannot tell "absent" from "present and empty" on both of its paths; the rare upserts
        // that clear a field or remove an attribute get a second statement that does it.
        if !clearing.isEmpty { try connection.execute(clearEmptyStatement, [clearing]) }
    }

    /// Whether an upsert clears a field (present and empty) or removes an attribute (mapped to "").
    static func clearsSomething(_ upsert: Leadflow_V1_LeadUpsert) -> Bool {
        (upsert.hasEmail && upsert.email.isEmpty) || (upsert.hasPhone && upsert.phone.isEmpty)
            || (upsert.hasFirstName && upsert.firstName.isEmpty) || (upsert.hasLastName && upsert.lastName.isEmpty)
            || upsert.attributes.values.contains("")
    }

    static func attributesJSON(_ attributes: [String: String]) throws -> String {
        if attributes.isEmpty { return "{}" }
        let data = try JSONEncoder().encode(attributes)
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: Enroll

    /// Puts leads into pipelines, creating leads that do not exist yet. A lead already in the pipeline stays
    /// where it is unless the enroll names another stage; unsubscribed and deleted leads are not enrolled.
    public static func enroll(
        _ enrollments: [Enrollment], defaultMaxAttempts: Int, events: inout LeadEventLog,
        on connection: isolated PostgresConnection
    ) throws {
        guard !enrollments.isEmpty else { return }
        let keys = enrollments.map { LeadKey(org: $0.org, externalID: $0.externalID) }
        try createMissing(Array(zip(keys, enrollments.map(\.trace))), events: &events, on: connection)
        // Locked in a statement of its own, so that the next one reads the opt-outs after the lock: an
        // unsubscribe that held it (it locks the lead and writes only lead_suppressions) is then seen.
        _ = try lock(keys, on: connection)
        let rows = try connection.query(
            resolveEnrollments,
            [
                enrollments.map(\.org), enrollments.map(\.externalID), enrollments.map(\.pipelineID),
                enrollments.map(\.stageID),
            ])
        var entries: [StageEntry] = []
        var leaving: [Int] = []
        var seen: Set<[Int]> = []
        for row in rows {
            let (ordinal, leadID, externalID, stopped, currentLeadStage, currentStage, pipeline, stage) =
                try row.decode((Int, Int, String, Bool, Int?, Int?, String, String).self)
            let enrollment = enrollments[ordinal - 1]
            // The first enroll of a lead into a pipeline in the batch decides; repeats change nothing.
            guard !stopped, seen.insert([leadID, enrollment.pipelineID]).inserted else { continue }
            if let currentLeadStage {
                guard enrollment.stageNamed, currentStage != enrollment.stageID else { continue }
                leaving.append(currentLeadStage)
            }
            entries.append(
                StageEntry(
                    leadID: leadID, org: enrollment.org, pipelineID: enrollment.pipelineID,
                    stageID: enrollment.stageID, trace: enrollment.trace))
            events.associate(enrollment.trace, lead: leadID)
            let place = StagePlace(
                pipelineID: enrollment.pipelineID, pipeline: pipeline, stageID: enrollment.stageID, stage: stage)
            events.record(.enrolled, org: enrollment.org, leadID: leadID, externalID: externalID, place.fill)
        }
        try StageTransitions.exit(leadStages: leaving, reason: .moved, events: &events, on: connection)
        try StageTransitions.enter(entries, defaultMaxAttempts: defaultMaxAttempts, events: &events, on: connection)
    }

    // MARK: Reply

    /// Resolves the leads' `wait_for_reply` actions that wait on the reply's channel (a reply without a channel
    /// resolves any): each goes to its `on_reply` stage, or on to its next action. A reply while nothing
    /// waits is recorded as an event only.
    public static func reply(
        _ replies: [Scoped<Leadflow_V1_LeadReply>], defaultMaxAttempts: Int, events: inout LeadEventLog,
        on connection: isolated PostgresConnection
    ) throws {
        guard !replies.isEmpty else { return }
        let channels = replies.map { PipelineStore.ActionRows.channelName($0.message.channel) }
        if events.isRecording {
            let leads = try connection.query(findLeads, [replies.map(\.org), replies.map(\.message.externalID)])
            for row in leads {
                let (ordinal, leadID, externalID) = try row.decode((Int, Int, String).self)
                let reply = replies[ordinal - 1]
                events.associate(reply.trace, lead: leadID)
                events.record(.replied, org: reply.org, leadID: leadID, externalID: externalID) { event in
                    event.channel = reply.message.channel
                }
            }
        }
        let rows = try connection.query(
            findWaiting, [replies.map(\.org), replies.map(\.message.externalID), channels])
        var items: [ActionCompletion.Item] = []
        for row in rows {
            let (actionID, replyStage) = try row.decode((Int, Int?).self)
            items.append(ActionCompletion.Item(actionID: actionID, then: replyStage.map { .stage($0) } ?? .next))
        }
        try ActionCompletion.succeed(
            items, from: [.waiting], reason: .replied, defaultMaxAttempts: defaultMaxAttempts, events: &events,
            on: connection)
    }

    // MARK: Opt-outs, opt-ins and delete

    /// Records opt-outs (lead_suppressions), creating leads not known yet so a later upsert or enroll cannot
    /// bring them back. An opt-out from one channel cancels the lead's pending and dispatched actions on it
    /// (`suppressed`; each lead goes on to its next action); one from every channel ends the lead's current
    /// stages (`unsubscribed`) and keeps later enrolls out. An opt-out older than the lead's last resubscribe
    /// for the channel changes nothing (``Suppressions/record(_:suppressed:on:)``).
    public static func unsubscribe(
        _ unsubscribes: [Scoped<Leadflow_V1_LeadUnsubscribe>], defaultMaxAttempts: Int, events: inout LeadEventLog,
        on connection: isolated PostgresConnection
    ) throws {
        let taken = try recordSuppressions(
            unsubscribes, suppressed: true, kind: .unsubscribed, channels: { [$0] }, events: &events, on: connection)
        let everything = taken.filter { $0.channel == Suppressions.allChannels }.map(\.leadID)
        if !everything.isEmpty {
            let stages = try connection.query(currentStages, [everything]).map { try $0.decode(Int.self, at: 0) }
            try StageTransitions.exit(leadStages: stages, reason: .unsubscribed, events: &events, on: connection)
        }
        let perChannel = taken.filter { $0.channel != Suppressions.allChannels }
        guard !perChannel.isEmpty else { return }
        let open = try connection.query(
            Suppressions.openActionsOnChannels, [perChannel.map(\.leadID), perChannel.map(\.channel)]
        ).map { row in (id: try row.decode(Int.self, at: 0), status: try row.decode(ActionStatus.self, at: 1)) }
        try ActionCompletion.cancelSuppressed(
            open.filter { $0.status != .blocked }.map(\.id), from: [.pending, .held, .dispatched],
            defaultMaxAttempts: defaultMaxAttempts, events: &events, on: connection)
    }

    /// Lifts suppressions: the lead opted in again to a channel (CHANNEL_UNSPECIFIED: to every channel, lifting
    /// the all-channel suppression and each channel's). Only suppressions recorded before the resubscribe's
    /// time are lifted, and the opt-in is recorded — for a lead not known yet too, which is created — so an
    /// older unsubscribe that arrives later loses. Deleted leads are left alone. Nothing is re-enrolled: a lead
    /// whose stages an all-channel unsubscribe ended can be enrolled again.
    public static func resubscribe(
        _ resubscribes: [Scoped<Leadflow_V1_LeadResubscribe>], events: inout LeadEventLog,
        on connection: isolated PostgresConnection
    ) throws {
        // Every suppression, when the resubscribe names no channel.
        try recordSuppressions(
            resubscribes, suppressed: false, kind: .resubscribed,
            channels: { $0 == Suppressions.allChannels ? Suppressions.everyName : [$0] }, events: &events,
            on: connection)
    }

    /// Records each command's change of each of `channels(its channel's name)` — creating leads not known yet,
    /// locking the leads — and one `kind` event per command that took effect; returns the changes that did.
    @discardableResult
    private static func recordSuppressions<Message: SuppressionCommand>(
        _ commands: [Scoped<Message>], suppressed: Bool, kind: Leadflow_V1_LeadEvent.Kind,
        channels: (String) -> [String], events: inout LeadEventLog, on connection: isolated PostgresConnection
    ) throws -> Set<Suppressions.Change> {
        guard !commands.isEmpty else { return [] }
        let keys = commands.map { LeadKey(org: $0.org, externalID: $0.message.externalID) }
        try createMissing(Array(zip(keys, commands.map(\.trace))), events: &events, on: connection)
        let leads = try lock(keys, on: connection)
        let changes = zip(keys, commands).map { key, command -> [Suppressions.Change] in
            guard let leadID = leads[key] else { return [] }
            let message = command.message
            return channels(Suppressions.channelName(message.channel)).map {
                Suppressions.Change(
                    leadID: leadID, channel: $0, occurredAt: message.occurredAtDate, source: message.sourceIfSet,
                    reason: message.reasonIfSet)
            }
        }
        let taken = try Suppressions.record(changes.flatMap { $0 }, suppressed: suppressed, on: connection)
        var published: Set<Suppressions.Change> = []
        for (change, command) in zip(changes, commands) {
            guard let first = change.first(where: taken.contains), published.insert(first).inserted else { continue }
            let message = command.message
            events.associate(command.trace, lead: first.leadID)
            events.record(kind, org: command.org, leadID: first.leadID, externalID: message.externalID) { event in
                event.channel = message.channel
                if let reason = message.reasonIfSet { event.reason = reason }
                if let source = message.sourceIfSet { event.source = source }
            }
        }
        return taken
    }

    /// Creates the leads of `keys` that do not exist yet, with only their external id, and records
    /// `lead.created` for each (associated with the trace beside its key).
    private static func createMissing(
        _ keys: [(LeadKey, TraceParent?)], events: inout LeadEventLog, on connection: isolated PostgresConnection
    ) throws {
        let rows = try connection.query(insertMissingLeads, [keys.map(\.0.org), keys.map(\.0.externalID)])
        guard events.isRecording else { return }
        var traces: [LeadKey: TraceParent] = [:]
        for (key, trace) in keys where traces[key] == nil { traces[key] = trace }
        for row in rows {
            let (leadID, org, externalID) = try row.decode((Int, String, String).self)
            events.associate(traces[LeadKey(org: org, externalID: externalID)], lead: leadID)
            events.record(.created, org: org, leadID: leadID, externalID: externalID)
        }
    }

    /// The ids of the leads of `keys` that exist and are not deleted, locked in id order so two ingests writing
    /// the same lead take turns (enroll locks it too).
    private static func lock(_ keys: [LeadKey], on connection: isolated PostgresConnection) throws -> [LeadKey: Int] {
        var ids: [LeadKey: Int] = [:]
        for row in try connection.query(lockLeads, [keys.map(\.org), keys.map(\.externalID)]) {
            let (leadID, org, externalID) = try row.decode((Int, String, String).self)
            ids[LeadKey(org: org, externalID: externalID)] = leadID
        }
        return ids
    }

    /// Erases the leads' personal data (contact fields, names, attributes, and the error texts of their actions,
    /// which may quote an address), keeping a tombstone row so late
    /// events for the same external id are recognised, and stops their automation like an unsubscribe.
    public static func delete(
        _ deletes: [Scoped<Leadflow_V1_LeadDelete>], events: inout LeadEventLog,
        on connection: isolated PostgresConnection
    ) throws {
        guard !deletes.isEmpty else { return }
        let rows = try connection.query(
            deleteStatement, [deletes.map(\.org), deletes.map(\.message.externalID)])
        // The history may quote the person (an error naming the address): erased with the lead, history kept or
        // not, before the deletion's own events are written.
        try LeadHistory.erase(leads: try rows.map { try $0.decode(Int.self, at: 0) }, on: connection)
        try stopAutomation(
            rows, kind: .deleted, reason: .deleted, traces: traces(of: deletes, \.externalID), events: &events, on: connection)
    }

    /// The first trace given for each lead of `commands`.
    private static func traces<Message>(
        of commands: [Scoped<Message>], _ externalID: (Message) -> String
    ) -> [LeadKey: TraceParent] {
        var traces: [LeadKey: TraceParent] = [:]
        for command in commands {
            guard let trace = command.trace else { continue }
            let key = LeadKey(org: command.org, externalID: externalID(command.message))
            if traces[key] == nil { traces[key] = trace }
        }
        return traces
    }

    private static func stopAutomation(
        _ rows: PostgresRows, kind: Leadflow_V1_LeadEvent.Kind, reason: StageTransitions.ExitReason,
        traces: [LeadKey: TraceParent], events: inout LeadEventLog, on connection: isolated PostgresConnection
    ) throws {
        var leadIDs: [Int] = []
        for row in rows {
            let (leadID, org, externalID) = try row.decode((Int, String, String).self)
            events.associate(traces[LeadKey(org: org, externalID: externalID)], lead: leadID)
            leadIDs.append(leadID)
            events.record(kind, org: org, leadID: leadID, externalID: externalID)
        }
        guard !leadIDs.isEmpty else { return }
        let stages = try connection.query(currentStages, [leadIDs]).map { try $0.decode(Int.self, at: 0) }
        try StageTransitions.exit(leadStages: stages, reason: reason, events: &events, on: connection)
    }

    // MARK: SQL

    static let upsertStatement = PostgresStatement(
        name: "lead_upsert",
        sql: """
            INSERT INTO leads AS l (org_id, external_id, email, phone, first_name, last_name, attributes)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[])
            ON CONFLICT (org_id, external_id) DO UPDATE SET
                email = coalesce(EXCLUDED.email, l.email), phone = coalesce(EXCLUDED.phone, l.phone),
                first_name = coalesce(EXCLUDED.first_name, l.first_name),
                last_name = coalesce(EXCLUDED.last_name, l.last_name),
                attributes = l.attributes || EXCLUDED.attributes, updated_at = now()
            WHERE l.deleted_at IS NULL
            RETURNING id, org_id, external_id, xmax = 0
            """)

    /// Empty fields become NULL and attributes mapped to "" go (lead.proto: "present and empty: cleared", "a key
    /// mapped to the empty string is removed").
    static let clearEmptyStatement = PostgresStatement(
        name: "lead_clear_empty",
        sql: """
            UPDATE leads SET
                email = nullif(email, ''), phone = nullif(phone, ''), first_name = nullif(first_name, ''),
                last_name = nullif(last_name, ''),
                attributes = (SELECT coalesce(jsonb_object_agg(key, value), '{}') FROM jsonb_each(attributes)
                              WHERE value <> '""'::jsonb)
            WHERE id = ANY ($1::bigint[])
            """)

    /// Returns the leads it created.
    static let insertMissingLeads = PostgresStatement(
        name: "lead_insert_missing",
        sql: """
            INSERT INTO leads (org_id, external_id)
            SELECT * FROM unnest($1::text[], $2::text[])
            ON CONFLICT (org_id, external_id) DO NOTHING
            RETURNING id, org_id, external_id
            """)

    static let lockLeads = PostgresStatement(
        name: "lead_lock",
        sql: """
            SELECT l.id, l.org_id, l.external_id
            FROM leads l JOIN unnest($1::text[], $2::text[]) AS i (org, external_id)
                ON l.org_id = i.org AND l.external_id = i.external_id
            WHERE l.deleted_at IS NULL
            ORDER BY l.id
            FOR UPDATE OF l
            """)

    /// Locks the leads, so two ingests enrolling the same lead at once take turns.
    static let resolveEnrollments = PostgresStatement(
        name: "lead_resolve_enrollments",
        sql: """
            SELECT i.ord, l.id, l.external_id,
                   l.deleted_at IS NOT NULL OR \(Suppressions.isUnsubscribedFromAll(lead: "l.id")),
                   cur.id, cur.stage_id, p.name, s.name
            FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[])
                WITH ORDINALITY AS i (org, external_id, pipeline_id, stage_id, ord)
            JOIN leads l ON l.org_id = i.org AND l.external_id = i.external_id
            JOIN pipelines p ON p.id = i.pipeline_id
            JOIN pipeline_stages s ON s.id = i.stage_id
            LEFT JOIN lead_stages cur ON cur.lead_id = l.id AND cur.pipeline_id = i.pipeline_id AND cur.exited_at IS NULL
            ORDER BY i.ord
            FOR UPDATE OF l
            """)

    static let findLeads = PostgresStatement(
        name: "lead_find",
        sql: """
            SELECT i.ord, l.id, l.external_id
            FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS i (org, external_id, ord)
            JOIN leads l ON l.org_id = i.org AND l.external_id = i.external_id
            WHERE l.deleted_at IS NULL
            """)

    static let findWaiting = PostgresStatement(
        name: "lead_find_waiting",
        sql: """
            SELECT DISTINCT a.id, p.reply_stage_id
            FROM unnest($1::text[], $2::text[], $3::text[]) AS i (org, external_id, channel)
            JOIN leads l ON l.org_id = i.org AND l.external_id = i.external_id
            JOIN lead_stage_actions a ON a.lead_id = l.id AND a.status = 'waiting'
            JOIN pipeline_stage_actions p ON p.id = a.pipeline_action_id
            WHERE p.channel IS NULL OR i.channel IS NULL OR p.channel = i.channel
            """)

    static let deleteStatement = PostgresStatement(
        name: "lead_delete",
        sql: """
            WITH erased AS (
                UPDATE leads l
                SET email = NULL, phone = NULL, first_name = NULL, last_name = NULL, attributes = '{}',
                    deleted_at = coalesce(l.deleted_at, now()), updated_at = now()
                FROM unnest($1::text[], $2::text[]) AS i (org, external_id)
                WHERE l.org_id = i.org AND l.external_id = i.external_id
                RETURNING l.id, l.org_id, l.external_id
            ), scrubbed AS (
                -- Providers' error texts quote the recipient ("550 <ada@example.org>: no such user").
                UPDATE lead_stage_actions a SET last_error = NULL
                FROM erased e
                WHERE a.lead_id = e.id AND a.last_error IS NOT NULL
            )
            SELECT id, org_id, external_id FROM erased
            """)

    static let currentStages = PostgresStatement(
        name: "lead_current_stages",
        sql: "SELECT id FROM lead_stages WHERE lead_id = ANY ($1::bigint[]) AND exited_at IS NULL")
}
