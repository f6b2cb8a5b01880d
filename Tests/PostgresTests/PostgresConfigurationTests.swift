import Postgres
import Testing

@Suite("PostgresConfiguration")
struct PostgresConfigurationTests {
    @Test(
        "valid URLs pass validation",
        arguments: [
            "postgres://user:pw@localhost:5432/db",
            "postgresql://user@127.0.0.1/db?sslmode=require",
            "postgres://user@[::1]:5433/db",
            "postgres:///db?host=/var/run/postgresql",
            "postgres://user@%2Fvar%2Frun%2Fpostgresql/db",
            "postgres://u%40x:p%3Aw@host/d%20b?application_name=x&connect_timeout=3",
        ])
    func valid(url: String) throws {
        try PostgresConfiguration(url: url).validate()
    }

    @Test(
        "invalid URLs fail with a readable reason and without the password",
        arguments: [
            ("mysql://user:s3cr3t-pw@host/db", "postgres://"),
            ("postgres://user:s3cr3t-pw@host:99999/db", "port"),
            ("postgres://user:s3cr3t-pw@host:abc/db", "port"),
            ("postgres://user:s3cr3t-pw@host/db?sslmode=sometimes", "sslmode"),
            ("postgres://user:s3cr3t-pw@host/db?no_such_option=1", "no_such_option"),
            ("postgres://user:s3cr3t-pw@h1,h2/db", "multiple hosts"),
            ("postgres://user:s3cr3t-pw%zz@host/db", "percent-encoding"),
        ])
    func invalid(url: String, expected: String) {
        #expect {
            try PostgresConfiguration(url: url).validate()
        } throws: { error in
            let error = error as? PostgresError
            let text = String(describing: error) + String(reflecting: error)
            return error?.kind == .configuration && text.contains(expected) && !text.contains("s3cr3t")
        }
    }

    @Test("settings are validated")
    func settings() {
        var configuration = PostgresConfiguration(url: "postgres://localhost/db")
        configuration.connectTimeout = .zero
        #expect(throws: PostgresError.self) { try configuration.validate() }
        configuration.connectTimeout = .seconds(2)
        configuration.applicationName = String(repeating: "x", count: 64)
        #expect(throws: PostgresError.self) { try configuration.validate() }
    }

    @Test("description, debug description and mirror hide the password")
    func redaction() {
        let configuration = PostgresConfiguration(url: "postgres://app:s3cr3t-pw@db.internal:5432/leadflow")
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in [String(describing: configuration), String(reflecting: configuration), dumped] {
            #expect(!text.contains("s3cr3t"))
            #expect(text.contains("db.internal"))
        }
        #expect(configuration.redactedURL == "postgres://app:***@db.internal:5432/leadflow")
    }

    @Test("replacingDatabase keeps everything else, including an encoded password")
    func replacingDatabase() throws {
        let configuration = PostgresConfiguration(url: "postgres://app:p%40ss@db:5432/one?sslmode=disable")
        let other = try configuration.replacingDatabase("two")
        #expect(other.database == "two")
        #expect(other.url == "postgres://app:p%40ss@db:5432/two?sslmode=disable")
        let socket = try PostgresConfiguration(url: "postgres://app@/one?host=/tmp/pg%20dir").replacingDatabase("x")
        #expect(socket.url == "postgres://app@/x?host=/tmp/pg%20dir")
    }
}
