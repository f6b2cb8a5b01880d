import CCurl

/// One libcurl easy handle, reused request after request so connections, DNS and TLS sessions are kept warm.
///
/// The handle is not thread-safe: a `CurlEasy` belongs to the thread that created it, and `perform` blocks that
/// thread for the whole transfer — never call it from Swift's cooperative pool; from async code use `CurlWorker`
/// (one transfer at a time) or `CurlMulti` (many).
public final class CurlEasy {
    let handle: UnsafeMutableRawPointer
    // libcurl writes the detailed message of a failure here; it must outlive every transfer on the handle.
    let errorBuffer: UnsafeMutablePointer<CChar>

    public init() throws(CurlError) {
        try CurlGlobal.ensureInitialized()
        guard let handle = curl_easy_init() else {
            throw CurlError(code: CURLE_FAILED_INIT, message: "curl_easy_init failed")
        }
        self.handle = handle
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }

    /// Sends `request` and waits for the whole response, blocking the calling thread.
    public func perform(_ request: HTTPRequest) throws(CurlError) -> HTTPResponse {
        try perform(request, shouldAbort: nil)
    }

    /// As `perform(_:)`, polling `shouldAbort` during the transfer (about once a second when idle) to give up early.
    func perform<Operation: CurlOperation>(
        _ operation: Operation, shouldAbort: (() -> Bool)?
    ) throws(CurlError) -> Operation.Response {
        try operation.validate()
        let transfer = operation.makeTransfer(shouldAbort: shouldAbort)
        let list = try operation.configure(self, transfer: transfer)
        defer { curl_slist_free_all(list) }
        let code = withExtendedLifetime(transfer) { curl_easy_perform(handle) }
        return try operation.response(from: self, code: code, transfer: transfer)
    }
}

// The handle is confined to one thread; the compiler keeps it there.
@available(*, unavailable)
extension CurlEasy: Sendable {}
