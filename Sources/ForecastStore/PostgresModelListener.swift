#if canImport(Glibc)
import Glibc
#endif
import CLibPQ
import Foundation
import Locking

/// Waits for `NOTIFY forecast_models` on a connection and a thread of its own, and calls
/// back with each published generation.
///
/// The thread blocks in `poll` on the connection's socket (a second at a time, to see a
/// stop), never on Swift's cooperative pool. A lost connection is opened again (after 1 s,
/// then up to 30 s between tries); since notifications sent meanwhile are lost, the
/// callback is then called with generation 0, meaning "look again".
public final class PostgresModelListener: Sendable {
    private let url: String
    private let onPublish: @Sendable (Int64) -> Void
    private let onProblem: @Sendable (String) -> Void
    private let stopped = Locked(false)

    /// A listener on `url` calling `onPublish` with each generation (0 after a reconnect) and
    /// `onProblem` when the connection fails; call ``start()``.
    public init(url: String, onPublish: @escaping @Sendable (Int64) -> Void,
                onProblem: @escaping @Sendable (String) -> Void = { _ in }) {
        self.url = url
        self.onPublish = onPublish
        self.onProblem = onProblem
    }

    /// Connects and listens before returning (so a publish right after is not missed), then
    /// waits on a thread of its own.
    public func start() throws(StoreError) {
        let handoff = Handoff(connection: try listen())
        Thread.detachNewThread { [self] in run(handoff.connection) }
    }

    /// Stops the thread (within a second).
    public func stop() {
        stopped.withLock { $0 = true }
    }

    /// The first connection, handed from ``start()`` to the thread, which alone uses it.
    private struct Handoff: @unchecked Sendable {
        let connection: PostgresConnection
    }

    private func listen() throws(StoreError) -> PostgresConnection {
        let connection = try PostgresConnection(url: url)
        try connection.execute("LISTEN \(PostgresModelStore.channel)")
        return connection
    }

    private func run(_ first: PostgresConnection) {
        var connection: PostgresConnection? = first
        var pause = 1.0
        while !stopped.withLock({ $0 }) {
            guard let open = connection else {
                Thread.sleep(forTimeInterval: pause)
                do {
                    connection = try listen()
                    pause = 1
                    onPublish(0)
                } catch {
                    onProblem("\(error)")
                    pause = min(pause * 2, 30)
                }
                continue
            }
            var descriptor = pollfd(fd: PQsocket(open.pointer), events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 1000)
            if ready < 0 && errno == EINTR { continue }
            if ready > 0 {
                if PQconsumeInput(open.pointer) == 0 || !open.isOpen {
                    onProblem("the notification connection failed: \(open.lastError)")
                    connection = nil  // closes it
                    continue
                }
                while let notification = PQnotifies(open.pointer) {
                    let payload = notification.pointee.extra.map { String(cString: $0) } ?? ""
                    PQfreemem(notification)
                    onPublish(Int64(payload) ?? 0)
                }
            }
        }
    }
}
