import LeadflowDomain
import Foundation
import LeadflowBus
import LeadflowClient
import LeadflowEngine
import LeadflowProto
import LeadflowStore
import Logging
import Postgres
import ZeroMQ

/// One end-to-end run against a running ``LocalEngine``: define the pipeline, import N leads through the
/// client (upsert, then enroll), wait until every lead has left the pipeline, then read the figures from the
/// database; optionally probe idle latency one lead at a time.
public struct EndToEndRun: Sendable {
    public var org: String
    public var pipeline: Leadflow_V1_PipelineDefinition
    public var leads: Int
    /// Leads enrolled one at a time after the run, to measure enroll → first action on an idle system.
    public var idleProbes: Int
    /// The organization's own limits on every channel, set once its pipeline exists; `nil`: the configured
    /// `tenant.*` defaults.
    public var limits: ChannelLimits?

    /// Limits no run reaches, for measuring the engine rather than a tenant's throttle.
    public static let unthrottled = ChannelLimits(maxInFlight: 1_000_000, ratePerSecond: 10_000_000, burst: 10_000_000)

    public init(
        org: String, pipeline: Leadflow_V1_PipelineDefinition, leads: Int, idleProbes: Int = 200,
        limits: ChannelLimits? = unthrottled
    ) {
        self.org = org
        self.pipeline = pipeline
        self.leads = leads
        self.idleProbes = idleProbes
        self.limits = limits
    }

    /// Progress while the run is going: actions done out of expected, and the recent rate.
    public struct Progress: Sendable {
        public var done: Int
        public var expected: Int
        public var actionsPerSecond: Double
        public var elapsed: Duration
    }

