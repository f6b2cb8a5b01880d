import LeadflowProto

/// Delivers one dispatched action (sends the email, the SMS, calls the webhook) and says how it went.
///
/// A driver never throws: every failure is an outcome, classified as worth retrying or not (see
/// `DeliveryOutcome`). It is called for many dispatches at once, so it must not block its thread.
public protocol DeliveryDriver: Sendable {
    func deliver(_ dispatch: Leadflow_V1_ActionDispatch) async -> DeliveryOutcome
}
