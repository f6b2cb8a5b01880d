import HTTPTypes
import Hummingbird
import NIOCore
import OpenAPIRuntime

/// A problem as each layer answers it: Hummingbird's router middleware and the OpenAPI runtime's.
extension AdminProblem {
    /// The problem as a Hummingbird response.
    var response: Response {
        let head = self.head
        return Response(status: head.status, headers: head.headerFields, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The problem as an OpenAPI runtime response.
    var parts: (HTTPResponse, HTTPBody?) { (head, HTTPBody(body)) }
}
