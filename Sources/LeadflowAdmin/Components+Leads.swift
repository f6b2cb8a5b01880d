import Foundation
import LeadflowAdminAPI
import LeadflowStore

// A lead, its open actions, its timeline and pauses as the contract's schemas.

extension Components.Schemas.Lead {
    init(_ lead: LeadRecord) throws {
        let attributes: [String: String]
        do {
            attributes = try JSONDecoder().decode([String: String].self, from: Data(lead.attributes.utf8))
        } catch {
            throw AdminProblem(.internalError, "lead \(lead.id) has attributes that are not an object of strings")
        }
        self.init(
            id: Int64(lead.id), organization: lead.org, externalId: lead.externalID, email: lead.email, phone: lead.phone,
            firstName: lead.firstName, lastName: lead.lastName, attributes: .init(additionalProperties: attributes),
            createdAt: lead.createdAt, updatedAt: lead.updatedAt, deletedAt: lead.deletedAt)
    }
}

extension Components.Schemas.OpenAction {
    /// `wait`, an open action of a lead of `org`.
    init(_ wait: ActionWait, org: String) throws {
        self.init(
            id: Int64(wait.actionID), _type: try Contract.value(wait.type, as: Components.Schemas.ActionType.self),
            status: try Contract.value(wait.status, as: Components.Schemas.ActionStatus.self), pipeline: wait.pipeline,
            stage: wait.stage, attempts: wait.attempts, maxAttempts: wait.maxAttempts, lastError: wait.lastError,
            reason: .dead, explanation: wait.explanation)
        switch wait.reason {
        case .blocked(let id, _, let status):
            reason = .blocked
            behindActionId = Int64(id)
            behindStatus = Components.Schemas.ActionStatus(rawValue: status)
        case .scheduled(let due):
            reason = .scheduled
            dueAt = due
        case .paused(let scope, let since, let by, let why):
            reason = .paused
            pause = .init(
                organization: org, scope: try Contract.value(scope, as: Components.Schemas.Pause.ScopePayload.self),
                pipeline: scope == "pipeline" ? wait.pipeline : nil, pausedAt: since, pausedBy: by, reason: why)
        case .suppressed(let ahead):
            reason = .suppressed
            self.ahead = ahead
        case .inFlightLimit(let inFlight, let max):
            reason = .inFlightLimit
            self.inFlight = inFlight
            maxInFlight = max
        case .rateLimited(let next, let rate):
            reason = .rateLimited
            nextTokenAt = next
            ratePerSecond = rate
        case .queued(let ahead):
            reason = .queued
            self.ahead = ahead
        case .withHandler(let since, let lease):
            reason = .withHandler
            dispatchedAt = since
            leaseUntil = lease
        case .waitingForReply(let until):
            reason = .waitingForReply
            dueAt = until
        case .dead:
            reason = .dead
        }
    }
}

extension Components.Schemas.TimelineEntry {
    init(_ entry: LeadHistoryEntry) throws {
        self.init(
            occurredAt: entry.occurredAt, kind: entry.kind, pipeline: entry.pipeline, stage: entry.stage,
            actionId: entry.actionID.map(Int64.init),
            actionType: try entry.actionType.map { try Contract.value($0, as: Components.Schemas.ActionType.self) },
            attempt: entry.attempt, channel: entry.channel, error: entry.error, reason: entry.reason, source: entry.source,
            providerMessageId: entry.providerMessageID, durationMs: entry.durationMilliseconds, dueAt: entry.dueAt,
            traceId: entry.traceID, actor: entry.actor)
    }
}

extension Components.Schemas.Pause {
    init(_ pause: OrganizationPauses.Pause) throws {
        self.init(
            organization: pause.org, scope: try Contract.value(pause.scope, as: ScopePayload.self), pipeline: pause.pipeline,
            pausedAt: pause.pausedAt, pausedBy: pause.pausedBy, reason: pause.reason, resumedAt: pause.resumedAt,
            resumedBy: pause.resumedBy, actions: pause.actions)
    }
}
