import Foundation
import LeadflowBus
import LeadflowDomain
import LeadflowProto
import Logging
import SwiftProtobuf

extension HandlerService {
    /// One dispatch from envelope to result: decode (or count and skip), hand back if its lease already ended,
    /// deliver (through the endpoint's circuit breaker, keeping the lease), log, queue the result.
    func handle(_ envelope: Envelope, outbox: ResultOutbox, leases: LeaseKeeper) async {
        guard let (dispatch, attempt) = decode(envelope) else { return }
        var logger = self.logger
        logger[metadataKey: HandlerLogKey.actionID] = "\(dispatch.actionID)"
        logger[metadataKey: HandlerLogKey.attempt] = "\(attempt)"
        logger[metadataKey: HandlerLogKey.orgID] = "\(dispatch.org)"
        logger[metadataKey: HandlerLogKey.leadID] = "\(dispatch.lead.leadID)"
        let (trace, replaced) = Self.deliveryTrace(of: envelope)
        logger[metadataKey: TraceParent.logMetadataKey] = "\(trace.traceID)"
        if replaced { logger.debug("the dispatch's traceparent is not valid; the delivery starts a new trace") }
        if hasExpired(dispatch) {
            // Delivering it now would race the scheduler's next attempt; that attempt delivers it instead.
            counters.withLock { $0.expired += 1 }
            logger.debug("dispatch expired before it started; handed back")
            handBack(
                dispatch, attempt: attempt, trace: trace,
                reason: "expired before it started: its lease ended while it waited", outbox: outbox)
            return
        }

        if let watch = suppressions?.watch, watch.holds(lead: dispatch.lead.leadID, type: configuration.actionType) {
            // The unsubscribe canceled this action when it committed; the hand-back is then ignored. Should the
            // database say otherwise (an older opt-out, a resubscribe not heard yet), the action is claimed again
            // and the claim's check decides.
            counters.withLock { $0.suppressed += 1 }
            logger.info("the lead opted out of this channel after the claim; handed back unsent")
            handBack(
                dispatch, attempt: attempt, trace: trace,
                reason: "handed back unsent: the lead opted out of the channel after the action was claimed",
                // Not at once: should the database disagree (an opt-out heard out of order), the action comes
                // back in a few seconds rather than circling between claim and hand-back.
                outbox: outbox, after: .seconds(5))
            return
        }

        counters.withLock { $0.inFlight += 1 }
        let traceID = instruments.startedDelivery(dispatch, trace: trace)
        let clock = ContinuousClock()
        let started = clock.now
        let outcome: DeliveryOutcome
        if dispatch.actionType != .unspecified && dispatch.actionType != Self.wireType(configuration.actionType) {
            outcome = .failedPermanently(
                DeliveryFailure(
                    .invalidAction,
                    "a \(dispatch.actionType) dispatch arrived on \(configuration.dispatchSubject)"))
        } else {
            let lease = LeaseKeeper.lease(for: dispatch, attempt: attempt, trace: trace, now: started, date: Date())
            outcome = await deliverGuarded(dispatch, trace: trace, lease: lease, leases: leases, logger: logger)
        }
        let duration = clock.now - started
        instruments.delivered(dispatch, outcome: outcome, provider: driver.endpoint(for: dispatch), traceID: traceID, duration: duration)
        record(outcome, logger: logger)

        let result = outcome.actionResult(
            actionID: dispatch.actionID, attempt: attempt, duration: duration, handlerID: configuration.handlerID)
        queue(result, org: dispatch.org, trace: trace, outbox: outbox, logger: logger)
    }

    /// Puts `result` in the outbox as a `result.<type>` envelope with the `Leadflow-Attempt` (the result's),
    /// `Leadflow-Org` (the dispatch's organization) and `Traceparent` (the delivery's trace) headers.
    func queue(
        _ result: Leadflow_V1_ActionResult, org: String, trace: TraceParent?, outbox: ResultOutbox,
        logger: Logger? = nil
    ) {
        do {
            var headers = Headers()
            try headers.append(Headers.Name.attempt, "\(result.attempt)")
            if !org.isEmpty { try headers.append(Headers.Name.org, org) }
            if let trace { try headers.append(Headers.Name.traceparent, trace.description) }
            let envelope = try Envelope(subject: Subject(configuration.resultSubject), message: result, headers: headers)
            // A final result is kept until a receipt says the scheduler applied it; IN_PROGRESS ones are not.
            if result.outcome != .inProgress {
                receipts?.pending.track(.init(actionID: result.actionID, attempt: result.attempt), envelope)
            }
            outbox.add(envelope)
        } catch {
            // The headers are valid by construction; this is here for the impossible case, so that it is at least
            // seen.
            (logger ?? self.logger).error("result could not be encoded", metadata: [HandlerLogKey.error: "\(error)"])
        }
    }

