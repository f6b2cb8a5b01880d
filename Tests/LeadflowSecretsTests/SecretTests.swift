import LeadflowSecrets
import Testing

@Suite("Secrets and redacted URLs")
struct SecretTests {
    @Test("a secret prints, interpolates, dumps and reflects as <redacted>")
    func redacts() {
        struct Holder { var name = "smtp"; var password = Secret("hunter2") }
        let holder = Holder()
        var dump = ""
        Swift.dump(holder, to: &dump)
        let printed = [
            "\(holder.password)", String(describing: holder), String(reflecting: holder), dump,
            "\(Mirror(reflecting: holder.password).children.map { "\($0.value)" })",
        ]
        for text in printed {
            #expect(!text.contains("hunter2"), "\(text)")
        }
        #expect("\(holder.password)" == "<redacted>")
        #expect(holder.password.revealed == "hunter2")
        #expect("\(Secret(""))" == "<empty>")
    }

    @Test(
        "URLs keep what diagnoses and lose what authenticates",
        arguments: [
            ("https://api.example.com/v1/messages", "https://api.example.com/v1/messages"),
            ("https://user:pa55@api.example.com:8443/x?token=abc#frag", "https://user:***@api.example.com:8443/x?<redacted>"),
            ("smtp://mailer@smtp.example.com", "smtp://mailer@smtp.example.com"),
            ("postgres://app:s3cret@db/leadflow?sslmode=require", "postgres://app:***@db/leadflow?<redacted>"),
            ("http://h/p#only-fragment", "http://h/p"),
            ("not a url ?key=1", "not a url ?<redacted>"),
        ])
    func redactedURL(url: String, expected: String) {
        #expect(RedactedURL(url).description == expected)
    }
}
