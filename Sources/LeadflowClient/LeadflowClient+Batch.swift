import LeadflowProto
import Synchronization
import SwiftProtobuf

extension LeadflowClient {
    /// One message's outcome in a batch.
    public typealias Outcome = Result<Receipt, LeadflowClientError>

    /// Publishes every publication, keeping the window full, and returns their outcomes in input order.
    ///
    /// At most ``Configuration/maxOutstanding`` messages are in flight (fewer while other callers hold slots),
    /// so a batch of any size uses bounded memory besides its results. Outstanding messages have no processing
    /// order: do not put an enrollment in the same batch as the upsert of its lead.
    public func publish(contentsOf publications: some Sequence<Publication>) async -> [Outcome] {
        await publish(prepared: publications.lazy.map { .success($0) })
    }

    /// Upserts many leads of one organization (see ``publish(contentsOf:)``); each gets a generated msg id.
    public func upsertLeads(
        org: String, _ leads: some Sequence<Leadflow_V1_LeadUpsert>
    ) async throws(LeadflowClientError) -> [Outcome] {
        try await publish(org: org, .leadUpsert, leads)
    }

    /// Enrolls many leads of one organization (see ``publish(contentsOf:)``); each gets a generated msg id.
    /// Throws only when `org` is invalid, before anything is sent.
    public func enroll(
        org: String, leads: some Sequence<Leadflow_V1_LeadEnroll>
    ) async throws(LeadflowClientError) -> [Outcome] {
        try await publish(org: org, .leadEnroll, leads)
    }

    private func publish<M: SwiftProtobuf.Message>(
        org: String, _ kind: IngestSubject, _ messages: some Sequence<M>
    ) async throws(LeadflowClientError) -> [Outcome] {
        let subject = try kind.subject(org: org)
        return await publish(
            prepared: messages.lazy.map { message in
                Result { () throws(LeadflowClientError) in
                    try Publication(subject, message, msgID: nil, traceparent: nil)
                }
            })
    }

    /// Publishes each prepared publication as soon as a slot is free; one that could not be prepared fails
    /// in its place without being sent.
    private func publish(
        prepared: some Sequence<Result<Publication, LeadflowClientError>>
    ) async -> [Outcome] {
        let outcomes = BatchOutcomes()
        await withDiscardingTaskGroup { group in
            for preparation in prepared {
                let index = outcomes.add()
                let publication: Publication
                switch preparation {
                case .success(let prepared):
                    publication = prepared
                case .failure(let error):
                    outcomes.set(index, .failure(error))
                    continue
                }
                do throws(PublishWindow.Refusal) {
                    try await window.acquire()
                } catch {
                    let error = refused(publication, error)
                    outcomes.set(index, .failure(error))
                    continue
                }
                group.addTask {
                    defer { self.window.release() }
                    let outcome: Outcome
                    do throws(LeadflowClientError) {
                        outcome = .success(try await self.deliver(publication))
                    } catch {
                        outcome = .failure(error)
                    }
                    outcomes.set(index, outcome)
                }
            }
        }
        return outcomes.all
    }
}

/// A batch's outcomes in input order, filled in as its messages are answered.
private final class BatchOutcomes: Sendable {
    private let slots = Mutex<[LeadflowClient.Outcome?]>([])

    /// Adds a slot for the next message and returns its index.
    func add() -> Int {
        slots.withLock { slots in
            slots.append(nil)
            return slots.count - 1
        }
    }

    func set(_ index: Int, _ outcome: LeadflowClient.Outcome) { slots.withLock { $0[index] = outcome } }

    /// Every outcome, once each message has one.
    var all: [LeadflowClient.Outcome] { slots.withLock { slots in slots.map { $0! } } }
}
