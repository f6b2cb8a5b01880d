import Postgres

/// Finds an organization's leads by e-mail address (any case), phone number or external id — each one probe of
/// an index (`leads_email_idx`, `leads_phone_idx`, the `(org_id, external_id)` key).
public enum LeadSearch {
    /// What to look for.
    public enum Criterion: Sendable, Hashable {
        case email(String)
        case phone(String)
        case externalID(String)
    }

    /// The leads of `org` matching `criterion` (at most `limit` of them, any `limit`), by id; throws ``LeadLookupError`` for an
    /// unknown organization.
    public static func find(
        org: String, _ criterion: Criterion, limit: Int, on connection: isolated PostgresConnection
    ) throws -> [LeadRecord] {
        let rows: PostgresRows =
            switch criterion {
            case .email(let email): try connection.query(byEmail, [org, email, limit])
            case .phone(let phone): try connection.query(byPhone, [org, phone, limit])
            case .externalID(let id): try connection.query(byExternalID, [org, id, limit])
            }
        // Sorted here, not by the statement: `ORDER BY id LIMIT` tempts a generic plan into walking the primary
        // key and filtering, a scan of the organization's leads.
        let found = try rows.map { try LeadRecord.decode($0, org: org) }.sorted { $0.id < $1.id }
        if found.isEmpty, try connection.query("SELECT 1 FROM organizations WHERE id = $1", [org]).first == nil {
            throw LeadLookupError.unknownOrganization(org)
        }
        return found
    }

    static let byEmail = PostgresStatement(
        name: "lead_search_email",
        sql: """
            SELECT \(LeadRecord.columns) FROM leads
            WHERE org_id = $1 AND lower(email) = lower($2) AND email IS NOT NULL LIMIT $3
            """)

    static let byPhone = PostgresStatement(
        name: "lead_search_phone",
        sql: """
            SELECT \(LeadRecord.columns) FROM leads
            WHERE org_id = $1 AND phone = $2 AND phone IS NOT NULL LIMIT $3
            """)

    static let byExternalID = PostgresStatement(
        name: "lead_search_external_id",
        sql: "SELECT \(LeadRecord.columns) FROM leads WHERE org_id = $1 AND external_id = $2 LIMIT $3")
}
