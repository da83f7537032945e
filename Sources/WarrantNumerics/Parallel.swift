import Foundation

/// A value that crosses into `Parallel.ranges` work although its type is not `Sendable`:
/// a buffer's base address whose ranges each thread touches disjointly. The caller
/// guarantees that no two parts write the same memory and that the memory outlives the
/// call (`ranges` returns only when every part is done).
public struct UnsafeTransfer<Value>: @unchecked Sendable {
    public let value: Value
    @inlinable public init(_ value: Value) { self.value = value }
}

/// Data-parallel loops for the hot paths that BLAS does not cover (sparse SAE kernels, Adam).
public enum Parallel {
    /// Threads to split loops across: the processors available, at most 8.
    public static let parts = Swift.max(1, Swift.min(8, ProcessInfo.processInfo.activeProcessorCount))

    /// Runs `body` on contiguous parts of 0..<count, one thread each, and returns when all
    /// are done. Below `minimum` iterations per part it runs inline on one part: starting
    /// threads costs more than small loops.
    @inlinable public static func ranges(_ count: Int, minimum: Int = 4096, _ body: @Sendable (Range<Int>) -> Void) {
        let n = Swift.min(parts, count / Swift.max(1, minimum))
        if n <= 1 {
            if count > 0 { body(0..<count) }
            return
        }
        DispatchQueue.concurrentPerform(iterations: n) { part in
            body((count * part / n)..<(count * (part + 1) / n))
        }
    }
}
