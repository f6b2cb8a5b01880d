/// The item count and database query count of one span, the pair N+1 detection fits a line through.
public struct ItemQueries: Sendable, Hashable {
    public var items: UInt64
    public var queries: UInt32

    public init(items: UInt64, queries: UInt32) {
        self.items = items
        self.queries = queries
    }
}
