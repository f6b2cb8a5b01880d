import Curl
import Foundation
import LeadflowTestKit
import Testing

/// The lead endpoints of the admin API over real state: why each action waits (a real pause, a real dead
/// action), the timeline with the token's acts, and the controls' conflicts and bad input.
@Suite("Admin API: leads, why they wait, controls")
struct AdminLeadTests {
    @Test("a pipeline: listed and shown with the leads in each stage; paused, its replayed action is held and says so; resumed, it is due")
    func pipelinePause() async throws {
        try await AdminHarness.with { harness in
            let (token, _) = try await harness.token(.operator, organizations: ["acme"], name: "ops")
            let (name, _) = try await harness.deadLetterLead(in: "acme")

            let listed = try await harness.call(.get, "/v1/organizations/acme/pipelines", token: token)
            let pipelines = listed.json["pipelines"] as? [[String: Any]] ?? []
            #expect(listed.status == 200 && pipelines.compactMap { $0["name"] as? String }.contains("welcome"), "\(listed)")
            let shown = try await harness.call(.get, "/v1/organizations/acme/pipelines/welcome", token: token)
            let stages = shown.json["stages"] as? [[String: Any]] ?? []
            #expect(shown.status == 200 && stages.first?["name"] as? String == "hello", "\(shown)")
            #expect(stages.first?["actions"] as? [String] == ["email", "sms"] && (stages.first?["leads"] as? Int ?? 0) >= 1, "\(shown)")
            let missing = try await harness.call(.get, "/v1/organizations/acme/pipelines/nope", token: token)
            #expect(missing.status == 404, "\(missing)")

            let paused = try await harness.call(
                .put, "/v1/organizations/acme/pipelines/welcome/pause", token: token, json: #"{"reason": "copy review"}"#)
            #expect(paused.status == 200 && paused.json["scope"] as? String == "pipeline", "\(paused)")
            #expect(paused.json["pipeline"] as? String == "welcome" && paused.json["actions"] as? Int == 0, "\(paused)")
            let replayed = try await harness.call(.post, "/v1/organizations/acme/leads/\(name)/replay", token: token, json: "{}")
            #expect(replayed.status == 200, "\(replayed)")
            let lead = try await harness.call(.get, "/v1/organizations/acme/leads/\(name)", token: token)
            let first = (lead.json["open_actions"] as? [[String: Any]])?.first ?? [:]
            #expect(first["reason"] as? String == "paused" && first["status"] as? String == "pending", "\(lead)")
            #expect((first["pause"] as? [String: Any])?["pipeline"] as? String == "welcome", "\(lead)")
            let twice = try await harness.call(.put, "/v1/organizations/acme/pipelines/welcome/pause", token: token, json: "{}")
            #expect(twice.status == 409, "\(twice)")

            let resumed = try await harness.call(.delete, "/v1/organizations/acme/pipelines/welcome/pause", token: token)
            #expect(resumed.status == 200 && resumed.json["resumed_by"] as? String == "token:ops", "\(resumed)")
            let due = try await harness.call(.get, "/v1/organizations/acme/leads/\(name)", token: token)
            #expect((due.json["open_actions"] as? [[String: Any]])?.first?["reason"] as? String == "queued", "\(due)")
            let again = try await harness.call(.delete, "/v1/organizations/acme/pipelines/welcome/pause", token: token)
            #expect(again.status == 409, "\(again)")
        }
    }

    @Test("a support person's path: find the lead, see why it waits, replay it, pause and resume, read the timeline")
    func supportPath() async throws {
        try await AdminHarness.with { harness in
            let (token, _) = try await harness.token(.operator, organizations: ["acme"], name: "ops")
            let (name, actionID) = try await harness.deadLetterLead(in: "acme")

            let found = try await harness.call(.get, "/v1/organizations/acme/leads?by=external_id&value=\(name)", token: token)
            #expect(found.status == 200 && (found.json["leads"] as? [[String: Any]])?.first?["external_id"] as? String == name, "\(found)")

            func openActions() async throws -> [[String: Any]] {
                let shown = try await harness.call(.get, "/v1/organizations/acme/leads/\(name)", token: token)
                #expect(shown.status == 200, "\(shown)")
                return shown.json["open_actions"] as? [[String: Any]] ?? []
            }
            let dead = try await openActions()
            #expect(dead.map { $0["reason"] as? String } == ["dead", "blocked"], "\(dead)")
            #expect(dead.last?["behind_action_id"] as? Int == actionID)
            #expect((dead.first?["explanation"] as? String)?.contains("550 no such user") == true, "\(dead)")

            let paused = try await harness.call(
                .put, "/v1/organizations/acme/pauses/email", token: token, json: #"{"reason": "provider incident"}"#)
            #expect(paused.status == 200 && paused.json["paused_by"] as? String == "token:ops", "\(paused)")
            let twice = try await harness.call(.put, "/v1/organizations/acme/pauses/email", token: token, json: "{}")
            #expect(twice.status == 409 && (twice.json["state"] as? String)?.contains("already paused") == true, "\(twice)")

            let replayed = try await harness.call(.post, "/v1/organizations/acme/leads/\(name)/replay", token: token, json: "{}")
            #expect(replayed.status == 200 && replayed.json["actions"] as? Int == 1, "\(replayed)")
            let held = try await openActions()
            #expect(held.first?["reason"] as? String == "paused", "\(held)")
            #expect((held.first?["pause"] as? [String: Any])?["reason"] as? String == "provider incident", "\(held)")

            let resumed = try await harness.call(.delete, "/v1/organizations/acme/pauses/email", token: token)
            #expect(resumed.status == 200 && resumed.json["resumed_by"] as? String == "token:ops", "\(resumed)")
            #expect(try await openActions().first?["reason"] as? String == "queued")

            let canceled = try await harness.call(
                .post, "/v1/organizations/acme/leads/\(name)/cancel", token: token, json: #"{"reason": "asked by phone"}"#)
            #expect(canceled.status == 200 && canceled.json["leads"] as? Int == 1 && canceled.json["actions"] as? Int == 2, "\(canceled)")
            let again = try await harness.call(
                .post, "/v1/organizations/acme/leads/\(name)/cancel", token: token, json: #"{"reason": "again"}"#)
            #expect(again.status == 409 && again.json["state"] as? String == "lead \"\(name)\" has no open work", "\(again)")

            let timeline = try await harness.call(.get, "/v1/organizations/acme/leads/\(name)/timeline", token: token)
            let entries = timeline.json["entries"] as? [[String: Any]] ?? []
            let acts = entries.filter { $0["actor"] != nil }.map { "\($0["kind"] ?? "") \($0["actor"] ?? "")" }
            #expect(acts == ["paused token:ops", "action_replayed token:ops", "resumed token:ops", "stage_exited token:ops"], "\(timeline)")
            #expect(entries.last?["reason"] as? String == "canceled: asked by phone", "\(timeline)")

            let page = try await harness.call(.get, "/v1/organizations/acme/leads/\(name)/timeline?limit=2", token: token)
            let cursor = try #require(page.json["next_cursor"] as? String, "\(page)")
            let next = try await harness.call(.get, "/v1/organizations/acme/leads/\(name)/timeline?limit=2&cursor=\(cursor)", token: token)
            #expect(next.status == 200 && (next.json["entries"] as? [[String: Any]])?.first?["kind"] as? String == "stage_entered", "\(next)")
        }
    }

    @Test("unknown lead, pipeline and stage are 404s naming them; bad input is a 400 naming the field")
    func badInput() async throws {
        try await AdminHarness.with { harness in
            let (token, _) = try await harness.token(.operator, organizations: ["acme"])
            let (name, _) = try await harness.deadLetterLead(in: "acme")
            let nobody = try await harness.call(.get, "/v1/organizations/acme/leads/nobody", token: token)
            #expect(nobody.status == 404 && nobody.json["detail"] as? String == "no lead \"nobody\" in organization \"acme\"", "\(nobody)")
            let noPipeline = try await harness.call(
                .post, "/v1/organizations/acme/leads/\(name)/move", token: token, json: #"{"pipeline": "nope", "stage": "later"}"#)
            #expect(noPipeline.status == 404 && (noPipeline.json["detail"] as? String)?.contains("no pipeline \"nope\"") == true, "\(noPipeline)")
            let noStage = try await harness.call(
                .post, "/v1/organizations/acme/pipelines/welcome/move", token: token, json: #"{"stage": "nope", "dry_run": true}"#)
            #expect(noStage.status == 404 && (noStage.json["detail"] as? String)?.contains("no stage \"nope\"") == true, "\(noStage)")
            // A path parameter is percent-decoded once: a literal `%` (sent as %25) and characters outside the
            // BMP arrive as written, and its length counts code points (200, the most the contract allows).
            let ascii = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
            let odd = "50%08 😍" + String(repeating: "ü", count: 193)
            for (pipeline, length) in [(odd, 200), (odd + "ü", 201)] {
                let encoded = try #require(pipeline.addingPercentEncoding(withAllowedCharacters: ascii))
                let reply = try await harness.call(
                    .post, "/v1/organizations/acme/pipelines/\(encoded)/move", token: token, json: #"{"stage": "x", "dry_run": true}"#)
                if length == 200 {
                    #expect(reply.status == 404 && reply.json["detail"] as? String == "no pipeline \"\(pipeline)\" in organization \"acme\"", "\(reply)")
                } else {
                    #expect(reply.status == 400 && reply.json["detail"] as? String == "pipeline must be 1…200 characters long (got 201)", "\(reply)")
                }
            }
            let by = try await harness.call(.get, "/v1/organizations/acme/leads?by=fax&value=1", token: token)
            #expect(by.status == 400 && by.json["field"] as? String == "by", "\(by)")
            let none = try await harness.call(.get, "/v1/organizations/acme/leads?by=phone&value=%2B1555", token: token)
            #expect(none.status == 200 && (none.json["leads"] as? [Any])?.isEmpty == true, "\(none)")
            let unknownField = try await harness.call(
                .post, "/v1/organizations/acme/leads/\(name)/cancel", token: token, json: #"{"reason": "x", "force": true}"#)
            #expect(unknownField.status == 400, "\(unknownField)")
            let emptyReason = try await harness.call(
                .post, "/v1/organizations/acme/leads/\(name)/cancel", token: token, json: #"{"reason": ""}"#)
            #expect(emptyReason.status == 400 && emptyReason.json["field"] as? String == "reason", "\(emptyReason)")
            let dry = try await harness.call(
                .post, "/v1/organizations/acme/pipelines/welcome/cancel", token: token, json: #"{"reason": "x", "dry_run": true}"#)
            #expect(dry.status == 200 && dry.json["leads"] as? Int == 1 && dry.json["dry_run"] as? Bool == true, "\(dry)")
            let still = try await harness.call(.get, "/v1/organizations/acme/leads/\(name)", token: token)
            #expect((still.json["open_actions"] as? [Any])?.count == 2, "a dry run changes nothing: \(still)")
        }
    }
}
