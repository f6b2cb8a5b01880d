/// The name and type of one result column.
public struct PostgresColumn: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var dataType: PostgresDataType

    public init(name: String, dataType: PostgresDataType) {
        self.name = name
        self.dataType = dataType
    }

    public var description: String { "\(name) \(dataType)" }
}
