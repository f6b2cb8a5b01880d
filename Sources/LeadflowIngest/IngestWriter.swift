import LeadflowBus
import LeadflowDomain
import LeadflowProto
import LeadflowStore
import Logging
import Postgres

/// Writes a batch of decoded messages: references resolved for the whole batch, then one transaction that
/// deduplicates on (org, msg id) and applies the new messages set-wise per kind. It returns the acks to send
/// once the transaction has committed — never before.
public struct IngestWriter: Sendable {
    /// What a written batch answers and announces.
    public struct Outcome: Sendable {
        /// One ack per message, in the order received.
        public var acks: [Ack] = []
        /// Lead events to publish.
        public var events: [Leadflow_V1_LeadEvent] = []
        /// The trace of each lead's events, by lead id: their `Traceparent`.
        public var traces: [Int: TraceParent] = [:]
        public var applied = 0
        public var duplicates = 0
        public var rejected = 0
        /// Statements the batch ran (inside its transactions; `BEGIN` and `COMMIT` not counted).
        public var queries = 0
    }

    public var defaultMaxAttempts: Int
    public var recordEvents: Bool
    /// Whether the events are written to the lead history in the batch's transaction.
    public var keepsHistory: Bool

    public init(defaultMaxAttempts: Int = 5, recordEvents: Bool = true, keepsHistory: Bool = true) {
        self.defaultMaxAttempts = defaultMaxAttempts
        self.recordEvents = recordEvents
        self.keepsHistory = keepsHistory
    }

    /// Writes `messages`; throws when the database failed, in which case nothing was committed and nothing
    /// may be acknowledged (clients send the same msg ids again).
    ///
    /// Within a batch, kinds apply in a fixed order — pipelines, upserts, enrolls, replies, unsubscribes,
    /// resubscribes, deletes — so a client that pipelines "define, upsert, enroll" without waiting gets what it
    /// meant.
    /// Pipelines commit first, in their own transaction, so enrolls in the same batch can name them.
    public func write(_ messages: [IngestMessage], to database: PostgresClient) async throws -> Outcome {
        var acks = [Ack?](repeating: nil, count: messages.count)
        var outcome = Outcome()
        let pipelines = messages.indices.filter {
            if case .upsertPipeline = messages[$0].command { true } else { false }
        }
        if !pipelines.isEmpty {
            let batch = pipelines.map { messages[$0] }
            let (applied, duplicates, queries) = try await database.withTransaction { connection in
                let before = connection.roundTrips
                let new = try ProcessedMessages.record(
                    batch.map(\.key), subjects: batch.map(\.subject.string), on: connection)
                var applied = 0
                var seen: Set<ProcessedMessages.Key> = []
                for message in batch where new.contains(message.key) && seen.insert(message.key).inserted {
                    guard case .upsertPipeline(let definition) = message.command else { continue }
                    _ = try PipelineStore.upsert(definition, org: message.org, on: connection)
                    applied += 1
                }
                return (applied, batch.count - applied, connection.roundTrips - before)
            }
            outcome.queries += queries
            outcome.applied += applied
            outcome.duplicates += duplicates
            for index in pipelines { acks[index] = .ok(msgID: messages[index].msgID) }
        }

        let leadIndices = messages.indices.filter { acks[$0] == nil }
        var accepted: [Int] = []
        var enrollments: [Int: LeadWriter.Enrollment] = [:]
        if !leadIndices.isEmpty {
            let (known, resolved, queries) = try await database.withConnection { connection in
                try await connection.resolve(leadIndices.map { messages[$0] })
            }
            outcome.queries += queries
            for (offset, index) in leadIndices.enumerated() {
                let message = messages[index]
                guard known.contains(message.org) else {
                    acks[index] = .error(msgID: message.msgID, reason: IngestReason.unknownOrganization.rawValue)
                    continue
                }
                if case .enroll(let enroll) = message.command {
                    switch resolved[offset] {
                    case .found(let pipelineID, let stageID)?:
                        enrollments[index] = LeadWriter.Enrollment(
                            org: message.org, externalID: enroll.externalID, pipelineID: pipelineID, stageID: stageID,
                            stageNamed: enroll.hasStage, trace: message.trace)
                    case .unknownPipeline?, .unknownStage?, nil:
                        acks[index] = .error(msgID: message.msgID, reason: IngestReason.unknownPipeline.rawValue)
                        continue
                    }
                }
                accepted.append(index)
            }
        }
        if !accepted.isEmpty {
            let batch = accepted.map { messages[$0] }
            let batchEnrollments = accepted.map { enrollments[$0] }
            let settings = self
            let (events, traces, applied, queries) = try await database.withTransaction { connection in
                let before = connection.roundTrips
                let new = try ProcessedMessages.record(
                    batch.map(\.key), subjects: batch.map(\.subject.string), on: connection)
                var seen: Set<ProcessedMessages.Key> = []
                var commands = Commands()
                for (offset, message) in batch.enumerated()
                where new.contains(message.key) && seen.insert(message.key).inserted {
                    commands.add(message, enrollment: batchEnrollments[offset])
                }
                var events = LeadEventLog(recording: settings.recordEvents, history: settings.keepsHistory)
                try commands.apply(defaultMaxAttempts: settings.defaultMaxAttempts, events: &events, on: connection)
                try LeadHistory.write(events, on: connection)
                return (events.take(), events.traces, seen.count, connection.roundTrips - before)
            }
            outcome.queries += queries
            outcome.events = events
            outcome.traces = traces
            outcome.applied += applied
            outcome.duplicates += batch.count - applied
            for index in accepted { acks[index] = .ok(msgID: messages[index].msgID) }
        }
        outcome.acks = acks.map { $0! }
        outcome.rejected = outcome.acks.count - outcome.applied - outcome.duplicates
        return outcome
    }
}

