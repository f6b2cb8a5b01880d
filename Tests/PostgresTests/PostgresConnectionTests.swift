import Foundation
import LeadflowTestKit
import Postgres
import Testing

@Suite("PostgresConnection")
struct PostgresConnectionTests {
    @Test(
        "server errors carry their SQLSTATE, and the connection stays usable",
        arguments: [
            ("SELECT * FROM no_such_table", PostgresError.SQLState.undefinedTable),
            ("SELEKT 1", .syntaxError),
            ("SELECT 1 / 0", "22012"),
            ("SELECT no_such_column FROM pg_class", .undefinedColumn),
        ])
    func sqlState(sql: String, expected: PostgresError.SQLState) async throws {
        try await withTestConnection { connection in
            let error = await PostgresError.caught { _ = try await connection.query(sql) }
            #expect(error?.kind == .query)
            #expect(error?.sqlState == expected)
            #expect(error?.message.isEmpty == false)
            let stillUsable = try await connection.query("SELECT 1").scalar(Int.self)
            #expect(stillUsable == 1)
        }
    }

    @Test("a bad parameter value is an invalid_text_representation error")
    func badParameter() async throws {
        try await withTestConnection { connection in
            let error = await PostgresError.caught { _ = try await connection.query("SELECT $1::int", ["abc"]) }
            #expect(error?.sqlState == .invalidTextRepresentation)
        }
    }

    @Test("a unique violation names its constraint and table, and keeps row values out of the description")
    func uniqueViolation() async throws {
        try await withTestConnection { connection in
            try await connection.execute(
                "CREATE TEMP TABLE people (email text CONSTRAINT people_email_key UNIQUE)")
            try await connection.execute("INSERT INTO people VALUES ($1)", ["ada@example.com"])
            let error = await PostgresError.caught {
                try await connection.execute("INSERT INTO people VALUES ($1)", ["ada@example.com"])
            }
            #expect(error?.kind == .query)
            #expect(error?.sqlState == .uniqueViolation)
            #expect(error?.constraint == "people_email_key")
            #expect(error?.table == "people")
            #expect(error?.detail?.contains("ada@example.com") == true)
            #expect(error.map { String(describing: $0) }?.contains("ada@example.com") == false)
            #expect(error.map { String(describing: $0) }?.contains("people_email_key") == true)
        }
    }

    @Test("affected row counts and command tags are reported")
    func affectedRows() async throws {
        try await withTestConnection { connection in
            try await connection.execute("CREATE TEMP TABLE t (n int)")
            #expect(try await connection.execute("INSERT INTO t SELECT generate_series(1, 5)") == 5)
            #expect(try await connection.execute("UPDATE t SET n = n + 1 WHERE n > $1", [3]) == 2)
            let deleted = try await connection.query("DELETE FROM t RETURNING n")
            #expect(deleted.count == 5)
            #expect(deleted.commandTag == "DELETE 5")
        }
    }

    @Test("withTransaction commits what the body did and returns its value")
    func commit() async throws {
        try await withTestConnection { connection in
            try await connection.execute("CREATE TEMP TABLE t (n int)")
            let value = try await connection.withTransaction { connection in
                try connection.execute("INSERT INTO t VALUES (1), (2)")
                return try connection.query("SELECT count(*) FROM t").scalar(Int.self)
            }
            #expect(value == 2)
            #expect(try await connection.query("SELECT count(*) FROM t").scalar(Int.self) == 2)
            #expect(await connection.isIdle)
        }
    }

