import CCurl

extension CurlEasy {
    /// Resets the handle and applies what every transfer needs, whatever its protocol: the error buffer, no
    /// signals, the allowed protocols, both timeouts and the callbacks into `transfer`.
    func reset(
        url: String, protocols: String, connectTimeout: Duration, timeout: Duration, transfer: CurlTransfer
    ) throws(CurlError) {
        // Reset drops every option of the previous request but keeps the connection and DNS caches.
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        try set(CURLOPT_ERRORBUFFER, pointer: errorBuffer)
        // Timeouts are implemented with SIGALRM unless this is set, which is unsafe with threads.
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_URL, url)
        try set(CURLOPT_PROTOCOLS_STR, protocols)
        try set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(connectTimeout))
        try set(CURLOPT_TIMEOUT_MS, Self.milliseconds(timeout))
        try configureCallbacks(transfer)
    }

    private func configureCallbacks(_ transfer: CurlTransfer) throws(CurlError) {
        try check(lf_curl_easy_setopt_write_function(handle, CurlTransfer.writeFunction))
        try set(CURLOPT_WRITEDATA, pointer: transfer.userdata)
        try check(lf_curl_easy_setopt_header_function(handle, CurlTransfer.headerFunction))
        try set(CURLOPT_HEADERDATA, pointer: transfer.userdata)
        // libcurl's default read function reads stdin: anything without an upload of its own reads nothing.
        try check(lf_curl_easy_setopt_read_function(handle, CurlTransfer.readFunction))
        try set(CURLOPT_READDATA, pointer: transfer.userdata)
        // libcurl refuses a body announced larger than this before reading any of it.
        try check(lf_curl_easy_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(transfer.maxBodySize)))
        if transfer.shouldAbort != nil {
            try check(lf_curl_easy_setopt_xferinfo_function(handle, CurlTransfer.progressFunction))
            try set(CURLOPT_XFERINFODATA, pointer: transfer.userdata)
            try set(CURLOPT_NOPROGRESS, 0)
        }
    }

    /// A libcurl string list of `lines`, which the caller frees with `curl_slist_free_all` after the transfer.
    func stringList(_ lines: [String]) throws(CurlError) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let appended = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                throw CurlError(code: CURLE_OUT_OF_MEMORY, message: "curl_slist_append failed")
            }
            list = appended
        }
        return list
    }

    /// Sets `option` to `list`, freeing the list if that fails; returns it for the caller to free later.
    func set(_ option: CURLoption, list: UnsafeMutablePointer<curl_slist>?) throws(CurlError)
        -> UnsafeMutablePointer<curl_slist>?
    {
        do {
            try set(option, pointer: list)
        } catch {
            curl_slist_free_all(list)
            throw error
        }
        return list
    }

    /// The error for a transfer that ended with `code`: what a callback stopped, or libcurl's own message,
    /// with `redact` applied to anything libcurl wrote.
    func failure(
        _ code: CURLcode, transfer: CurlTransfer, maxBodySize: Int, redact: (String) -> String
    ) -> CurlError {
        switch transfer.stop {
        case .bodyTooLarge:
            return CurlError(
                kind: .responseTooLarge, code: Int(code.rawValue),
                message: "response body exceeds \(maxBodySize) bytes")
        case .headersTooLarge:
            return CurlError(
                kind: .responseTooLarge, code: Int(code.rawValue),
                message: "response headers exceed \(CurlTransfer.maxHeaderBytes) bytes")
        case .aborted, nil:
            var error = CurlError(code: code, message: errorMessage(for: code))
            if code == CURLE_FILESIZE_EXCEEDED {
                error.message = "response body exceeds \(maxBodySize) bytes (Content-Length)"
            }
            error.message = redact(error.message)
            return error
        }
    }

    private func errorMessage(for code: CURLcode) -> String {
        let detailed = String(cString: errorBuffer)
        return detailed.isEmpty ? String(cString: curl_easy_strerror(code)) : detailed
    }

    func longInfo(_ info: CURLINFO) throws(CurlError) -> Int {
        var value = 0
        try check(lf_curl_easy_getinfo_long(handle, info, &value))
        return value
    }

    func offsetInfo(_ info: CURLINFO) throws(CurlError) -> Int64 {
        var value: curl_off_t = 0
        try check(lf_curl_easy_getinfo_off_t(handle, info, &value))
        return Int64(value)
    }

    /// The transfer's total time as libcurl measured it.
    func totalTime() throws(CurlError) -> Duration {
        .microseconds(try offsetInfo(CURLINFO_TOTAL_TIME_T))
    }

    func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try check(lf_curl_easy_setopt_long(handle, option, value))
    }

    func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        try check(lf_curl_easy_setopt_string(handle, option, value))
    }

    func set(_ option: CURLoption, pointer: UnsafeRawPointer?) throws(CurlError) {
        try check(lf_curl_easy_setopt_pointer(handle, option, pointer))
    }

    func check(_ code: CURLcode) throws(CurlError) {
        guard code == CURLE_OK else {
            throw CurlError(code: code, message: String(cString: curl_easy_strerror(code)))
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        let total = seconds.multipliedReportingOverflow(by: 1000)
        guard !total.overflow else { return Int.max }
        // libcurl reads 0 as "no timeout", so the shortest timeout is 1 ms, not none.
        return max(1, Int(total.partialValue + attoseconds / 1_000_000_000_000_000))
    }
}
