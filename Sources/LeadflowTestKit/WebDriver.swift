import Curl
import Foundation

/// A real Chromium, headless, driven over the W3C WebDriver protocol by Debian's `chromedriver` (installed by
/// `scripts/deps.sh --tests`) — for tests of the web console in a browser. One browser session per instance; ``quit()``
/// ends it and the driver.
public final class WebDriver: Sendable {
    /// A WebDriver command failed; its error and message as the driver said.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// An element of the current page, by the id the driver gave it.
    public struct Element: Sendable {
        public let id: String
    }

    let driver: ChildProcess
    let http = CurlWorker(name: "webdriver")
    let base: String

    /// Starts `chromedriver` on a port of the kernel's choice and a headless Chromium through it, with a window
    /// of `width`×`height` pixels.
    public init(logPath: String, width: Int = 1280, height: Int = 900) async throws {
        let executable = "/usr/bin/chromedriver"
        driver = try ChildProcess(name: "chromedriver", executable: executable, arguments: ["--port=0"], logPath: logPath)
        let driver = self.driver
        let marker = "started successfully on port"
        do {
            try await eventually("chromedriver says its port", timeout: .seconds(30)) {
                driver.output.contains(marker) || driver.termination != nil
            }
            let line = driver.output.split(separator: "\n").first { $0.contains(marker) }
            let port = line.flatMap { Int($0.split(separator: " ").last?.trimmingCharacters(in: CharacterSet(charactersIn: ". ")) ?? "") } ?? 0
            guard port > 0 else { throw Failure(description: "chromedriver ended: \(driver.tail())") }
            base = try await Self.startSession(http, port: port, width: width, height: height)
        } catch {
            // No instance to quit(): end what was started.
            driver.send(SIGTERM)
            _ = await driver.waitForExit(timeout: .seconds(10))
            http.shutdown()
            throw error
        }
    }