    /// The dispatch and its attempt number, or nil (counted and logged) when the message is not a usable one.
    func decode(_ envelope: Envelope) -> (Leadflow_V1_ActionDispatch, UInt32)? {
        let reason: String
        do {
            if envelope.subject.string != configuration.dispatchSubject {
                reason = "subject \(envelope.subject) is not \(configuration.dispatchSubject)"
            } else {
                let dispatch = try envelope.decode(Leadflow_V1_ActionDispatch.self)
                // The payload's attempt is the one to echo; the header is the fallback for a publisher that only
                // set the header.
                let attempt =
                    dispatch.attempt != 0
                    ? dispatch.attempt : envelope.headers[Headers.Name.attempt].flatMap { UInt32($0) } ?? 0
                if dispatch.actionID == 0 {
                    reason = "the dispatch has no action_id, so no result could name it"
                } else {
                    return (dispatch, attempt)
                }
            }
        } catch {
            reason = "\(error)"
        }
        counters.withLock { $0.undecodable += 1 }
        logger.warning(
            "undecodable dispatch skipped",
            metadata: [
                HandlerLogKey.reason: "\(reason)", "bus.subject": "\(envelope.subject)",
                "payload.bytes": "\(envelope.payload.count)",
            ])
        return nil
    }

    private func record(_ outcome: DeliveryOutcome, logger: Logger) {
        counters.withLock { statistics in
            statistics.inFlight -= 1
            switch outcome {
            case .succeeded: statistics.delivered += 1
            case .retry: statistics.retried += 1
            case .failedPermanently: statistics.failed += 1
            case .snoozed: statistics.snoozed += 1
            }
        }
        switch outcome {
        case .succeeded(let providerMessageID):
            logger.debug(
                "delivered",
                metadata: ["provider.message_id": "\(providerMessageID ?? "")", HandlerLogKey.outcome: "succeeded"])
        case .retry(let failure, let after):
            logger.info(
                "delivery failed; will be retried",
                metadata: Self.metadata(failure, outcome: "retry").merging(
                    [HandlerLogKey.retryAfter: "\(after.map { "\($0)" } ?? "")"], uniquingKeysWith: { $1 }))
        case .failedPermanently(let failure):
            logger.warning(
                "delivery failed permanently", metadata: Self.metadata(failure, outcome: "failed_permanently"))
        case .snoozed(let after, let reason):
            // One line per dispatch turned away would flood the log during an outage; the breaker's own lines
            // (opened, half-open, closed) are the ones to read.
            logger.debug(
                "delivery snoozed",
                metadata: Self.metadata(reason, outcome: "snoozed").merging(
                    [HandlerLogKey.retryAfter: "\(after)"], uniquingKeysWith: { $1 }))
        }
    }

    /// The wire enum of a handler's (external) action type.
    static func wireType(_ type: ActionType) -> Leadflow_V1_ActionType {
        switch type {
        case .email: .email
        case .sms: .sms
        case .webhook: .webhook
        case .wait, .waitForReply, .move, .end: .unspecified
        }
    }

    private static func metadata(_ failure: DeliveryFailure, outcome: String) -> Logger.Metadata {
        [
            HandlerLogKey.outcome: "\(outcome)", HandlerLogKey.errorClass: "\(failure.errorClass.rawValue)",
            HandlerLogKey.error: "\(failure.message)",
        ]
    }
}

extension DeliveryOutcome {
    /// The `ActionResult` reporting this outcome for one attempt of one action.
    func actionResult(actionID: Int64, attempt: UInt32, duration: Duration, handlerID: String)
        -> Leadflow_V1_ActionResult
    {
        var result = Leadflow_V1_ActionResult()
        result.actionID = actionID
        result.attempt = attempt
        result.duration = Google_Protobuf_Duration(rounding: duration)
        result.handlerID = handlerID
        switch self {
        case .succeeded(let providerMessageID):
            result.outcome = .succeeded
            result.providerMessageID = providerMessageID ?? ""
        case .retry(let failure, let after):
            result.outcome = .retry
            result.error = failure.message
            result.errorClass = failure.errorClass.rawValue
            if let after { result.retryAfter = Google_Protobuf_Duration(rounding: after) }
        case .failedPermanently(let failure):
            result.outcome = .failedPermanently
            result.error = failure.message
            result.errorClass = failure.errorClass.rawValue
        case .snoozed(let after, let reason):
            result.outcome = .snoozed
            result.error = reason.message
            result.errorClass = reason.errorClass.rawValue
            result.retryAfter = Google_Protobuf_Duration(rounding: after)
        }
        return result
    }
}
