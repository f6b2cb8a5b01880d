import Curl
import Foundation
import LeadflowAdmin
import LeadflowTestKit
import Testing

/// Pipelines in the console: the list, a pipeline's stages with the leads in each now, and pausing one.
@Suite("Console: pipelines")
struct ConsolePipelineTests {
    @Test("the list, a pipeline's stages with their leads, an operator's pause and resume of it; a viewer has no control")
    func pipelines() async throws {
        try await AdminHarness.with { harness in
            let (token, _) = try await harness.token(.operator, organizations: ["acme"], name: "ops")
            let (viewer, _) = try await harness.token(.viewer, organizations: ["acme"])
            let (name, actionID) = try await harness.deadLetterLead(in: "acme")
            let session = try await harness.logIn(token)
            let list = try await harness.page("/console/pipelines", cookies: session)
            #expect(list.text.contains(#"<td><a href="/console/pipeline?org=acme&amp;name=welcome">welcome</a></td>"#), "\(list)")
            #expect(list.text.contains("<td>running</td>"), "\(list)")

            let page = try await harness.page("/console/pipeline?org=acme&name=welcome", cookies: session)
            #expect(page.text.contains(#"<td>hello</td><td>email → sms</td>"#) && page.text.contains(#"<meter min="0" max="1" value="1">1</meter>"#), "\(page)")
            #expect(page.text.contains(#"<td>later</td>"#) && page.text.contains(#"<meter min="0" max="1" value="0">0</meter>"#), "\(page)")
            let csrf = try AdminHarness.csrf(page)

            // The dead email pending again, so that the pause holds it.
            _ = try await harness.post(
                "/console/lead/replay", form: [("csrf", csrf), ("org", "acme"), ("id", name), ("confirm", "yes"), ("expected", "1")],
                cookies: session)
            let pause = try await harness.post(
                "/console/pipeline/pause", form: [("csrf", csrf), ("org", "acme"), ("name", "welcome"), ("reason", "copy review")],
                cookies: session)
            #expect(pause.status == 303 && pause.headers["location"] == "/console/pipeline?org=acme&name=welcome&done=paused&actions=1", "\(pause)")
            #expect(try await ConsoleControlTests.statuses(harness, name)[actionID] == "held")
            let paused = try await harness.page(pause.headers["location"] ?? "", cookies: session)
            #expect(paused.text.contains("Paused; 1 pending action held.") && paused.text.contains("Paused by token:ops since"), "\(paused)")
            #expect(paused.text.contains(": copy review</p>") && paused.text.contains(#"id="resume""#), "\(paused)")
            let listed = try await harness.page("/console/pipelines?org=acme", cookies: session)
            #expect(listed.text.contains("<td>paused by token:ops since"), "\(listed)")

            let viewerSession = try await harness.logIn(viewer)
            let seen = try await harness.page("/console/pipeline?org=acme&name=welcome", cookies: viewerSession)
            #expect(seen.text.contains("Paused by token:ops") && !seen.text.contains("/console/pipeline/resume"), "\(seen)")
            let forged = try await harness.post(
                "/console/pipeline/resume", form: [("csrf", try AdminHarness.csrf(seen)), ("org", "acme"), ("name", "welcome")],
                cookies: viewerSession)
            #expect(forged.status == 403, "\(forged)")

            let resume = try await harness.post(
                "/console/pipeline/resume", form: [("csrf", csrf), ("org", "acme"), ("name", "welcome")], cookies: session)
            #expect(resume.headers["location"]?.hasSuffix("&done=resumed&actions=1") == true, "\(resume)")
            #expect(try await ConsoleControlTests.statuses(harness, name)[actionID] == "pending")
            let missing = try await harness.page("/console/pipeline?org=acme&name=nope", cookies: session)
            #expect(missing.status == 404 && missing.text.contains("no pipeline &quot;nope&quot;"), "\(missing)")
        }
    }
}
