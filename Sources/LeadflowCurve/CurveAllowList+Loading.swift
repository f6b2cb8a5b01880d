import Foundation

extension CurveAllowList {
    /// Reads an allow-list file, or every file of a directory (names starting with `.` skipped, in name
    /// order) — one file per client is how keys are usually distributed.
    public static func load(path: String) throws(CurveKeyError) -> CurveAllowList {
        var list = CurveAllowList()
        for file in try files(at: path) {
            try list.add(try CurveKeyFile.read(file), file: file)
        }
        return list
    }

    /// What changes when the list changes: each file's name, size and modification time, and the
    /// directory's. Comparing it is how a list is reloaded without a restart.
    static func fingerprint(path: String) -> [String] {
        guard let files = try? files(at: path) else { return ["unreadable"] }
        return ([path] + files).map { file in
            var status = stat()
            guard stat(file, &status) == 0 else { return "\(file) gone" }
            return "\(file) \(status.st_size) \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec) \(status.st_ino)"
        }
    }

    private static func files(at path: String) throws(CurveKeyError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CurveKeyError(.missing, path: path, "no such file or directory")
        }
        guard isDirectory.boolValue else { return [path] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw CurveKeyError(.unreadable, path: path, "the directory cannot be listed")
        }
        return names.filter { !$0.hasPrefix(".") }.sorted().map { (path as NSString).appendingPathComponent($0) }
            .filter { file in
                var isSubdirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: file, isDirectory: &isSubdirectory) && !isSubdirectory.boolValue
            }
    }
}
