import Crypto
import Foundation
import LeadflowSecrets
import LeadflowStore

/// A browser's session of the console: the admin token it logged in with, known by a random secret held in an
/// `HttpOnly`, `SameSite=Strict` cookie (`console_sessions` stores only the secret's SHA-256). Forms carry a
/// CSRF token derived from the secret, so a page of another site can neither read it nor forge it.
struct ConsoleSession: Sendable {
    /// The session cookie; its path is the console's, so API requests never carry it.
    static let cookie = "lf_session"
    /// The login form's own CSRF cookie (double submit), before there is a session.
    static let loginCookie = "lf_login"
    /// What a session secret starts with; otherwise shaped like an admin token (``AdminTokenSecret``).
    static let prefix = "lfs_"
    /// How long a session lasts after its login.
    static let lifetime: TimeInterval = 12 * 3600

    let token: AdminToken
    let secret: Secret
    let expiresAt: Date

    var principal: AdminPrincipal { AdminPrincipal(token: token) }

    /// The organization a page opens without one named: the token's, when it is scoped to exactly one.
    var onlyOrganization: String? {
        token.scope.organizations.flatMap { $0.count == 1 ? $0.first : nil }
    }

    /// Whether the session's token has the role `operation` needs (the page shows its control only then).
    func may(_ operation: AdminOperation) -> Bool {
        operation.requiredRole.map(token.role.allows) ?? false
    }

    /// The CSRF token of this session's forms: HMAC-SHA256 of a fixed label under the session secret.
    var csrf: String { Self.csrf(for: secret) }

    static func csrf(for secret: Secret) -> String {
        let code = HMAC<SHA256>.authenticationCode(
            for: Data("leadflow console csrf".utf8), using: SymmetricKey(data: Data(secret.revealed.utf8)))
        return Base64URL.encode(Array(code))
    }

    /// Whether `presented` is this session's CSRF token, compared in constant time.
    func accepts(csrf presented: String?) -> Bool {
        guard let presented else { return false }
        return Self.equalInConstantTime(presented, csrf)
    }

    /// Compares every byte whatever differs first, so the time taken tells nothing of where.
    static func equalInConstantTime(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}
