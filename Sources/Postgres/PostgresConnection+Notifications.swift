import CLibPQ
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension PostgresConnection {
    /// Starts listening on `channel` (case-sensitive); the LISTEN is re-issued after every reconnect.
    public func listen(_ channel: String) throws(PostgresError) {
        try Self.validateChannel(channel)
        try refuseInsideTransaction("LISTEN")
        try executeScript("LISTEN \(Self.quoteIdentifier(channel))")
        if !listenChannels.contains(channel) { listenChannels.append(channel) }
        logger.debug("listening", metadata: [PostgresLogKey.channel: "\(channel)"])
    }

    /// Stops listening on `channel`.
    public func unlisten(_ channel: String) throws(PostgresError) {
        try Self.validateChannel(channel)
        try refuseInsideTransaction("UNLISTEN")
        listenChannels.removeAll { $0 == channel }
        try executeScript("UNLISTEN \(Self.quoteIdentifier(channel))")
    }

    /// The channels this session listens to (and restores after a reconnect).
    public var listeningChannels: [String] { listenChannels }

    /// Sends a notification with `SELECT pg_notify($1, $2)`; inside a transaction it is delivered on commit.
    public func notify(channel: String, payload: String = "") throws(PostgresError) {
        try Self.validateChannel(channel)
        _ = try query("SELECT pg_notify($1, $2)", [channel, payload])
    }

    /// Returns the notifications that have arrived, waiting up to `timeout` for the first one; an empty array
    /// means the timeout passed.
    ///
    /// Notifications that arrived during other statements are returned at once. The connection's thread sleeps
    /// in `poll(2)` meanwhile, so other calls on this connection wait: give listening its own connection.
    /// Throws `CancellationError` promptly when the task is cancelled, and a `.connection` error when the
    /// session is lost (notifications sent meanwhile are lost; the next call reconnects and LISTENs again).
    public func waitForNotifications(timeout: Duration) async throws -> [PostgresNotification] {
        let handle = try liveHandle()
        let received = takeNotifications(handle)
        if !received.isEmpty { return received }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        let wakeup = self.wakeup
        return try await withTaskCancellationHandler {
            wakeup.drain()
            while !Task.isCancelled {
                let remaining = clock.now.duration(to: deadline)
                guard remaining > .zero else { return [] }
                let (socketReady, woken) = try waitReadable(handle, timeout: remaining)
                if woken {
                    wakeup.drain()
                    continue
                }
                guard socketReady else { continue }
                guard PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else {
                    let error = connectionError(handle, "connection lost while waiting for notifications")
                    logger.warning("connection lost", metadata: ["postgres.error": "\(error.message)"])
                    throw error
                }
                let received = takeNotifications(handle)
                if !received.isEmpty { return received }
            }
            throw CancellationError()
        } onCancel: {
            wakeup.signal()
        }
    }

    private func waitReadable(_ handle: OpaquePointer, timeout: Duration) throws(PostgresError) -> (Bool, Bool) {
        let (seconds, attoseconds) = timeout.components
        // Round up so a sub-millisecond remainder does not turn into a busy loop of zero-timeout polls.
        let milliseconds = Int32(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
        var descriptors = [
            pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0),
            pollfd(fd: wakeup.readDescriptor, events: Int16(POLLIN), revents: 0),
        ]
        while true {
            let ready = poll(&descriptors, 2, milliseconds)
            if ready >= 0 { break }
            if errno == EINTR { continue }
            throw PostgresError(kind: .connection, message: "poll failed: errno \(errno)")
        }
        return (descriptors[0].revents != 0, descriptors[1].revents != 0)
    }

    private func takeNotifications(_ handle: OpaquePointer) -> [PostgresNotification] {
        var received: [PostgresNotification] = []
        while let notify = PQnotifies(handle) {
            received.append(
                PostgresNotification(
                    channel: String(cString: notify.pointee.relname),
                    payload: notify.pointee.extra.map { String(cString: $0) } ?? "",
                    senderPID: notify.pointee.be_pid))
            PQfreemem(notify)
        }
        return received
    }

    /// LISTEN inside a transaction takes effect only at commit, and not at all after a rollback, which the
    /// channel list restored on reconnect could not tell apart.
    private func refuseInsideTransaction(_ command: String) throws(PostgresError) {
        guard transactionDepth == 0 else {
            throw PostgresError(kind: .misuse, message: "\(command) must be called outside withTransaction")
        }
    }

    private static func validateChannel(_ channel: String) throws(PostgresError) {
        guard !channel.isEmpty, channel.utf8.count <= 63, !channel.utf8.contains(0) else {
            throw PostgresError(
                kind: .misuse, message: "a channel name must be 1 to 63 bytes without NUL (PostgreSQL truncates longer ones)")
        }
    }
}
