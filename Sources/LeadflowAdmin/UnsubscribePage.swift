import LeadflowSecrets

/// The two small HTML pages of `/unsubscribe/{token}`: the confirmation a browser gets on GET, whose button
/// POSTs the one-click form to the same URL, and the answer to that POST. They name no lead and quote nothing
/// from the request, so there is nothing to inject; the headers keep the token out of caches and referrers.
enum UnsubscribePage {
    static let cacheControl = "no-store"
    static let referrerPolicy = "no-referrer"
    static let securityPolicy = "default-src 'none'; form-action 'self'; frame-ancestors 'none'"

    /// The confirmation page for a link of `channel`.
    static func confirmation(_ channel: UnsubscribeToken.Channel) -> String {
        page(
            title: "Unsubscribe",
            body: """
                <form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">\
                <p>Stop receiving these \(noun(channel))?</p><button type="submit">Unsubscribe</button></form>
                """)
    }

    /// The answer to the one-click POST.
    static func done(_ channel: UnsubscribeToken.Channel) -> String {
        page(title: "Unsubscribed", body: "<p>You are unsubscribed: no more of these \(noun(channel)) will be sent to you.</p>")
    }

    private static func noun(_ channel: UnsubscribeToken.Channel) -> String {
        switch channel {
        case .email: "emails"
        case .sms: "text messages"
        }
    }

    private static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">\
        <meta name="robots" content="noindex"><title>\(title)</title></head>
        <body>\(body)</body></html>

        """
    }
}
