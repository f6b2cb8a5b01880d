import LeadflowProto
import SwiftProtobuf

extension MeasurementRecord {
    /// The wire form the collector decodes.
    public var proto: Leadflow_V1_Measurement {
        var measurement = batchedProto
        measurement.component = component
        measurement.operation = operation
        return measurement
    }

    /// The wire form inside a batch, whose subject names the component and operation: they are left empty
    /// (docs/protocol.md §3), which saves encoding and decoding them once per measurement.
    var batchedProto: Leadflow_V1_Measurement {
        var measurement = Leadflow_V1_Measurement()
        measurement.startTime = Google_Protobuf_Timestamp(
            seconds: Int64(startNanoseconds / 1_000_000_000), nanos: Int32(startNanoseconds % 1_000_000_000))
        switch kind {
        case .span:
            measurement.kind = .span
            measurement.duration = Google_Protobuf_Duration(
                seconds: Int64(durationNanoseconds / 1_000_000_000), nanos: Int32(durationNanoseconds % 1_000_000_000))
        case .counter:
            measurement.kind = .counter
            measurement.value = value
        case .gauge:
            measurement.kind = .gauge
            measurement.value = value
        }
        measurement.itemCount = itemCount
        measurement.dbQueries = dbQueries
        measurement.org = org
        measurement.actionType = actionType
        measurement.outcome = outcome
        measurement.traceID = traceID
        measurement.attributes = attributes
        return measurement
    }

    /// The subject it is published on: `metrics.<component>.<operation>`.
    public var subject: String { "metrics.\(component).\(operation)" }
}
