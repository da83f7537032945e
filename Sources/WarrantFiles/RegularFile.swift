import Foundation

/// Reads a file that must be a regular file of bounded size: a FIFO would hang the
/// reader, `/dev/zero` would fill memory, and a file larger than any real input of its
/// kind is refused before it is read.
public enum RegularFile {
    public enum ReadError: Error, Sendable, CustomStringConvertible {
        case missing(String)
        case notRegular(String, kind: String)
        case tooLarge(String, bytes: Int, limit: Int)
        case unreadable(String, reason: String)

        public var description: String {
            switch self {
            case .missing(let p): return "\(p) does not exist"
            case .notRegular(let p, let kind): return "\(p) is \(kind), not a regular file; Warrant reads only regular files"
            case .tooLarge(let p, let bytes, let limit):
                return "\(p) is \(bytes) bytes, more than the \(limit) bytes Warrant reads for this kind of file"
            case .unreadable(let p, let reason): return "cannot read \(p): \(reason)"
            }
        }
    }

    /// What the path is, following symlinks: nil for a regular file, else a description.
    public static func nonRegularKind(_ path: String) throws(ReadError) -> String? {
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var st = stat()
        guard stat(real, &st) == 0 else { throw .missing(path) }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO"
        case S_IFSOCK: return "a socket"
        case S_IFCHR, S_IFBLK: return "a device"
        default: return "not a regular file"
        }
    }

    /// Calls `body` with each chunk of a regular file of any size (for hashing).
    public static func forEachChunk(_ path: String, chunkSize: Int = 1 << 20,
                                    _ body: (UnsafeRawBufferPointer) -> Void) throws(ReadError) {
        let (fd, _) = try openRegular(path)
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        while true {
            let n = buffer.withUnsafeMutableBytes { b -> Int in
                guard let base = b.baseAddress else { return 0 }
                return Foundation.read(fd, base, chunkSize)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { return }
            buffer.withUnsafeBytes { b in body(UnsafeRawBufferPointer(rebasing: b[0..<n])) }
        }
    }

    /// Opens a path that must be a regular file, without waiting on a FIFO swapped in;
    /// returns the descriptor and the file's size.
    static func openRegular(_ path: String) throws(ReadError) -> (fd: Int32, size: Int) {
        if let kind = try nonRegularKind(path) { throw .notRegular(path, kind: kind) }
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path, reason: String(cString: strerror(errno))) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw .notRegular(path, kind: "not a regular file")
        }
        return (fd, Int(st.st_size))
    }

    /// The whole file, when it is a regular file of at most `limit` bytes.
    public static func read(_ path: String, limit: Int) throws(ReadError) -> [UInt8] {
        // O_NONBLOCK: if the path was swapped for a FIFO after the check, open does not wait.
        let (fd, size) = try openRegular(path)
        defer { close(fd) }
        guard size <= limit else { throw .tooLarge(path, bytes: size, limit: limit) }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return Foundation.read(fd, base + done, size - done)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            done += n
        }
        // A file that shrank while read is returned as read; one that grew is cut at its size.
        return done == size ? bytes : Array(bytes[0..<done])
    }
}
