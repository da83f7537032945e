/// Warrant's version, printed by `--version` and recorded in reports and evidence.
public enum WarrantVersion {
    public static let string = "0.1.0"
}
