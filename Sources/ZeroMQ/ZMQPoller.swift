import CZeroMQ

/// Waits on several sockets and plain file descriptors at once with `zmq_poll`, on the sockets' owner thread.
public struct ZMQPoller {
    /// What to wait for on one item.
    public struct Events: OptionSet, Sendable {
        public let rawValue: Int16
        public init(rawValue: Int16) { self.rawValue = rawValue }
        public static let readable = Events(rawValue: Int16(ZMQ_POLLIN))
        public static let writable = Events(rawValue: Int16(ZMQ_POLLOUT))
    }

    var items: [zmq_pollitem_t] = []

    public init() {}

    /// Adds a socket and returns its index for ``ready(_:)``.
    @discardableResult
    public mutating func add(_ socket: ZMQSocket, events: Events) -> Int {
        items.append(zmq_pollitem_t(socket: socket.handle, fd: -1, events: events.rawValue, revents: 0))
        return items.count - 1
    }

    /// Adds a plain file descriptor (such as a ``WakeSignal``) and returns its index.
    @discardableResult
    public mutating func add(fileDescriptor: Int32, events: Events) -> Int {
        items.append(zmq_pollitem_t(socket: nil, fd: fileDescriptor, events: events.rawValue, revents: 0))
        return items.count - 1
    }

    /// Changes what an item waits for; no events means the item is ignored.
    public mutating func setEvents(_ events: Events, at index: Int) {
        items[index].events = events.rawValue
    }

    /// Blocks until an item is ready or the time-out (milliseconds, −1 forever) passes; returns the number of
    /// ready items. Throws `ETERM` once the context is shut down.
    @discardableResult
    public mutating func poll(timeoutMilliseconds: Int) throws(ZMQError) -> Int {
        let count = items.count
        let ready = try items.withUnsafeMutableBufferPointer { buffer in
            Result { () throws(ZMQError) in
                try ZMQError.check("zmq_poll") { zmq_poll(buffer.baseAddress, Int32(count), timeoutMilliseconds) }
            }
        }.get()
        return Int(ready)
    }

    /// The events the last poll reported for the item at `index`.
    public func ready(_ index: Int) -> Events { Events(rawValue: items[index].revents) }
}
