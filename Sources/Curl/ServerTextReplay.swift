/// Feeds raw server lines through the same parsing libcurl's header callback drives, without a transfer: how the
/// fuzz targets (`leadflow-fuzz`, docs/fuzzing.md) reach the code that reads what a hostile server sends.
///
/// SPI rather than internal so that a release build with sanitizers can use it (`@testable` needs
/// `-enable-testing`); nothing else should.
@_spi(Fuzzing)
public enum ServerTextReplay {
    /// The headers an HTTP response with these raw lines (status line, fields, continuations) leaves, or nil when
    /// the transfer would have been stopped for too many header bytes.
    public static func httpHeaders(lines: [[UInt8]]) -> HTTPHeaders? {
        let transfer = CurlTransfer(maxBodySize: 0, shouldAbort: nil, lines: .httpHeaders)
        for line in lines {
            let accepted = line.withUnsafeBytes { transfer.receiveHeaderLine($0) }
            if !accepted { return nil }
        }
        return transfer.headers
    }

    /// The text kept per reply code from an SMTP server's raw reply lines, or nil when stopped as above.
    public static func smtpReplies(lines: [[UInt8]]) -> [Int: String]? {
        let transfer = CurlTransfer(maxBodySize: 0, shouldAbort: nil, lines: .serverReplies)
        for line in lines {
            let accepted = line.withUnsafeBytes { transfer.receiveHeaderLine($0) }
            if !accepted { return nil }
        }
        return transfer.replies
    }
}
