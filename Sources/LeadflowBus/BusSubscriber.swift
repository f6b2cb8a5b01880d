import Logging
import Synchronization
import ZeroMQ

/// Receives envelopes on a SUB socket for NATS wildcard patterns: ZeroMQ filters by the patterns' literal
/// prefixes, and every message is then matched token by token.
public final class BusSubscriber: Sendable {
    let loop: SocketLoop
    let counters: BusCounters
    let patterns: PatternSet
    let reader: EnvelopeReader

    /// The subscribed patterns, read by the consuming task and extended by ``subscribe(_:)``.
    final class PatternSet: Sendable {
        let patterns: Mutex<[SubjectPattern]>
        init(_ patterns: [SubjectPattern]) { self.patterns = Mutex(patterns) }
        func matches(_ subject: Subject) -> Bool { patterns.withLock { $0.contains { $0.matches(subject) } } }
        func append(_ pattern: SubjectPattern) { patterns.withLock { $0.append(pattern) } }
    }

    init(loop: SocketLoop, patterns: [SubjectPattern], limits: BusLimits, logger: Logger) {
        let counters = BusCounters()
        let patterns = PatternSet(patterns)
        self.loop = loop
        self.counters = counters
        self.patterns = patterns
        reader = EnvelopeReader(loop: loop, limits: limits, counters: counters, logger: logger) { envelope in
            patterns.matches(envelope.subject)
        }
    }

    public static func start(
        context: ZMQContext, name: String, endpoints: [Endpoint], patterns: [SubjectPattern],
        options: SocketOptions = SocketOptions(), limits: BusLimits = .default,
        logger: Logger = BusDefaults.silentLogger
    ) async throws -> BusSubscriber {
        let loop = try await SocketLoop.start(
            context: context, configuration: .init(name: name, type: .sub, options: options), endpoints: endpoints,
            logger: logger
        ) { socket in
            for pattern in patterns { try socket.subscribe(pattern.zmqPrefix) }
        }
        return BusSubscriber(loop: loop, patterns: patterns, limits: limits, logger: logger)
    }

    /// Adds a pattern while running.
    public func subscribe(_ pattern: SubjectPattern) async throws {
        patterns.append(pattern)
        let prefix = pattern.zmqPrefix
        try await loop.perform { try $0.subscribe(prefix) }
    }

    /// The next valid, matching envelope; `nil` once closed.
    public func next() async -> Envelope? { await reader.next() }

    /// Waits for at least one envelope and returns up to `max` already received.
    public func nextBatch(max: Int) async -> [Envelope] { await reader.nextBatch(max: max) }

    /// The endpoint last bound (a `tcp://…:*` port resolved).
    public func boundEndpoint() async throws -> String { try await loop.perform { try $0.lastEndpoint } }

    public var statistics: BusStatistics { counters.snapshot }

    public func close() async { await loop.close(drainTimeout: .zero) }
}