    public func run(
        engine: LocalEngine, client: LeadflowClient, eventsEndpoint: String?, context: ZMQContext,
        progress: @escaping @Sendable (Progress) -> Void = { _ in }
    ) async throws -> EndToEndReport {
        _ = try await client.upsertPipeline(org: org, pipeline)
        if let limits {
            let change = OrganizationLimits.Change(
                maxInFlight: limits.maxInFlight, ratePerSecond: limits.ratePerSecond, burst: limits.burst)
            try await engine.database.withTransaction { [org] connection in
                try OrganizationLimits.set(change, org: org, channels: ActionType.external, on: connection)
            }
        }
        let actionsPerLead = pipeline.stages.reduce(0) { $0 + $1.actions.count }
        let expected = leads * actionsPerLead
        let clock = ContinuousClock()
        let start = clock.now
        let baseline = Self.done(engine)
        let monitor = Task {
            var last = (time: clock.now, done: 0)
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(250))
                let done = Self.done(engine) - baseline
                let now = clock.now
                let seconds = (now - last.time).seconds
                progress(Progress(
                    done: min(done, expected), expected: expected,
                    actionsPerSecond: seconds > 0 ? Double(done - last.done) / seconds : 0, elapsed: now - start))
                last = (now, done)
            }
        }
        defer { monitor.cancel() }

        try await importLeads(client: client)
        let importTime = clock.now - start
        try await Self.waitUntilFinished(org: org, pipeline: pipeline.name, engine: engine, target: baseline + expected)
        var report = EndToEndReport()
        report.leads = leads
        report.wallTime = clock.now - start
        report.importTime = importTime
        monitor.cancel()
        try await Self.measure(orgs: [org], engine.database, into: &report)
        if idleProbes > 0, let eventsEndpoint {
            let events = try await BusSubscriber.start(
                context: context, name: "bench.events", endpoints: [.connect(eventsEndpoint)],
                patterns: [SubjectPattern("lead.*.\(org)")])
            // A new subscription reaches the publisher asynchronously (ZeroMQ's slow joiner).
            try await Task.sleep(for: .milliseconds(300))
            let latencies = try await probeIdleLatency(client: client, events: events)
            await events.close()
            // The probe leads finish their pipeline too before the run ends.
            try await Self.waitUntilFinished(
                org: org, pipeline: pipeline.name, engine: engine, target: baseline + expected + idleProbes * actionsPerLead)
            report.idleEnrollToFirstP50 = Self.percentile(latencies, 0.50)
            report.idleEnrollToFirstP99 = Self.percentile(latencies, 0.99)
        }
        return report
    }

    static func done(_ engine: LocalEngine) -> Int {
        let statistics = engine.scheduler.statistics
        return statistics.results + statistics.internalActions
    }

    private func importLeads(client: LeadflowClient) async throws {
        let upserts = (0..<leads).map { Self.lead("lead-\($0)") }
        try Self.check(try await client.upsertLeads(org: org, upserts), "upsert")
        let enrolls = (0..<leads).map { index in
            Leadflow_V1_LeadEnroll.with {
                $0.externalID = "lead-\(index)"
                $0.pipeline = pipeline.name
            }
        }
        try Self.check(try await client.enroll(org: org, leads: enrolls), "enroll")
    }

    static func lead(_ externalID: String) -> Leadflow_V1_LeadUpsert {
        Leadflow_V1_LeadUpsert.with {
            $0.externalID = externalID
            $0.email = "\(externalID)@example.test"
            $0.phone = "+15550001234"
            $0.firstName = externalID
            $0.attributes = ["plan": "pro"]
        }
    }

    static func check(_ outcomes: [LeadflowClient.Outcome], _ what: String) throws {
        let failures = outcomes.compactMap { outcome -> LeadflowClientError? in
            if case .failure(let error) = outcome { error } else { nil }
        }
        if let first = failures.first {
            throw EndToEndError("\(failures.count) \(what)s failed; first: \(first)")
        }
    }

    /// Until no lead of the org is still in the pipeline, except those stopped by a dead action. Asks the
    /// database only once the scheduler has done `target` actions in all, then every 250 ms, through the
    /// pipeline's index: polling must not load the database it measures.
    static func waitUntilFinished(
        org: String, pipeline: String, engine: LocalEngine, target: Int
    ) async throws {
        while done(engine) < target { try await Task.sleep(for: .milliseconds(50)) }
        while true {
            let open = try await engine.database.query(
                """
                SELECT count(*) FROM lead_stages ls
                WHERE ls.pipeline_id = (SELECT id FROM pipelines WHERE org_id = $1 AND name = $2)
                  AND ls.exited_at IS NULL
                  AND NOT EXISTS (SELECT FROM lead_stage_actions a WHERE a.lead_stage_id = ls.id AND a.status = 'dead')
                """, [org, pipeline]
            ).scalar(Int.self) ?? 0
            if open == 0 { return }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    /// Reads the actions, dead letters and lags of `orgs` from the database, pooled (several runs' leads
    /// make one sample).
    static func measure(orgs: [String], _ database: PostgresClient, into report: inout EndToEndReport) async throws {
        for row in try await database.query(
            "SELECT type, count(*) FROM lead_stage_actions WHERE org_id = ANY($1) AND status = 'succeeded' GROUP BY type",
            [orgs])
        {
            let (type, count) = try row.decode((String, Int).self)
            report.actionsByType[type] = count
        }
        report.dead = try await database.query(
            "SELECT count(*) FROM lead_stage_actions WHERE org_id = ANY($1) AND status = 'dead'", [orgs]
        ).scalar(Int.self) ?? 0
        // A step starts when the next action is dispatched to its handler (or, run by the scheduler, done).
        let lag = try await database.query(
            """
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s), percentile_cont(0.99) WITHIN GROUP (ORDER BY s)
            FROM (
                SELECT extract(epoch FROM coalesce(n.dispatched_at, n.completed_at) - p.completed_at)::float8 AS s
                FROM lead_stage_actions p
                JOIN lead_stage_actions n ON n.lead_stage_id = p.lead_stage_id AND n.seq = p.seq + 1
                WHERE p.org_id = ANY($1) AND p.status = 'succeeded' AND n.status = 'succeeded'
            ) lags
            """, [orgs])[0]
        report.stepLagP50 = Self.seconds(try lag.decode(Double?.self, at: 0))
        report.stepLagP99 = Self.seconds(try lag.decode(Double?.self, at: 1))
        let first = try await database.query(
            """
            SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY
                extract(epoch FROM coalesce(a.dispatched_at, a.completed_at) - ls.entered_at)::float8)
            FROM lead_stage_actions a JOIN lead_stages ls ON ls.id = a.lead_stage_id
            WHERE a.org_id = ANY($1) AND a.seq = 0
            """, [orgs]
        ).scalar(Double?.self) ?? nil
        report.enrollToFirstP99UnderLoad = Self.seconds(first)
    }

    /// Client send → `lead.action_dispatched` of that lead's first action, one lead at a time.
    private func probeIdleLatency(client: LeadflowClient, events: BusSubscriber) async throws -> [Duration] {
        let clock = ContinuousClock()
        var latencies: [Duration] = []
        for index in 0..<idleProbes {
            let externalID = "probe-\(index)"
            _ = try await client.upsertLead(org: org, Self.lead(externalID))
            let start = clock.now
            _ = try await client.enroll(org: org, Leadflow_V1_LeadEnroll.with {
                $0.externalID = externalID
                $0.pipeline = pipeline.name
            })
            while let envelope = await events.next() {
                guard let event = try? envelope.decode(Leadflow_V1_LeadEvent.self) else { continue }
                if event.externalID == externalID, event.kind == .actionDispatched || event.kind == .actionSucceeded {
                    latencies.append(clock.now - start)
                    break
                }
            }
        }
        return latencies
    }

    static func seconds(_ value: Double?) -> Duration {
        guard let value, value.isFinite else { return .zero }
        return .nanoseconds(Int64(value * 1e9))
    }

    static func percentile(_ values: [Duration], _ p: Double) -> Duration? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }
}

/// A run that could not complete.
public struct EndToEndError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
