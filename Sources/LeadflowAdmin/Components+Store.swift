import Foundation
import LeadflowAdminAPI
import LeadflowDomain
import LeadflowStore
import OpenAPIRuntime

// The store's values as the contract's schemas. The enums of openapi/admin.yaml have the store's raw values;
// a value one side lacks (a newer store's status) is an internal error naming it, never a guess.

/// The contract's counterparts of the store's values.
enum Contract {
    /// A raw value of a store enum as the generated enum with the same raw values.
    static func value<T: RawRepresentable>(_ value: String, as type: T.Type) throws -> T where T.RawValue == String {
        guard let converted = T(rawValue: value) else {
            throw AdminProblem(.internalError, "\(value) has no counterpart in the contract's \(T.self)")
        }
        return converted
    }
}

extension Components.Schemas.DeadLetter {
    init(_ letter: DeadLetter) throws {
        self.init(
            id: Int64(letter.id), organization: letter.org, _type: try Contract.value(letter.type.rawValue, as: Components.Schemas.ActionType.self),
            status: try Contract.value(letter.status.rawValue, as: Components.Schemas.ActionStatus.self), leadId: Int64(letter.leadID),
            externalId: letter.externalID, pipeline: letter.pipeline, stage: letter.stage, attempts: letter.attempts,
            maxAttempts: letter.maxAttempts, lastError: letter.lastError, diedAt: letter.completedAt,
            replayable: letter.replayBlocker == nil, replayBlocker: letter.replayBlocker.map { "\($0)" })
    }
}

extension Components.Schemas.DeadLetterDetail {
    init(_ detail: DeadLetterDetail) throws {
        self.init(
            deadLetter: try .init(detail.letter), idempotencyKey: detail.idempotencyKey, leadStageId: Int64(detail.leadStageID),
            seq: detail.seq, createdAt: detail.createdAt, dispatchedAt: detail.dispatchedAt, performAt: detail.performAt,
            updatedAt: detail.updatedAt,
            config: try JSONDecoder().decode(OpenAPIObjectContainer.self, from: Data(detail.configJSON.utf8)))
    }
}

extension Components.Schemas.OrganizationLimits {
    /// Every channel of `org` in the contract's order, those without a row of their own at the defaults with
    /// nothing in flight (a dispatch always has a row: the claim makes it).
    init(org: String, channels: [OrganizationLimits.Channel]) {
        self.init(
            organization: org,
            channels: Components.Schemas.Channel.allCases.map { channel in
                let own = channels.first { $0.channel.rawValue == channel.rawValue }
                return .init(
                    channel: channel, maxInFlight: own?.maxInFlight, ratePerSecond: own?.ratePerSecond, burst: own?.burst,
                    inFlight: own?.inFlight ?? 0)
            })
    }
}

extension Components.Schemas.Token {
    init(_ token: AdminToken) throws {
        self.init(
            id: Int64(token.id), name: token.name, role: try Contract.value(token.role.rawValue, as: Components.Schemas.Role.self),
            organizations: token.scope.organizations, createdAt: token.createdAt, createdBy: token.createdBy,
            expiresAt: token.expiresAt, lastUsedAt: token.lastUsedAt, revokedAt: token.revokedAt)
    }
}

extension Components.Schemas.AuditEntry {
    init(_ entry: LeadflowStore.AuditEntry) throws {
        self.init(
            id: Int64(entry.id), at: entry.at,
            actor: .init(tokenId: entry.actor.tokenID.map(Int64.init), name: entry.actor.name),
            action: try Contract.value(entry.action, as: Components.Schemas.AuditAction.self), organizations: entry.organizations,
            target: entry.target, detail: try entry.detail.decode(OpenAPIObjectContainer.self), rowsAffected: entry.rowsAffected)
    }
}
