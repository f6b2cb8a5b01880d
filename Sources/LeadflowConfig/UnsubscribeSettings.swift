import LeadflowHandlers
import LeadflowSecrets

/// The `unsubscribe.*` keys — one-click unsubscribe links (RFC 8058): the email handlers sign them, the admin
/// service verifies them — and what they become.
enum UnsubscribeSettings {
    static let keys: [ConfigKey] = [
        ConfigKey(
            "unsubscribe.base_url", "",
            "public https URL of the admin service's /unsubscribe/{token}; email handlers then send List-Unsubscribe <base_url>/unsubscribe/<token> and List-Unsubscribe-Post (SMTP: header fields; HTTP: the body's headers) (unset: no such fields)"),
        ConfigKey(
            "unsubscribe.key_file", "",
            "file of the unsubscribe token keys, one base64 key of at least 32 bytes a line: the first signs (email handlers), every one verifies (admin)"),
        ConfigKey(
            "unsubscribe.mailto", "",
            "an address offered as mailto: beside the link, the token in the subject (unset: the link only)"),
    ]

    /// What the settings give: the keys (admin), and the email handlers' fields when a base URL is set too.
    struct Resolved {
        var keys: UnsubscribeKeys?
        var links: ListUnsubscribe?
    }

    /// Reads the key file now, so that a missing or malformed one stops the start with its name and why.
    static func resolve(_ values: inout ConfigValues) -> Resolved {
        var resolved = Resolved()
        if let path = values.string("unsubscribe.key_file") {
            do {
                resolved.keys = try UnsubscribeKeys.read(file: path)
            } catch {
                values.report(["unsubscribe.key_file: \(error)"])
            }
        }
        let baseURL = values.string("unsubscribe.base_url")
        let mailto = values.string("unsubscribe.mailto")
        guard let baseURL else {
            if mailto != nil {
                values.report(["unsubscribe.mailto is set but unsubscribe.base_url is not: the mailto goes beside a one-click link"])
            }
            return resolved
        }
        guard let keys = resolved.keys else {
            if values.string("unsubscribe.key_file") == nil {
                values.report(["unsubscribe.base_url is set but unsubscribe.key_file is not: links are signed with its first key"])
            }
            return resolved
        }
        let links = ListUnsubscribe(baseURL: baseURL, keys: keys, mailto: mailto)
        do {
            try links.validate()
            resolved.links = links
        } catch {
            values.report(["\(error)"])
        }
        return resolved
    }
}
