import LeadflowProto

extension Leadflow_V1_ActionDispatch {
    /// The key sent to providers as `Idempotency-Key` (and in the email Message-ID); the scheduler always sets
    /// one, and a dispatch without it still gets a key that is the same for every attempt.
    var deliveryKey: String {
        idempotencyKey.isEmpty ? "action-\(actionID)" : idempotencyKey
    }
}
