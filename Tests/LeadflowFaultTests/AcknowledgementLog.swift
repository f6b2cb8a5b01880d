import LeadflowClient
import LeadflowProto
import Synchronization

/// Publishes enrollments one message at a time (many outstanding) and notes when each was acknowledged, so
/// a test can tell which acks came while the database was down.
final class AcknowledgementLog: Sendable {
    struct Entry: Sendable {
        var externalID: String
        var at: ContinuousClock.Instant
    }

    private struct State {
        var acknowledged: [Entry] = []
        var failures: [LeadflowClientError] = []
    }

    private let state = Mutex(State())

    var acknowledged: [Entry] { state.withLock { $0.acknowledged } }
    var failures: [LeadflowClientError] { state.withLock { $0.failures } }

    /// Enrolls `lead-<i>` for every `i` in `range` into `pipeline`, each as its own publish, and returns once
    /// every one is acknowledged or has failed.
    func enroll(_ range: Range<Int>, org: String, pipeline: String, client: LeadflowClient) async {
        await withDiscardingTaskGroup { group in
            for index in range {
                group.addTask {
                    let enrollment = Leadflow_V1_LeadEnroll.with {
                        $0.externalID = "lead-\(index)"
                        $0.pipeline = pipeline
                    }
                    do throws(LeadflowClientError) {
                        _ = try await client.enroll(org: org, enrollment)
                        let entry = Entry(externalID: enrollment.externalID, at: .now)
                        self.state.withLock { $0.acknowledged.append(entry) }
                    } catch {
                        self.state.withLock { $0.failures.append(error) }
                    }
                }
            }
        }
    }
}
