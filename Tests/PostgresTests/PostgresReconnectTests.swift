import Foundation
import LeadflowTestKit
import Postgres
import PostgresServer
import Testing

@Suite("Reconnecting")
struct PostgresReconnectTests {
    static let increment = PostgresStatement(name: "increment", sql: "SELECT $1::int + 1")

    @Test("after a server restart the next call reconnects, re-prepares, and LISTENs again")
    func serverRestart() async throws {
        try await withTemporaryCluster { cluster in
            let connection = try await PostgresConnection.connect(url: cluster.url)
            let sender = try await PostgresConnection.connect(url: cluster.url)
            try await connection.listen("wake")
            #expect(try await connection.query(Self.increment, [1]).scalar(Int.self) == 2)
            let pidBefore = await connection.backendPID

            try await cluster.restart()

            // The loss is noticed before anything is sent, so this call reconnects and succeeds; an in-flight
            // loss is a .connection error instead (see the next test).
            #expect(try await connection.query(Self.increment, [41]).scalar(Int.self) == 42)
            #expect(await connection.reconnectCount == 1)
            #expect(await connection.backendPID != pidBefore)
            #expect(await connection.isPrepared(Self.increment))

            // The sender's session was lost as well; its next call reconnects it too.
            try await sender.notify(channel: "wake", payload: "after restart")
            let received = try await connection.waitForNotifications(timeout: .seconds(10))
            #expect(received.map(\.payload) == ["after restart"])
            await connection.close()
            await sender.close()
        }
    }

    @Test("a statement in flight when the session dies fails with .connection; the next call succeeds")
    func inFlightLoss() async throws {
        try await withTestConnection { victim in
            try await withTestConnection { killer in
                try await victim.listen("still_here")
                let pid = await victim.backendPID
                let sleeping = Task { try await victim.query("SELECT pg_sleep(60)") }
                // Poll the server's own view until the statement is running: that is the signal to act on.
                var running = false
                for _ in 0..<500 where !running {
                    running = try await killer.query(
                        "SELECT count(*) FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND query LIKE 'SELECT pg_sleep%'",
                        [Int(pid)]
                    ).scalar(Int.self) == 1
                    if !running { try await Task.sleep(for: .milliseconds(10)) }
                }
                try #require(running)
                #expect(try await killer.query("SELECT pg_terminate_backend($1::int)", [Int(pid)]).scalar(Bool.self) == true)

                let error = await PostgresError.caught { _ = try await sleeping.value }
                #expect(error?.kind == .connection)
                #expect(error?.isConnectionError == true)

                #expect(try await victim.query("SELECT 1").scalar(Int.self) == 1)
                #expect(await victim.backendPID != pid)
                try await killer.notify(channel: "still_here", payload: "yes")
                #expect(try await victim.waitForNotifications(timeout: .seconds(10)).map(\.payload) == ["yes"])
            }
        }
    }

    @Test("while the server is down calls fail with .connection; once it is back the next call works")
    func serverDown() async throws {
        try await withTemporaryCluster { cluster in
            var configuration = PostgresConfiguration(url: cluster.url)
            configuration.connectTimeout = .seconds(2)
            let connection = try await PostgresConnection.connect(configuration: configuration)
            try await cluster.stop()
            #expect(!cluster.isRunning)
            let error = await PostgresError.caught { _ = try await connection.query("SELECT 1") }
            #expect(error?.kind == .connection)
            let again = await PostgresError.caught { _ = try await connection.query("SELECT 1") }
            #expect(again?.kind == .connection)

            try await cluster.start()
            #expect(try await connection.query("SELECT 1").scalar(Int.self) == 1)
            await connection.close()
        }
    }

    @Test("a transaction whose session is lost fails instead of continuing on a fresh session")
    func lossInsideTransaction() async throws {
        try await withTestConnection { connection in
            let pid = await connection.backendPID
            try await connection.execute("CREATE TEMP TABLE t (n int)")
            let error = await PostgresError.caught {
                try await connection.withTransaction { connection in
                    try connection.execute("INSERT INTO t VALUES (1)")
                    // Ending our own backend from inside the transaction.
                    _ = try? connection.query("SELECT pg_terminate_backend(pg_backend_pid())")
                    try connection.execute("INSERT INTO t VALUES (2)")
                }
            }
            #expect(error?.kind == .connection)
            #expect(try await connection.query("SELECT to_regclass('pg_temp.t') IS NULL").scalar(Bool.self) == true)
            #expect(await connection.backendPID != pid)
        }
    }

    @Test("the retry policy waits out a database that is starting")
    func retryPolicy() async throws {
        try await withTemporaryCluster { cluster in
            try await cluster.stop()
            let url = cluster.url
            let policy = PostgresRetryPolicy(maxAttempts: 100, initialDelay: .milliseconds(20), maxDelay: .milliseconds(200))
            let (attempts, attempted) = AsyncStream.makeStream(of: Int.self)
            let connecting = Task {
                var attempt = 0
                return try await policy.run {
                    attempt += 1
                    attempted.yield(attempt)
                    return try await PostgresConnection.connect(url: url)
                }
            }
            // Start the server only once two attempts have failed against the stopped one.
            for await attempt in attempts where attempt == 2 { break }
            try await cluster.start()
            let connection = try await connecting.value
            #expect(try await connection.query("SELECT 1").scalar(Int.self) == 1)
            await connection.close()
        }
    }
}
