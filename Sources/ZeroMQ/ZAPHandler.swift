import Foundation
import Logging
import Synchronization

/// The ZAP handler of one ``ZMQContext``: a thread owning the REP socket bound at `inproc://zeromq.zap.01`,
/// answering every CURVE handshake of the context's sockets with what `authorize` decides.
///
/// libzmq asks the handler only about sockets that are CURVE servers (and NULL sockets with a ZAP domain,
/// which Leadflow never sets), so plaintext `inproc://` sockets in the same context are not affected. Start
/// it before binding CURVE sockets: without a handler libzmq accepts every client key.
public final class ZAPHandler: Sendable {
    public static let endpoint = "inproc://zeromq.zap.01"

    private let wake: WakeSignal
    private let state = Mutex(State())

    private struct State {
        var stopping = false
        var finished = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private init(wake: WakeSignal) { self.wake = wake }

    /// Binds the handler's socket on its own thread and returns once it is bound; `authorize` runs on that
    /// thread, one request at a time, so it must not block for long. `tick` runs there too, about once a
    /// second and after each batch of requests — housekeeping such as reloading what `authorize` consults.
    public static func start(
        context: ZMQContext, logger: Logger, tick: @escaping @Sendable () -> Void = {},
        authorize: @escaping @Sendable (ZAPRequest) -> ZAPDecision
    ) async throws -> ZAPHandler {
        let handler = ZAPHandler(wake: try WakeSignal())
        try await withCheckedThrowingContinuation { (started: CheckedContinuation<Void, any Error>) in
            let thread = Thread {
                handler.run(context: context, logger: logger, tick: tick, authorize: authorize, started: started)
            }
            thread.name = "zmq-zap"
            thread.start()
        }
        return handler
    }

    /// Stops answering and closes the socket; returns when the thread has ended. Idempotent.
    public func close() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.finished { return true }
                state.stopping = true
                state.waiters.append(waiter)
                return false
            }
            if done { waiter.resume() } else { wake.raise() }
        }
    }

    private func run(
        context: ZMQContext, logger: Logger, tick: @Sendable () -> Void,
        authorize: @Sendable (ZAPRequest) -> ZAPDecision, started: CheckedContinuation<Void, any Error>
    ) {
        let socket: ZMQSocket
        do {
            var options = SocketOptions()
            options.lingerMilliseconds = 0
            options.heartbeatIntervalMilliseconds = nil
            options.heartbeatTimeoutMilliseconds = nil
            socket = try ZMQSocket(context: context, type: .rep, options: options)
            try socket.bind(Self.endpoint)
        } catch {
            finish()
            started.resume(throwing: error)
            return
        }
        started.resume()
        var poller = ZMQPoller()
        let socketIndex = poller.add(socket, events: .readable)
        let wakeIndex = poller.add(fileDescriptor: wake.fileDescriptor, events: .readable)
        while !state.withLock({ $0.stopping }) {
            do {
                try poller.poll(timeoutMilliseconds: 1_000)
                if poller.ready(wakeIndex).contains(.readable) { wake.clear() }
                tick()
                guard poller.ready(socketIndex).contains(.readable) else { continue }
                while let frames = try socket.receive(maxFrames: 8, dontWait: true) {
                    let reply: [[UInt8]]
                    if let request = ZAPRequest(frames: frames) {
                        reply = authorize(request).replyFrames(to: request)
                    } else {
                        logger.warning("malformed ZAP request refused", metadata: ["zap.frames": "\(frames.count)"])
                        let id = frames.count > 1 ? frames[1] : []
                        reply = [Array("1.0".utf8), id, Array("500".utf8), Array("malformed request".utf8), [], []]
                    }
                    try socket.send(reply)
                }
            } catch {
                if !error.isContextTerminated {
                    logger.error("ZAP handler stopped", metadata: ["error": "\(error)"])
                }
                break
            }
        }
        socket.close()
        finish()
    }

    private func finish() {
        let waiters = state.withLock { state in
            state.finished = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
