import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension LocalPostgresCluster {
    /// Starts the cluster, or joins the one another process already runs in this folder, and records this
    /// process as a user of it until `releaseShared()` or exit.
    ///
    /// Users are tracked with `flock(2)`: each holds a shared lock on `users.lock`, which the kernel releases
    /// when the process dies, so a crashed test run never keeps the server alive for nobody. Several test
    /// processes (`swift test` in parallel, or two people in one checkout) can thus share one cluster.
    public func startShared() async throws {
        try await runOnOwnThread {
            try self.withFileLock("start.lock") {
                try self.locked { try self.startBlocking() }
                guard self.state.withLock({ $0.sharedLock }) == nil else { return }
                let users = try self.openLockFile("users.lock")
                flock(users, LOCK_SH)
                self.state.withLock { $0.sharedLock = users }
            }
        }
    }

    /// Leaves a cluster joined with `startShared()`, stopping it when no other process uses it. Blocks the
    /// calling thread, so it also serves `atexit` handlers.
    public func releaseShared() throws {
        try withFileLock("start.lock") {
            guard let users = state.withLock({ state in defer { state.sharedLock = nil }; return state.sharedLock })
            else { return }
            close(users)
            // Exclusive succeeds only when no other process still holds its shared lock.
            let probe = try openLockFile("users.lock")
            defer { close(probe) }
            if flock(probe, LOCK_EX | LOCK_NB) == 0 {
                try locked { try stopBlocking() }
            } else {
                logger.debug("other processes still use the shared PostgreSQL cluster; leaving it running")
            }
        }
    }

    private func withFileLock<T>(_ name: String, _ body: () throws -> T) throws -> T {
        let descriptor = try openLockFile(name)
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw LocalPostgresClusterError(code: .invalidDirectory, message: "flock(\(name)) failed: errno \(errno)")
            }
        }
        return try body()
    }

    private func openLockFile(_ name: String) throws -> Int32 {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let descriptor = open(directory + "/" + name, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw LocalPostgresClusterError(
                code: .invalidDirectory, message: "cannot open \(directory)/\(name): errno \(errno)")
        }
        return descriptor
    }
}
