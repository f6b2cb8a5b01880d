import Logging
import Synchronization

/// An allow-list file or directory kept current without a restart: ``refresh()`` re-reads it when a file's
/// size or modification time changed, at most once a second. A list that no longer parses is not taken — the
/// last good one stays in force, and the problem is logged — so a typo neither opens the bus nor shuts it.
public final class CurveAllowListWatch: Sendable {
    /// Reloads and failed reloads since start.
    public struct Statistics: Sendable, Equatable {
        public var reloads = 0
        public var failedReloads = 0
    }

    private struct State {
        var list: CurveAllowList
        var fingerprint: [String]
        var checkedAt: ContinuousClock.Instant
        var statistics = Statistics()
    }

    public let path: String
    private let logger: Logger
    private let interval: Duration
    private let state: Mutex<State>

    /// Reads the list; a list that cannot be read or parsed is an error here, at start-up.
    public init(path: String, logger: Logger, interval: Duration = .seconds(1)) throws(CurveKeyError) {
        self.path = path
        self.logger = logger
        self.interval = interval
        let fingerprint = CurveAllowList.fingerprint(path: path)
        let list = try CurveAllowList.load(path: path)
        state = Mutex(State(list: list, fingerprint: fingerprint, checkedAt: .now))
    }

    /// The list in force.
    public var current: CurveAllowList { state.withLock { $0.list } }

    public var statistics: Statistics { state.withLock { $0.statistics } }

    /// Re-reads the list when it changed and the last check is at least the interval ago. Reads files: call
    /// it from a thread of its own (the ZAP handler's), not from the cooperative pool.
    public func refresh() {
        let now = ContinuousClock.now
        let previous = state.withLock { state -> [String]? in
            guard now - state.checkedAt >= interval else { return nil }
            state.checkedAt = now
            return state.fingerprint
        }
        guard let previous else { return }
        let fingerprint = CurveAllowList.fingerprint(path: path)
        guard fingerprint != previous else { return }
        do {
            let list = try CurveAllowList.load(path: path)
            state.withLock {
                $0.list = list
                $0.fingerprint = fingerprint
                $0.statistics.reloads += 1
            }
            logger.info("CURVE allow-list reloaded", metadata: ["curve.allow": "\(path)", "curve.keys": "\(list.count)"])
        } catch {
            state.withLock {
                // Remember the broken state, so the same error is logged once, not every second.
                $0.fingerprint = fingerprint
                $0.statistics.failedReloads += 1
            }
            logger.error(
                "CURVE allow-list not reloaded; the previous list stays in force",
                metadata: ["error": "\(error)", "error.code": "\(error.code.rawValue)"])
        }
    }
}
