import CZeroMQ
import LeadflowSecrets

extension ZMQSocket {
    /// Applies every option of `options`; called by the initialiser, callable again before bind/connect.
    public func apply(_ options: SocketOptions) throws(ZMQError) {
        try setInt32(ZMQ_SNDHWM, options.sendHighWaterMark, name: "ZMQ_SNDHWM")
        try setInt32(ZMQ_RCVHWM, options.receiveHighWaterMark, name: "ZMQ_RCVHWM")
        try setInt32(ZMQ_LINGER, options.lingerMilliseconds, name: "ZMQ_LINGER")
        try setInt32(ZMQ_SNDTIMEO, options.sendTimeoutMilliseconds, name: "ZMQ_SNDTIMEO")
        try setInt32(ZMQ_RCVTIMEO, options.receiveTimeoutMilliseconds, name: "ZMQ_RCVTIMEO")
        try setInt64(ZMQ_MAXMSGSIZE, options.maxMessageSize, name: "ZMQ_MAXMSGSIZE")
        try setInt32(ZMQ_RECONNECT_IVL, options.reconnectIntervalMilliseconds, name: "ZMQ_RECONNECT_IVL")
        try setInt32(ZMQ_RECONNECT_IVL_MAX, options.reconnectIntervalMaxMilliseconds, name: "ZMQ_RECONNECT_IVL_MAX")
        if type == .push || type == .dealer || type == .router || type == .pair {
            try setInt32(ZMQ_IMMEDIATE, options.immediate ? 1 : 0, name: "ZMQ_IMMEDIATE")
        }
        if type == .router {
            try setInt32(ZMQ_ROUTER_MANDATORY, options.routerMandatory ? 1 : 0, name: "ZMQ_ROUTER_MANDATORY")
        }
        if let interval = options.heartbeatIntervalMilliseconds {
            try setInt32(ZMQ_HEARTBEAT_IVL, interval, name: "ZMQ_HEARTBEAT_IVL")
        }
        if let timeout = options.heartbeatTimeoutMilliseconds {
            try setInt32(ZMQ_HEARTBEAT_TIMEOUT, timeout, name: "ZMQ_HEARTBEAT_TIMEOUT")
        }
        if let ttl = options.heartbeatTTLMilliseconds {
            try setInt32(ZMQ_HEARTBEAT_TTL, ttl, name: "ZMQ_HEARTBEAT_TTL")
        }
        switch options.curve {
        case nil:
            break
        case .server(let secretKey):
            try setInt32(ZMQ_CURVE_SERVER, 1, name: "ZMQ_CURVE_SERVER")
            if let domain = options.zapDomain {
                try setBytes(ZMQ_ZAP_DOMAIN, Array(domain.utf8), name: "ZMQ_ZAP_DOMAIN")
            }
            try setBytes(ZMQ_CURVE_SECRETKEY, Array(secretKey.revealed.utf8), name: "ZMQ_CURVE_SECRETKEY")
        case .client(let publicKey, let secretKey, let serverPublicKey):
            try setBytes(ZMQ_CURVE_SERVERKEY, Array(serverPublicKey.utf8), name: "ZMQ_CURVE_SERVERKEY")
            try setBytes(ZMQ_CURVE_PUBLICKEY, Array(publicKey.utf8), name: "ZMQ_CURVE_PUBLICKEY")
            try setBytes(ZMQ_CURVE_SECRETKEY, Array(secretKey.revealed.utf8), name: "ZMQ_CURVE_SECRETKEY")
        }
    }

    /// Reads an `int` option such as `ZMQ_SNDHWM` (exposed for tests and diagnostics).
    public func int32Option(_ option: Int32, name: String) throws(ZMQError) -> Int32 {
        let handle = try open
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        _ = try ZMQError.check("zmq_getsockopt(\(name))") { zmq_getsockopt(handle, option, &value, &size) }
        return value
    }

    /// Reads an `int64_t` option such as `ZMQ_MAXMSGSIZE`.
    public func int64Option(_ option: Int32, name: String) throws(ZMQError) -> Int64 {
        let handle = try open
        var value: Int64 = 0
        var size = MemoryLayout<Int64>.size
        _ = try ZMQError.check("zmq_getsockopt(\(name))") { zmq_getsockopt(handle, option, &value, &size) }
        return value
    }

    func stringOption(_ option: Int32, name: String) throws(ZMQError) -> String {
        let handle = try open
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        _ = try ZMQError.check("zmq_getsockopt(\(name))") { zmq_getsockopt(handle, option, &buffer, &size) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func setInt32(_ option: Int32, _ value: Int32, name: String) throws(ZMQError) {
        let handle = try open
        var value = value
        _ = try ZMQError.check("zmq_setsockopt(\(name))") {
            zmq_setsockopt(handle, option, &value, MemoryLayout<Int32>.size)
        }
    }

    func setInt64(_ option: Int32, _ value: Int64, name: String) throws(ZMQError) {
        let handle = try open
        var value = value
        _ = try ZMQError.check("zmq_setsockopt(\(name))") {
            zmq_setsockopt(handle, option, &value, MemoryLayout<Int64>.size)
        }
    }

    func setBytes(_ option: Int32, _ value: [UInt8], name: String) throws(ZMQError) {
        let handle = try open
        _ = try ZMQError.check("zmq_setsockopt(\(name))") {
            value.withUnsafeBytes { zmq_setsockopt(handle, option, $0.baseAddress, $0.count) }
        }
    }
}
