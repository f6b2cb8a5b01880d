import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs PostgreSQL's programs and waits for them, as the `postgres` user when this process is root
/// (PostgreSQL refuses to run as root).
///
/// Not Foundation's `Process`: on Linux it learns that a child exited when a socket the child inherits reaches
/// end-of-file, and `pg_ctl start` leaves the server daemon holding that socket, so the exit of `pg_ctl` is never
/// seen. `posix_spawn` with every inherited descriptor closed, plus `waitpid`, has no such blind spot.
struct CommandRunner: Sendable {
    struct Result: Sendable {
        var status: Int32
        var output: String
    }

    /// The account to switch to, when running as root.
    struct ServiceUser: Sendable {
        var name: String
        var uid: uid_t
        var gid: gid_t
    }

    let serviceUser: ServiceUser?
    private let runuser: String?

    init(serviceUserName: String = "postgres") throws {
        guard geteuid() == 0 else {
            serviceUser = nil
            runuser = nil
            return
        }
        guard let user = Self.lookUp(serviceUserName) else {
            throw LocalPostgresClusterError(
                code: .serviceUserMissing,
                message: "running as root, but there is no '\(serviceUserName)' user to run PostgreSQL as "
                    + "(PostgreSQL refuses to run as root); install the `postgresql` package, which creates it")
        }
        serviceUser = user
        let tool = ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let tool else {
            throw LocalPostgresClusterError(
                code: .serviceUserMissing, message: "running as root, but `runuser` (util-linux) is not installed")
        }
        runuser = tool
    }

    /// The account `name`, if it exists.
    static func lookUp(_ name: String) -> ServiceUser? {
        guard let entry = getpwnam(name) else { return nil }
        return ServiceUser(name: name, uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    /// Gives `path` to the service user, so the server can write there.
    func handOver(_ path: String) {
        guard let serviceUser else { return }
        _ = chown(path, serviceUser.uid, serviceUser.gid)
    }

    /// Runs a program to completion and returns its exit status and combined output. Blocks the calling thread.
    func run(_ executable: String, _ arguments: [String], asServiceUser: Bool = true) throws -> Result {
        var argv = [executable] + arguments
        if asServiceUser, let runuser, let serviceUser {
            argv = [runuser, "-u", serviceUser.name, "--"] + argv
        }
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
        // The C locale sidesteps missing-locale failures in initdb and keeps messages in English.
        environment["LC_ALL"] = "C"
        environment["LANG"] = "C"
        // Output goes to a file: reading a pipe while waiting would need a second thread, for a few lines.
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("leadflow-pg-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // The server outlives pg_ctl; it must not keep any descriptor of ours (or of other libraries) open.
        Self.closeInheritedDescriptors(&actions)
        // A directory the service user can enter; initdb complains about an unreadable working directory.
        Self.changeDirectory(&actions, to: "/")

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var pid = pid_t()
        let spawned = withCStrings(argv) { argvPointers in
            withCStrings(environment.map { "\($0.key)=\($0.value)" }) { environmentPointers in
                posix_spawn(&pid, argv[0], &actions, &attributes, argvPointers, environmentPointers)
            }
        }
        guard spawned == 0 else {
            throw LocalPostgresClusterError(
                code: .startFailed, message: "cannot run \(argv[0]): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else {
                throw LocalPostgresClusterError(code: .startFailed, message: "waitpid failed: errno \(errno)")
            }
        }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        // WIFEXITED/WEXITSTATUS are macros Swift does not import; a signal shows as 128 + its number.
        let exitStatus = status & 0x7F == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Result(status: exitStatus, output: text)
    }

    private typealias FileActionWithInt = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    private typealias FileActionWithPath =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34+) is not in Swift's Glibc module, so it is looked
    /// up at run time; without it, the descriptors open right now are closed one by one.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: FileActionWithInt.self)(&actions, 3)
            return
        }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap(Int32.init) where descriptor > 2 && fcntl(descriptor, F_GETFD) >= 0 {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }

    private static func changeDirectory(_ actions: inout posix_spawn_file_actions_t, to path: String) {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np")
        else { return }
        _ = unsafeBitCast(symbol, to: FileActionWithPath.self)(&actions, path)
    }

    private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
        let copies = strings.map { strdup($0) } + [nil]
        defer { copies.forEach { free($0) } }
        return body(copies)
    }
}

/// Runs blocking work on a thread of its own and awaits it, keeping process waits off the cooperative pool.
func runOnOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try work() }) }
        thread.name = "local-postgres"
        thread.start()
    }
}
