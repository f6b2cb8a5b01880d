import Foundation
import Synchronization

/// Where the collector's JSON log lines go (slow operations, alert transitions): one line per write, whole
/// lines only, from any task.
public final class LineSink: Sendable {
    private let write: @Sendable (String) -> Void

    /// A sink that hands each line (without its newline) to `write`.
    public init(_ write: @escaping @Sendable (String) -> Void) {
        self.write = write
    }

    /// Writes `line` and a newline.
    public func emit(_ line: String) { write(line) }

    /// Standard output, one `write(2)` per line so lines from several writers never interleave.
    public static func standardOutput() -> LineSink {
        let handle = Mutex(FileHandle.standardOutput)
        return LineSink { line in
            handle.withLock { try? $0.write(contentsOf: Data((line + "\n").utf8)) }
        }
    }

    /// Appends to the file at `path`, creating it.
    public static func file(_ path: String) throws -> LineSink {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
            }
        }
        let file = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try file.seekToEnd()
        let handle = Mutex(file)
        return LineSink { line in
            handle.withLock { try? $0.write(contentsOf: Data((line + "\n").utf8)) }
        }
    }
}
