import CLibPQ
import Logging

extension PostgresConnection {
    /// Runs one statement with parameters bound as `$1`, `$2`, … and returns its rows.
    public func query(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws(PostgresError) -> PostgresRows {
        try run(sql: sql, statement: nil, parameters: parameters)
    }

    /// Runs one statement with parameters and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [any PostgresEncodable] = []) throws(PostgresError) -> Int {
        try run(sql: sql, statement: nil, parameters: parameters).affectedRows
    }

    /// Runs a prepared statement, preparing it on this session first if needed.
    public func query(
        _ statement: PostgresStatement, _ parameters: [any PostgresEncodable] = []
    ) throws(PostgresError) -> PostgresRows {
        try run(sql: statement.sql, statement: statement, parameters: parameters)
    }

    /// Runs a prepared statement and returns the number of rows it affected.
    @discardableResult
    public func execute(
        _ statement: PostgresStatement, _ parameters: [any PostgresEncodable] = []
    ) throws(PostgresError) -> Int {
        try run(sql: statement.sql, statement: statement, parameters: parameters).affectedRows
    }

    /// Runs several statements separated by semicolons, without parameters (the simple query protocol).
    ///
    /// Only for constant SQL written by the program, such as migrations; never build the text from values.
    public func executeScript(_ sql: String) throws(PostgresError) {
        let handle = try liveHandle()
        logger.trace("script", metadata: [PostgresLogKey.statement: "\(sql.prefix(200))"])
        try observed(Self.scriptName(sql)) { () throws(PostgresError) in try simpleQuery(handle, sql) }
    }

    /// The fixed name a script's round trip is reported under.
    static func scriptName(_ sql: String) -> String {
        switch sql {
        case "BEGIN": "begin"
        case "COMMIT": "commit"
        case "ROLLBACK": "rollback"
        default:
            if sql.hasPrefix("SAVEPOINT ") { "savepoint" }
            else if sql.hasPrefix("RELEASE SAVEPOINT ") { "release" }
            else if sql.hasPrefix("ROLLBACK TO SAVEPOINT ") { "rollback" }
            else { "script" }
        }
    }

