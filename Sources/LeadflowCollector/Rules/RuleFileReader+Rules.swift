import Foundation
import LeadflowBus
import Yams

extension RuleFileReader {
    static let commonKeys = ["name", "kind", "severity", "for", "resolve_for", "labels", "summary"]
    /// The keys of each kind beyond the common ones, in the order the docs list them.
    static let kindKeys: [(kind: String, keys: [String])] = [
        ("duration", ["match", "exclude", "percentile", "above", "min_count", "overrides"]),
        ("error_rate", ["match", "exclude", "above", "min_count", "error_outcomes"]),
        ("n_plus_one", ["match", "exclude", "min_count", "min_distinct_items", "min_slope", "min_correlation"]),
        ("gauge_above", ["match", "exclude", "where", "above"]),
        ("gauge_growing", ["match", "exclude", "where", "over", "min_increase", "tolerance"]),
        ("counter_growing", ["match", "exclude", "where", "over", "min_increase"]),
        ("breaker_open", ["match", "exclude", "where"]),
    ]
    /// Labels the alert sets itself.
    static let reservedLabels: Set<String> = ["alertname", "severity"]

    // MARK: The file

    mutating func ruleSet(from root: Node?) -> RuleSet {
        var set = RuleSet()
        guard let root else {
            report("the document is empty; expected `rules:` with a list of alert rules", at: nil)
            return set
        }
        guard let fields = self.fields(of: root, allowed: ["slow_operations", "rules"], in: "a rule file") else {
            return set
        }
        if let field = fields["slow_operations"] { set.slowOperations = slowOperations(from: field.value) }
        guard let rulesField = fields["rules"] else {
            report("missing `rules`: the list of alert rules (may be empty: `rules: []`)", at: root)
            return set
        }
        guard case .sequence(let items) = rulesField.value else {
            report(
                "`rules` must be a list of rules, found \(Self.kindName(of: rulesField.value))", at: rulesField.value)
            return set
        }
        var seen: [String: Int] = [:]
        for item in items {
            guard let (rule, nameNode) = rule(from: item) else { continue }
            if let line = seen[rule.name] {
                report("duplicate rule name `\(rule.name)` (first defined at line \(line))", at: nameNode)
                continue
            }
            seen[rule.name] = nameNode.mark?.line ?? 0
            set.rules.append(rule)
        }
        return set
    }

    private mutating func slowOperations(from node: Node) -> SlowOperationThresholds {
        var thresholds = SlowOperationThresholds()
        let keys = ["warning", "error", "exclude", "overrides"]
        guard let fields = self.fields(of: node, allowed: keys, in: "`slow_operations`") else { return thresholds }
        let defaults = levels(fields, base: thresholds.defaults)
        thresholds.defaults = defaults
        if let field = fields["exclude"] { thresholds.exclude = patterns(field.value, "exclude") ?? [] }
        if let field = fields["overrides"] {
            guard case .mapping(let mapping) = field.value else {
                report(
                    "`overrides` must map component.operation names to thresholds, found "
                        + Self.kindName(of: field.value), at: field.value)
                return thresholds
            }
            for (key, value) in mapping {
                guard let name = seriesName(key, "overrides") else { continue }
                if thresholds.overrides[name] != nil {
                    report("duplicate override for `\(name)`", at: key)
                    continue
                }
                guard let levelFields = self.fields(of: value, allowed: ["warning", "error"], in: "an override") else {
                    continue
                }
                thresholds.overrides[name] = levels(levelFields, base: defaults)
            }
        }
        return thresholds
    }

    /// `warning` and `error` thresholds (a duration, or `off`), the ones not given taken from `base`.
    private mutating func levels(_ fields: [String: Field], base: SlowOperationThresholds.Levels)
        -> SlowOperationThresholds.Levels
    {
        var levels = base
        for (key, path) in [("warning", \SlowOperationThresholds.Levels.warning), ("error", \.error)] {
            guard let field = fields[key] else { continue }
            if case .scalar(let scalar) = field.value, scalar.string == "off" {
                levels[keyPath: path] = nil
            } else if let seconds = duration(field.value, key) {
                levels[keyPath: path] = seconds
            }
        }
        return levels
    }

    // MARK: Rules

