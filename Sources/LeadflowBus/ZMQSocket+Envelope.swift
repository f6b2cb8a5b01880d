import ZeroMQ

extension ZMQSocket {
    /// Sends `envelope` as its three frames, without building an array of them (for sockets driven
    /// directly on their owner thread). With `dontWait`, returns `false` when it cannot be queued now.
    @discardableResult
    public func send(_ envelope: Envelope, dontWait: Bool = false) throws(ZMQError) -> Bool {
        let headers = HeaderBlock.encode(envelope.headers)
        let first = try envelope.subject.bytes.withUnsafeBytes { buffer in
            Result { () throws(ZMQError) in try sendFrame(buffer, more: true, dontWait: dontWait) }
        }.get()
        guard first else { return false }
        // libzmq accepts the remaining parts of a message whose first part it accepted.
        try headers.withUnsafeBytes { buffer in
            Result { () throws(ZMQError) in try sendFrame(buffer, more: true, dontWait: dontWait) }
        }.get()
        try envelope.payload.withUnsafeBytes { buffer in
            Result { () throws(ZMQError) in try sendFrame(buffer, more: false, dontWait: dontWait) }
        }.get()
        return true
    }
}
