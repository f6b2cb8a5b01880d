/// Statement parameters as libpq takes them: one value pointer per parameter (NUL-terminated text, binary bytes,
/// or a null pointer for NULL), its length and its format (0 text, 1 binary), all values in one buffer.
struct PostgresParameterValues {
    private(set) var types: [UInt32] = []
    private var buffer: [UInt8] = []
    /// Offset of each value in `buffer`; `nil`: NULL.
    private var offsets: [Int?] = []
    private var lengths: [Int32] = []
    private var formats: [Int32] = []

    var count: Int { offsets.count }

    /// Encodes `parameters`, those that have one in binary form unless `binary` is false; a text value holding a
    /// NUL byte is refused, naming the parameter.
    init(_ parameters: [any PostgresEncodable], binary: Bool = true) throws(PostgresError) {
        types.reserveCapacity(parameters.count)
        offsets.reserveCapacity(parameters.count)
        lengths.reserveCapacity(parameters.count)
        formats.reserveCapacity(parameters.count)
        for (offset, parameter) in parameters.enumerated() {
            types.append(type(of: parameter).postgresDataType.rawValue)
            // Binary only for a declared type: with none the server would guess one and read the bytes as it.
            if binary, type(of: parameter).postgresDataType != .unspecified, let binary = parameter.postgresBinary {
                guard binary.count <= Int32.max else {
                    throw PostgresError(kind: .encoding, message: "parameter $\(offset + 1) is larger than 2 GiB")
                }
                offsets.append(buffer.count)
                lengths.append(Int32(binary.count))
                formats.append(1)
                buffer.append(contentsOf: binary)
                continue
            }
            lengths.append(0)
            formats.append(0)
            guard let text = parameter.postgresText else {
                offsets.append(nil)
                continue
            }
            guard !text.utf8.contains(0) else {
                throw PostgresError(
                    kind: .encoding, message: "parameter $\(offset + 1) contains a NUL byte, which PostgreSQL text cannot hold")
            }
            offsets.append(buffer.count)
            buffer.append(contentsOf: text.utf8)
            buffer.append(0)
        }
    }

    /// Calls `body` with the value pointers, lengths and formats, valid during the call.
    func withUnsafeParameters<R>(
        _ body: (_ values: [UnsafePointer<CChar>?], _ lengths: [Int32], _ formats: [Int32]) throws -> R
    ) rethrows -> R {
        try buffer.withUnsafeBytes { bytes in
            let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
            let values = offsets.map { offset in offset.flatMap { offset in base.map { UnsafePointer($0 + offset) } } }
            return try body(values, lengths, formats)
        }
    }
}
