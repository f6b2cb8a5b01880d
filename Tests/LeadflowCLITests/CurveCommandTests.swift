import Foundation
import LeadflowCurve
import LeadflowIngest
import LeadflowStore
import LeadflowTestKit
import Logging
import Postgres
import Testing
import ZeroMQ

/// `leadflow keys generate`, the start-up refusals of `bus.*`, and `pipeline apply` over CURVE — the
/// executable run as a user runs it.
@Suite("leadflow keys and CURVE start-up")
struct CurveCommandTests {
    @Test("keys generate writes a 0600 secret and a 0644 allow-list line, prints no secret, and will not overwrite")
    func generate() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/crm.key"
            let first = try await LeadflowExecutable.run(["keys", "generate", "--out", path, "--org", "acme,globex"], environment: [:])
            #expect(first.status == 0, "\(first.errors)")
            let pair = try CurveKeyFile.keyPair(secretKeyFile: path)
            #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600)
            #expect(try FileManager.default.attributesOfItem(atPath: path + ".pub")[.posixPermissions] as? Int == 0o644)
            let entry = try #require(try CurveAllowList.load(path: path + ".pub").entry(for: pair.publicKey))
            #expect(entry.name == "crm" && entry.organizations == ["acme", "globex"])
            #expect(first.output.contains(pair.publicKey) && !first.output.contains(pair.secretKey.revealed))

            let again = try await LeadflowExecutable.run(["keys", "generate", "--out", path], environment: [:])
            #expect(again.status != 0)
            #expect(again.errors.contains("\(path): already exists; pass --force to replace it"), "\(again.errors)")
            #expect(try CurveKeyFile.keyPair(secretKeyFile: path) == pair)
            let forced = try await LeadflowExecutable.run(["keys", "generate", "--out", path, "--force"], environment: [:])
            #expect(forced.status == 0)
            #expect(try CurveKeyFile.keyPair(secretKeyFile: path) != pair)

