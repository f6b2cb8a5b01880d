import LeadflowBus
import LeadflowProto

/// Reads a measurement out of a `metrics.<component>.<operation>` envelope.
enum MeasurementEnvelope {
    /// The measurement, with component and operation taken from the subject when the payload leaves them
    /// empty; or why the envelope cannot be used.
    static func decode(_ envelope: Envelope) -> Result<Leadflow_V1_Measurement, MalformedMeasurement> {
        let tokens = envelope.subject.tokens
        guard tokens.count == 3, tokens[0] == "metrics" else {
            return .failure(.init("subject \(envelope.subject) is not metrics.<component>.<operation>"))
        }
        var measurement: Leadflow_V1_Measurement
        do {
            measurement = try envelope.decode(Leadflow_V1_Measurement.self)
        } catch {
            return .failure(.init("payload is not a leadflow.v1.Measurement: \(error)"))
        }
        let (component, operation) = (String(tokens[1]), String(tokens[2]))
        if measurement.component.isEmpty { measurement.component = component }
        if measurement.operation.isEmpty { measurement.operation = operation }
        guard measurement.component == component, measurement.operation == operation else {
            return .failure(
                .init(
                    "payload names \(measurement.component).\(measurement.operation) but the subject is \(envelope.subject)"
                ))
        }
        return .success(measurement)
    }
}

/// Why a `metrics.>` message was not recorded.
struct MalformedMeasurement: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
