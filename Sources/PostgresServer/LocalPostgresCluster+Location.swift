import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension LocalPostgresCluster {
    /// Where the cluster can live for `requested`: itself, unless this process is root and the `postgres`
    /// user cannot search every parent folder (e.g. a checkout under /root, mode 0700). The server runs as
    /// that user, so such a folder would only fail later inside initdb; a folder under /var/tmp derived from
    /// the requested path keeps the same cluster for the same request, across runs.
    static func reachableLocation(for requested: String, serviceUserName: String = "postgres") -> String {
        guard geteuid() == 0, let user = CommandRunner.lookUp(serviceUserName),
            !canSearchParents(of: requested, uid: user.uid, gid: user.gid)
        else { return requested }
        return "/var/tmp/leadflow-postgres-" + stableDigest(requested)
    }

    /// Whether `uid`/`gid` may search every existing folder above `path` (mode bits; ACLs are not consulted).
    static func canSearchParents(of path: String, uid: uid_t, gid: gid_t) -> Bool {
        var parent = (path as NSString).deletingLastPathComponent
        while true {
            var info = stat()
            if stat(parent, &info) == 0 {
                let mode = info.st_mode
                let searchable =
                    if info.st_uid == uid { mode & S_IXUSR != 0 } else if info.st_gid == gid { mode & S_IXGRP != 0 } else {
                        mode & S_IXOTH != 0
                    }
                if !searchable { return false }
            }
            if parent == "/" || parent.isEmpty { return true }
            parent = (parent as NSString).deletingLastPathComponent
        }
    }

    /// FNV-1a of the path: stable across processes, unlike `Hasher`.
    static func stableDigest(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return String(hash, radix: 16)
    }
}