    @Test("withTransaction rolls back and rethrows when the body throws")
    func rollbackOnThrow() async throws {
        try await withTestConnection { connection in
            try await connection.execute("CREATE TEMP TABLE t (n int)")
            await #expect(throws: ExpectedFailure.self) {
                try await connection.withTransaction { connection in
                    try connection.execute("INSERT INTO t VALUES (1)")
                    throw ExpectedFailure()
                }
            }
            #expect(try await connection.query("SELECT count(*) FROM t").scalar(Int.self) == 0)
            #expect(await connection.isIdle)
        }
    }

    @Test("a failing statement rolls back the whole transaction")
    func rollbackOnStatementError() async throws {
        try await withTestConnection { connection in
            try await connection.execute("CREATE TEMP TABLE t (n int PRIMARY KEY)")
            let error = await PostgresError.caught {
                try await connection.withTransaction { connection in
                    try connection.execute("INSERT INTO t VALUES (1)")
                    try connection.execute("INSERT INTO t VALUES (1)")
                }
            }
            #expect(error?.sqlState == .uniqueViolation)
            #expect(try await connection.query("SELECT count(*) FROM t").scalar(Int.self) == 0)
        }
    }

    @Test("nested withTransaction uses a savepoint: the inner failure undoes only the inner work")
    func savepoint() async throws {
        try await withTestConnection { connection in
            try await connection.execute("CREATE TEMP TABLE t (n int)")
            try await connection.withTransaction { connection in
                try connection.execute("INSERT INTO t VALUES (1)")
                do {
                    try connection.withTransaction { connection in
                        try connection.execute("INSERT INTO t VALUES (2)")
                        throw ExpectedFailure()
                    }
                } catch is ExpectedFailure {}
                try connection.execute("INSERT INTO t VALUES (3)")
            }
            let rows = try await connection.query("SELECT n FROM t ORDER BY n")
            #expect(try rows.map { try $0.decode(Int.self, at: 0) } == [1, 3])
        }
    }

    @Test("a prepared statement is prepared once per session and reused")
    func preparedStatement() async throws {
        let add = PostgresStatement(name: "test_add", sql: "SELECT $1::bigint + $2::bigint")
        try await withTestConnection { connection in
            #expect(await !connection.isPrepared(add))
            #expect(try await connection.query(add, [1, 2]).scalar(Int.self) == 3)
            #expect(try await connection.query(add, [40, 2]).scalar(Int.self) == 42)
            #expect(await connection.isPrepared(add))
            let prepared = try await connection.query(
                "SELECT count(*) FROM pg_prepared_statements WHERE name = $1", [add.name])
            #expect(try prepared.scalar(Int.self) == 1)
        }
    }

    @Test("a prepared statement deallocated behind the wrapper's back is prepared again")
    func preparedStatementDeallocated() async throws {
        let double = PostgresStatement(name: "test_double", sql: "SELECT $1::int * 2")
        try await withTestConnection { connection in
            #expect(try await connection.query(double, [2]).scalar(Int.self) == 4)
            try await connection.executeScript("DEALLOCATE ALL")
            #expect(try await connection.query(double, [3]).scalar(Int.self) == 6)
        }
    }

    @Test("one statement name with two different SQL texts is refused")
    func preparedStatementNameClash() async throws {
        try await withTestConnection { connection in
            _ = try await connection.query(PostgresStatement(name: "clash", sql: "SELECT 1"))
            let error = await PostgresError.caught {
                _ = try await connection.query(PostgresStatement(name: "clash", sql: "SELECT 2"))
            }
            #expect(error?.kind == .misuse)
        }
    }

    @Test("a connection over the unix socket works")
    func unixSocket() async throws {
        try await withTemporaryCluster { cluster in
            let connection = try await PostgresConnection.connect(url: cluster.socketURL)
            let path = try await connection.query("SELECT current_setting('unix_socket_directories')").scalar(String.self)
            #expect(path == cluster.socketDirectory)
            #expect(try await connection.query("SELECT inet_client_addr() IS NULL").scalar(Bool.self) == true)
            await connection.close()
        }
    }

    @Test("a closed connection refuses calls with a .closed error")
    func closed() async throws {
        let connection = try await PostgresConnection.connect(url: try await TestDatabase.url())
        await connection.close()
        let error = await PostgresError.caught { _ = try await connection.query("SELECT 1") }
        #expect(error?.kind == .closed)
    }

    @Test(
        "connection failures are .connection errors and never show the password",
        arguments: [
            // Nothing listens on port 1.
            "postgres://leadflow:s3cr3t-Pa55@127.0.0.1:1/postgres",
            "postgres://leadflow:s3cr3t-Pa55@/postgres?host=/nonexistent-socket-dir",
        ])
    func connectionFailure(url: String) async throws {
        var configuration = PostgresConfiguration(url: url)
        configuration.connectTimeout = .seconds(2)
        let error = await PostgresError.caught { _ = try await PostgresConnection.connect(configuration: configuration) }
        #expect(error?.kind == .connection)
        let text = [String(describing: error), String(reflecting: error), error?.message ?? ""].joined()
        #expect(!text.contains("s3cr3t"))
    }

    @Test("a server-side connection error (unknown database) never shows the password")
    func unknownDatabase() async throws {
        let base = PostgresConfiguration(url: try await TestDatabase.url())
        let withPassword = try base.replacingDatabase("no_such_database_here").url
            .replacing(#/^postgres://([^:@/]+)@/#) { "postgres://\($0.1):s3cr3t-Pa55@" }
        try #require(withPassword.contains("s3cr3t-Pa55"))
        let error = await PostgresError.caught { _ = try await PostgresConnection.connect(url: withPassword) }
        #expect(error?.kind == .connection)
        #expect(error?.message.contains("no_such_database_here") == true)
        #expect(!String(describing: error).contains("s3cr3t"))
    }
}
