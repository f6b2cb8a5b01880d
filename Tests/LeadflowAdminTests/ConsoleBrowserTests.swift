import Foundation
import LeadflowTestKit
import Testing

/// The console in a real browser: Debian's Chromium, headless, through chromedriver (`scripts/deps.sh --tests` installs
/// both). Set `LEADFLOW_CONSOLE_SCREENSHOTS` to a folder (docs/console) to keep a PNG of each page.
@Suite("Console in Chromium")
struct ConsoleBrowserTests {
    @Test("log in, find a lead by email, read its page — a hostile name stays text, nothing logs an error — and log out, by keyboard where it matters")
    func supportPersonsPath() async throws {
        try await AdminHarness.with { harness in
            let (token, _) = try await harness.token(.viewer, organizations: ["acme"], name: "support")
            let (name, actionID) = try await harness.deadLetterLead(in: "acme")
            _ = try await harness.inTransaction { connection in
                try connection.execute(
                    "UPDATE leads SET first_name = $1, last_name = 'Lovelace', email = external_id || '@example.org' WHERE external_id = $2",
                    [ConsoleTests.hostileName, name])
            }
            try await withTemporaryFolder { folder in
            let browser = try await WebDriver(logPath: folder + "/chromedriver.log")
            let origin = "http://127.0.0.1:\(harness.port)"
            do {
                try await browser.go(to: "\(origin)/console")
                #expect(try await browser.url() == "\(origin)/console/login", "no session: the login page")
                #expect(try await browser.attribute("id", of: try await browser.focused()) == "token", "the token field has the focus")
                try await Self.keep(browser, "login")
                try await browser.press(token + "\u{E007}")
                try await eventually("the login leads to the leads page") { try await browser.url() == "\(origin)/console/leads" }
                #expect(try await browser.text(try await browser.element(".who span")) == "support · viewer")

                try await browser.type("\(name)@example.org", into: try await browser.element("#value"))
                try await browser.follow(try await browser.element(".search button"))
                #expect(try await browser.text(try await browser.element("caption")) == "1 found")
                try await Self.keep(browser, "leads")
                try await browser.follow(try await browser.element("td a"))
                #expect(try await browser.url() == "\(origin)/console/lead?org=acme&id=\(name)")

                let heading = try await browser.text(try await browser.element("h1"))
                #expect(heading == "\(ConsoleTests.hostileName) Lovelace (\(name))", "the name as text: \(heading)")
                let injected = try await browser.evaluate(
                    "return document.querySelectorAll('main script, [onmouseover], [x]').length") as? Int
                #expect(injected == 0, "no element or attribute came from the name")
                let why = try await browser.element("td.why")
                #expect(try await browser.attribute("data-reason", of: why) == "dead")
                #expect(try await browser.text(why).contains("550 no such user"))
                let events = try await browser.elements("table.timeline tbody tr")
                #expect(events.count >= 3, "created, enrolled, … dead")
                #expect(try await browser.source().contains("#\(actionID) email"))
                try await Self.keep(browser, "lead")

                // Narrow screen: the page itself never scrolls sideways (tables scroll within themselves).
                try await browser.resize(width: 390, height: 844)
                let overflow = try await browser.evaluate("return document.documentElement.scrollWidth - window.innerWidth") as? Int
                #expect((overflow ?? 1) <= 0, "horizontal overflow of \(overflow ?? -1) px")
                try await Self.keep(browser, "lead-narrow")

                try await browser.resize(width: 1280, height: 900)
                try await browser.follow(try await browser.element("nav a[href='/console/dead-letters']"))
                let letter = try await browser.text(try await browser.element("table.letters tbody tr"))
                #expect(letter.contains("#\(actionID) email") && letter.contains("550 no such user"), "\(letter)")
                #expect(try await browser.elements("table.letters button").isEmpty, "a viewer gets no buttons")
                try await Self.keep(browser, "dead-letters")

                let problems = try await browser.consoleMessages().filter { $0.level == "SEVERE" || $0.level == "WARNING" }
                #expect(problems.isEmpty, "the browser's console: \(problems)")

                try await browser.follow(try await browser.element(".who button"))
                #expect(try await browser.url() == "\(origin)/console/login", "logged out")
                try await browser.go(to: "\(origin)/console/leads")
                #expect(try await browser.url() == "\(origin)/console/login", "the session is gone")
            } catch {
                await browser.quit()
                throw error
            }
            await browser.quit()
            }
        }
    }

