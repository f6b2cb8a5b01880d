/// The rules `leadflow collector` runs when it is given no rule file, as YAML decoded by the same
/// `RuleFileDecoder` as any rule file; `deploy/collector-rules.yaml` holds the same text (a test keeps them equal).
public enum DefaultRules {
    /// The rule file text.
    public static let yaml = #"""
# Leadflow collector rules: the shipped defaults, used by `leadflow collector` when it is given no rule file.
# Copy this file to start your own (a rule file replaces the defaults as a whole). The format is described in
# docs/observability.md, "Alert rules". Durations: 250ms, 1.5s, 5m, 1h30m; shares: 5% or 0.05.

# Every span slower than a threshold is logged as one JSON line (event "slow_operation").
slow_operations:
  warning: 100ms
  error: 1s
  # A step lag is a wait, not an operation: step_lag_slow watches it.
  exclude: ["*.step_lag"]

rules:
  # Per-operation durations over the sliding window (WARNING above 100 ms, ERROR above 1 s).
  - name: operation_slow
    kind: duration
    severity: warning
    percentile: p99
    above: 100ms
    exclude: ["*.step_lag"]
    min_count: 5
    for: 1m
    resolve_for: 2m
    summary: "{component}.{operation} p99 {value} > {threshold}"

  - name: operation_very_slow
    kind: duration
    severity: error
    percentile: p99
    above: 1s
    exclude: ["*.step_lag"]
    min_count: 5
    for: 1m
    resolve_for: 2m
    summary: "{component}.{operation} p99 {value} > {threshold}"

  # Due actions reaching their handler late: half of the 2-minute SLA.
  - name: step_lag_slow
    kind: duration
    severity: warning
    match: "*.step_lag"
    percentile: p99
    above: 1m
    min_count: 5
    for: 1m
    resolve_for: 2m
    summary: "{component} p99 step lag {value} > {threshold} (SLA 2 min)"

  # The backlog (due, not dispatched, all types) grew for 5 minutes without ever falling back.
  - name: backlog_growing
    kind: gauge_growing
    severity: warning
    match: scheduler.backlog
    where: {action_type: ""}
    over: 5m
    min_increase: 1
    tolerance: 0
    resolve_for: 2m
    summary: "scheduler backlog grew by {value} in 5 min without falling back"

  # The oldest due action has waited longer than the 2-minute SLA.
  - name: oldest_due_over_sla
    kind: gauge_above
    severity: critical
    match: scheduler.oldest_due_age
    above: 2m
    resolve_for: 1m
    summary: "oldest due action waited {value} s > {threshold} s (SLA)"

  # More than 5 % of an operation's spans in the window ended in error, failure or retry.
  - name: error_rate_high
    kind: error_rate
    severity: error
    above: 5%
    min_count: 20
    error_outcomes: [error, failed, retry]
    for: 1m
    resolve_for: 2m
    summary: "{component}.{operation} error rate {value} > {threshold}"

  # A provider's circuit breaker is open (or half-open).
  - name: breaker_open
    kind: breaker_open
    severity: warning
    match: "*_handler.breaker_open"
    resolve_for: 30s
    summary: "{component} circuit breaker open for {provider}"

  # New dead letters in the last 5 minutes.
  - name: dead_letters_growing
    kind: counter_growing
    severity: error
    match: scheduler.dead_letters
    over: 5m
    min_increase: 1
    resolve_for: 1m
    summary: "{value} new dead letters in 5 min"

  # Database queries growing with the items handled: N+1 queries.
  - name: n_plus_one
    kind: n_plus_one
    severity: warning
    exclude: ["*.db_query", "*.step_lag"]
    min_count: 10
    min_distinct_items: 3
    min_slope: 0.5
    min_correlation: 0.8
    for: 1m
    resolve_for: 5m
    summary: "{component}.{operation} runs {value} queries per item (N+1)"

"""#

    /// The decoded defaults.
    public static func ruleSet() throws(RuleFileProblems) -> RuleSet {
        try RuleFileDecoder().decode(yaml: yaml, file: "DefaultRules")
    }
}