    /// A rule and the node of its name (for duplicate-name reports); nil when it has problems.
    private mutating func rule(from node: Node) -> (Rule, Node)? {
        guard case .mapping(let mapping) = node else {
            report("expected a rule (a mapping with name, kind, severity, …), found \(Self.kindName(of: node))", at: node)
            return nil
        }
        let kindNames = Self.kindKeys.map(\.kind)
        var allowed = Self.commonKeys
        let kindNode = mapping.first { $0.key.scalar?.string == "kind" }?.value
        let kind = kindNode.flatMap { $0.scalar?.string }
        if let kindNode, let kind, let keys = Self.kindKeys.first(where: { $0.kind == kind })?.keys {
            allowed += keys
        } else if let kindNode {
            report(
                "unknown kind `\(kind ?? Self.kindName(of: kindNode))`; known kinds: \(kindNames.joined(separator: ", "))",
                at: kindNode)
            return nil
        }
        let problemsBefore = problems.count
        let what = kind.map { "a `\($0)` rule" } ?? "a rule"
        guard let fields = self.fields(of: node, allowed: allowed, in: what) else { return nil }

        let nameNode = fields["name"]?.value
        var name = nameNode.flatMap { string($0, "name") }
        if let text = name, let nameNode, let problem = Self.nameProblem(text) {
            report(problem, at: nameNode)
            name = nil
        }
        let called = name.map { "rule `\($0)`" } ?? "the rule"
        if nameNode == nil { report("\(called) is missing `name` (a subject token, e.g. operation_slow)", at: node) }
        if kindNode == nil { report("\(called) is missing `kind` (one of \(kindNames.joined(separator: ", ")))", at: node) }

        var severity: AlertSeverity?
        let severities = AlertSeverity.allCases.map(\.rawValue).joined(separator: ", ")
        if let field = fields["severity"], let text = string(field.value, "severity") {
            severity = AlertSeverity(rawValue: text)
            if severity == nil { report("unknown severity `\(text)`; known severities: \(severities)", at: field.value) }
        } else if fields["severity"] == nil {
            report("\(called) is missing `severity` (one of \(severities))", at: node)
        }
        let holdFor = fields["for"].flatMap { duration($0.value, "for") } ?? 0
        let resolveFor = fields["resolve_for"].flatMap { duration($0.value, "resolve_for") } ?? 60
        var labels: [String: String] = [:]
        if let field = fields["labels"], let map = stringMap(field.value, "labels") {
            for label in map.keys.sorted() {
                if let problem = Self.labelProblem(label) { report(problem, at: field.value) }
            }
            labels = map
        }
        var summary: String?
        if let field = fields["summary"], let text = string(field.value, "summary") {
            if let problem = SummaryTemplate.problem(in: text) { report(problem, at: field.value) }
            summary = text
        }
        let condition = kind.flatMap { self.condition(kind: $0, fields: fields, rule: node, called: called) }
        guard problems.count == problemsBefore, let name, let severity, let condition, let nameNode else { return nil }
        let rule = Rule(
            name: name, severity: severity, condition: condition, holdFor: holdFor, resolveFor: resolveFor,
            labels: labels, summary: summary)
        return (rule, nameNode)
    }

    private mutating func condition(kind: String, fields: [String: Field], rule: Node, called: String)
        -> RuleCondition?
    {
        func required<T>(_ key: String, _ what: String, _ read: (inout Self, Node) -> T?) -> T? {
            guard let field = fields[key] else {
                report("\(called) is missing `\(key)` (\(what))", at: rule)
                return nil
            }
            return read(&self, field.value)
        }
        func optional<T>(_ key: String, _ read: (inout Self, Node) -> T?) -> T?? {
            guard let field = fields[key] else { return .some(nil) }
            guard let value = read(&self, field.value) else { return nil }
            return .some(value)
        }
        // Span rules look at every span series unless told otherwise; gauge and counter rules name theirs.
        let selector = self.selector(
            fields, called: called, rule: rule,
            requireMatch: ["gauge_above", "gauge_growing", "counter_growing"].contains(kind),
            defaultMatch: kind == "breaker_open" ? [.breakers] : [.all])
        switch kind {
        case "duration":
            let statistic = optional("percentile") { reader, node in reader.percentile(node) }
            let above = required("above", "the duration threshold, e.g. 100ms") { $0.duration($1, "above") }
            let minCount = optional("min_count") { $0.count($1, "min_count") }
            var overrides: [SpanKey: TimeInterval]? = [:]
            if let field = fields["overrides"] { overrides = durationOverrides(field.value) }
            guard let selector, let statistic, let above, let minCount, let overrides else { return nil }
            return .duration(
                DurationCondition(
                    selector: selector, statistic: statistic ?? .p99, above: above, overrides: overrides,
                    minCount: UInt64(minCount ?? 1)))
        case "error_rate":
            let above = required("above", "the error share, e.g. 5%") { $0.share($1, "above") }
            let minCount = optional("min_count") { $0.count($1, "min_count") }
            let outcomes = optional("error_outcomes") { $0.strings($1, "error_outcomes") }
            guard let selector, let above, let minCount, let outcomes else { return nil }
            return .errorRate(
                ErrorRateCondition(
                    selector: selector, above: above, minCount: UInt64(minCount ?? 20),
                    errorOutcomes: outcomes.map(Set.init) ?? SpanFigures.defaultErrorOutcomes))
        case "n_plus_one":
            let minCount = optional("min_count") { $0.count($1, "min_count") }
            let distinct = optional("min_distinct_items") { $0.count($1, "min_distinct_items") }
            let slope = optional("min_slope") { $0.number($1, "min_slope") }
            let correlation = optional("min_correlation") { $0.number($1, "min_correlation", maximum: 1) }
            guard let selector, let minCount, let distinct, let slope, let correlation else { return nil }
            return .nPlusOne(
                NPlusOneCondition(
                    selector: selector, minCount: minCount ?? 10, minDistinctItems: distinct ?? 3,
                    minSlope: slope ?? 0.5, minCorrelation: correlation ?? 0.8))
        case "gauge_above":
            let above = required("above", "the threshold, a number or a duration in seconds") { reader, node in
                reader.numberOrDuration(node, "above")
            }
            guard let selector, let above else { return nil }
            return .gaugeAbove(GaugeAboveCondition(selector: selector, above: above))
        case "gauge_growing":
            let over = required("over", "the period the gauge must grow over, e.g. 5m") {
                $0.duration($1, "over", positive: true)
            }
            let increase = optional("min_increase") { $0.number($1, "min_increase") }
            let tolerance = optional("tolerance") { $0.number($1, "tolerance") }
            guard let selector, let over, let increase, let tolerance else { return nil }
            return .gaugeGrowing(
                GaugeGrowingCondition(
                    selector: selector, over: over, minIncrease: increase ?? 1, tolerance: tolerance ?? 0))
        case "counter_growing":
            let over = required("over", "the period to look back over, e.g. 5m") {
                $0.duration($1, "over", positive: true)
            }
            let increase = optional("min_increase") { $0.number($1, "min_increase") }
            guard let selector, let over, let increase else { return nil }
            return .counterGrowing(CounterGrowingCondition(selector: selector, over: over, minIncrease: increase ?? 1))
        case "breaker_open":
            guard let selector else { return nil }
            return .breakerOpen(BreakerOpenCondition(selector: selector))
        default:
            return nil
        }
    }

