extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresDataType: PostgresDataType { Wrapped.postgresDataType }
    public var postgresText: String? { self?.postgresText ?? nil }
    public var postgresBinary: [UInt8]? { self?.postgresBinary ?? nil }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public init(postgresText text: String, type: PostgresDataType) throws {
        self = try Wrapped(postgresText: text, type: type)
    }

    public static func postgresNull() throws -> Wrapped? { nil }
}

/// `[String?]`, `[Int?]`…: arrays with NULL elements, for batches where a column is absent for some rows
/// (`unnest($1::text[])` yields NULL there).
extension Optional: PostgresArrayElement where Wrapped: PostgresArrayElement & PostgresEncodable & PostgresDecodable {
    public static var postgresArrayDataType: PostgresDataType { Wrapped.postgresArrayDataType }

    public static func postgresArrayText(_ elements: [Wrapped?]) -> String {
        PostgresArrayText.render(elements.map { $0?.postgresText ?? nil })
    }

    public static var postgresBinaryElementSize: Int? { Wrapped.postgresBinaryElementSize }

    public func appendPostgresBinary(to array: inout PostgresArrayBinary) -> Bool {
        guard let self else {
            array.appendNull()
            return true
        }
        return self.appendPostgresBinary(to: &array)
    }

    public static func postgresArray(text: String, type: PostgresDataType) throws -> [Wrapped?] {
        guard let elementType = PostgresArrayText.elementType(of: type) else {
            throw PostgresDecodingFailure.typeMismatch(type)
        }
        return try PostgresArrayText.parse(text).map { element in
            try element.map { try Wrapped(postgresText: $0, type: elementType) }
        }
    }
}
