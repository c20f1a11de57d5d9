import NIOCore
import NIOHTTP1

/// One forwarded request: its deadline, its connection attempts and its answer. Lives on
/// the pool's event loop.
final class UpstreamExchange {
    private let completion: (Result<UpstreamResponse, UpstreamError>) -> Void
    private let pool: UpstreamPool
    private let target: UpstreamTarget
    private let head: HTTPRequestHead
    private let deadline: NIODeadline
    private let limit: Int
    /// A refused connection is tried again until the deadline (true), or reported at once
    /// (false: a replicated route sends the request to another replica instead).
    private let retriesRefused: Bool
    private var timer: Scheduled<Void>?
    private var inFlight: UpstreamPool.Connection?
    private var lastConnectError: (any Error)?
    private var pause = TimeAmount.milliseconds(20)
    private var resent = false
    private var finished = false

    init(pool: UpstreamPool, target: UpstreamTarget, head: HTTPRequestHead, deadline: NIODeadline, limit: Int,
         retriesRefused: Bool = true, completion: @escaping (Result<UpstreamResponse, UpstreamError>) -> Void) {
        self.retriesRefused = retriesRefused
        self.pool = pool
        self.target = target
        self.head = head
        self.deadline = deadline
        self.limit = limit
        self.completion = completion
    }

    func start() {
        timer = pool.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { self.timeOut() }
        if let connection = pool.takeIdle(target) {
            send(on: connection, reused: true)
        } else {
            connect()
        }
    }

    private func connect() {
        pool.connect(target, deadline: deadline).assumeIsolated().whenComplete { result in
            guard !self.finished else {
                if case .success(let connection) = result { self.pool.release(connection, to: self.target, keepAlive: true) }
                return
            }
            switch result {
            case .success(let connection):
                self.send(on: connection, reused: false)
            case .failure(ChannelError.connectTimeout):
                // Nothing answered the connection attempt before the deadline: a timeout
                // (504), which the timer reports, not a refusal.
                break
            case .failure(let error) where !self.retriesRefused:
                self.finish(.failure(.connectFailed(error)))
            case .failure(let error):
                self.lastConnectError = error
                let retryAt = NIODeadline.now() + self.pause
                self.pause = min(self.pause * 2, .seconds(1))
                // At the deadline the timer reports the last error; until then, try again.
                if retryAt < self.deadline {
                    self.pool.eventLoop.assumeIsolated().scheduleTask(deadline: retryAt) {
                        if !self.finished { self.connect() }
                    }
                }
            }
        }
    }

    private func send(on connection: UpstreamPool.Connection, reused: Bool) {
        inFlight = connection
        connection.handler.send(head, limit: limit) { result in
            self.inFlight = nil
            switch result {
            case .success(let completed):
                self.pool.release(connection, to: self.target, keepAlive: completed.keepAlive)
                self.finish(.success(completed.response))
            case .failure(.closed(afterResponseStarted: false)) where reused && !self.resent && !self.finished:
                // A kept-alive connection the upstream had closed: once more on a new one.
                self.resent = true
                self.connect()
            case .failure(let error):
                self.finish(.failure(error))
            }
        }
    }

    private func timeOut() {
        guard !finished else { return }
        let error: UpstreamError = inFlight == nil ? lastConnectError.map { .connectFailed($0) } ?? .timedOut : .timedOut
        finish(.failure(error))
        inFlight?.handler.abandon(.timedOut)
    }

    private func finish(_ result: Result<UpstreamResponse, UpstreamError>) {
        guard !finished else { return }
        finished = true
        timer?.cancel()
        completion(result)
    }
}

@available(*, unavailable)
extension UpstreamExchange: Sendable {}
