#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One end of the socket pair between `forecast serve` and a serving worker: whole
/// ``WorkerMessage``s written and read, each by a deadline.
///
/// The descriptor is non-blocking and every wait is a `poll` bounded by the deadline, so a
/// worker that hangs (and stops reading or answering) costs the caller the time limit,
/// never more. Not thread-safe: one caller at a time.
struct WorkerSocket {
    /// Why an exchange ended without a message.
    enum Failure: Error, Equatable {
        /// The other side closed the socket (the worker exited or was killed).
        case closed
        /// The deadline passed.
        case timedOut
        /// A system call failed, or the bytes were not a message; the text says which.
        case broken(String)
    }

    /// The descriptor, owned by whoever created this value.
    let descriptor: Int32

    /// Makes `descriptor` non-blocking and wraps it.
    init(descriptor: Int32) {
        self.descriptor = descriptor
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
    }

    /// Writes `message` whole by `deadline` (a ``ChildProcess/now()`` time; nil: no limit).
    func send(_ message: WorkerMessage, deadline: Double?) throws(Failure) {
        let bytes: [UInt8]
        do {
            bytes = try message.encoded()
        } catch {
            throw .broken("cannot encode the message: \(error)")
        }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { raw in
                Glibc.send(descriptor, raw.baseAddress! + written, raw.count - written, Int32(MSG_NOSIGNAL))
            }
            if count > 0 {
                written += count
            } else if count < 0 && (errno == EAGAIN || errno == EINTR) {
                try wait(for: Int16(POLLOUT), deadline: deadline)
            } else if count < 0 && (errno == EPIPE || errno == ECONNRESET) {
                throw .closed
            } else {
                throw .broken("send: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Reads the next whole message by `deadline` (nil: no limit).
    func receive(deadline: Double?) throws(Failure) -> WorkerMessage {
        let prefix = try read(count: 4, deadline: deadline)
        let length = WorkerMessage.length(prefix: prefix)
        guard length <= WorkerMessage.maximumBytes else {
            throw .broken("a message announces \(length) bytes, more than the \(WorkerMessage.maximumBytes) allowed")
        }
        let body = try read(count: length, deadline: deadline)
        do {
            return try WorkerMessage.decode(body)
        } catch {
            throw .broken("unreadable message: \(error)")
        }
    }

    private func read(count: Int, deadline: Double?) throws(Failure) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let got = bytes.withUnsafeMutableBytes { raw in
                Glibc.recv(descriptor, raw.baseAddress! + filled, count - filled, 0)
            }
            if got > 0 {
                filled += got
            } else if got == 0 {
                throw .closed
            } else if errno == EAGAIN || errno == EINTR {
                try wait(for: Int16(POLLIN), deadline: deadline)
            } else if errno == ECONNRESET {
                throw .closed
            } else {
                throw .broken("recv: \(String(cString: strerror(errno)))")
            }
        }
        return bytes
    }

    /// Waits until the socket is ready for `events`, or throws at the deadline.
    private func wait(for events: Int16, deadline: Double?) throws(Failure) {
        while true {
            var timeout: Int32 = -1
            if let deadline {
                let left = deadline - ChildProcess.now()
                if left <= 0 { throw .timedOut }
                timeout = Int32(min(left * 1000, 60_000).rounded(.up))
            }
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let ready = poll(&entry, 1, timeout)
            if ready > 0 { return }  // readable, writable, or an error the next call reports
            if ready < 0 && errno != EINTR { throw .broken("poll: \(String(cString: strerror(errno)))") }
        }
    }
}
