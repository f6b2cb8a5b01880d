import LeadflowBus
import LeadflowProto
import SwiftProtobuf

extension HandlerService {
    /// Returns the dispatches this handler had taken in but not started — its closed pull socket still holds
    /// them — each as a zero-delay snooze: the scheduler makes the action due again at once without using an
    /// attempt, so another handler takes it now rather than when its lease ends. Returns how many went back.
    func handBackUnstarted(outbox: ResultOutbox) async -> Int {
        var handedBack = 0
        while true {
            // A closed puller hands over what it had buffered, then nothing.
            let batch = await puller.nextBatch(max: configuration.resultBatchSize)
            if batch.isEmpty { break }
            for envelope in batch {
                guard let (dispatch, attempt) = decode(envelope) else { continue }
                var result = Leadflow_V1_ActionResult()
                result.actionID = dispatch.actionID
                result.attempt = attempt
                result.outcome = .snoozed
                result.retryAfter = Google_Protobuf_Duration(seconds: 0)
                result.errorClass = DeliveryErrorClass.canceled.rawValue
                result.error = "handed back unstarted: the handler is stopping"
                result.handlerID = configuration.handlerID
                queue(result, attempt: attempt, traceparent: envelope.headers[Headers.Name.traceparent], in: outbox)
                handedBack += 1
            }
        }
        if handedBack > 0 {
            counters.withLock { $0.handedBack += handedBack }
            logger.info("handed back dispatches not started", metadata: ["handed_back": "\(handedBack)"])
        }
        return handedBack
    }
}
