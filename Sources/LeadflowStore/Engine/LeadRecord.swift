import Foundation
import Postgres

/// A lead as a support person looks it up: by organization and external id.
public struct LeadRecord: Sendable, Hashable, Codable {
    public var id: Int
    public var org: String
    public var externalID: String
    public var email: String?
    public var phone: String?
    public var firstName: String?
    public var lastName: String?
    /// The attributes as JSON text.
    public var attributes: String
    public var createdAt: Date
    public var updatedAt: Date
    /// Set once `lead.delete` erased the lead's personal data.
    public var deletedAt: Date?

    /// The lead `externalID` of `org`; `nil` when there is none. Throws ``LeadLookupError`` when the organization
    /// itself is unknown, so an error can say which of the two was not found.
    public static func find(
        org: String, externalID: String, on connection: isolated PostgresConnection
    ) throws -> LeadRecord? {
        let rows = try connection.query(findStatement, [org, externalID])
        guard let row = rows.first else {
            let known = try connection.query("SELECT 1 FROM organizations WHERE id = $1", [org]).first != nil
            if !known { throw LeadLookupError.unknownOrganization(org) }
            return nil
        }
        return try decode(row, org: org)
    }

    /// The columns ``decode(_:org:)`` reads, in order.
    static let columns =
        "id, external_id, email, phone, first_name, last_name, attributes::text, created_at, updated_at, deleted_at"

    static func decode(_ row: PostgresRow, org: String) throws -> LeadRecord {
        LeadRecord(
            id: try row.decode(Int.self, at: 0), org: org, externalID: try row.decode(String.self, at: 1),
            email: try row.decode(String?.self, at: 2), phone: try row.decode(String?.self, at: 3),
            firstName: try row.decode(String?.self, at: 4), lastName: try row.decode(String?.self, at: 5),
            attributes: try row.decode(String.self, at: 6), createdAt: try row.decode(Date.self, at: 7),
            updatedAt: try row.decode(Date.self, at: 8), deletedAt: try row.decode(Date?.self, at: 9))
    }

    static let findStatement = PostgresStatement(
        name: "lead_find", sql: "SELECT \(columns) FROM leads WHERE org_id = $1 AND external_id = $2")
}

/// Why a lead could not be looked up.
public enum LeadLookupError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownOrganization(String)

    public var description: String {
        switch self {
        case .unknownOrganization(let org): "no organization \"\(org)\""
        }
    }
}
