extension Migration {
    /// Finding a lead by what a support person has in hand: an e-mail address or a phone number
    /// (`leadflow lead search`, docs/operations.md). External ids already have their unique index.
    static let leadSearch = Migration(
        version: 13, name: "lead_search",
        sql: """
            -- E-mail addresses are matched without regard to case (people type them as they like); partial,
            -- so leads without one cost nothing.
            CREATE INDEX leads_email_idx ON leads (org_id, lower(email)) WHERE email IS NOT NULL;
            -- Phone numbers are matched as stored (E.164 when the CRM normalises them).
            CREATE INDEX leads_phone_idx ON leads (org_id, phone) WHERE phone IS NOT NULL;
            """)
}
