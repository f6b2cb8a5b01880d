import Foundation
import LeadflowDomain
import LeadflowPipeline
import LeadflowStore
import Postgres

/// What a support person's lookup costs on a big database: `leadflow bench lookup` builds `leads` leads, each
/// in a three-action stage (email succeeded, a wait due — all of them in one queue, the worst case for "how
/// many are ahead" — and an SMS blocked behind it) with `historyPerLead` history rows, the leads created over the
/// last eight weeks; then times lookups of random leads — find by external id, "why is it waiting" and the
/// timeline, each lookup in one transaction as `leadflow lead show` and `lead timeline` run them.
public enum LookupBenchmark {
    public struct Report: Sendable {
        public var leads: Int
        public var historyRows: Int
        public var seedSeconds: Double
        /// Milliseconds per lookup of each kind, sorted.
        public var show: [Double]
        public var timeline: [Double]
        /// `lead search` by e-mail (in another case than stored) and by phone.
        public var searchByEmail: [Double]
        public var searchByPhone: [Double]
    }

    public static func run(
        url: String, leads: Int, historyPerLead: Int, lookups: Int, progress: @Sendable (String) -> Void
    ) async throws -> Report {
        let definition = try BenchmarkPipeline.fromSteps("email,wait:1d,sms", name: "lookup")
        return try await PostgresConnection.withConnection(configuration: .init(url: url)) { connection in
            let started = ContinuousClock.now
            let pipelineID = try await connection.withTransaction { try PipelineStore.upsert(definition, org: "acme", on: $0) }
                .pipelineID
            progress("seeding \(leads) leads and \(leads * historyPerLead) history rows")
            try await connection.executeScript(seed(leads: leads, historyPerLead: historyPerLead, pipelineID: pipelineID))
            try await connection.executeScript("VACUUM ANALYZE")
            let seedSeconds = (ContinuousClock.now - started).seconds
            let historyRows = try await connection.query("SELECT count(*)::bigint FROM lead_history").scalar(Int.self) ?? 0
            progress("timing \(lookups) lookups of each kind")
            var generator = SystemRandomNumberGenerator()
            var show: [Double] = []
            var timeline: [Double] = []
            var byEmail: [Double] = []
            var byPhone: [Double] = []
            for _ in 0..<lookups {
                let number = Int.random(in: 1...leads, using: &generator)
                let externalID = "lead-\(number)"
                let clock = ContinuousClock()
                var start = clock.now
                let waits = try await connection.withTransaction { connection in
                    let lead = try LeadRecord.find(org: "acme", externalID: externalID, on: connection)!
                    return try LeadWaits.explain(leadID: lead.id, defaults: .init(), on: connection)
                }
                show.append((clock.now - start).seconds * 1_000)
                precondition(waits.count == 2, "the seeded lead has a pending wait and a blocked SMS")
                start = clock.now
                let entries = try await connection.withTransaction { connection in
                    let lead = try LeadRecord.find(org: "acme", externalID: externalID, on: connection)!
                    return try LeadHistory.timelineWithPauses(of: lead, limit: 1_000, on: connection)
                }
                timeline.append((clock.now - start).seconds * 1_000)
                precondition(entries.count == historyPerLead, "every history row of the lead is read")
                for (criterion, figures) in [
                    (LeadSearch.Criterion.email("LEAD\(number)@Example.com"), 0),
                    (.phone("+1555" + String(repeating: "0", count: max(0, 7 - "\(number)".count)) + "\(number)"), 1),
                ] {
                    start = clock.now
                    let found = try await connection.withTransaction {
                        try LeadSearch.find(org: "acme", criterion, limit: 100, on: $0)
                    }
                    let took = (clock.now - start).seconds * 1_000
                    if figures == 0 { byEmail.append(took) } else { byPhone.append(took) }
                    precondition(found.map(\.externalID) == [externalID], "the search finds the lead: \(criterion)")
                }
            }
            return Report(
                leads: leads, historyRows: historyRows, seedSeconds: seedSeconds, show: show.sorted(),
                timeline: timeline.sorted(), searchByEmail: byEmail.sorted(), searchByPhone: byPhone.sorted())
        }
    }

    /// The leads, their stages and actions, and their history, set-wise; the history's older weeks get the
    /// weekly partitions the scheduler would have created while they were current.
    static func seed(leads: Int, historyPerLead: Int, pipelineID: Int) -> String {
        """
        DO $$
        DECLARE week date := date_trunc('week', now() AT TIME ZONE 'UTC')::date;
        BEGIN
            FOR i IN 1 .. 8 LOOP
                EXECUTE format('CREATE TABLE IF NOT EXISTS %I PARTITION OF lead_history FOR VALUES FROM (%L) TO (%L)',
                    'lead_history_' || to_char(week - 7 * i, 'YYYYMMDD'), (week - 7 * i)::timestamp AT TIME ZONE 'UTC',
                    (week - 7 * i + 7)::timestamp AT TIME ZONE 'UTC');
            END LOOP;
        END $$;
        INSERT INTO leads (org_id, external_id, email, phone, first_name, created_at)
            SELECT 'acme', 'lead-' || i, 'lead' || i || '@example.com', '+1555' || lpad(i::text, 7, '0'), 'Lead',
                   now() - interval '1 day' * (1 + i % 55)
            FROM generate_series(1, \(leads)) AS i;
        INSERT INTO lead_stages (lead_id, org_id, pipeline_id, stage_id, entered_at)
            SELECT l.id, 'acme', \(pipelineID), s.id, l.created_at
            FROM leads l CROSS JOIN pipeline_stages s WHERE s.pipeline_id = \(pipelineID);
        INSERT INTO lead_stage_actions (lead_stage_id, lead_id, org_id, pipeline_action_id, seq, type, status,
                                        perform_at, attempts, completed_at)
            SELECT ls.id, ls.lead_id, 'acme', a.id, a.seq, a.type,
                   CASE a.seq WHEN 0 THEN 'succeeded' WHEN 1 THEN 'pending' ELSE 'blocked' END,
                   CASE a.seq WHEN 1 THEN ls.entered_at END,
                   CASE a.seq WHEN 0 THEN 1 ELSE 0 END,
                   CASE a.seq WHEN 0 THEN now() END
            FROM lead_stages ls JOIN pipeline_stage_actions a ON a.stage_id = ls.stage_id;
        INSERT INTO lead_history (occurred_at, org_id, lead_id, kind, action_type, attempt, trace_id)
            SELECT l.created_at + interval '1 hour' * n, 'acme', l.id,
                   (ARRAY['created', 'enrolled', 'action_dispatched', 'action_succeeded'])[1 + (n - 1) % 4],
                   CASE WHEN n > 2 THEN 'email' END, CASE WHEN n > 2 THEN 1 END, md5(l.id::text)
            FROM leads l CROSS JOIN generate_series(1, \(historyPerLead)) AS n;
        """
    }

    /// The value at `fraction` of sorted `values` (nearest rank).
    public static func percentile(_ values: [Double], _ fraction: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let rank = Int((fraction * Double(values.count)).rounded(.up)) - 1
        return values[min(max(rank, 0), values.count - 1)]
    }
}
