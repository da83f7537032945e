import Foundation
import Testing
@testable import WarrantEvidence

@Suite("Artifacts kept by SHA-256")
struct ArtifactStoreTests {
    @Test("a file is kept under its hash, found again, and a second put changes nothing")
    func putAndFind() throws {
        let dir = try Scratch()
        let file = try dir.write("sae.safetensors", "weights of an SAE")
        let store = ArtifactStore(root: dir.path("artifacts"))
        let sha = try store.put(fileAt: file)
        #expect(sha == Hashing.sha256Hex(Array("weights of an SAE".utf8)))
        let path = try store.verifiedPath(sha)
        #expect(path == dir.path("artifacts/sha256/\(sha.prefix(2))/\(sha)"))
        #expect(String(decoding: fileBytes(path), as: UTF8.self) == "weights of an SAE")
        #expect(try store.put(fileAt: file) == sha)
        #expect(try store.verifiedPath(sha.uppercased()) == path)
    }

    @Test("an altered artifact, a missing one and a malformed hash are refused", arguments: ["altered", "missing", "../../etc/passwd"])
    func refusals(_ what: String) throws {
        let dir = try Scratch()
        let store = ArtifactStore(root: dir.path("artifacts"))
        let sha = try store.put(fileAt: try dir.write("a.bin", "original"))
        switch what {
        case "altered":
            try Data("forged".utf8).write(to: URL(fileURLWithPath: try store.path(for: sha)))
            #expect { try store.verifiedPath(sha) } throws: { "\($0)".contains("was altered") }
            // A put of the original repairs nothing silently: it writes the right bytes back.
            _ = try store.put(fileAt: dir.path("a.bin"))
            #expect(try store.verifiedPath(sha) == (try store.path(for: sha)))
        case "missing":
            #expect { try store.verifiedPath(String(repeating: "ab", count: 32)) } throws: { "\($0)".contains("no artifact") }
        default:
            #expect { try store.verifiedPath(what) } throws: { "\($0)".contains("not a SHA-256") }
        }
    }

    @Test("a record's artifacts are kept; one whose file is gone or changed is reported")
    func recordArtifacts() throws {
        let dir = try Scratch()
        let kept = try dir.write("basis.npy", "a LIB basis")
        var record = sampleRecord(1)
        record.artifacts = [.init(path: kept, sha256: Hashing.sha256Hex(Array("a LIB basis".utf8))),
                            .init(path: dir.path("gone.npy"), sha256: String(repeating: "0", count: 64))]
        let store = ArtifactStore(root: dir.path("artifacts"))
        #expect(try store.putArtifacts(of: record) == [String(repeating: "0", count: 64)])
        #expect(try store.verifiedPath(record.artifacts[0].sha256).hasSuffix(record.artifacts[0].sha256))
    }
}
