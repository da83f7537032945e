import Foundation

/// Writes Warrant's outputs (reports, SARIF, plots, records' artifacts) so that no run
/// can destroy what it read: an output path that is one of the run's inputs is refused,
/// a device, FIFO or folder is refused, and the bytes go to a temporary file beside the
/// target that is renamed over it only once every byte is written.
public enum OutputFile {
    public enum WriteError: Error, Sendable, CustomStringConvertible {
        case isInput(String, what: String)
        case notRegular(String, kind: String)
        case failed(String, reason: String)

        public var description: String {
            switch self {
            case .isInput(let p, let what):
                return "refusing to write \(p): it is \(what) of this run, and writing it would destroy it; choose another output path"
            case .notRegular(let p, let kind): return "refusing to write \(p): it is \(kind), not a regular file"
            case .failed(let p, let reason): return "cannot write \(p): \(reason)"
            }
        }
    }

    /// Writes `bytes` to `path` unless `path` is one of `inputs`.
    public static func write(_ bytes: [UInt8], to path: String, inputs: InputFiles = InputFiles()) throws(WriteError) {
        if let what = inputs.role(of: path) { throw .isInput(path, what: what) }
        if let kind = try? RegularFile.nonRegularKind(path) { throw .notRegular(path, kind: kind) }
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var template = Array((dir + "/." + url.lastPathComponent + ".warrant-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemp(base)
        }
        guard fd >= 0 else { throw .failed(path, reason: String(cString: strerror(errno))) }
        let temporary = String(cString: template.map { CChar($0) })
        var closed = false
        defer {
            if !closed { close(fd) }
            unlink(temporary)
        }
        if let reason = writeAll(bytes, to: fd) { throw .failed(path, reason: reason) }
        // Reports are read by others: rw-r--r--, less what the umask removes.
        let mask = umask(0)
        umask(mask)
        fchmod(fd, 0o644 & ~mask)
        guard fsync(fd) == 0, close(fd) == 0 else {
            closed = true
            throw .failed(path, reason: String(cString: strerror(errno)))
        }
        closed = true
        guard rename(temporary, path) == 0 else { throw .failed(path, reason: String(cString: strerror(errno))) }
    }

    public static func write(_ text: String, to path: String, inputs: InputFiles = InputFiles()) throws(WriteError) {
        try write(Array(text.utf8), to: path, inputs: inputs)
    }
}

/// The files a run reads, by real path (symlinks resolved), and what each is, so that
/// no output of the run can replace one of them.
public struct InputFiles: Sendable {
    private var roles: [String: String] = [:]

    public init() {}

    /// Records `path` as an input, described as `what` ("a case file", "the evidence store").
    public mutating func add(_ path: String, as what: String) {
        let real = Self.realPath(path)
        if roles[real] == nil { roles[real] = what }
    }

    /// What `path` is to the run, or nil when it is not an input.
    public func role(of path: String) -> String? {
        roles[Self.realPath(path)]
    }

    /// The path with every symlink resolved, also for a file that does not exist yet (its
    /// folder is resolved).
    public static func realPath(_ path: String) -> String {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        if FileManager.default.fileExists(atPath: url.path) { return url.resolvingSymlinksInPath().path }
        return url.deletingLastPathComponent().resolvingSymlinksInPath().appendingPathComponent(url.lastPathComponent).path
    }
}

/// Standard output, with write errors reported: `warrant report > /dev/full` must not
/// claim success.
public enum StandardOutput {
    public struct WriteError: Error, Sendable, CustomStringConvertible {
        public var reason: String
        public var description: String { "cannot write to standard output: \(reason)" }
    }

    public static func write(_ text: String) throws(WriteError) {
        fflush(nil)  // what `print` buffered goes first
        if let reason = writeAll(Array(text.utf8), to: STDOUT_FILENO) { throw WriteError(reason: reason) }
    }
}

/// Writes every byte to a file descriptor; the reason it could not, or nil.
func writeAll(_ bytes: [UInt8], to fd: Int32) -> String? {
    var done = 0
    while done < bytes.count {
        let n = bytes.withUnsafeBytes { buffer -> Int in
            guard let base = buffer.baseAddress else { return 0 }
            return Foundation.write(fd, base + done, bytes.count - done)
        }
        if n < 0 {
            if errno == EINTR { continue }
            return String(cString: strerror(errno))
        }
        done += n
    }
    return nil
}
