import LeadflowTestKit
import Postgres
import Testing

@Suite("PostgresClient (pool)")
struct PostgresClientTests {
    @Test("no more than maxConnections sessions serve many concurrent callers")
    func bounded() async throws {
        let client = try PostgresClient(configuration: .init(url: try await TestDatabase.url()), maxConnections: 2)
        let gauge = ConcurrencyGauge()
        let pids = try await withThrowingTaskGroup(of: Int32.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    try await client.withConnection { connection in
                        gauge.enter()
                        defer { gauge.leave() }
                        _ = try await connection.query("SELECT pg_sleep(0.02)")
                        return await connection.backendPID
                    }
                }
            }
            return try await group.reduce(into: Set<Int32>()) { $0.insert($1) }
        }
        #expect(pids.count <= 2)
        #expect(gauge.peak <= 2)
        await client.shutdown()
    }

    @Test("a transaction left open by a caller is rolled back before the next caller gets the connection")
    func leftOpenTransaction() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let client = try PostgresClient(configuration: .init(url: url), maxConnections: 1)
            try await client.execute("CREATE TABLE t (n int)")
            try await client.withConnection { connection in
                try await connection.executeScript("BEGIN; INSERT INTO t VALUES (1);")
            }
            try await client.withConnection { connection in
                let count = try await connection.query("SELECT count(*) FROM t").scalar(Int.self)
                #expect(count == 0)
                #expect(await connection.isIdle)
            }
            await client.shutdown()
        }
    }

    @Test("withTransaction on the pool commits and rolls back")
    func transaction() async throws {
        try await TestDatabase.withFreshDatabase { url in
            let client = try PostgresClient(configuration: .init(url: url), maxConnections: 2)
            try await client.execute("CREATE TABLE t (n int)")
            try await client.withTransaction { connection in _ = try connection.execute("INSERT INTO t VALUES (1)") }
            await #expect(throws: ExpectedFailure.self) {
                try await client.withTransaction { connection in
                    try connection.execute("INSERT INTO t VALUES (2)")
                    throw ExpectedFailure()
                }
            }
            #expect(try await client.query("SELECT array_agg(n) FROM t").scalar([Int].self) == [1])
            await client.shutdown()
        }
    }

    @Test("a waiting caller can be cancelled, and the pool keeps working")
    func cancelWaiter() async throws {
        let client = try PostgresClient(configuration: .init(url: try await TestDatabase.url()), maxConnections: 1)
        let (holding, held) = AsyncStream.makeStream(of: Void.self)
        let (releasing, release) = AsyncStream.makeStream(of: Void.self)
        let holder = Task {
            // Ends the stream however the holder ends, so a failed connect fails the test instead of hanging it.
            defer { held.finish() }
            try await client.withConnection { _ in
                held.yield()
                for await _ in releasing { break }
            }
        }
        for await _ in holding { break }
        let waiter = Task { try await client.withConnection { _ in 1 } }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        release.yield()
        try await holder.value
        #expect(try await client.query("SELECT 2").scalar(Int.self) == 2)
        await client.shutdown()
    }

    @Test("after shutdown the pool refuses work with .closed")
    func shutdown() async throws {
        let client = try PostgresClient(configuration: .init(url: try await TestDatabase.url()), maxConnections: 1)
        #expect(try await client.query("SELECT 1").scalar(Int.self) == 1)
        await client.shutdown()
        let error = await PostgresError.caught { _ = try await client.query("SELECT 1") }
        #expect(error?.kind == .closed)
    }

    @Test("an invalid configuration is rejected up front")
    func invalidConfiguration() {
        #expect(throws: PostgresError.self) { try PostgresClient(configuration: .init(url: "http://x"), maxConnections: 1) }
        #expect(throws: PostgresError.self) {
            try PostgresClient(configuration: .init(url: "postgres://localhost/db"), maxConnections: 0)
        }
    }
}
