import CCurl

/// The process-wide libcurl initialisation that every handle depends on.
enum CurlGlobal {
    // curl_global_init is not thread-safe and must run once before any handle exists. A static `let` is
    // initialised lazily under the runtime's once-lock, so the first caller on any thread runs it and every
    // other caller waits for that result.
    private static let initCode: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// Runs `curl_global_init` on first use; throws if it failed, on every call, since libcurl is unusable then.
    static func ensureInitialized() throws(CurlError) {
        if initCode != CURLE_OK {
            throw CurlError(code: initCode, message: "curl_global_init failed")
        }
    }
}
