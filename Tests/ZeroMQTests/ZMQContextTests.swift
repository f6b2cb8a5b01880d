import Foundation
import Synchronization
import Testing

@testable import ZeroMQ

@Suite("ZMQContext shutdown")
struct ZMQContextTests {
    @Test("shutdown wakes a thread blocked in receive with ETERM")
    func shutdownUnblocksReceive() async throws {
        let context = try ZMQContext()
        let (bound, boundSignal) = AsyncStream<Void>.makeStream()
        let (outcome, outcomeSignal) = AsyncStream<String>.makeStream()
        let thread = Thread {
            do {
                let socket = try ZMQSocket(context: context, type: .pull)
                try socket.bind("inproc://blocked")
                boundSignal.yield()
                _ = try socket.receive()
                outcomeSignal.yield("received")
            } catch let error as ZMQError where error.isContextTerminated {
                outcomeSignal.yield("ETERM")
            } catch {
                outcomeSignal.yield("\(error)")
            }
        }
        thread.start()
        for await _ in bound { break }
        // The thread is in (or about to enter) its blocking receive; either way it must end with ETERM.
        context.shutdown()
        var result: String?
        for await value in outcome {
            result = value
            break
        }
        #expect(result == "ETERM")
    }

    @Test("terminating a context with unsent messages returns after the linger, not never")
    func terminationDoesNotHang() async throws {
        let finished = Mutex(false)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                do {
                    var options = SocketOptions()
                    options.lingerMilliseconds = 100
                    options.immediate = false  // queue to a peer that never comes
                    let context = try ZMQContext()
                    let push = try ZMQSocket(context: context, type: .push, options: options)
                    try push.connect("tcp://127.0.0.1:9")
                    try push.send([[1, 2, 3]], dontWait: true)
                    // push and context go out of scope here: zmq_close, then zmq_ctx_term.
                } catch {
                    Issue.record("setup failed: \(error)")
                }
                finished.withLock { $0 = true }
                done.resume()
            }
            thread.start()
        }
        #expect(finished.withLock { $0 })
    }

    @Test("version and capabilities are reported")
    func versionAndCapabilities() {
        #expect(ZMQContext.version.major == 4)
        #expect(ZMQContext.has("ipc"))
    }
}
