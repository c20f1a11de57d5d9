import Foundation
import PluginHost
import Testing

/// ``ChildProcess``: real programs (`/bin/sh`, `/bin/cat`) run to completion or killed.
@Suite("child processes")
struct ChildProcessTests {
    private func shell(_ script: String) -> ChildProcess {
        ChildProcess(executable: "/bin/sh", arguments: ["-c", script])
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

    @Test("a program that does not exist is an error naming it")
    func missingProgram() {
        #expect {
            try ChildProcess(executable: "/nonexistent/forecast-test-program").run()
        } throws: { error in
            "\(error)" == "cannot start /nonexistent/forecast-test-program: No such file or directory"
        }
    }
}
