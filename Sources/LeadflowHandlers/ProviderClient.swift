import Curl
import Foundation
import LeadflowDomain
import LeadflowProto

/// What the HTTP drivers share: the `CurlMulti` their transfers run on, and the clock that `Retry-After` dates
/// and signatures are read from (a fixed one in tests).
struct ProviderClient: Sendable {
    /// The W3C header name, in the lower case the specification spells it.
    static let traceparentHeader = "traceparent"

    let curl: CurlMulti
    let now: @Sendable () -> Date

    /// Builds the request for `dispatch` (a dispatch it cannot be built for fails permanently), sends it with
    /// `trace` as its `traceparent` header, and classifies what came back; on success, reads the provider's
    /// message id from the field `messageIDField` of a JSON object response, when given.
    func deliver(
        _ dispatch: Leadflow_V1_ActionDispatch, trace: TraceParent?, messageIDField: String?,
        request makeRequest: (Leadflow_V1_ActionDispatch) throws(DeliveryFailure) -> HTTPRequest
    ) async -> DeliveryOutcome {
        var request: HTTPRequest
        do throws(DeliveryFailure) {
            request = try makeRequest(dispatch)
        } catch {
            return .failedPermanently(error)
        }
        // Set last, so a header of the action's own cannot claim another trace. Not part of a webhook's
        // signature, which covers the timestamp and the body only.
        if let trace { request.headers[Self.traceparentHeader] = trace.description }
        let response: HTTPResponse
        do {
            response = try await curl.perform(request)
        } catch {
            return OutcomeClassifier.classify(error)
        }
        let outcome = OutcomeClassifier.classify(response, to: request, now: now())
        guard case .succeeded = outcome, let messageIDField else { return outcome }
        return .succeeded(providerMessageID: Self.messageID(in: response.body, field: messageIDField))
    }

    /// `"id": "msg_123"` (or a number) at the top level of a JSON object; nil for anything else.
    static func messageID(in body: [UInt8], field: String) -> String? {
        guard !body.isEmpty, let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            return nil
        }
        switch object[field] {
        case let text as String: return text.isEmpty ? nil : text
        case let number as NSNumber: return number.stringValue
        default: return nil
        }
    }
}
