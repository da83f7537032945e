import CZip
import CZstd
import Foundation
import WarrantJSON

/// Inspect's `.eval` log: a zip archive of JSON entries (`header.json` with the eval, plan,
/// results and stats; `samples/*.json`, one per sample and epoch; `reductions.json`;
/// `_journal/` while the run is going). Entries are zstd-compressed since inspect_ai 0.3.206
/// (zip method 93) and deflated before.
///
/// The archive is parsed by libzip; a zstd entry is read as its compressed bytes and
/// decompressed by libzstd in a stream, a deflated or stored one by libzip. Each entry is
/// read on its own, with a size limit, so memory stays bounded by the largest entry
/// allowed, not the whole log.
enum InspectEvalArchive {
    /// The most one entry may hold once decompressed.
    static let maxEntryBytes = 256 << 20
    static let zstdMethod: UInt16 = 93

    struct ArchiveError: Error, CustomStringConvertible {
        var description: String
    }

    /// The log as the JSON form has it, from the archive's header, and how many sample
    /// scores were edited after the run (read from each sample entry in turn).
    static func log(fromArchive bytes: [UInt8]) throws(ArchiveError) -> (log: JSONValue, editedScores: Int) {
        var zipError = zip_error_t()
        zip_error_init(&zipError)
        defer { zip_error_fini(&zipError) }
        // libzip reads from the caller's buffer, which outlives the archive.
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
        defer { copy.deallocate() }
        bytes.withUnsafeBytes { copy.copyMemory(from: $0) }
        guard let source = zip_source_buffer_create(copy.baseAddress, zip_uint64_t(bytes.count), 0, &zipError) else {
            throw ArchiveError(description: "cannot read the zip archive")
        }
        guard let archive = zip_open_from_source(source, ZIP_RDONLY, &zipError) else {
            zip_source_free(source)
            throw ArchiveError(description: "not a readable zip archive (\(String(cString: zip_error_strerror(&zipError))))")
        }
        defer { zip_discard(archive) }

        var names: [String: zip_uint64_t] = [:]
        let count = zip_get_num_entries(archive, 0)
        for i in 0..<zip_uint64_t(max(0, count)) {
            if let name = zip_get_name(archive, i, 0) { names[String(cString: name)] = i }
        }
        guard let header = names["header.json"] else {
            if names.keys.contains(where: { $0.hasPrefix("_journal/") }) {
                throw ArchiveError(description: "the run is still in progress or was killed: the .eval log has only its journal, no header.json; import it once the run has finished")
            }
            throw ArchiveError(description: "not an Inspect .eval log: no header.json in the archive")
        }
        var log = try parse(entry: header, of: archive, name: "header.json")
        // Scores changed after the run are recorded in each sample's `Score.history`.
        var edited = 0
        for (name, index) in names where name.hasPrefix("samples/") && name.hasSuffix(".json") {
            let sample = try parse(entry: index, of: archive, name: name)
            edited += sample["scores"]?.object?.values.filter { !($0["history"]?.array?.isEmpty ?? true) }.count ?? 0
        }
        if case .object(var o) = log, o["samples"] == nil {
            o["samples"] = .array([])
            log = .object(o)
        }
        return (log, edited)
    }

    static func parse(entry index: zip_uint64_t, of archive: OpaquePointer, name: String) throws(ArchiveError) -> JSONValue {
        let data = try read(entry: index, of: archive, name: name)
        do {
            return try JSONValue.parse(data)
        } catch {
            throw ArchiveError(description: "\(name) in the archive is not JSON: \(error)")
        }
    }

    /// An entry's bytes, decompressed, at most ``maxEntryBytes``.
    static func read(entry index: zip_uint64_t, of archive: OpaquePointer, name: String) throws(ArchiveError) -> [UInt8] {
        var stat = zip_stat_t()
        zip_stat_init(&stat)
        guard zip_stat_index(archive, index, 0, &stat) == 0 else { throw ArchiveError(description: "cannot read \(name) in the archive") }
        if stat.size > zip_uint64_t(maxEntryBytes) {
            throw ArchiveError(description: "\(name) in the archive is \(stat.size) bytes; the limit is \(maxEntryBytes)")
        }
        let zstd = stat.comp_method == zstdMethod
        guard let file = zip_fopen_index(archive, index, zstd ? zip_flags_t(ZIP_FL_COMPRESSED) : 0) else {
            let message = String(cString: zip_strerror(archive))
            throw ArchiveError(description: "cannot open \(name) in the archive (compression method \(stat.comp_method): \(message))")
        }
        defer { zip_fclose(file) }
        var raw: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let limit = zstd ? Int(min(stat.comp_size, zip_uint64_t(maxEntryBytes))) : maxEntryBytes
        while true {
            let n = chunk.withUnsafeMutableBytes { zip_fread(file, $0.baseAddress, zip_uint64_t($0.count)) }
            if n < 0 { throw ArchiveError(description: "cannot read \(name) in the archive (\(String(cString: zip_file_strerror(file))))") }
            if n == 0 { break }
            raw += chunk[0..<Int(n)]
            if raw.count > limit { throw ArchiveError(description: "\(name) in the archive is larger than its directory says") }
        }
        return zstd ? try decompress(raw, name: name) : raw
    }

    /// zstd frames decompressed in a stream, stopping at ``maxEntryBytes``.
    static func decompress(_ input: [UInt8], name: String) throws(ArchiveError) -> [UInt8] {
        guard let stream = ZSTD_createDStream() else { throw ArchiveError(description: "cannot start zstd decompression") }
        defer { ZSTD_freeDStream(stream) }
        ZSTD_initDStream(stream)
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: ZSTD_DStreamOutSize())
        var failure: String?
        input.withUnsafeBytes { inBytes in
            var inBuffer = ZSTD_inBuffer(src: inBytes.baseAddress, size: inBytes.count, pos: 0)
            // Until the input is used up and the last call left room in the output buffer
            // (so nothing is still held back inside the decoder).
            while failure == nil {
                let (produced, full): (Int, Bool) = buffer.withUnsafeMutableBytes { outBytes in
                    var outBuffer = ZSTD_outBuffer(dst: outBytes.baseAddress, size: outBytes.count, pos: 0)
                    let rc = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
                    if ZSTD_isError(rc) != 0 {
                        failure = String(cString: ZSTD_getErrorName(rc))
                        return (0, false)
                    }
                    return (outBuffer.pos, outBuffer.pos == outBuffer.size)
                }
                output += buffer[0..<produced]
                if output.count > maxEntryBytes { failure = "larger than \(maxEntryBytes) bytes once decompressed" }
                if inBuffer.pos == inBuffer.size && !full { break }
            }
        }
        if let failure { throw ArchiveError(description: "\(name) in the archive does not decompress: \(failure)") }
        return output
    }
}
