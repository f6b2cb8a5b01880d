import Foundation
import Postgres
import Testing

@Suite("LISTEN/NOTIFY")
struct PostgresNotificationTests {
    @Test("a notification sent on one connection reaches a listener on another")
    func delivered() async throws {
        try await withTestConnection { listener in
            try await withTestConnection { sender in
                let channel = "jobs_\(UInt32.random(in: 0...UInt32.max))"
                try await listener.listen(channel)
                #expect(await listener.listeningChannels == [channel])
                try await sender.notify(channel: channel, payload: "hello")
                let received = try await listener.waitForNotifications(timeout: .seconds(10))
                #expect(received == [PostgresNotification(channel: channel, payload: "hello", senderPID: await sender.backendPID)])
            }
        }
    }

    @Test("notifications sent in one transaction arrive together, in order, after the commit")
    func transactional() async throws {
        try await withTestConnection { listener in
            try await withTestConnection { sender in
                try await listener.listen("batch")
                try await sender.withTransaction { connection in
                    for payload in ["1", "2", "3"] { try connection.notify(channel: "batch", payload: payload) }
                }
                var payloads: [String] = []
                while payloads.count < 3 {
                    let received = try await listener.waitForNotifications(timeout: .seconds(10))
                    try #require(!received.isEmpty, "timed out after \(payloads)")
                    payloads += received.map(\.payload)
                }
                #expect(payloads == ["1", "2", "3"])
            }
        }
    }

    @Test("a wait with nothing sent returns empty after the timeout")
    func timeout() async throws {
        try await withTestConnection { listener in
            try await listener.listen("quiet_\(UInt32.random(in: 0...UInt32.max))")
            let clock = ContinuousClock()
            let start = clock.now
            let received = try await listener.waitForNotifications(timeout: .milliseconds(300))
            let elapsed = start.duration(to: clock.now)
            #expect(received.isEmpty)
            #expect(elapsed >= .milliseconds(290))
            #expect(elapsed < .seconds(5))
        }
    }

    @Test("after UNLISTEN nothing more arrives")
    func unlisten() async throws {
        try await withTestConnection { listener in
            try await withTestConnection { sender in
                try await listener.listen("gone")
                try await listener.unlisten("gone")
                try await sender.notify(channel: "gone", payload: "x")
                // A marker on a second channel proves delivery has happened by the time it arrives.
                try await listener.listen("marker")
                try await sender.notify(channel: "marker")
                let received = try await listener.waitForNotifications(timeout: .seconds(10))
                #expect(received.map(\.channel) == ["marker"])
            }
        }
    }

    @Test("cancelling the waiting task ends the wait promptly")
    func cancellation() async throws {
        try await withTestConnection { listener in
            try await listener.listen("never")
            let clock = ContinuousClock()
            let start = clock.now
            let waiting = Task { try await listener.waitForNotifications(timeout: .seconds(60)) }
            // No signal exists for "the thread is inside poll(2)"; cancelling earlier is also handled.
            try await Task.sleep(for: .milliseconds(100))
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }
            #expect(start.duration(to: clock.now) < .seconds(10))
            #expect(try await listener.query("SELECT 1").scalar(Int.self) == 1)
        }
    }

    @Test("LISTEN inside a transaction is refused, since a rollback would undo it unnoticed")
    func listenInsideTransaction() async throws {
        try await withTestConnection { connection in
            let error = await PostgresError.caught {
                try await connection.withTransaction { connection in try connection.listen("inside") }
            }
            #expect(error?.kind == .misuse)
            #expect(await connection.listeningChannels.isEmpty)
        }
    }

    @Test("channel names are quoted, so any name works and is case-sensitive")
    func quotedChannel() async throws {
        try await withTestConnection { listener in
            try await withTestConnection { sender in
                let channel = "Mixed \"Case\"; DROP"
                try await listener.listen(channel)
                try await sender.notify(channel: "mixed \"case\"; drop", payload: "wrong")
                try await sender.notify(channel: channel, payload: "right")
                let received = try await listener.waitForNotifications(timeout: .seconds(10))
                #expect(received.map(\.payload) == ["right"])
            }
        }
    }
}
