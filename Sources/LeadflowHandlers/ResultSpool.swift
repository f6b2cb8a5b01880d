import Foundation
import LeadflowBus

/// Results a handler could not get acknowledged before it stopped, kept in a file so that the next handler of
/// its type started with the same spool directory pushes them (docs/handlers.md "Results that survive
/// crashes"). A file holds the result envelopes as they were pushed: after the 8-byte magic `LFRSPL1\n`, each
/// envelope's three frames, each a 4-byte big-endian length and that many bytes.
///
/// Several handlers may share a directory: each writes a file named after its type, process and a random
/// part, and a starting handler takes a file by renaming it to a name of its own first, so only one of them
/// reads it. A file that is cut short or damaged yields the envelopes before the damage.
enum ResultSpool {
    static let magic = Array("LFRSPL1\n".utf8)

    /// Writes `envelopes` to a new file in `directory` (created when missing), atomically; returns its path.
    @discardableResult
    static func write(_ envelopes: [Envelope], type: String, to directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var bytes = magic
        for envelope in envelopes {
            for frame in envelope.frames {
                var length = UInt32(frame.count).bigEndian
                withUnsafeBytes(of: &length) { bytes.append(contentsOf: $0) }
                bytes.append(contentsOf: frame)
            }
        }
        let path = (directory as NSString).appendingPathComponent(
            "\(type)-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).spool")
        try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        return path
    }

    /// Takes every spool file of `type` in `directory` and returns the envelopes they held (deleting the files),
    /// with the number of files whose contents were damaged.
    static func claim(type: String, in directory: String) -> (envelopes: [Envelope], damaged: Int) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return ([], 0) }
        var envelopes: [Envelope] = []
        var damaged = 0
        for name in names.sorted() where name.hasPrefix("\(type)-") && name.hasSuffix(".spool") {
            let path = (directory as NSString).appendingPathComponent(name)
            // Renaming first: of several handlers starting together, one wins each file.
            let mine = path + ".taken-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            guard rename(path, mine) == 0 else { continue }
            defer { unlink(mine) }
            guard let data = FileManager.default.contents(atPath: mine) else { continue }
            let (read, intact) = decode(Array(data))
            envelopes += read
            if !intact { damaged += 1 }
        }
        return (envelopes, damaged)
    }

    /// The envelopes of a spool file's bytes, and whether the whole file was read without damage.
    static func decode(_ bytes: [UInt8]) -> (envelopes: [Envelope], intact: Bool) {
        guard bytes.starts(with: magic) else { return ([], bytes.isEmpty) }
        var offset = magic.count
        var envelopes: [Envelope] = []
        func frame() -> [UInt8]? {
            guard bytes.count - offset >= 4 else { return nil }
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            offset += 4
            guard bytes.count - offset >= length else { return nil }
            defer { offset += length }
            return Array(bytes[offset..<offset + length])
        }
        while offset < bytes.count {
            guard let subject = frame(), let headers = frame(), let payload = frame(),
                let envelope = try? Envelope(frames: [subject, headers, payload])
            else { return (envelopes, false) }
            envelopes.append(envelope)
        }
        return (envelopes, true)
    }
}