    @Test("an operator replays a lead's dead action (button, confirmation with its count, notice), pauses the organization and sees the lead wait for it")
    func operatorReplays() async throws {
        try await AdminHarness.with { harness in
            let (token, _) = try await harness.token(.operator, organizations: ["acme"], name: "ops")
            let (name, actionID) = try await harness.deadLetterLead(in: "acme")
            try await withTemporaryFolder { folder in
                let browser = try await WebDriver(logPath: folder + "/chromedriver.log")
                let origin = "http://127.0.0.1:\(harness.port)"
                do {
                    try await browser.go(to: "\(origin)/console/login")
                    try await browser.type(token, into: try await browser.element("#token"))
                    try await browser.follow(try await browser.element("form.stack button"))
                    try await browser.go(to: "\(origin)/console/lead?org=acme&id=\(name)")
                    try await browser.follow(try await browser.element("#replay"))
                    #expect(try await browser.text(try await browser.element("h1")) == "Replay this lead's dead actions?")
                    #expect(try await browser.text(try await browser.element("main p")).hasPrefix("1 dead action would run again"))
                    try await Self.keep(browser, "confirm")
                    try await browser.follow(try await browser.element("#confirm"))
                    #expect(try await browser.text(try await browser.element(".notice")) == "Replayed 1 dead action.")
                    #expect(try await ConsoleControlTests.statuses(harness, name)[actionID] == "pending")

                    try await browser.follow(try await browser.element("nav a[href='/console/org']"))
                    #expect(try await browser.text(try await browser.element("h1")) == "acme")
                    try await browser.type("campaign review", into: try await browser.element("#reason"))
                    try await browser.follow(try await browser.element("#pause"))
                    #expect(try await browser.text(try await browser.element(".notice")) == "Paused all work.")
                    #expect(try await browser.text(try await browser.element("table.pauses tbody tr")).contains("campaign review"))
                    #expect(try await ConsoleOrganizationTests.paused(harness, "acme") == ["all"])
                    try await Self.keep(browser, "organization")
                    try await browser.go(to: "\(origin)/console/lead?org=acme&id=\(name)")
                    let why = try await browser.element("td.why")
                    #expect(try await browser.attribute("data-reason", of: why) == "paused")
                    let explanation = try await browser.text(why)
                    #expect(explanation.contains("campaign review"), "the pause's reason: \(explanation)")
                    try await browser.follow(try await browser.element("nav a[href='/console/pipelines']"))
                    try await browser.follow(try await browser.element("table.pipelines a"))
                    #expect(try await browser.elements("table.funnel meter").count == 2, "a bar per stage")
                    try await Self.keep(browser, "pipeline")
                    let problems = try await browser.consoleMessages().filter { $0.level == "SEVERE" || $0.level == "WARNING" }
                    #expect(problems.isEmpty, "the browser's console: \(problems)")
                } catch {
                    await browser.quit()
                    throw error
                }
                await browser.quit()
            }
        }
    }

    /// Saves a screenshot of the page as `<name>.png` in `LEADFLOW_CONSOLE_SCREENSHOTS`, when it is set.
    static func keep(_ browser: WebDriver, _ name: String) async throws {
        guard let folder = ProcessInfo.processInfo.environment["LEADFLOW_CONSOLE_SCREENSHOTS"], !folder.isEmpty else { return }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try await browser.screenshot().write(to: URL(fileURLWithPath: folder).appendingPathComponent("\(name).png"))
    }
}
