import Foundation
import LeadflowBus
import LeadflowDomain
import LeadflowProto
import SwiftProtobuf

extension HandlerService {
    /// Returns the dispatches this handler had taken in but not started — its closed pull socket still holds
    /// them — so that another handler takes them now rather than when their leases end. Returns how many.
    func handBackUnstarted(outbox: ResultOutbox) async -> Int {
        var handedBack = 0
        while true {
            // A closed puller hands over what it had buffered, then nothing.
            let batch = await puller.nextBatch(max: configuration.resultBatchSize)
            if batch.isEmpty { break }
            for envelope in batch {
                guard let (dispatch, attempt) = decode(envelope) else { continue }
                handBack(
                    dispatch, attempt: attempt, trace: Self.deliveryTrace(of: envelope).trace,
                    reason: "handed back unstarted: the handler is stopping", outbox: outbox)
                handedBack += 1
            }
        }
        if handedBack > 0 {
            counters.withLock { $0.handedBack += handedBack }
            logger.info("handed back dispatches not started", metadata: ["handed_back": "\(handedBack)"])
        }
        return handedBack
    }

    /// Whether the dispatch's lease ended while it waited to be started: the scheduler dispatches the action
    /// again (or already has), so delivering this attempt now could send it twice.
    func hasExpired(_ dispatch: Leadflow_V1_ActionDispatch) -> Bool {
        dispatch.hasDeadline && dispatch.deadline.date <= Date()
    }

    /// Queues a zero-delay SNOOZED result for a dispatch that was not started: the action is due again at once
    /// without using an attempt. A result for an attempt the scheduler has already given up on is ignored.
    func handBack(
        _ dispatch: Leadflow_V1_ActionDispatch, attempt: UInt32, trace: TraceParent, reason: String,
        outbox: ResultOutbox, after delay: Duration = .zero
    ) {
        var result = Leadflow_V1_ActionResult()
        result.actionID = dispatch.actionID
        result.attempt = attempt
        result.outcome = .snoozed
        result.retryAfter = Google_Protobuf_Duration(seconds: delay.components.seconds)
        result.errorClass = DeliveryErrorClass.canceled.rawValue
        result.error = reason
        result.handlerID = configuration.handlerID
        queue(result, org: dispatch.org, trace: trace, outbox: outbox)
    }
}
