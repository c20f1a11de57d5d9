import Foundation
import PluginProcesses
import TestSupport
import Testing

/// ``ChildProcess``: real programs (`/bin/sh`, `/bin/cat`) run to completion, started and
/// stopped, or killed.
@Suite("child processes")
struct ChildProcessTests {
    private func shell(_ script: String) -> ChildProcess {
        ChildProcess(executable: "/bin/sh", arguments: ["-c", script])
    }

    /// `script` with both outputs discarded, as ``ChildProcess/start()`` needs (no capture).
    private func quietShell(_ script: String) -> ChildProcess {
        var child = shell(script)
        child.standardOutput = .discard
        child.standardError = .discard
        return child
    }

    @Test("standard input reaches the child and its outputs come back apart")
    func inputAndOutputs() throws {
        // 1 MB: far more than a pipe buffer holds, so writing and reading must interleave.
        let input = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let outcome = try shell("cat; echo done >&2").run(input: input)
        #expect(outcome.termination == .exited(0))
        #expect(outcome.standardOutput == input)
        #expect(String(decoding: outcome.standardError, as: UTF8.self) == "done\n")
        #expect(outcome.reply.isEmpty)
    }

    @Test("the reply channel on descriptor 3 is kept apart from what the child prints")
    func replyChannel() throws {
        var child = shell("echo noise; printf reply >&3; exit 7")
        child.replyChannel = true
        let outcome = try child.run()
        #expect(outcome.termination == .exited(7))
        #expect(String(decoding: outcome.reply, as: UTF8.self) == "reply")
        #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == "noise\n")
    }

    @Test("a child killed by a signal says which")
    func signalled() throws {
        let outcome = try shell("kill -SEGV $$").run()
        #expect(outcome.termination == .signalled(SIGSEGV))
        #expect(outcome.termination.description.hasPrefix("killed by signal 11"))
    }

    @Test("a child still running at the deadline is killed, even one that closed its outputs")
    func deadline() throws {
        let started = Date()
        let outcome = try shell("exec >&- 2>&-; sleep 30").run(timeout: 0.5)
        #expect(outcome.termination == .timedOut(seconds: 0.5))
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test("a child that stops reading its input does not take the parent down (no SIGPIPE)")
    func brokenPipe() throws {
        let outcome = try shell("exit 3").run(input: [UInt8](repeating: 65, count: 4_000_000))
        #expect(outcome.termination == .exited(3))
    }

    @Test("environment and working directory are the child's own")
    func environmentAndDirectory() throws {
        var child = ChildProcess(executable: "/bin/sh", arguments: ["-c", "printf '%s %s' \"$GREETING\" \"$(pwd)\""],
                                 environment: ["GREETING": "hello"], directory: "/tmp")
        child.standardError = .discard
        let outcome = try child.run()
        #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == "hello /tmp")
    }

    @Test("descriptors the parent opened without close-on-exec do not reach the child")
    func inheritedDescriptorsClosed() throws {
        // No O_CLOEXEC, as Foundation's pipes; numbered above 3 so it cannot be the reply channel.
        let opened = open("/dev/null", O_RDONLY)
        let leaky = fcntl(opened, F_DUPFD, 20)
        close(opened)
        #expect(leaky >= 20)
        defer { close(leaky) }
        var child = shell("[ -e /proc/$$/fd/\(leaky) ] && echo leaked; [ -e /proc/$$/fd/3 ] && echo reply; exit 0")
        child.replyChannel = true
        let outcome = try child.run()
        #expect(String(decoding: outcome.standardOutput, as: UTF8.self) == "reply\n")
    }

    @Test("both outputs appended to one file, which starts empty")
    func outputsToOneFile() throws {
        let path = NSTemporaryDirectory() + "child-\(UUID().uuidString).log"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("stale contents\n".utf8).write(to: URL(fileURLWithPath: path))
        var child = shell("echo out; echo err >&2; echo out again")
        child.standardOutput = .file(path)
        child.standardError = .file(path)
        let outcome = try child.run()
        #expect(outcome.termination == .exited(0))
        #expect(outcome.standardOutput.isEmpty && outcome.standardError.isEmpty)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "out\nerr\nout again\n")
    }

    @Test("a started child runs alongside the caller until a signal ends it; then no signal is sent")
    func startAndSignal() throws {
        let running = try quietShell("exec sleep 30").start()
        #expect(running.pid > 0)
        #expect(running.isRunning)
        #expect(running.wait(timeout: 0.2) == nil, "a sleeping child ended by itself")
        #expect(running.signal(SIGTERM))
        #expect(running.wait(timeout: 10) == .signalled(SIGTERM))
        #expect(!running.isRunning)
        // Reaped: its pid may be another process's now, so nothing is sent.
        #expect(!running.signal(SIGTERM))
        #expect(running.termination == .signalled(SIGTERM))
    }

    @Test("a started child reads end-of-file on its input and its exit status is kept")
    func startedExitStatus() throws {
        let path = NSTemporaryDirectory() + "child-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var child = quietShell("cat; exit 4")
        child.standardOutput = .file(path)
        let running = try child.start()
        #expect(running.wait(timeout: 10) == .exited(4))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "")
    }

    /// A started shell looping for ever once it has set `trap` (it says so on standard output).
    private func looping(after trap: String) throws -> ChildProcess.Running {
        let path = NSTemporaryDirectory() + "child-\(UUID().uuidString).out"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var child = quietShell("\(trap); echo ready; while :; do sleep 0.05; done")
        child.standardOutput = .file(path)
        let running = try child.start()
        let deadline = Date().addingTimeInterval(30)
        while (try? String(contentsOfFile: path, encoding: .utf8)) != "ready\n" && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.01)
        }
        return running
    }

    @Test("stop sends SIGTERM and kills a child that ignores it once the grace time is over")
    func stopEscalates() throws {
        let first = try looping(after: "trap 'exit 0' TERM")
        #expect(first.stop(grace: 10) == .exited(0))

        let second = try looping(after: "trap '' TERM")
        let started = Date()
        #expect(second.stop(grace: 0.5) == .signalled(SIGKILL))
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test("a started child cannot capture output or reply: nothing would drain the pipes")
    func startRefusesPipes() {
        #expect(throws: ChildProcessError.self) { try shell("true").start() }
        var replying = quietShell("true")
        replying.replyChannel = true
        #expect(throws: ChildProcessError.self) { try replying.start() }
        var missing = ChildProcess(executable: "/nonexistent/forecast-test-program")
        missing.standardOutput = .discard
        missing.standardError = .discard
        #expect {
            try missing.start()
        } throws: { error in
            "\(error)" == "cannot start /nonexistent/forecast-test-program: No such file or directory"
        }
    }

    @Test("a program that does not exist is an error naming it")
    func missingProgram() {
        #expect {
            try ChildProcess(executable: "/nonexistent/forecast-test-program").run()
        } throws: { error in
            "\(error)" == "cannot start /nonexistent/forecast-test-program: No such file or directory"
        }
    }
}
