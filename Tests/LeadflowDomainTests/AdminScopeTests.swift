import LeadflowDomain
import Testing

@Suite("Admin roles and scopes")
struct AdminScopeTests {
    @Test("each role includes the ones before it")
    func roles() {
        #expect(AdminRole.admin.allows(.operator) && AdminRole.admin.allows(.viewer))
        #expect(AdminRole.operator.allows(.viewer) && !AdminRole.operator.allows(.admin))
        #expect(!AdminRole.viewer.allows(.operator))
    }

    @Test("a scope contains its organizations and covers only scopes inside it")
    func scopes() {
        let acme = AdminScope.organizations(["acme"])
        let both = AdminScope.organizations(["acme", "globex"])
        #expect(acme.contains("acme") && !acme.contains("globex") && AdminScope.allOrganizations.contains("globex"))
        #expect(both.covers(acme) && !acme.covers(both))
        #expect(AdminScope.allOrganizations.covers(both) && !both.covers(.allOrganizations))
        #expect(!acme.covers(.organizations([])), "an act about no organization in particular needs every organization")
        #expect(AdminScope(nil) == .allOrganizations && AdminScope(["b", "a"]).organizations == ["a", "b"])
    }
}