    /// The W3C key of an element reference in a WebDriver answer.
    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    private static func startSession(_ http: CurlWorker, port: Int, width: Int, height: Int) async throws -> String {
        let capabilities: [String: Any] = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:loggingPrefs": ["browser": "ALL"],
                    "goog:chromeOptions": [
                        "binary": "/usr/bin/chromium",
                        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=\(width),\(height)"],
                    ],
                ] as [String: Any]
            ]
        ]
        let answer = try await Self.command(http, "POST", "http://127.0.0.1:\(port)/session", capabilities, timeout: .seconds(60))
        guard let session = (answer as? [String: Any])?["sessionId"] as? String else {
            throw Failure(description: "no session in \(String(describing: answer))")
        }
        return "http://127.0.0.1:\(port)/session/\(session)"
    }

    /// Ends the browser session and stops the driver.
    public func quit() async {
        _ = try? await Self.command(http, "DELETE", base, nil, timeout: .seconds(20))
        driver.send(SIGTERM)
        _ = await driver.waitForExit(timeout: .seconds(10))
        http.shutdown()
    }

    /// Loads `url` and waits until the page has loaded.
    public func go(to url: String) async throws { _ = try await send("POST", "/url", ["url": url]) }

    /// The current page's URL.
    public func url() async throws -> String { try await send("GET", "/url", nil) as? String ?? "" }

    /// The current page's title.
    public func title() async throws -> String { try await send("GET", "/title", nil) as? String ?? "" }

    /// The current page's HTML as the browser holds it.
    public func source() async throws -> String { try await send("GET", "/source", nil) as? String ?? "" }

    /// The elements matching a CSS selector, in document order (none: empty).
    public func elements(_ selector: String) async throws -> [Element] {
        let found = try await send("POST", "/elements", ["using": "css selector", "value": selector]) as? [[String: Any]] ?? []
        return found.compactMap { $0[Self.elementKey] as? String }.map(Element.init)
    }

    /// The first element matching a CSS selector; fails naming it when there is none.
    public func element(_ selector: String) async throws -> Element {
        guard let first = try await elements(selector).first else { throw Failure(description: "no element matches \(selector)") }
        return first
    }

    /// An element's rendered text.
    public func text(_ element: Element) async throws -> String {
        try await send("GET", "/element/\(element.id)/text", nil) as? String ?? ""
    }

    /// An element's attribute, or nil.
    public func attribute(_ name: String, of element: Element) async throws -> String? {
        try await send("GET", "/element/\(element.id)/attribute/\(name)", nil) as? String
    }

    /// Clears an input and types `text` into it.
    public func type(_ text: String, into element: Element) async throws {
        _ = try await send("POST", "/element/\(element.id)/clear", [String: Any]())
        _ = try await send("POST", "/element/\(element.id)/value", ["text": text])
    }

    /// Clicks an element (and waits for a navigation it starts).
    public func click(_ element: Element) async throws {
        _ = try await send("POST", "/element/\(element.id)/click", [String: Any]())
    }

    /// Clicks an element that leads to another page (a link, a form's button) and waits until that page has
    /// loaded: a click returns once the event is dispatched, which may be before the navigation begins.
    public func follow(_ element: Element) async throws {
        _ = try await evaluate("window.__leadflowOldPage = true")
        try await click(element)
        try await eventually("the next page loads", timeout: .seconds(30)) {
            let loaded = try? await self.evaluate(
                "return window.__leadflowOldPage === undefined && document.readyState === 'complete'") as? Bool
            return loaded == true
        }
    }

    /// Presses keys on the focused element, as a keyboard user does (`\u{E004}` is Tab, `\u{E007}` Enter).
    public func press(_ keys: String) async throws {
        let actions: [[String: Any]] = keys.unicodeScalars.flatMap { key -> [[String: Any]] in
            [["type": "keyDown", "value": String(key)], ["type": "keyUp", "value": String(key)]]
        }
        _ = try await send("POST", "/actions", ["actions": [["type": "key", "id": "keyboard", "actions": actions]]])
    }

    /// The element that has the focus.
    public func focused() async throws -> Element {
        guard let found = try await send("GET", "/element/active", nil) as? [String: Any], let id = found[Self.elementKey] as? String else {
            throw Failure(description: "no focused element")
        }
        return Element(id: id)
    }

    /// The result of a script run in the page (`return …`).
    public func evaluate(_ script: String) async throws -> Any? {
        try await send("POST", "/execute/sync", ["script": script, "args": [Any]()])
    }

    /// A PNG of the viewport.
    public func screenshot() async throws -> Data {
        guard let encoded = try await send("GET", "/screenshot", nil) as? String, let data = Data(base64Encoded: encoded) else {
            throw Failure(description: "no screenshot")
        }
        return data
    }

    /// Resizes the window (for narrow-screen checks).
    public func resize(width: Int, height: Int) async throws {
        _ = try await send("POST", "/window/rect", ["width": width, "height": height])
    }

    /// Messages of the browser's console since the last call (level and text), from Chromium's log.
    public func consoleMessages() async throws -> [(level: String, message: String)] {
        let entries = try await send("POST", "/se/log", ["type": "browser"]) as? [[String: Any]] ?? []
        return entries.map { ($0["level"] as? String ?? "", $0["message"] as? String ?? "") }
    }

    private func send(_ method: String, _ path: String, _ body: [String: Any]?) async throws -> Any? {
        try await Self.command(http, method, base + path, body, timeout: .seconds(30))
    }

    private static func command(
        _ http: CurlWorker, _ method: String, _ url: String, _ body: [String: Any]?, timeout: Duration
    ) async throws -> Any? {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) }.map { Array($0) } ?? []
        let request = HTTPRequest(
            method: HTTPMethod(rawValue: method), url: url,
            headers: payload.isEmpty ? [:] : ["Content-Type": "application/json"], body: payload, timeout: timeout,
            maxResponseBodySize: 64 << 20)
        let response = try await http.perform(request)
        let json = try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed])
        let value = (json as? [String: Any])?["value"]
        guard response.status < 400 else {
            let error = (value as? [String: Any]).map { "\($0["error"] ?? "") \($0["message"] ?? "")" } ?? ""
            throw Failure(description: "\(method) \(url): HTTP \(response.status) \(error)")
        }
        return value is NSNull ? nil : value
    }
}
