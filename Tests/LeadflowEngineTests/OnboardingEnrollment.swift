import LeadflowClient
import LeadflowPipeline
import LeadflowProto

/// The telemetry tests' workload: a three-step pipeline (email, wait 0 s, sms) and `leads` leads enrolled in it,
/// sent through the client as a backend service would.
enum OnboardingEnrollment {
    static let pipelineYAML = """
        name: onboarding
        stages:
          - name: welcome
            actions:
              - email: {sender: "test@leadflow.test", subject: "Hi {{first_name}}", text: "Welcome"}
              - wait: 0s
              - sms: {sender: "+15550001111", body: "Hi"}
        """

    static func send(leads: Int, org: String, through client: LeadflowClient) async throws {
        _ = try await client.upsertPipeline(org: org, try PipelineDecoder().decode(yaml: pipelineYAML))
        _ = try await client.upsertLeads(org: org, (0..<leads).map { index in
            Leadflow_V1_LeadUpsert.with {
                $0.externalID = "lead-\(index)"
                $0.email = "lead-\(index)@example.test"
                $0.phone = "+15550001234"
            }
        })
        _ = try await client.enroll(org: org, leads: (0..<leads).map { index in
            Leadflow_V1_LeadEnroll.with {
                $0.externalID = "lead-\(index)"
                $0.pipeline = "onboarding"
            }
        })
    }
}
