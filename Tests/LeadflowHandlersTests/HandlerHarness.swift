import LeadflowBus
import LeadflowHandlers
import LeadflowProto
import LeadflowTelemetry
import LeadflowTestKit
import Logging
import ServiceLifecycle
import Testing
import ZeroMQ

/// A handler service running against the scheduler's side of the bus, over real ZeroMQ sockets: a bound PUSH for
/// dispatches and a bound PULL for results, as the scheduler has them.
struct HandlerHarness {
    let service: HandlerService
    let dispatches: BusPusher
    let results: BusPuller
    /// The scheduler's receipt PUB socket, when started `withReceipts`.
    let receipts: BusPublisher?
    let running: Task<Void, any Error>
    /// Asks for a graceful shutdown: the service's own `shutdown()`, or the signal of the `ServiceGroup` it runs in.
    let requestShutdown: @Sendable () async -> Void

    /// Starts the service and runs it, alone or (`inServiceGroup`) as a `ServiceGroup` would.
    static func start(
        driver: any DeliveryDriver, logs: CapturedLogs = CapturedLogs(), inServiceGroup: Bool = false,
        telemetry: Telemetry = .disabled, withReceipts: Bool = false,
        configure: (inout HandlerService.Configuration) -> Void = { _ in }
    ) async throws -> HandlerHarness {
        let context = try ZMQContext()
        let actionAddress = TestTransport.inproc.bindAddress()
        let resultAddress = TestTransport.inproc.bindAddress()
        let dispatches = try await BusPusher.start(
            context: context, name: "scheduler-actions", endpoints: [.bind(actionAddress)])
        let results = try await BusPuller.start(
            context: context, name: "scheduler-results", endpoints: [.bind(resultAddress)])
        var configuration = HandlerService.Configuration(
            actionType: .webhook, actionEndpoints: [.connect(actionAddress)], resultEndpoints: [.connect(resultAddress)]
        )
        configuration.handlerID = "webhook@test"
        var receipts: BusPublisher?
        if withReceipts {
            let receiptAddress = TestTransport.inproc.bindAddress()
            receipts = try await BusPublisher.start(
                context: context, name: "scheduler-receipts", endpoints: [.bind(receiptAddress)])
            configuration.receiptEndpoints = [.connect(receiptAddress)]
        }
        configure(&configuration)
        let service = try await HandlerService.start(
            context: context, configuration: configuration, driver: driver, logger: logs.logger(), telemetry: telemetry)
        guard inServiceGroup else {
            return HandlerHarness(
                service: service, dispatches: dispatches, results: results, receipts: receipts,
                running: Task { try await service.run() }, requestShutdown: { service.shutdown() })
        }
        let group = ServiceGroup(services: [service], logger: Logger(label: "test.group"))
        return HandlerHarness(
            service: service, dispatches: dispatches, results: results, receipts: receipts,
            running: Task { try await group.run() }, requestShutdown: { await group.triggerGracefulShutdown() })
    }

    /// Pushes dispatches as the scheduler does: subject `action.webhook`, the attempt in a header too.
    func send(_ dispatches: [Leadflow_V1_ActionDispatch]) async throws {
        let envelopes = try dispatches.map { dispatch in
            try Envelope(
                subject: Subject("action.webhook"), message: dispatch,
                headers: Headers([Headers.Name.attempt: "\(dispatch.attempt)"]))
        }
        try await self.dispatches.push(contentsOf: envelopes)
    }

    func sendRaw(subject: String, payload: [UInt8]) async throws {
        try await dispatches.push(Envelope(subject: Subject(subject), payload: payload))
    }

    /// The next `count` results, in arrival order; each must be a valid `result.webhook` message.
    func nextResults(_ count: Int) async throws -> [Leadflow_V1_ActionResult] {
        var received: [Leadflow_V1_ActionResult] = []
        while received.count < count {
            let envelope = try #require(await results.next())
            #expect(envelope.subject.string == "result.webhook")
            received.append(try envelope.decode(Leadflow_V1_ActionResult.self))
        }
        return received
    }

    /// Publishes a receipt for `results` as the scheduler does after applying them, again and again until the
    /// handler holds no more than `remaining` unacknowledged results: a subscription takes a moment to reach the
    /// publisher, and what is published before is not delivered.
    func acknowledge(_ results: [Leadflow_V1_ActionResult], leaving remaining: Int) async throws {
        let receipts = try #require(receipts)
        var receipt = Leadflow_V1_ResultReceipt()
        receipt.results = results.map { result in
            .with {
                $0.actionID = result.actionID
                $0.attempt = result.attempt
            }
        }
        let envelope = try Envelope(subject: Subject("receipt.webhook"), message: receipt)
        try await eventually("the handler holds \(remaining) unacknowledged results", timeout: .seconds(10)) {
            _ = receipts.publish(envelope)
            return service.statistics.unconfirmed <= remaining
        }
    }

    /// Shuts the service down gracefully, waits until it returned, and closes the scheduler's sockets.
    func stop() async throws {
        await requestShutdown()
        try await running.value
        await dispatches.close()
        await results.close()
        await receipts?.close()
    }
}
