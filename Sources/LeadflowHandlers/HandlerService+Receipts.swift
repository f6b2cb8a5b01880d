import Foundation
import LeadflowBus
import LeadflowProto
import Logging

extension HandlerService {
    /// Forgets the results each receipt names, until the subscriber closes; a receipt that does not decode is
    /// skipped (its results are pushed again, and acknowledged then).
    func hearReceipts() async {
        guard let (pending, subscriber) = receipts else { return }
        while let envelope = await subscriber.next() {
            guard let receipt = try? envelope.decode(Leadflow_V1_ResultReceipt.self) else {
                logger.debug("receipt not decodable; skipped", metadata: ["bus.subject": "\(envelope.subject)"])
                continue
            }
            pending.confirm(receipt.results.lazy.map { .init(actionID: $0.actionID, attempt: $0.attempt) })
        }
    }

    /// Once a second, pushes again the results whose receipt is overdue, and gives up those past their
    /// retention; until cancelled.
    func resendUnconfirmed(into outbox: ResultOutbox) async {
        guard let pending = receipts?.pending else { return }
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            let (resend, givenUp) = pending.due()
            for envelope in resend { outbox.add(envelope) }
            instruments.resent(resend.count)
            if !resend.isEmpty || givenUp > 0 {
                counters.withLock {
                    $0.resultsResent += resend.count
                    $0.resultsGivenUp += givenUp
                }
            }
            if !resend.isEmpty {
                logger.info(
                    "results pushed again: no receipt yet (is the scheduler restarting?)",
                    metadata: ["count": "\(resend.count)", "unconfirmed": "\(pending.count)"])
            }
            if givenUp > 0 {
                logger.warning(
                    "results given up without a receipt after their retention; their actions are dispatched again",
                    metadata: ["count": "\(givenUp)", "retention": "\(configuration.resultRetention)"])
            }
        }
    }

    /// Pushes, and keeps until acknowledged, the results a handler of this type left in the spool directory when it
    /// stopped.
    func restoreSpooledResults(into outbox: ResultOutbox) {
        guard let pending = receipts?.pending, let directory = configuration.spoolDirectory else { return }
        let (envelopes, damaged) = ResultSpool.claim(type: configuration.actionType.rawValue, in: directory)
        if damaged > 0 {
            logger.warning(
                "a result spool file was damaged; the results before the damage are restored",
                metadata: ["spool.directory": "\(directory)", "files": "\(damaged)"])
        }
        guard !envelopes.isEmpty else { return }
        // Counted first: a reader of the statistics who saw a restored result pushed sees it counted.
        counters.withLock { $0.resultsRestored += envelopes.count }
        for envelope in envelopes {
            guard envelope.subject.string == configuration.resultSubject,
                let result = try? envelope.decode(Leadflow_V1_ActionResult.self)
            else { continue }
            pending.track(.init(actionID: result.actionID, attempt: result.attempt), envelope)
            outbox.add(envelope)
        }
        logger.info(
            "results restored from the spool and pushed", metadata: ["count": "\(envelopes.count)", "spool.directory": "\(directory)"])
    }

    /// At shutdown, once every result is queued: waits up to `resultFlushTimeout` for the receipts, then writes
    /// the results still unacknowledged to the spool directory.
    func settleUnconfirmed() async {
        guard let pending = receipts?.pending, pending.count > 0 else { return }
        await pending.waitUntilEmpty(timeout: configuration.resultFlushTimeout)
        let left = pending.takeAll()
        guard !left.isEmpty else { return }
        guard let directory = configuration.spoolDirectory else {
            logger.warning(
                "results not acknowledged at shutdown, and no spool directory; their actions are dispatched again when their leases end",
                metadata: ["count": "\(left.count)"])
            return
        }
        do {
            let path = try ResultSpool.write(left, type: configuration.actionType.rawValue, to: directory)
            counters.withLock { $0.resultsSpooled += left.count }
            logger.info(
                "results not acknowledged at shutdown written to the spool; the next handler pushes them",
                metadata: ["count": "\(left.count)", "spool.file": "\(path)"])
        } catch {
            logger.error(
                "results not acknowledged at shutdown could not be spooled; their actions are dispatched again when their leases end",
                metadata: ["count": "\(left.count)", "spool.directory": "\(directory)", HandlerLogKey.error: "\(error)"])
        }
    }
}
