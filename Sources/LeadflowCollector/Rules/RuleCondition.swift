/// What a rule checks, one case per `kind` of the rule file.
public enum RuleCondition: Sendable, Hashable {
    case duration(DurationCondition)
    case gaugeAbove(GaugeAboveCondition)
    case gaugeGrowing(GaugeGrowingCondition)
    case errorRate(ErrorRateCondition)
    case counterGrowing(CounterGrowingCondition)
    case breakerOpen(BreakerOpenCondition)
    case nPlusOne(NPlusOneCondition)

    /// The `kind` token of the rule file.
    public var kind: String {
        switch self {
        case .duration: "duration"
        case .gaugeAbove: "gauge_above"
        case .gaugeGrowing: "gauge_growing"
        case .errorRate: "error_rate"
        case .counterGrowing: "counter_growing"
        case .breakerOpen: "breaker_open"
        case .nPlusOne: "n_plus_one"
        }
    }

    /// One observation per series the condition looks at and has enough data for; a series without one is
    /// clear.
    public func observations(in snapshot: MetricsSnapshot) -> [RuleObservation] {
        switch self {
        case .duration(let condition): condition.observations(in: snapshot)
        case .gaugeAbove(let condition): condition.observations(in: snapshot)
        case .gaugeGrowing(let condition): condition.observations(in: snapshot)
        case .errorRate(let condition): condition.observations(in: snapshot)
        case .counterGrowing(let condition): condition.observations(in: snapshot)
        case .breakerOpen(let condition): condition.observations(in: snapshot)
        case .nPlusOne(let condition): condition.observations(in: snapshot)
        }
    }

    /// How far back counter and gauge history must reach for this condition.
    public var requiredHistory: Double {
        switch self {
        case .gaugeGrowing(let condition): condition.over
        case .counterGrowing(let condition): condition.over
        default: 0
        }
    }

    /// The unit of values and thresholds, for summaries.
    public var unit: ValueUnit {
        switch self {
        case .duration: .seconds
        case .errorRate: .share
        case .gaugeAbove, .gaugeGrowing, .counterGrowing, .breakerOpen, .nPlusOne: .number
        }
    }

    /// The summary used when the rule gives none.
    public var defaultSummary: String {
        switch self {
        case .duration(let condition): "{component}.{operation} \(condition.statistic.rawValue) {value} > {threshold}"
        case .gaugeAbove: "{component}.{operation} is {value} > {threshold}"
        case .gaugeGrowing: "{component}.{operation} grew by {value} without falling back"
        case .errorRate: "{component}.{operation} error rate {value} > {threshold}"
        case .counterGrowing: "{component}.{operation} rose by {value}"
        case .breakerOpen: "circuit breaker open for {provider}"
        case .nPlusOne: "{component}.{operation} runs {value} database queries per item (N+1)"
        }
    }
}
