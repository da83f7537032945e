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
        // getenv, not ProcessInfo.environment: that copies the whole environment into a
        // dictionary on every call, and the checker asks for now once per check.
        if let raw = getenv("WARRANT_NOW"), let d = parse(String(cString: raw)) { return d }
        return Date()
    }

    /// `2026-11-26T17:20:00Z`: whole seconds (a fraction is dropped, as the system's
    /// ISO 8601 formatter drops it), UTC.
    ///
    /// Plain calendar arithmetic rather than a system date formatter: creating one costs
    /// an ICU formatter per call, which was a fifth of the time of a small check.
    public static func format(_ date: Date) -> String {
        let t = date.timeIntervalSince1970.rounded(.down)
        // Years 1 to 9999 only; anything else (which no record can hold, since `parse`
        // refuses it) falls back to the system formatter rather than printing nonsense.
        guard t.isFinite, t >= -62_135_596_800, t < 253_402_300_800 else {
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime]
            f.timeZone = TimeZone(identifier: "UTC")
            return f.string(from: date)
        }
        let seconds = Int(t)
        let days = seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
        let inDay = seconds - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + "T" + pad(inDay / 3600, 2) + ":"
            + pad(inDay / 60 % 60, 2) + ":" + pad(inDay % 60, 2) + "Z"
    }

    /// Reads an ISO 8601 time with a zone: `Z` or `+00:00`, with or without fractional
    /// seconds (Inspect writes microseconds). Anything else is nil.
    public static func parse(_ s: String) -> Date? {
        guard s.utf8.count <= 64, let f = fields(s) else { return nil }
        let days = days(fromCivil: f.year, f.month, f.day)
        let seconds = days * 86_400 + f.hour * 3600 + f.minute * 60 + f.second - f.offsetMinutes * 60
        return Date(timeIntervalSince1970: Double(seconds) + f.fraction)
    }

    /// The fields of a well-formed time.
    struct Fields {
        var year, month, day, hour, minute, second: Int
        var fraction: Double
        var offsetMinutes: Int
    }

    /// The fields of `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` when every one is in range,
    /// else nil. Strict where the system's ISO 8601 parser is lenient (it takes February 31
    /// and a `+99:99` offset).
    static func fields(_ s: String) -> Fields? {
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
              hour <= 23, minute <= 59, second <= 59, isDay(year: year, month: month, day: day) else { return nil }
        var i = 19
        var fraction = 0.0
        if i < c.count, c[i] == 46 {
            i += 1
            let start = i
            var scale = 0.1
            while i < c.count, c[i] >= 48, c[i] <= 57 {
                fraction += Double(c[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start, i - start <= 9 else { return nil }
        }
        guard i < c.count else { return nil }
        var offset = 0
        if c[i] == 90 {
            guard i + 1 == c.count else { return nil }
        } else {
            guard c[i] == 43 || c[i] == 45, i + 6 == c.count, let oh = digits(i + 1, 2), c[i + 3] == 58, let om = digits(i + 4, 2),
                  oh <= 14, om <= 59 else { return nil }
            offset = (oh * 60 + om) * (c[i] == 45 ? -1 : 1)
        }
        return Fields(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                      fraction: fraction, offsetMinutes: offset)
    }

    static func isDay(year: Int, month: Int, day: Int) -> Bool {
        guard year >= 1, (1...12).contains(month) else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return (1...days).contains(day)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The inverse of ``days(fromCivil:_:_:)``.
    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
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
        String(format(now).prefix(10))
    }

    /// Whether `text` is a real `YYYY-MM-DD` date.
    public static func isDay(_ text: String) -> Bool {
        let c = Array(text.utf8)
        guard c.count == 10, c[4] == 45, c[7] == 45 else { return false }
        var parts = [0, 0, 0]
        for (k, range) in [0..<4, 5..<7, 8..<10].enumerated() {
            for i in range {
                guard c[i] >= 48, c[i] <= 57 else { return false }
                parts[k] = parts[k] * 10 + Int(c[i] - 48)
            }
        }
        return isDay(year: parts[0], month: parts[1], day: parts[2])
    }
}
