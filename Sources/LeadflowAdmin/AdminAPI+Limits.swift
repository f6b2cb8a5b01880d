import LeadflowAdminAPI
import LeadflowDomain
import LeadflowStore
import Postgres

extension AdminAPI {
    /// The largest limit the API sets, as the `tenant.*` settings allow.
    static let maxLimit = 10_000_000

    func getOrganizationLimits(
        _ input: Operations.GetOrganizationLimits.Input
    ) async throws -> Operations.GetOrganizationLimits.Output {
        let principal = try AdminPrincipal.required()
        let org = try Self.visibleOrganization(input.path.org, to: principal)
        let channels = try await database.withTransaction { connection in
            try Self.requireOrganization(org, on: connection)
            return try OrganizationLimits.list(org: org, on: connection)
        }
        return .ok(.init(body: .json(.init(org: org, channels: channels))))
    }

    func setChannelLimits(_ input: Operations.SetChannelLimits.Input) async throws -> Operations.SetChannelLimits.Output {
        let principal = try AdminPrincipal.required()
        let org = try Self.visibleOrganization(input.path.org, to: principal)
        guard let channel = ActionType(rawValue: input.path.channel.rawValue) else {
            throw AdminProblem(.badRequest, "channel must be email, sms or webhook", field: "channel")
        }
        guard case .json(let body) = input.body else {
            throw AdminProblem(.unsupportedMediaType, "the body must be application/json")
        }
        let change = OrganizationLimits.Change(
            maxInFlight: try body.maxInFlight.map { try RequestCheck.range($0, 1...Self.maxLimit, field: "max_in_flight") },
            ratePerSecond: try body.ratePerSecond.map {
                try RequestCheck.positive($0, atMost: Double(Self.maxLimit), field: "rate_per_second")
            },
            burst: try body.burst.map { try RequestCheck.range($0, 1...Self.maxLimit, field: "burst") })
        let channels = try await database.withTransaction { connection in
            try Self.requireOrganization(org, on: connection)
            let before = try OrganizationLimits.list(org: org, on: connection).first { $0.channel == channel }
            // The body is the channel's whole set of own limits: back to the defaults, then what it gives.
            try OrganizationLimits.reset(org: org, channels: [channel], on: connection)
            if change != OrganizationLimits.Change() {
                try OrganizationLimits.set(change, org: org, channels: [channel], on: connection)
            }
            try AuditLog.record(
                .organizationLimitsSet, by: principal.actor, organizations: [org],
                target: "organization:\(org)/\(channel.rawValue)",
                detail: try PostgresJSON(
                    encoding: LimitsDetail(
                        channel: channel.rawValue,
                        previous: .init(
                            maxInFlight: before?.maxInFlight, ratePerSecond: before?.ratePerSecond, burst: before?.burst),
                        limits: .init(maxInFlight: change.maxInFlight, ratePerSecond: change.ratePerSecond, burst: change.burst))),
                rowsAffected: 1, on: connection)
            return try OrganizationLimits.list(org: org, on: connection)
        }
        return .ok(.init(body: .json(.init(org: org, channels: channels))))
    }

    /// `org` if it is a well-formed id within the token's organizations; a 404 otherwise, as for one that does
    /// not exist.
    static func visibleOrganization(_ org: String, to principal: AdminPrincipal) throws -> String {
        let org = try RequestCheck.organization(org, field: "org")
        guard principal.scope.contains(org) else { throw AdminProblem(.notFound, "organization '\(org)' not found") }
        return org
    }

    static func requireOrganization(_ org: String, on connection: isolated PostgresConnection) throws {
        guard try References.existingOrganizations([org], on: connection).contains(org) else {
            throw AdminProblem(.notFound, "organization '\(org)' not found")
        }
    }

    /// What an `organization.limits.set` audit entry keeps: the channel's own limits before and after (null:
    /// the default).
    private struct LimitsDetail: Encodable {
        struct Limits: Encodable {
            let maxInFlight: Int?
            let ratePerSecond: Double?
            let burst: Int?

            enum CodingKeys: String, CodingKey {
                case maxInFlight = "max_in_flight"
                case ratePerSecond = "rate_per_second"
                case burst
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(maxInFlight, forKey: .maxInFlight)
                try container.encode(ratePerSecond, forKey: .ratePerSecond)
                try container.encode(burst, forKey: .burst)
            }
        }

        let channel: String
        let previous: Limits
        let limits: Limits
    }
}
