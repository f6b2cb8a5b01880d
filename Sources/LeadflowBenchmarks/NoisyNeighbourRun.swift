import Foundation
import LeadflowClient
import LeadflowDomain
import LeadflowEngine
import LeadflowProto
import LeadflowStore
import Postgres
import ZeroMQ

/// A small tenant's leads measured twice on a running ``LocalEngine``: alone, then while a big tenant's bulk
/// import drains. Fair claims and the big tenant's in-flight limit should keep the two close.
public struct NoisyNeighbourRun: Sendable {
    public var pipeline: Leadflow_V1_PipelineDefinition
    public var bigLeads: Int
    public var smallLeads: Int
    /// The big tenant's limits on every channel.
    public var bigLimits: ChannelLimits
    /// How many times the small tenant's leads are run in each phase, one batch after the other. A batch's leads
    /// move in step, so one batch's p99 is nearly a single sample; the figures pool every round's leads.
    public var rounds: Int

    public init(
        pipeline: Leadflow_V1_PipelineDefinition, bigLeads: Int, smallLeads: Int, bigLimits: ChannelLimits, rounds: Int = 20
    ) {
        self.pipeline = pipeline
        self.bigLeads = bigLeads
        self.smallLeads = smallLeads
        self.bigLimits = bigLimits
        self.rounds = rounds
    }

    public struct Report: Sendable {
        public var alone = EndToEndReport()
        public var flooded = EndToEndReport()
        /// The big tenant's actions done when the small tenant's last lead finished, of all it had.
        public var bigDoneWhenSmallFinished = 0
        public var bigActions = 0
        public var bigWallTime: Duration = .zero
        /// Claims while both tenants ran, their mean and longest duration.
        public var claims = 0
        public var meanClaim: Duration = .zero
        public var longestClaim: Duration = .zero

        public var summary: String {
            func ms(_ duration: Duration) -> String { String(format: "%.1f ms", duration.seconds * 1000) }
            func ratio(_ flooded: Duration, _ alone: Duration) -> String {
                alone > .zero ? String(format: "%.2fx", flooded.seconds / alone.seconds) : "-"
            }
            func row(_ name: String, _ cells: [String]) -> String {
                name.padding(toLength: 30, withPad: " ", startingAt: 0)
                    + cells.map { $0.padding(toLength: max(12, $0.count + 2), withPad: " ", startingAt: 0) }.joined()
            }
            var lines = [
                row("small tenant (\(alone.leads) leads)", ["step p50", "step p99", "enroll → first p99"]),
                row("  alone", [ms(alone.stepLagP50), ms(alone.stepLagP99), ms(alone.enrollToFirstP99UnderLoad)]),
                row(
                    "  beside the big import",
                    [ms(flooded.stepLagP50), ms(flooded.stepLagP99), ms(flooded.enrollToFirstP99UnderLoad)]),
                row(
                    "  flooded / alone",
                    [
                        ratio(flooded.stepLagP50, alone.stepLagP50), ratio(flooded.stepLagP99, alone.stepLagP99),
                        ratio(flooded.enrollToFirstP99UnderLoad, alone.enrollToFirstP99UnderLoad),
                    ]),
                "big tenant: \(bigActions) actions in \(ms(bigWallTime)); "
                    + "\(bigDoneWhenSmallFinished) of them done when the small tenant finished",
                "claims: \(claims), mean \(ms(meanClaim)), longest \(ms(longestClaim))",
            ]
            if bigDoneWhenSmallFinished >= bigActions {
                lines.append(
                    "warning: the big import had drained before the small tenant's last round: "
                        + "part of \"beside the big import\" ran alone (fewer --rounds or more --big)")
            }
            return lines.joined(separator: "\n")
        }
    }

    public func run(engine: LocalEngine, client: LeadflowClient, context: ZMQContext) async throws -> Report {
        var report = Report()
        let actionsPerLead = pipeline.stages.reduce(0) { $0 + $1.actions.count }
        report.bigActions = bigLeads * actionsPerLead
        report.alone = try await smallRounds(named: "small-alone", engine: engine, client: client, context: context)

        _ = try await client.upsertPipeline(org: "big", pipeline)
        let change = OrganizationLimits.Change(
            maxInFlight: bigLimits.maxInFlight, ratePerSecond: bigLimits.ratePerSecond, burst: bigLimits.burst)
        try await engine.database.withTransaction { connection in
            try OrganizationLimits.set(change, org: "big", channels: ActionType.external, on: connection)
        }
        let clock = ContinuousClock()
        let start = clock.now
        let before = engine.scheduler.statistics
        let baseline = EndToEndRun.done(engine)
        try await BulkEnrollment.write(
            org: "big", count: bigLeads, prefix: "big", pipeline: pipeline.name, database: engine.database)
        while EndToEndRun.done(engine) == baseline { try await Task.sleep(for: .milliseconds(10)) }
        report.flooded = try await smallRounds(named: "small-flooded", engine: engine, client: client, context: context)
        report.bigDoneWhenSmallFinished = try await Self.done(org: "big", engine.database)
        try await EndToEndRun.waitUntilFinished(
            org: "big", pipeline: pipeline.name, engine: engine,
            target: baseline + report.bigActions + rounds * smallLeads * actionsPerLead)
        report.bigWallTime = clock.now - start
        let after = engine.scheduler.statistics
        report.claims = after.claims - before.claims
        report.meanClaim = report.claims > 0 ? (after.claimTime - before.claimTime) / report.claims : .zero
        report.longestClaim = after.longestClaim
        return report
    }

    /// The small tenant's leads, `rounds` times one batch after the other (organizations `<name>-1`, `<name>-2`,
    /// …), measured together.
    private func smallRounds(
        named name: String, engine: LocalEngine, client: LeadflowClient, context: ZMQContext
    ) async throws -> EndToEndReport {
        let orgs = (1...max(1, rounds)).map { "\(name)-\($0)" }
        var pooled = EndToEndReport()
        let clock = ContinuousClock()
        let start = clock.now
        for org in orgs {
            let round = EndToEndRun(org: org, pipeline: pipeline, leads: smallLeads, idleProbes: 0, limits: nil)
            _ = try await round.run(engine: engine, client: client, eventsEndpoint: nil, context: context)
        }
        pooled.leads = orgs.count * smallLeads
        pooled.wallTime = clock.now - start
        try await EndToEndRun.measure(orgs: orgs, engine.database, into: &pooled)
        return pooled
    }

    /// The organization's succeeded actions.
    public static func done(org: String, _ database: PostgresClient) async throws -> Int {
        try await database.query(
            "SELECT count(*) FROM lead_stage_actions WHERE org_id = $1 AND status = 'succeeded'", [org]
        ).scalar(Int.self) ?? 0
    }
}
