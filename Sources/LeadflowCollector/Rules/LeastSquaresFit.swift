/// A straight line fitted through (item count, query count) pairs by least squares, for N+1 detection.
public struct LeastSquaresFit: Sendable, Hashable {
    /// Queries per additional item.
    public var slope: Double
    /// Pearson correlation of items and queries, 0 when either is constant.
    public var correlation: Double
    /// Distinct item counts among the pairs.
    public var distinctItems: Int
    public var samples: Int

    /// The fit through `pairs`; nil for no pairs.
    public init?(_ pairs: [ItemQueries]) {
        guard !pairs.isEmpty else { return nil }
        let n = Double(pairs.count)
        let meanX = pairs.reduce(0.0) { $0 + Double($1.items) } / n
        let meanY = pairs.reduce(0.0) { $0 + Double($1.queries) } / n
        var sxx = 0.0
        var syy = 0.0
        var sxy = 0.0
        for pair in pairs {
            let dx = Double(pair.items) - meanX
            let dy = Double(pair.queries) - meanY
            sxx += dx * dx
            syy += dy * dy
            sxy += dx * dy
        }
        slope = sxx > 0 ? sxy / sxx : 0
        correlation = sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : 0
        distinctItems = Set(pairs.map(\.items)).count
        samples = pairs.count
    }
}
