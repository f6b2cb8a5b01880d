import LeadflowBus
import LeadflowProto

/// The bus decoders: what a peer on any socket controls completely.
extension FuzzTarget {
    /// The subject frame, and the same bytes as a subscription pattern.
    static let subject = FuzzTarget(name: "subject", summary: "Subject(bytes:), Subject(_:), SubjectPattern") { input in
        let text = String(decoding: input, as: UTF8.self)
        let subject = try? Subject(bytes: input)
        if let subject {
            // A valid subject's tokens are what the ingest decoder and the subscribers split on.
            _ = subject.tokens
            _ = subject.lastToken
            let again = try? Subject(subject.string)
            precondition(again == subject, "a valid subject does not survive its own string")
        }
        guard let pattern = try? SubjectPattern(text) else { return }
        _ = pattern.zmqPrefix
        if let subject {
            let matches = pattern.matches(subject)
            // A pattern without wildcards is the subject itself.
            precondition(!pattern.isLiteral || matches, "a literal pattern does not match its own subject")
        }
    }

    /// The `NATS/1.0` header frame.
    static let headers = FuzzTarget(name: "headers", summary: "HeaderBlock.decode(_:limit:), Headers") { input in
        guard let headers = try? HeaderBlock.decode(input) else { return }
        _ = headers.status
        _ = headers.statusDescription
        for field in headers.fields {
            precondition(headers[field.name] != nil, "a decoded field cannot be looked up by its name")
            _ = headers.values(for: field.name)
        }
        precondition((try? HeaderBlock.decode(HeaderBlock.encode(headers))) == headers, "headers do not round-trip")
    }

    /// Three frames as a socket delivers them (encoded with ``FuzzFrames``), with every payload reading.
    static let envelope = FuzzTarget(name: "envelope", summary: "Envelope(frames:), decode, decodeAll, DelimitedStream") { input in
        let frames = FuzzFrames.split(input)
        // The payload alone as a delimited stream, whatever the headers say: the stream parser is the riskier part.
        if let payload = frames.last {
            _ = DelimitedStream.count(in: payload)
            _ = try? DelimitedStream.decode(Leadflow_V1_LeadUpsert.self, from: payload)
        }
        guard let envelope = try? Envelope(frames: frames) else { return }
        _ = envelope.msgID
        _ = envelope.messageCount
        _ = try? envelope.decode(Leadflow_V1_LeadUpsert.self)
        _ = try? envelope.decodeAll(Leadflow_V1_LeadEnroll.self)
        precondition((try? Envelope(frames: envelope.frames)) == envelope, "an envelope does not round-trip")
    }

    /// The reply frames a DEALER receives from ingest (encoded with ``FuzzFrames``).
    static let ack = FuzzTarget(name: "ack", summary: "Ack(frames:)") { input in
        guard let ack = try? Ack(frames: FuzzFrames.split(input)) else { return }
        _ = ack.description
        precondition((try? Ack(frames: ack.frames)) == ack, "an ack does not round-trip")
    }
}
