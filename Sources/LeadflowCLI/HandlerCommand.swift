import ArgumentParser
import LeadflowDomain
import LeadflowEngine
import LeadflowTelemetry
import Logging
import ServiceLifecycle
import ZeroMQ

/// `leadflow handler email|sms|webhook`: one handler process; run more copies to scale a type.
struct HandlerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handler",
        abstract: "Run a handler service for one action type (pulls dispatches, delivers, pushes results).",
        discussion: ConfigOptions.discussion)

    @Argument(help: "The action type: email, sms or webhook.")
    var type: String

    @OptionGroup var options: ConfigOptions

    func validate() throws {
        guard let type = ActionType(rawValue: type), type.isExternal else {
            throw ValidationError("handler type must be one of email, sms, webhook (got \"\(type)\")")
        }
    }

    func run() async throws {
        let settings = try options.settings()
        let actionType = ActionType(rawValue: type)!
        let logger = CLILogging.logger("handler.\(type)")
        guard let handlerSettings = settings.handlers[actionType] else { throw ValidationError("no settings for \(type)") }
        let context = try ZMQContext()
        let result = await Result(catching: {
            try await ServiceProcess.withTelemetry(
                settings: settings, component: TelemetryComponent.handler(type), context: context, logger: logger
            ) { telemetry in
                let process = try await HandlerProcess(
                    settings: handlerSettings, shutdownTimeout: settings.shutdownTimeout, context: context,
                    logger: logger, telemetry: telemetry, socketOptions: settings.bus.connectOptions,
                    lease: settings.scheduler.lease)
                try await ServiceProcess.runGroup([process], shutdownTimeout: settings.shutdownTimeout, logger: logger)
            }
        })
        context.shutdown()
        try result.get()
    }
}
