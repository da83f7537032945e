import Foundation

/// Today's date as `YYYY-MM-DD` (UTC), for waiver expiry. `WARRANT_NOW` (ISO 8601)
/// overrides the clock, so checks can be reproduced.
public enum Today {
    public static var string: String {
        var date = Date()
        if let s = ProcessInfo.processInfo.environment["WARRANT_NOW"] {
            let f = ISO8601DateFormatter()
            if let d = f.date(from: s) { date = d }
        }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: date)
    }

    /// Whether `text` is a real `YYYY-MM-DD` date.
    public static func isDate(_ text: String) -> Bool {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return text.count == 10 && f.date(from: text).map { f.string(from: $0) == text } == true
    }
}
