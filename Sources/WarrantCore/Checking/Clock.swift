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
        guard s.count <= 64 else { return nil }
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
