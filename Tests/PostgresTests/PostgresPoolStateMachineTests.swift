import Testing

@testable import Postgres

/// The pool's bookkeeping, driven with plain values and no I/O.
@Suite("Pool state machine")
struct PostgresPoolStateMachineTests {
    typealias Machine = PostgresPoolStateMachine<String, Int>

    @Test("creates up to the maximum, then queues")
    func createsThenQueues() {
        var machine = Machine(maximum: 2)
        #expect(isCreate(machine.lease(1)))
        #expect(isCreate(machine.lease(2)))
        #expect(isWait(machine.lease(3)))
        #expect(machine.open == 2)
        #expect(machine.waiters == [3])
    }

    @Test("a released connection goes to the longest waiter, else stays idle for reuse")
    func handOver() {
        var machine = Machine(maximum: 1)
        _ = machine.lease(1)
        _ = machine.lease(2)
        _ = machine.lease(3)
        guard case .grant(2, .connection("a")) = machine.release("a") else { Issue.record("expected waiter 2"); return }
        guard case .grant(3, .connection("a")) = machine.release("a") else { Issue.record("expected waiter 3"); return }
        guard case .keepIdle = machine.release("a") else { Issue.record("expected idle"); return }
        guard case .use("a") = machine.lease(4) else { Issue.record("expected reuse"); return }
    }

    @Test("a failed creation hands its slot to a waiter instead of stranding it")
    func creationFailure() {
        var machine = Machine(maximum: 1)
        _ = machine.lease(1)
        _ = machine.lease(2)
        guard case .grant(2, .create) = machine.creationFailed() else { Issue.record("expected create grant"); return }
        #expect(machine.open == 1)
        let nothing = machine.creationFailed()
        #expect(nothing == nil)
        #expect(machine.open == 0)
    }

    @Test("a cancelled waiter is removed once, and never granted")
    func cancel() {
        var machine = Machine(maximum: 1)
        _ = machine.lease(1)
        _ = machine.lease(2)
        let first = machine.cancel(2)
        let second = machine.cancel(2)
        #expect(first)
        #expect(!second)
        guard case .keepIdle = machine.release("a") else { Issue.record("expected idle"); return }
    }

    @Test("shutdown returns idle connections and waiters, then closes returns and refuses leases")
    func shutDown() {
        var machine = Machine(maximum: 2)
        _ = machine.lease(1)
        _ = machine.lease(2)
        _ = machine.release("a")
        _ = machine.lease(3)
        _ = machine.lease(4)
        let (close, fail) = machine.shutDown()
        #expect(close.isEmpty)
        #expect(fail == [4])
        guard case .close("b") = machine.release("b") else { Issue.record("expected close"); return }
        guard case .fail = machine.lease(5) else { Issue.record("expected fail"); return }
        #expect(machine.open == 1)
    }

    private func isCreate(_ action: Machine.LeaseAction) -> Bool {
        if case .create = action { return true }
        return false
    }

    private func isWait(_ action: Machine.LeaseAction) -> Bool {
        if case .wait = action { return true }
        return false
    }
}

extension PostgresPoolStateMachine.ReleaseAction: Equatable where Connection: Equatable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        switch (lhs, rhs) {
        case (.keepIdle, .keepIdle): true
        case (.close(let a), .close(let b)): a == b
        case (.grant(let a, .create), .grant(let b, .create)): a == b
        case (.grant(let a, .connection(let x)), .grant(let b, .connection(let y))): a == b && x == y
        default: false
        }
    }
}