/// The new messages of a batch, grouped by kind for the set-wise writes.
private struct Commands {
    var upserts: [LeadWriter.Scoped<Leadflow_V1_LeadUpsert>] = []
    var enrollments: [LeadWriter.Enrollment] = []
    var replies: [LeadWriter.Scoped<Leadflow_V1_LeadReply>] = []
    var unsubscribes: [LeadWriter.Scoped<Leadflow_V1_LeadUnsubscribe>] = []
    var resubscribes: [LeadWriter.Scoped<Leadflow_V1_LeadResubscribe>] = []
    var deletes: [LeadWriter.Scoped<Leadflow_V1_LeadDelete>] = []

    mutating func add(_ message: IngestMessage, enrollment: LeadWriter.Enrollment?) {
        switch message.command {
        case .upsertLead(let upsert): upserts.append(.init(org: message.org, upsert, trace: message.trace))
        case .enroll: if let enrollment { enrollments.append(enrollment) }
        case .reply(let reply): replies.append(.init(org: message.org, reply, trace: message.trace))
        case .unsubscribe(let unsubscribe):
            unsubscribes.append(.init(org: message.org, unsubscribe, trace: message.trace))
        case .resubscribe(let resubscribe):
            resubscribes.append(.init(org: message.org, resubscribe, trace: message.trace))
        case .delete(let delete): deletes.append(.init(org: message.org, delete, trace: message.trace))
        case .upsertPipeline: break
        }
    }

    func apply(defaultMaxAttempts: Int, events: inout LeadEventLog, on connection: isolated PostgresConnection) throws {
        try LeadWriter.upsert(upserts, events: &events, on: connection)
        try LeadWriter.enroll(enrollments, defaultMaxAttempts: defaultMaxAttempts, events: &events, on: connection)
        try LeadWriter.reply(replies, defaultMaxAttempts: defaultMaxAttempts, events: &events, on: connection)
        try LeadWriter.unsubscribe(
            unsubscribes, defaultMaxAttempts: defaultMaxAttempts, events: &events, on: connection)
        try LeadWriter.resubscribe(resubscribes, events: &events, on: connection)
        try LeadWriter.delete(deletes, events: &events, on: connection)
        if !enrollments.isEmpty || !replies.isEmpty || !unsubscribes.isEmpty {
            // Delivered at commit: schedulers listening wake up for the new due work (an opt-out from one
            // channel makes the actions after the ones it canceled due).
            let orgs = enrollments.map(\.org) + replies.map(\.org) + unsubscribes.map(\.org)
            try SchedulerWakeup.notify(organizations: orgs, on: connection)
        }
    }
}

extension IngestMessage {
    var key: ProcessedMessages.Key { ProcessedMessages.Key(org: org, msgID: msgID) }
}

extension PostgresConnection {
    /// The organizations that exist, and what each enroll's pipeline reference resolves to (by position in
    /// `messages`; `nil` for other kinds); and the statements that took.
    fileprivate func resolve(_ messages: [IngestMessage]) throws -> (Set<String>, [References.Resolved?], Int) {
        let before = roundTrips
        let known = try References.existingOrganizations(Array(Set(messages.map(\.org))), on: self)
        var refs: [References.PipelineRef] = []
        var positions: [Int] = []
        for (offset, message) in messages.enumerated() {
            if case .enroll(let enroll) = message.command {
                refs.append(.init(org: message.org, pipeline: enroll.pipeline, stage: enroll.hasStage ? enroll.stage : nil))
                positions.append(offset)
            }
        }
        var resolved = [References.Resolved?](repeating: nil, count: messages.count)
        for (position, value) in zip(positions, try References.resolve(refs, on: self)) { resolved[position] = value }
        return (known, resolved, roundTrips - before)
    }
}
