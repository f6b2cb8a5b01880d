import Curl
import Foundation
import LeadflowHandlers
import LeadflowProto
import LeadflowSecrets
import Logging
import Synchronization

/// A dispatch as the scheduler sends it, for lead 7 of org `acme`.
func makeDispatch(
    id: Int64 = 42, attempt: UInt32 = 1, key: String = "act-42", configure: (inout Leadflow_V1_ActionDispatch) -> Void
) -> Leadflow_V1_ActionDispatch {
    var dispatch = Leadflow_V1_ActionDispatch()
    dispatch.actionID = id
    dispatch.attempt = attempt
    dispatch.org = "acme"
    dispatch.idempotencyKey = key
    dispatch.lead = .with {
        $0.leadID = 7
        $0.externalID = "crm-7"
        $0.email = "ada@example.org"
        $0.phone = "+15550100"
        $0.firstName = "Ada"
        $0.lastName = "Lovelace"
        $0.attributes = ["plan": "pro"]
    }
    configure(&dispatch)
    return dispatch
}

func emailDispatch(id: Int64 = 42, key: String = "act-42", to: String = "") -> Leadflow_V1_ActionDispatch {
    makeDispatch(id: id, key: key) {
        $0.actionType = .email
        $0.email = .with {
            $0.to = to
            $0.sender = "Sales <sales@example.com>"
            $0.subject = "Hello {{first_name}}"
            $0.text = "Hi {{first_name}},\nyour plan: {{attributes.plan}}."
            $0.replyTo = "replies@example.com"
        }
    }
}

func smsDispatch(id: Int64 = 43, key: String = "act-43") -> Leadflow_V1_ActionDispatch {
    makeDispatch(id: id, key: key) {
        $0.actionType = .sms
        $0.sms = .with {
            $0.sender = "+15550199"
            $0.body = "Hi {{first_name}} & co: 50% off + free setup"
        }
    }
}

func webhookDispatch(
    id: Int64 = 44, attempt: UInt32 = 1, url: String, body: String? = nil, headers: [String: String] = [:]
) -> Leadflow_V1_ActionDispatch {
    makeDispatch(id: id, attempt: attempt, key: "act-\(id)") {
        $0.actionType = .webhook
        $0.webhook = .with {
            $0.url = url
            $0.headers = headers
            if let body { $0.body = body }
        }
    }
}


/// Runs `body` with a fresh `CurlMulti`, shut down afterwards whether `body` throws or not.
func withCurl<T>(_ body: (CurlMulti) async throws -> T) async throws -> T {
    let curl = CurlMulti()
    do {
        let result = try await body(curl)
        await curl.shutdown()
        return result
    } catch {
        await curl.shutdown()
        throw error
    }
}

/// Runs `body` with an SMTP driver of `configuration` and closes its sessions afterwards, whether `body` throws or not.
func withSMTPDriver<T>(
    _ configuration: SMTPEmailDriver.Configuration, now: @escaping @Sendable () -> Date = Date.init,
    _ body: (SMTPEmailDriver) async throws -> T
) async throws -> T {
    let driver = SMTPEmailDriver(configuration: configuration, now: now)
    do {
        let result = try await body(driver)
        await driver.shutdown()
        return result
    } catch {
        await driver.shutdown()
        throw error
    }
}

/// A webhook driver on `curl` that signs with `secret`, as the service tests run it; `timeout` replaces the
/// driver's default limit on one delivery.
func webhookDriver(_ curl: CurlMulti, timeout: Duration? = nil) -> WebhookDriver {
    var configuration = WebhookDriver.Configuration()
    configuration.signingSecret = "secret"
    if let timeout { configuration.timeout = timeout }
    return WebhookDriver(configuration: configuration, curl: curl)
}
