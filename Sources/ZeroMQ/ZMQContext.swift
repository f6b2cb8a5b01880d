import CZeroMQ

/// A libzmq context: the I/O threads and the registry every socket of a process belongs to.
///
/// libzmq contexts are thread-safe, so this type is `Sendable`. Each socket keeps its context alive, so the
/// context is terminated (`zmq_ctx_term`) only after the last socket was closed; because every socket is
/// created with a bounded linger, that termination cannot hang on undelivered messages.
public final class ZMQContext: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    /// Creates a context with `ioThreads` background I/O threads (one is enough below ~1 GB/s).
    public init(ioThreads: Int = 1) throws(ZMQError) {
        guard let handle = zmq_ctx_new() else {
            throw ZMQError(operation: "zmq_ctx_new", code: zmq_errno())
        }
        self.handle = handle
        _ = try ZMQError.check("zmq_ctx_set(ZMQ_IO_THREADS)") { zmq_ctx_set(handle, ZMQ_IO_THREADS, Int32(ioThreads)) }
        // Non-blocky: sockets default to linger 0 rather than forever, so a forgotten socket cannot hang term.
        _ = try ZMQError.check("zmq_ctx_set(ZMQ_BLOCKY)") { zmq_ctx_set(handle, ZMQ_BLOCKY, 0) }
    }

    /// Makes every blocking call on this context's sockets return `ETERM` so that their owner threads close
    /// them; new sockets can no longer be created. Safe to call from any thread, more than once.
    public func shutdown() {
        _ = zmq_ctx_shutdown(handle)
    }

    deinit {
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    /// Whether this libzmq build supports a capability such as `"curve"` or `"ipc"`.
    public static func has(_ capability: String) -> Bool { zmq_has(capability) == 1 }

    /// The libzmq version as (major, minor, patch).
    public static var version: (major: Int, minor: Int, patch: Int) {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (Int(major), Int(minor), Int(patch))
    }
}
