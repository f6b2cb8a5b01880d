import LeadflowDomain
import LeadflowProto
import Logging
import SwiftProtobuf

extension HandlerService {
    /// Pushes an IN_PROGRESS result for a delivery still running late in its lease: the scheduler extends the
    /// lease (`retry_after` asks for the lease's own length again).
    func reportInProgress(_ lease: LeaseKeeper.Lease, outbox: ResultOutbox) {
        var result = Leadflow_V1_ActionResult()
        result.actionID = lease.actionID
        result.attempt = lease.attempt
        result.outcome = .inProgress
        result.retryAfter = Google_Protobuf_Duration(rounding: lease.length)
        result.duration = Google_Protobuf_Duration(rounding: ContinuousClock.now - lease.started)
        result.handlerID = configuration.handlerID
        counters.withLock { $0.leaseExtensions += 1 }
        var logger = self.logger
        logger[metadataKey: HandlerLogKey.actionID] = "\(lease.actionID)"
        logger[metadataKey: HandlerLogKey.attempt] = "\(lease.attempt)"
        if let trace = lease.trace { logger[metadataKey: TraceParent.logMetadataKey] = "\(trace.traceID)" }
        logger.debug("delivery still running; lease extension asked for", metadata: ["lease": "\(lease.length)"])
        queue(result, org: lease.org, trace: lease.trace, outbox: outbox, logger: logger)
    }
}
