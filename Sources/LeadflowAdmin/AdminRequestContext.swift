import Hummingbird
import NIOCore

/// The request context of the admin API's router: Hummingbird's basics and the client's address, which bad
/// tokens are counted by.
public struct AdminRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address without its port: one client, however many connections it opens.
    var clientAddress: String {
        remoteAddress?.ipAddress ?? remoteAddress?.pathname ?? "unknown"
    }
}
