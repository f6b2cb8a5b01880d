import CCurl

extension SMTPRequest: CurlOperation {
    func validate() throws(CurlError) {
        // libcurl writes addresses into MAIL FROM / RCPT TO lines verbatim: a line break would add commands.
        let fields = [url, from, credentials?.user ?? "", credentials?.password ?? ""] + recipients
        guard fields.allSatisfy({ !$0.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) }) else {
            throw CurlError.invalidRequest("an address, the URL or a credential contains CR, LF or NUL")
        }
        guard !recipients.isEmpty else {
            throw CurlError.invalidRequest("an SMTP submission needs at least one recipient")
        }
        guard !from.isEmpty, !recipients.contains(where: \.isEmpty) else {
            throw CurlError.invalidRequest("an SMTP address is empty")
        }
    }

    func makeTransfer(shouldAbort: (() -> Bool)?) -> CurlTransfer {
        // An SMTP submission has no response body; the limit only bounds what a confused server might send.
        CurlTransfer(maxBodySize: 64 << 10, shouldAbort: shouldAbort, lines: .serverReplies, upload: message)
    }

    func configure(_ easy: CurlEasy, transfer: CurlTransfer) throws(CurlError)
        -> UnsafeMutablePointer<curl_slist>?
    {
        try easy.configure(for: self, transfer: transfer)
    }

    func response(from easy: CurlEasy, code: CURLcode, transfer: CurlTransfer) throws(CurlError) -> SMTPResponse {
        // libcurl records the code of every reply but QUIT's, so after a refusal it is the refusal's code.
        let reply = try easy.longInfo(CURLINFO_RESPONSE_CODE)
        let refused = code != CURLE_OK && reply >= 400 && transfer.stop == nil && code != CURLE_OPERATION_TIMEDOUT
        guard code == CURLE_OK || refused else {
            throw easy.failure(code, transfer: transfer, maxBodySize: 64 << 10) { message in
                Redaction.redact(message, url: url, password: credentials?.password)
            }
        }
        return SMTPResponse(code: reply, text: transfer.replies[reply] ?? "", totalTime: try easy.totalTime())
    }
}

extension CurlEasy {
    /// Resets the handle and applies `request`; returns the recipient list, which must outlive the transfer.
    func configure(for request: SMTPRequest, transfer: CurlTransfer) throws(CurlError)
        -> UnsafeMutablePointer<curl_slist>?
    {
        try reset(
            url: request.url, protocols: "smtp,smtps", connectTimeout: request.connectTimeout,
            timeout: request.timeout, transfer: transfer)
        let tls: curl_usessl =
            switch request.tls {
            case .none: CURLUSESSL_NONE
            case .optional: CURLUSESSL_TRY
            case .required: CURLUSESSL_ALL
            }
        try set(CURLOPT_USE_SSL, Int(tls.rawValue))
        // Bounds each wait for a reply, the blocking ones too: the reply to the end of the message, and QUIT's
        // when a kept connection is closed (libcurl's default is two minutes, whatever the transfer's timeout).
        let seconds = request.timeout.components
        try set(CURLOPT_SERVER_RESPONSE_TIMEOUT, max(1, Int(seconds.seconds) + (seconds.attoseconds > 0 ? 1 : 0)))
        if let credentials = request.credentials {
            try set(CURLOPT_USERNAME, credentials.user)
            try set(CURLOPT_PASSWORD, credentials.password)
        }
        try set(CURLOPT_MAIL_FROM, "<\(request.from)>")
        try set(CURLOPT_UPLOAD, 1)
        try check(lf_curl_easy_setopt_off_t(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(request.message.count)))
        return try set(CURLOPT_MAIL_RCPT, list: try stringList(request.recipients.map { "<\($0)>" }))
    }
}