            // An unset `$TENANT` must not make a key good for every organization.
            for orgs in ["", "acme,", ","] {
                let empty = try await LeadflowExecutable.run(
                    ["keys", "generate", "--out", folder + "/tenant.key", "--org", orgs], environment: [:])
                #expect(empty.status != 0 && empty.errors.contains("--org: an organization name is empty"), "\(empty.errors)")
                #expect(!FileManager.default.fileExists(atPath: folder + "/tenant.key"))
            }
        }
    }

    @Test("a service binding a non-loopback address in plaintext refuses to start and says what to set")
    func plaintextRefused() async throws {
        for (command, setting) in [("ingest", "ingest.endpoint"), ("scheduler", "scheduler.results_endpoint")] {
            let run = try await LeadflowExecutable.run(
                [command, "--set", "\(setting)=tcp://0.0.0.0:0", "--database-url", "postgres://nobody@127.0.0.1:1/none"],
                environment: [:])
            #expect(run.status != 0)
            #expect(run.errors.contains("\(setting) binds tcp://0.0.0.0:0 in plaintext"), "\(run.errors)")
            #expect(run.errors.contains("bus.allow_plaintext = true"))
        }
        let collector = try await LeadflowExecutable.run(
            ["collector", "--set", "collector.metrics_endpoint=tcp://*:0"], environment: [:])
        #expect(collector.status != 0)
        #expect(collector.errors.contains("collector.metrics_endpoint binds tcp://*:0 in plaintext"), "\(collector.errors)")
    }

    @Test("a missing key file or allow-list stops the start, naming the file and why")
    func missingFiles() async throws {
        try await withTemporaryFolder { folder in
            let missingKey = try await LeadflowExecutable.run(
                ["ingest", "--set", "bus.curve_secret_key_file=\(folder)/absent.key", "--database-url", "postgres://nobody@127.0.0.1:1/none"],
                environment: [:])
            #expect(missingKey.status != 0)
            #expect(missingKey.errors.contains("bus.curve_secret_key_file: \(folder)/absent.key: no such file"), "\(missingKey.errors)")

            let pair = try CurveKeyPair.generate()
            try CurveKeyFile.write(pair, to: folder + "/ingest.key", name: "ingest")
            let missingList = try await LeadflowExecutable.run(
                ["ingest", "--set", "bus.curve_secret_key_file=\(folder)/ingest.key", "--set", "bus.curve_allow=\(folder)/allow",
                 "--database-url", "postgres://nobody@127.0.0.1:1/none"],
                environment: [:])
            #expect(missingList.status != 0)
            #expect(missingList.errors.contains("\(folder)/allow: no such file or directory"), "\(missingList.errors)")
            #expect(!(missingKey.errors + missingList.errors).contains(pair.secretKey.revealed))
        }
    }

    @Test("pipeline apply and lead writes speak CURVE with key files; a key bound to acme cannot write for globex")
    func applyOverCurve() async throws {
        try await withTemporaryFolder { folder in
            try await TestDatabase.withFreshDatabase { url in
                _ = try await Migrator().migrate(url: url)
                let database = try PostgresClient(configuration: .init(url: url), maxConnections: 2)
                let context = try ZMQContext()
                let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
                try FileManager.default.createDirectory(atPath: folder + "/allow", withIntermediateDirectories: true)
                try CurveKeyFile.write(try CurveKeyPair.generate(), to: folder + "/server.key", name: "ingest")
                try CurveKeyFile.write(try CurveKeyPair.generate(), to: folder + "/crm.key", name: "crm", organizations: ["acme"])
                try FileManager.default.copyItem(atPath: folder + "/crm.key.pub", toPath: folder + "/allow/crm.pub")
                let security = BusSecurity(
                    keyPair: try CurveKeyFile.keyPair(secretKeyFile: folder + "/server.key"), allowListPath: folder + "/allow")
                let authenticator = try await BusAuthenticator.start(context: context, security: security, logger: logger)
                var configuration = IngestConfiguration()
                configuration.endpoint = "tcp://127.0.0.1:*"
                configuration.eventsEndpoint = nil
                let ingest = try await IngestService.start(
                    configuration: configuration, database: database, context: context, logger: logger,
                    security: security, authenticator: authenticator)
                let running = Task { try await ingest.run() }
                let endpoint = try await ingest.boundEndpoint()
                let keys = ["--curve-secret-key-file", folder + "/crm.key", "--curve-server-key-file", folder + "/server.key.pub"]

                let applied = try await LeadflowExecutable.run(
                    ["pipeline", "apply", "\(PipelineApplyTests.examples)/three-step.yaml", "--org", "acme", "--ingest", endpoint] + keys,
                    environment: [:])
                #expect(applied.status == 0, "\(applied.errors)")
                #expect(applied.output.contains("applied as acme/three-step"))
                let refused = try await LeadflowExecutable.run(
                    ["pipeline", "apply", "\(PipelineApplyTests.examples)/three-step.yaml", "--org", "globex", "--ingest", endpoint] + keys,
                    environment: [:])
                #expect(refused.status != 0)
                #expect((refused.output + refused.errors).contains("Not Authorized"), "\(refused.output)\(refused.errors)")
                #expect(try await database.query("SELECT count(*) FROM pipelines").scalar(Int.self) == 1)

                let upserted = try await LeadflowExecutable.run(
                    ["lead", "upsert", "ada", "--org", "acme", "--email", "ada@example.org", "--ingest", endpoint] + keys,
                    environment: [:])
                #expect(upserted.status == 0, "\(upserted.errors)")
                let foreign = try await LeadflowExecutable.run(
                    ["lead", "upsert", "bob", "--org", "globex", "--ingest", endpoint] + keys, environment: [:])
                #expect(foreign.status != 0 && (foreign.output + foreign.errors).contains("Not Authorized"), "\(foreign)")
                #expect(try await database.query("SELECT external_id FROM leads").map { try $0.decode(String.self, at: 0) } == ["ada"])

                ingest.shutdown()
                _ = await running.result
                await authenticator?.close()
                await database.shutdown()
                context.shutdown()
            }
        }
    }
}
