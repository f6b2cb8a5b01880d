import CZeroMQ
import Glibc

/// An eventfd that any thread can raise to wake a socket owner blocked in ``ZMQPoller/poll(timeoutMilliseconds:)``.
public final class WakeSignal: Sendable {
    /// The file descriptor to poll for readability.
    public let fileDescriptor: Int32

    public init() throws(ZMQError) {
        let fd = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        guard fd >= 0 else { throw ZMQError(operation: "eventfd", code: errno) }
        fileDescriptor = fd
    }

    deinit { Glibc.close(fileDescriptor) }

    /// Wakes the poller; raising an already raised signal is a no-op for the waiter.
    public func raise() {
        var one: UInt64 = 1
        while write(fileDescriptor, &one, 8) < 0 && errno == EINTR {}
    }

    /// Lowers the signal after a wake-up, so the next poll blocks again.
    public func clear() {
        var value: UInt64 = 0
        while read(fileDescriptor, &value, 8) < 0 && errno == EINTR {}
    }
}
