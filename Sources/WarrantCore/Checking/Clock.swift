import Foundation

/// Warrant's one clock. Every date Warrant reads (record times, Inspect `eval.created`,
/// waivers) is judged against it, and `WARRANT_NOW` (ISO 8601) overrides it so that
/// checks and builds can be reproduced.
///
/// Dates are strict: a time that does not parse, or that lies later than now by more
/// than ``allowedSkew``, is a problem to report, never a date to ignore. A record from
/// the year 9999 would otherwise never grow old.
public enum Clock {
    /// How far in the future a recorded time may lie before it is refused: machines'
    /// clocks disagree by seconds, rarely by minutes.
    public static let allowedSkew: TimeInterval = 5 * 60

    /// `WARRANT_NOW` set to something that is not an ISO 8601 time.
    public struct InvalidOverride: Error, Sendable, CustomStringConvertible {
        public var value: String
        public var description: String {
            "WARRANT_NOW is '\(value)', which is not an ISO 8601 time such as 2026-11-26T12:00:00Z; unset it or fix it"
        }
    }

    /// Throws when `WARRANT_NOW` is set but unreadable. The CLI calls this once at start
    /// so that a bad override is exit 2, not a silently real clock.
    public static func validateOverride(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(InvalidOverride) {
        if let s = environment["WARRANT_NOW"], parse(s) == nil { throw InvalidOverride(value: s) }
    }

    /// Now: `WARRANT_NOW` when it is set and valid, else the system clock.
    public static func now() -> Date {
        if let s = ProcessInfo.processInfo.environment["WARRANT_NOW"], let d = parse(s) { return d }
        return Date()
    }

    /// `2026-11-26T17:20:00Z`.
    public static func format(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }

    /// Reads an ISO 8601 time with a zone: `Z` or `+00:00`, with or without fractional
    /// seconds (Inspect writes microseconds). Anything else is nil.
    public static func parse(_ s: String) -> Date? {
        guard s.count <= 64, isWellFormed(s) else { return nil }
        let f = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds],
            [.withFullDate, .withTime, .withColonSeparatorInTime, .withTimeZone, .withFractionalSeconds],
            [.withFullDate, .withTime, .withColonSeparatorInTime, .withTimeZone],
        ] {
            f.formatOptions = options
            if let d = f.date(from: s) { return d }
        }
        return nil
    }

    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` with every field in range: the system's
    /// ISO 8601 parser is lenient (it takes February 31 and a `+99:99` offset).
    static func isWellFormed(_ s: String) -> Bool {
        let c = Array(s.utf8)
        func digits(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= c.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                guard c[i] >= 48, c[i] <= 57 else { return nil }
                v = v * 10 + Int(c[i] - 48)
            }
            return v
        }
        guard c.count >= 20, let year = digits(0, 4), c[4] == 45, let month = digits(5, 2), c[7] == 45, let day = digits(8, 2),
              c[10] == 84, let hour = digits(11, 2), c[13] == 58, let minute = digits(14, 2), c[16] == 58, let second = digits(17, 2),
              (1...12).contains(month), hour <= 23, minute <= 59, second <= 59, year >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        guard (1...days).contains(day) else { return false }
        var i = 19
        if i < c.count, c[i] == 46 {
            i += 1
            let start = i
            while i < c.count, c[i] >= 48, c[i] <= 57 { i += 1 }
            guard i > start, i - start <= 9 else { return false }
        }
        guard i < c.count else { return false }
        if c[i] == 90 { return i + 1 == c.count }
        guard c[i] == 43 || c[i] == 45, i + 6 == c.count, let oh = digits(i + 1, 2), c[i + 3] == 58, let om = digits(i + 4, 2) else { return false }
        return oh <= 14 && om <= 59
    }

    /// What is wrong with a recorded time, or nil when it is a real time not in the future.
    public static func problem(with text: String, now: Date = now()) -> String? {
        guard let date = parse(text) else {
            return "'\(text.prefix(40))' is not an ISO 8601 time"
        }
        if date.timeIntervalSince(now) > allowedSkew {
            return "\(text) is in the future (now is \(format(now)))"
        }
        return nil
    }

    /// Today's date as `YYYY-MM-DD` (UTC), for waiver expiry.
    public static func today(_ now: Date = now()) -> String {
        dayFormatter().string(from: now)
    }

    /// Whether `text` is a real `YYYY-MM-DD` date.
    public static func isDay(_ text: String) -> Bool {
        let f = dayFormatter()
        return text.count == 10 && f.date(from: text).map { f.string(from: $0) == text } == true
    }

    private static func dayFormatter() -> DateFormatter {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f
    }
}
