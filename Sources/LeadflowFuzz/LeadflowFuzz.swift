#if !LEADFLOW_FUZZING
import Foundation

/// `leadflow-fuzz`, built normally: replays corpus and regression files through the decoders (the test suite and
/// anyone reproducing a finding use it) and writes the seed corpora. Built for fuzzing, FuzzEntry.swift replaces it.
@main
struct LeadflowFuzz {
    static let usage = """
        usage: leadflow-fuzz list
               leadflow-fuzz replay <target> <file or directory>…
               leadflow-fuzz seed <corpus directory>
        Replay runs each file once through the target's decoder and prints how many ran; a broken invariant or a
        crash stops it (that input is a finding). Seed writes Fuzz/corpus/<target>/ afresh from FuzzSeeds.swift.
        """

    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch arguments.first {
        case "list":
            for target in FuzzTargets.all { print("\(target.name)\t\(target.summary)") }
        case "replay" where arguments.count >= 3:
            guard let target = FuzzTargets.named(arguments[1]) else { fail("unknown target '\(arguments[1])'") }
            let files = arguments.dropFirst(2).flatMap(inputFiles(at:))
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else { fail("cannot read \(file)") }
                target.run(Array(data))
            }
            print("\(target.name): \(files.count) inputs replayed")
        case "seed" where arguments.count == 2:
            do {
                try FuzzSeeds.write(into: URL(fileURLWithPath: arguments[1]))
            } catch {
                fail("cannot write the seeds: \(error)")
            }
        default:
            fail(usage)
        }
    }

    /// `path` itself, or the regular files directly inside it (sorted, hidden ones skipped), so that a run's order
    /// does not depend on the file system.
    static func inputFiles(at path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            fail("\(path) does not exist")
        }
        guard isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { "\(path)/\($0)" }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("leadflow-fuzz: \(message)\n".utf8))
        exit(2)
    }
}
#endif
