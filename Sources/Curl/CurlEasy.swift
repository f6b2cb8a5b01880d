import CCurl

/// One libcurl easy handle, reused request after request so connections, DNS and TLS sessions are kept warm.
///
/// The handle is not thread-safe: a `CurlEasy` belongs to the thread that created it, and `perform` blocks that
/// thread for the whole transfer — never call it from Swift's cooperative pool; use `CurlWorker` from async code.
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
    func perform(_ request: HTTPRequest, shouldAbort: (() -> Bool)?) throws(CurlError) -> HTTPResponse {
        try request.validate()
        let transfer = CurlTransfer(maxBodySize: request.maxResponseBodySize, shouldAbort: shouldAbort)
        let headerList = try configure(for: request, transfer: transfer)
        defer { curl_slist_free_all(headerList) }

        let code = withExtendedLifetime(transfer) { curl_easy_perform(handle) }
        guard code == CURLE_OK else {
            throw error(for: code, transfer: transfer, request: request)
        }
        return HTTPResponse(
            status: try longInfo(CURLINFO_RESPONSE_CODE),
            headers: transfer.headers,
            body: transfer.takeBody(),
            totalTime: .microseconds(try offsetInfo(CURLINFO_TOTAL_TIME_T))
        )
    }

    private func error(for code: CURLcode, transfer: CurlTransfer, request: HTTPRequest) -> CurlError {
        switch transfer.stop {
        case .bodyTooLarge:
            return CurlError(
                kind: .responseTooLarge, code: Int(code.rawValue),
                message: "response body exceeds \(request.maxResponseBodySize) bytes")
        case .headersTooLarge:
            return CurlError(
                kind: .responseTooLarge, code: Int(code.rawValue),
                message: "response headers exceed \(CurlTransfer.maxHeaderBytes) bytes")
        case .aborted, nil:
            var error = CurlError(code: code, message: errorMessage(for: code))
            if code == CURLE_FILESIZE_EXCEEDED {
                error.message = "response body exceeds \(request.maxResponseBodySize) bytes (Content-Length)"
            }
            error.message = request.redacting(error.message)
            return error
        }
    }

    private func errorMessage(for code: CURLcode) -> String {
        let detailed = String(cString: errorBuffer)
        return detailed.isEmpty ? String(cString: curl_easy_strerror(code)) : detailed
    }
}

// The handle is confined to one thread; the compiler keeps it there.
@available(*, unavailable)
extension CurlEasy: Sendable {}
