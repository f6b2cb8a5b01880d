import Foundation
import LeadflowProto
import SwiftProtobuf

/// Measurements as components publish them, for the tests.
enum Measurements {
    static let epoch = Date(timeIntervalSince1970: 1_750_000_000)

    static func span(
        _ component: String, _ operation: String, milliseconds: Double, items: UInt64 = 0, queries: UInt32 = 0,
        org: String = "", actionType: String = "", outcome: String = "ok", traceID: String = "",
        attributes: [String: String] = [:]
    ) -> Leadflow_V1_Measurement {
        var measurement = Leadflow_V1_Measurement()
        measurement.component = component
        measurement.operation = operation
        measurement.kind = .span
        let nanoseconds = Int64((milliseconds * 1_000_000).rounded())
        measurement.duration = Google_Protobuf_Duration(
            seconds: nanoseconds / 1_000_000_000, nanos: Int32(nanoseconds % 1_000_000_000))
        measurement.itemCount = items
        measurement.dbQueries = queries
        measurement.org = org
        measurement.actionType = actionType
        measurement.outcome = outcome
        measurement.traceID = traceID
        measurement.attributes = attributes
        return measurement
    }

    static func counter(
        _ component: String, _ operation: String, _ increment: Double, outcome: String = "",
        attributes: [String: String] = [:]
    ) -> Leadflow_V1_Measurement {
        var measurement = Leadflow_V1_Measurement()
        measurement.component = component
        measurement.operation = operation
        measurement.kind = .counter
        measurement.value = increment
        measurement.outcome = outcome
        measurement.attributes = attributes
        return measurement
    }

    static func gauge(
        _ component: String, _ operation: String, _ value: Double, org: String = "", actionType: String = "",
        attributes: [String: String] = [:]
    ) -> Leadflow_V1_Measurement {
        var measurement = Leadflow_V1_Measurement()
        measurement.component = component
        measurement.operation = operation
        measurement.kind = .gauge
        measurement.value = value
        measurement.org = org
        measurement.actionType = actionType
        measurement.attributes = attributes
        return measurement
    }
}
