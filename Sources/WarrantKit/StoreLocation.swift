import Foundation
import WarrantEvidence

/// Where a case's evidence store is when none is named: `.warrant/evidence.sqlite`
/// beside the case file.
public enum StoreLocation {
    public static func besideCase(_ casePath: String) -> String {
        let dir = (casePath as NSString).deletingLastPathComponent
        return dir.isEmpty ? EvidenceStore.defaultRelativePath : dir + "/" + EvidenceStore.defaultRelativePath
    }
}
