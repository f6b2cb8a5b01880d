import CCurl

/// A request an easy handle carries out (an HTTP request, an SMTP submission): it sets the handle up for one
/// transfer and reads the outcome back, so that `CurlEasy`, `CurlWorker` and `CurlMulti` share one path.
protocol CurlOperation: Sendable {
    associatedtype Response: Sendable

    /// Rejects what libcurl would send verbatim and so let a caller-supplied value inject protocol lines.
    func validate() throws(CurlError)

    /// The state the transfer's callbacks write into (and, for uploads, read from).
    func makeTransfer(shouldAbort: (() -> Bool)?) -> CurlTransfer

    /// Resets `easy` and applies the request; returns the string list libcurl reads during the transfer,
    /// which the caller frees afterwards.
    func configure(_ easy: CurlEasy, transfer: CurlTransfer) throws(CurlError) -> UnsafeMutablePointer<curl_slist>?

    /// The outcome of a transfer that ended with `code`, read from the handle before it is reused.
    func response(from easy: CurlEasy, code: CURLcode, transfer: CurlTransfer) throws(CurlError) -> Response
}
