import Foundation
import Postgres
import PostgresServer
import Testing

@Suite("LocalPostgresCluster")
struct LocalPostgresClusterTests {
    @Test("starts, stops, and starts again on the same data and port")
    func lifecycle() async throws {
        try await withTemporaryCluster { cluster in
            #expect(cluster.isRunning)
            let port = cluster.port
            var connection = try await PostgresConnection.connect(url: cluster.url)
            try await connection.execute("CREATE TABLE kept (n int)")
            try await connection.execute("INSERT INTO kept VALUES (7)")
            let encoding = try await connection.query("SHOW server_encoding").scalar(String.self)
            #expect(encoding == "UTF8")
            await connection.close()

            try await cluster.stop()
            #expect(!cluster.isRunning)
            try await cluster.stop()  // idempotent

            try await cluster.start()
            #expect(cluster.isRunning)
            #expect(cluster.port == port)
            connection = try await PostgresConnection.connect(url: cluster.url)
            #expect(try await connection.query("SELECT n FROM kept").scalar(Int.self) == 7)
            await connection.close()
        }
    }

    @Test(
        "as root, a folder the postgres user cannot reach is replaced by a stable one it can",
        .enabled(if: geteuid() == 0, "only root runs PostgreSQL as another user"))
    func unreachableFolder() async throws {
        let parent = NSTemporaryDirectory() + "leadflow-private-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        chmod(parent, 0o700)  // like /root: only its owner may enter
        let cluster = try LocalPostgresCluster(directory: parent + "/pg", options: .init(durable: false))
        #expect(cluster.directory.hasPrefix("/var/tmp/leadflow-postgres-"))
        #expect(try LocalPostgresCluster(directory: parent + "/pg").directory == cluster.directory)
        defer { try? FileManager.default.removeItem(atPath: cluster.directory) }
        try await cluster.start()
        let connection = try await PostgresConnection.connect(url: cluster.url)
        #expect(try await connection.query("SELECT 1").scalar(Int.self) == 1)
        await connection.close()
        try await cluster.stop()

        chmod(parent, 0o755)
        #expect(try LocalPostgresCluster(directory: parent + "/pg").directory == parent + "/pg")
    }

    @Test("a second instance on the same folder adopts the running server and its port")
    func adoption() async throws {
        try await withTemporaryCluster { cluster in
            let other = try LocalPostgresCluster(directory: cluster.directory)
            #expect(other.isRunning)
            #expect(other.port == cluster.port)
            try await other.start()
            #expect(other.url == cluster.url)
        }
    }

    @Test("a shared cluster keeps running while another user remains, and stops with the last")
    func shared() async throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("leadflow-pg-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try LocalPostgresCluster(directory: folder, options: .init(durable: false))
        let second = try LocalPostgresCluster(directory: folder, options: .init(durable: false))
        try await first.startShared()
        try await second.startShared()
        #expect(second.port == first.port)
        try first.releaseShared()
        #expect(second.isRunning)
        try second.releaseShared()
        #expect(!second.isRunning)
    }

    @Test("missing server programs produce an error that says to install postgresql")
    func missingBinaries() async throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("leadflow-pg-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cluster = try LocalPostgresCluster(directory: folder, options: .init(binDirectory: "/nonexistent/bin"))
        await #expect {
            try await cluster.start()
        } throws: { error in
            let error = error as? LocalPostgresClusterError
            return error?.code == .binariesNotFound && error?.message.contains("postgresql") == true
        }
    }

    @Test("a folder too deep for a unix socket path is refused up front")
    func longPath() {
        let folder = "/tmp/" + String(repeating: "d", count: 120)
        #expect(throws: LocalPostgresClusterError.self) { try LocalPostgresCluster(directory: folder) }
    }
}
