#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file in fixed-size blocks and hands out one line at a time, without copying.
///
/// Lines end with `\n`; a trailing `\r` is dropped. A line is only valid during the
/// callback that receives it. Memory stays bounded by the block size plus the longest line.
struct LineReader {
    let path: String
    var blockSize = 1 << 20

    /// Calls `body` with each line and its 1-based number; `body` returns false to stop.
    func forEachLine(_ body: (UnsafeBufferPointer<UInt8>, Int) throws(PipelineError) -> Bool) throws(PipelineError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw PipelineError(.data, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: blockSize)
        var filled = 0
        var lineNumber = 0
        var finished = false
        while !finished {
            if filled == buffer.count {
                buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count))
            }
            let got = buffer.withUnsafeMutableBytes { raw in
                read(descriptor, raw.baseAddress! + filled, raw.count - filled)
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw PipelineError(.data, "cannot read \(path): \(String(cString: strerror(errno)))")
            }
            let atEnd = got == 0
            filled += got
            var consumed = 0
            var stop = false
            try buffer.withUnsafeBufferPointer { (all: UnsafeBufferPointer<UInt8>) throws(PipelineError) in
                var start = 0
                var index = 0
                while index < filled {
                    if all[index] == 10 {
                        lineNumber += 1
                        var end = index
                        if end > start && all[end - 1] == 13 { end -= 1 }
                        if try !body(UnsafeBufferPointer(rebasing: all[start..<end]), lineNumber) {
                            stop = true
                            return
                        }
                        start = index + 1
                    }
                    index += 1
                }
                if atEnd && start < filled {
                    lineNumber += 1
                    var end = filled
                    if all[end - 1] == 13 { end -= 1 }
                    _ = try body(UnsafeBufferPointer(rebasing: all[start..<end]), lineNumber)
                    start = filled
                }
                consumed = start
            }
            if stop || atEnd {
                finished = true
            } else if consumed > 0 {
                buffer.withUnsafeMutableBufferPointer { pointer in
                    let base = pointer.baseAddress!
                    memmove(base, base + consumed, filled - consumed)
                }
                filled -= consumed
            }
        }
    }
}