    /// Counts one round trip and, with an observer, times it and reports it under `statement`.
    private func observed<T>(_ statement: String, _ body: () throws(PostgresError) -> T) throws(PostgresError) -> T {
        roundTrips += 1
        guard let observer else { return try body() }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let value = try body()
            observer.roundTrip(statement: statement, duration: clock.now - start, succeeded: true)
            return value
        } catch {
            observer.roundTrip(statement: statement, duration: clock.now - start, succeeded: false)
            throw error
        }
    }

    /// Whether this session has prepared `statement` (it forgets them all on reconnect).
    public func isPrepared(_ statement: PostgresStatement) -> Bool {
        preparedStatements[statement.name] == statement.sql
    }

    private func run(
        sql: String, statement: PostgresStatement?, parameters: [any PostgresEncodable]
    ) throws(PostgresError) -> PostgresRows {
        try observed(statement?.name ?? "unnamed") { () throws(PostgresError) in
            try send(sql: sql, statement: statement, parameters: parameters)
        }
    }

    private func send(
        sql: String, statement: PostgresStatement?, parameters: [any PostgresEncodable]
    ) throws(PostgresError) -> PostgresRows {
        var values = try PostgresParameterValues(parameters)
        let handle = try liveHandle()
        logger.trace(
            "query", metadata: [PostgresLogKey.statement: "\(statement?.name ?? String(sql.prefix(200)))"])
        guard let statement else {
            let result = values.withUnsafeParameters { pointers, lengths, formats in
                PQexecParams(handle, sql, Int32(values.count), values.types, pointers, lengths, formats, 0)
            }
            return try consume(result, handle)
        }
        try prepare(statement, types: values.types, handle: handle)
        if preparedTypes[statement.name] != values.types {
            // Prepared by a call with other Swift types: the server reads the parameters as the types declared
            // then, whose binary form may differ; text converts.
            values = try PostgresParameterValues(parameters, binary: false)
        }
        do {
            return try executePrepared(statement, values: values, handle: handle)
        } catch let error where error.sqlState == .invalidSQLStatementName && transactionDepth == 0 {
            // Someone ran DEALLOCATE (or DISCARD ALL) behind our back; outside a transaction nothing is lost
            // by preparing again and retrying once.
            preparedStatements[statement.name] = nil
            preparedTypes[statement.name] = nil
            try prepare(statement, types: values.types, handle: handle)
            return try executePrepared(statement, values: values, handle: handle)
        }
    }

    private func executePrepared(
        _ statement: PostgresStatement, values: PostgresParameterValues, handle: OpaquePointer
    ) throws(PostgresError) -> PostgresRows {
        let result = values.withUnsafeParameters { pointers, lengths, formats in
            PQexecPrepared(handle, statement.name, Int32(values.count), pointers, lengths, formats, 0)
        }
        return try consume(result, handle)
    }

    private func prepare(_ statement: PostgresStatement, types: [UInt32], handle: OpaquePointer) throws(PostgresError) {
        if let prepared = preparedStatements[statement.name] {
            guard prepared == statement.sql else {
                throw PostgresError(
                    kind: .misuse,
                    message: "prepared statement '\(statement.name)' already exists with different SQL; use a distinct name")
            }
            return
        }
        guard !statement.name.isEmpty, statement.name.utf8.count <= 63, !statement.name.utf8.contains(0) else {
            throw PostgresError(kind: .misuse, message: "a prepared statement name must be 1 to 63 bytes without NUL")
        }
        let result = PQprepare(handle, statement.name, statement.sql, Int32(types.count), types)
        _ = try consume(result, handle)
        preparedStatements[statement.name] = statement.sql
        preparedTypes[statement.name] = types
        logger.debug("prepared statement", metadata: [PostgresLogKey.statement: "\(statement.name)"])
    }

    /// Turns a `PGresult` into rows or an error, and frees it.
    func consume(_ result: OpaquePointer?, _ handle: OpaquePointer) throws(PostgresError) -> PostgresRows {
        guard let result else {
            // No result at all: out of memory or the request could not be sent.
            let error = PostgresError(
                kind: PQstatus(handle) == CONNECTION_OK ? .query : .connection, message: lastErrorMessage(handle))
            logFailure(error)
            throw error
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
            return rows(from: result)
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            mustReset = true
            throw PostgresError(kind: .misuse, message: "COPY is not supported by this wrapper; the session will be reset")
        default:
            let error = serverError(result, handle)
            logFailure(error)
            throw error
        }
    }

    private func serverError(_ result: OpaquePointer, _ handle: OpaquePointer) -> PostgresError {
        func field(_ field: LibPQ.DiagnosticField) -> String? {
            PQresultErrorField(result, field.rawValue).map { parameters.scrub(String(cString: $0)) }
        }
        // After a lost connection libpq often synthesizes a result without diagnostic fields.
        let lost = PQstatus(handle) != CONNECTION_OK
        var message = field(.messagePrimary)
        if message == nil {
            message = PQresultErrorMessage(result).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
                .map { parameters.scrub($0.split(whereSeparator: \.isNewline).joined(separator: " ")) }
        }
        return PostgresError(
            kind: lost ? .connection : .query, message: message ?? lastErrorMessage(handle),
            sqlState: field(.sqlState).map(PostgresError.SQLState.init(rawValue:)), detail: field(.messageDetail),
            hint: field(.messageHint), constraint: field(.constraintName), schema: field(.schemaName),
            table: field(.tableName), column: field(.columnName))
    }

    private func logFailure(_ error: PostgresError) {
        var metadata: Logger.Metadata = ["postgres.error": "\(error.message)"]
        if let sqlState = error.sqlState { metadata[PostgresLogKey.sqlState] = "\(sqlState)" }
        if error.kind == .connection {
            logger.warning("connection lost", metadata: metadata)
        } else {
            logger.debug("statement failed", metadata: metadata)
        }
    }

    private func rows(from result: OpaquePointer) -> PostgresRows {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        var columns: [PostgresColumn] = []
        columns.reserveCapacity(columnCount)
        for column in 0..<Int32(columnCount) {
            columns.append(
                PostgresColumn(
                    name: String(cString: PQfname(result, column)),
                    dataType: PostgresDataType(rawValue: PQftype(result, column))))
        }
        var cells: [String?] = []
        cells.reserveCapacity(rowCount * columnCount)
        for row in 0..<Int32(rowCount) {
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) == 1 {
                    cells.append(nil)
                } else {
                    let length = Int(PQgetlength(result, row, column))
                    let bytes = UnsafeRawBufferPointer(start: PQgetvalue(result, row, column), count: length)
                    cells.append(String(decoding: bytes, as: UTF8.self))
                }
            }
        }
        let tag = String(cString: PQcmdStatus(result))
        let affected = Int(String(cString: PQcmdTuples(result))) ?? 0
        return PostgresRows(
            storage: PostgresRows.Storage(columns: columns, cells: cells, rowCount: rowCount), commandTag: tag,
            affectedRows: affected)
    }
}
