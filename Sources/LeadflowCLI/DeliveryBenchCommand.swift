import ArgumentParser
import Foundation
import LeadflowBenchmarks

/// `leadflow bench delivery`: emails/s of one email handler process against a slow SMTP server.
struct DeliveryBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delivery",
        abstract: "Emails/s of one `leadflow handler email` process to a real SMTP server on loopback that takes --latency per message.",
        discussion: """
            For each --connections value a fresh handler process (handler.email.max_connections set to it) and a \
            fresh server: the benchmark plays the scheduler (dispatch PUSH, result PULL, receipts PUB on tcp \
            loopback), warms up with one message per connection, then measures about --seconds of messages. \
            Prints emails/s beside the ideal (connections ÷ latency) and the handler's peak RSS. \
            Build with -c release: swift run -c release leadflow bench delivery
            """)

    @Option(help: "Comma-separated SMTP connection counts (handler.email.max_connections).")
    var connections = "1,8,32,64"

    @Option(help: "Milliseconds the server takes per message.")
    var latency = 100

    @Option(help: "About how many seconds of messages each configuration sends, at its ideal rate.")
    var seconds = 8.0

    @Option(help: "The handler's max_in_flight.")
    var maxInFlight = 256

    @Option(help: "Rounds over the configurations.")
    var rounds = 1

    func validate() throws {
        guard positiveIntegers(connections) != nil else {
            throw ValidationError("--connections must be positive integers separated by commas, e.g. 1,8,32,64")
        }
        guard latency > 0, seconds > 0, maxInFlight > 0, rounds > 0 else {
            throw ValidationError("--latency, --seconds, --max-in-flight and --rounds must be positive")
        }
    }

    func run() async throws {
        var options = DeliveryBenchmark.Options(
            executable: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                ?? CommandLine.arguments[0])
        options.connections = positiveIntegers(connections) ?? []
        options.latency = .milliseconds(latency)
        options.seconds = seconds
        options.maxInFlight = maxInFlight
        options.rounds = rounds
        print("delivery benchmark: one email handler process, SMTP server on loopback at \(latency) ms per message, "
            + "max_in_flight \(maxInFlight)")
        print("connections  messages  seconds  emails/s   ideal  of ideal  in DATA at once  server conns  peak RSS MB")
        try await DeliveryBenchmark(options: options).run { row in
            print(String(
                format: "%11d  %8d  %7.2f  %8.1f  %6.0f  %7.0f %%  %15d  %12d  %11.1f", row.connections, row.messages,
                row.elapsed.seconds, row.emailsPerSecond, row.ideal, row.shareOfIdeal * 100, row.mostConcurrent,
                row.serverConnections, Double(row.peakResidentBytes) / 1_048_576))
        }
    }
}
