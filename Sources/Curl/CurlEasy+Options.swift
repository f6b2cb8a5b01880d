import CCurl

extension CurlEasy {
    /// Resets the handle and applies `request`; returns the header list, which must outlive the transfer.
    func configure(for request: HTTPRequest, transfer: CurlTransfer) throws(CurlError) -> UnsafeMutablePointer<curl_slist>? {
        // Reset drops every option of the previous request but keeps the connection and DNS caches.
        curl_easy_reset(handle)
        errorBuffer[0] = 0
        try set(CURLOPT_ERRORBUFFER, pointer: errorBuffer)
        // Timeouts are implemented with SIGALRM unless this is set, which is unsafe with threads.
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_URL, request.url)
        try set(CURLOPT_PROTOCOLS_STR, "http,https")
        try set(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(request.connectTimeout))
        try set(CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout))
        if request.maxRedirects > 0 {
            try set(CURLOPT_FOLLOWLOCATION, 1)
            try set(CURLOPT_MAXREDIRS, request.maxRedirects)
            try set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        }
        if let auth = request.basicAuth {
            try set(CURLOPT_HTTPAUTH, lf_curlauth_basic)
            try set(CURLOPT_USERNAME, auth.user)
            try set(CURLOPT_PASSWORD, auth.password)
        }
        try configureMethodAndBody(request)
        try configureCallbacks(transfer)
        return try setHeaders(request)
    }

    private func configureMethodAndBody(_ request: HTTPRequest) throws(CurlError) {
        let method = request.method
        if method == .head {
            try set(CURLOPT_NOBODY, 1)
            return
        }
        let sendsBody = !request.body.isEmpty || [.post, .put, .patch].contains(method)
        if sendsBody {
            // The size goes first so binary bodies with NUL bytes are not measured with strlen; COPYPOSTFIELDS
            // copies, so the body need not stay pinned for the transfer (nor, later, across a multi loop).
            try check(lf_curl_easy_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)))
            if request.body.isEmpty {
                // A NULL pointer would make libcurl read the body from the read callback instead.
                try set(CURLOPT_COPYPOSTFIELDS, "")
            } else {
                try check(request.body.withUnsafeBytes {
                    lf_curl_easy_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, $0.baseAddress)
                })
            }
        }
        if method != .post && !(method == .get && !sendsBody) {
            try set(CURLOPT_CUSTOMREQUEST, method.rawValue)
        }
    }

    private func configureCallbacks(_ transfer: CurlTransfer) throws(CurlError) {
        try check(lf_curl_easy_setopt_write_function(handle, CurlTransfer.writeFunction))
        try set(CURLOPT_WRITEDATA, pointer: transfer.userdata)
        try check(lf_curl_easy_setopt_header_function(handle, CurlTransfer.headerFunction))
        try set(CURLOPT_HEADERDATA, pointer: transfer.userdata)
        try check(lf_curl_easy_setopt_read_function(handle, CurlTransfer.readNothingFunction))
        // libcurl refuses a body announced larger than this before reading any of it.
        try check(lf_curl_easy_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(transfer.maxBodySize)))
        if transfer.shouldAbort != nil {
            try check(lf_curl_easy_setopt_xferinfo_function(handle, CurlTransfer.progressFunction))
            try set(CURLOPT_XFERINFODATA, pointer: transfer.userdata)
            try set(CURLOPT_NOPROGRESS, 0)
        }
    }

    private func setHeaders(_ request: HTTPRequest) throws(CurlError) -> UnsafeMutablePointer<curl_slist>? {
        var lines = request.headers.map { field in
            // "Name:" would remove a header libcurl adds itself; "Name;" is libcurl's way to send it empty.
            field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)"
        }
        // libcurl waits up to a second for "100 Continue" before sending bodies over 1 MiB, and many servers
        // never send it: a bare "Expect:" turns that off.
        if !request.headers.contains("Expect") {
            lines.append("Expect:")
        }
        // With a body and no Content-Type, libcurl would claim application/x-www-form-urlencoded; a caller
        // that sends a form says so, and nothing else should be mislabelled.
        if !request.headers.contains("Content-Type") {
            lines.append("Content-Type:")
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let appended = curl_slist_append(list, line) else {
                curl_slist_free_all(list)
                throw CurlError(code: CURLE_OUT_OF_MEMORY, message: "curl_slist_append failed")
            }
            list = appended
        }
        do {
            try set(CURLOPT_HTTPHEADER, pointer: list)
        } catch {
            curl_slist_free_all(list)
            throw error
        }
        return list
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

    private func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try check(lf_curl_easy_setopt_long(handle, option, value))
    }

    private func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        try check(lf_curl_easy_setopt_string(handle, option, value))
    }

    private func set(_ option: CURLoption, pointer: UnsafeRawPointer?) throws(CurlError) {
        try check(lf_curl_easy_setopt_pointer(handle, option, pointer))
    }

    private func check(_ code: CURLcode) throws(CurlError) {
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