    private mutating func selector(
        _ fields: [String: Field], called: String, rule: Node, requireMatch: Bool, defaultMatch: [SeriesPattern]
    ) -> SeriesSelector? {
        var selector = SeriesSelector(match: defaultMatch)
        var ok = true
        if let field = fields["match"] {
            if let patterns = patterns(field.value, "match") { selector.match = patterns } else { ok = false }
        } else if requireMatch {
            report("\(called) is missing `match` (the series, e.g. scheduler.backlog)", at: rule)
            ok = false
        }
        if let field = fields["exclude"] {
            if let patterns = patterns(field.value, "exclude") { selector.exclude = patterns } else { ok = false }
        }
        if let field = fields["where"] {
            if let labels = stringMap(field.value, "where") { selector.labels = labels } else { ok = false }
        }
        return ok ? selector : nil
    }

    private mutating func percentile(_ node: Node) -> PercentileStatistic? {
        guard let text = string(node, "percentile") else { return nil }
        guard let statistic = PercentileStatistic(rawValue: text) else {
            let known = PercentileStatistic.allCases.map(\.rawValue).joined(separator: ", ")
            report("unknown percentile `\(text)`; known: \(known)", at: node)
            return nil
        }
        return statistic
    }

    /// A plain number, or a duration read as seconds (`2m` is 120, for gauges counted in seconds).
    private mutating func numberOrDuration(_ node: Node, _ key: String) -> Double? {
        if case .scalar(let scalar) = node, Double(scalar.string) == nil, !scalar.string.hasPrefix("-") {
            return duration(node, key)
        }
        return number(node, key)
    }

    private mutating func durationOverrides(_ node: Node) -> [SpanKey: TimeInterval]? {
        guard case .mapping(let mapping) = node else {
            report(
                "`overrides` must map component.operation names to durations, found \(Self.kindName(of: node))",
                at: node)
            return nil
        }
        var overrides: [SpanKey: TimeInterval] = [:]
        var ok = true
        for (key, value) in mapping {
            guard let name = seriesName(key, "overrides"), let seconds = duration(value, name.description) else {
                ok = false
                continue
            }
            if overrides[name] != nil {
                report("duplicate override for `\(name)`", at: key)
                ok = false
            }
            overrides[name] = seconds
        }
        return ok ? overrides : nil
    }

    // MARK: Names

    /// Why `name` cannot name a rule: it must be one subject token (the last token of `alert.<severity>.<rule>`).
    static func nameProblem(_ name: String) -> String? {
        let valid = name.utf8.allSatisfy { byte in
            (33...126).contains(byte) && byte != UInt8(ascii: ".") && byte != UInt8(ascii: "*")
                && byte != UInt8(ascii: ">")
        }
        guard valid, !name.isEmpty, name.utf8.count <= 128 else {
            return "rule name \"\(name)\" must be one subject token (printable ASCII without spaces, `.`, `*` or "
                + "`>`, at most 128 characters), e.g. operation_slow"
        }
        return nil
    }

    /// Why `label` cannot be an alert label: Prometheus' label name syntax, and not one the alert sets itself.
    static func labelProblem(_ label: String) -> String? {
        let scalars = Array(label.unicodeScalars)
        let valid =
            !scalars.isEmpty && !label.hasPrefix("__")
            && scalars.enumerated().allSatisfy { index, scalar in
                scalar.isASCII
                    && (scalar == "_" || (scalar.properties.isAlphabetic) || (index > 0 && ("0"..."9").contains(scalar)))
            }
        if !valid {
            return "label name `\(label)` must be letters, digits and _, not starting with a digit or __"
        }
        if reservedLabels.contains(label) { return "label `\(label)` is set by the collector itself" }
        return nil
    }
}
