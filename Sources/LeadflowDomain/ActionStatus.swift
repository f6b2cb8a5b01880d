/// Where a lead's action is in its lifecycle (DESIGN §4; the `lead_stage_actions.status` column).
public enum ActionStatus: String, Sendable, CaseIterable, Codable {
    /// A previous action of the same lead stage is not done yet.
    case blocked
    /// Due at `perform_at`.
    case pending
    /// Pending, but its pipeline is paused: out of the queue until it is resumed, then pending again
    /// (docs/operations.md, "Pausing").
    case held
    /// Handed to a handler, leased until `locked_until`.
    case dispatched
    case succeeded
    /// A wait-for-reply action: until the lead replies or `perform_at` (the time-out) passes.
    case waiting
    /// Attempts exhausted or failed permanently; replayable.
    case dead
    /// The lead left the stage, unsubscribed or was deleted; its channel is suppressed for the lead (the lead
    /// went on to its next action); or an operator discarded the dead action.
    case canceled

    /// No further transition happens without an operator (replay or discard of a dead action).
    public var isFinal: Bool { self == .succeeded || self == .dead || self == .canceled }

    /// Whether the lifecycle allows moving from this status to `next`.
    public func canTransition(to next: ActionStatus) -> Bool {
        // An operator's discard takes a dead action out of the dead letters (docs/dead-letters.md).
        if next == .canceled { return !isFinal || self == .dead }
        return switch (self, next) {
        case (.blocked, .pending),  // the previous action finished
            (.pending, .dispatched),  // claimed for a handler
            (.pending, .held),  // its pipeline is paused
            (.held, .pending),  // its pipeline is resumed
            (.held, .succeeded),  // a late success for the attempt before it was held
            (.pending, .waiting),  // a wait-for-reply action starts waiting
            (.pending, .succeeded),  // an internal action the scheduler ran in SQL
            (.dispatched, .succeeded),
            (.dispatched, .pending),  // retry with back-off, or the lease expired
            (.dispatched, .dead),
            (.waiting, .succeeded),  // the lead replied, or the time-out moved it on
            (.dead, .pending):  // replay with a fresh attempt budget
            true
        default:
            false
        }
    }
}
