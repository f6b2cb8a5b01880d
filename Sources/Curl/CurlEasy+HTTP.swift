import CCurl

extension HTTPRequest: CurlOperation {
    func makeTransfer(shouldAbort: (() -> Bool)?) -> CurlTransfer {
        CurlTransfer(maxBodySize: maxResponseBodySize, shouldAbort: shouldAbort)
    }

    func configure(_ easy: CurlEasy, transfer: CurlTransfer) throws(CurlError)
        -> UnsafeMutablePointer<curl_slist>?
    {
        try easy.configure(for: self, transfer: transfer)
    }

    func response(from easy: CurlEasy, code: CURLcode, transfer: CurlTransfer) throws(CurlError) -> HTTPResponse {
        guard code == CURLE_OK else {
            throw easy.failure(code, transfer: transfer, maxBodySize: maxResponseBodySize, redact: redacting)
        }
        return HTTPResponse(
            status: try easy.longInfo(CURLINFO_RESPONSE_CODE),
            headers: transfer.headers,
            body: transfer.takeBody(),
            totalTime: try easy.totalTime()
        )
    }
}

extension CurlEasy {
    /// Resets the handle and applies `request`; returns the header list, which must outlive the transfer.
    func configure(for request: HTTPRequest, transfer: CurlTransfer) throws(CurlError) -> UnsafeMutablePointer<curl_slist>? {
        try reset(
            url: request.url, protocols: "http,https", connectTimeout: request.connectTimeout,
            timeout: request.timeout, transfer: transfer)
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
            // copies, so the body need not stay pinned for the transfer (nor across a multi loop).
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
        return try set(CURLOPT_HTTPHEADER, list: try stringList(lines))
    }
}
