import LeadflowBus
import LeadflowProto

/// Reads the measurements out of a `metrics.<component>.<operation>` envelope: one `Measurement`, or a batch of
/// them as a length-delimited stream (`Content-Type: application/x-protobuf-delimited`), as publishers send.
enum MeasurementEnvelope {
    /// The measurements, with component and operation taken from the subject when a payload leaves them empty;
    /// or why the envelope cannot be used — a batch is used whole or not at all.
    static func decode(_ envelope: Envelope) -> Result<[Leadflow_V1_Measurement], MalformedMeasurement> {
        let tokens = envelope.subject.tokens
        guard tokens.count == 3, tokens[0] == "metrics" else {
            return .failure(.init("subject \(envelope.subject) is not metrics.<component>.<operation>"))
        }
        var measurements: [Leadflow_V1_Measurement]
        do {
            measurements = try envelope.decodeAll(Leadflow_V1_Measurement.self)
        } catch {
            let form = envelope.carriesStream ? "a length-delimited stream of leadflow.v1.Measurement" : "a leadflow.v1.Measurement"
            return .failure(.init("payload is not \(form): \(error)"))
        }
        let (component, operation) = (String(tokens[1]), String(tokens[2]))
        for index in measurements.indices {
            measurements[index].fillFromSubject(component: component, operation: operation)
            guard measurements[index].component == component, measurements[index].operation == operation else {
                return .failure(
                    .init(
                        "payload names \(measurements[index].component).\(measurements[index].operation) but the subject is \(envelope.subject)"
                    ))
            }
        }
        return .success(measurements)
    }
}

/// Why a `metrics.>` message was not recorded.
struct MalformedMeasurement: Error, Sendable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
