import LeadflowCurve
import ZeroMQ

extension LeadflowClient.Configuration {
    /// Speaks CURVE to ingest: this client's key pair from its secret key file, and ingest's public key from
    /// its public key file (both made by `leadflow keys generate`; docs/security.md). Errors name the
    /// file and why, never a key.
    public mutating func useCurve(secretKeyFile: String, serverKeyFile: String) throws(LeadflowClientError) {
        do {
            let pair = try CurveKeyFile.keyPair(secretKeyFile: secretKeyFile)
            let server = try CurveKeyFile.publicKey(file: serverKeyFile)
            socketOptions.curve = .client(publicKey: pair.publicKey, secretKey: pair.secretKey, serverPublicKey: server)
        } catch {
            throw LeadflowClientError(code: .invalidConfiguration, detail: "\(error)")
        }
    }
}
