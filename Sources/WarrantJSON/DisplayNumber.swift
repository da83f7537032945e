import Foundation

/// Numbers as a person reads them in text, Markdown and terminal output: integers whole,
/// everything else to four significant digits, with more digits only where four would
/// hide a difference that matters (a failing `0.0500001` against `<= 0.05` must not read
/// `0.05`). Full precision stays in JSON (``JSONValue/format(_:)``).
public enum DisplayNumber {
    /// `value` to `digits` significant digits (integers in full), `NaN`, `Infinity`.
    ///
    /// - Parameter distinctFrom: a number the reader compares `value` with (a threshold):
    ///   digits are added until the two print differently, unless they are equal.
    public static func format(_ value: Double, digits: Int = 4, distinctFrom other: Double? = nil) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "Infinity" : "-Infinity" }
        if value == value.rounded(), abs(value) < 1e15 { return value == 0 ? "0" : String(Int64(value)) }
        var precision = max(1, digits)
        while true {
            let text = String(format: "%.\(precision)g", value)
            let collides = other.map { $0 != value && Double(text) == $0 } ?? false
            if !collides || precision >= 17 { return text }
            precision += 1
        }
    }

    /// The shortest `%g` text that reads back as exactly `value` (`0.6`, not
    /// `0.59999999999999998`): how a bound the user wrote is shown back.
    public static func exact(_ value: Double) -> String {
        if value.isNaN || value.isInfinite || (value == value.rounded() && abs(value) < 1e15) { return format(value) }
        for precision in 1...17 {
            let text = String(format: "%.\(precision)g", value)
            if Double(text) == value { return text }
        }
        return String(format: "%.17g", value)
    }
}
