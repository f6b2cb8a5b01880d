import LeadflowBus
import LeadflowCurve

extension IngestService {
    /// Passes `message` when its client may publish for its organization: always in plaintext; with CURVE,
    /// when the client's key is (still) on the allow-list and bound to the organization, or to none.
    func authorize(_ message: IngestMessage, userID: String?) -> Result<IngestMessage, IngestRejection> {
        guard let authenticator else { return .success(message) }
        guard let client = authenticator.client(userID: userID) else {
            return .failure(IngestRejection(.notAuthorized, "client key no longer on the allow-list"))
        }
        guard client.mayPublish(for: message.org) else {
            return .failure(
                IngestRejection(.notAuthorized, "key \(client.name) is not bound to organization \(message.org)"))
        }
        return .success(message)
    }
}
