import Foundation
import Testing
@testable import WarrantCore

/// Clock formats and parses by calendar arithmetic; these tests hold it to the system's
/// ISO 8601 formatter, which it replaced for speed, wherever the two should agree.
@Suite("Clock")
struct ClockTests {
    /// Seconds since 1970 spread over the Gregorian years 1583 to 9999, leap days and both
    /// sides of 1970. (Before 1583 the system formatter switches to the Julian calendar;
    /// ISO 8601, and Clock, stay proleptic Gregorian.)
    static let instants: [Double] = {
        var values: [Double] = [0, -1, 1, 86_399, 86_400, -86_400, 951_782_400, 951_868_800, 1_709_164_800, 4_107_542_400,
                                -12_212_553_600, 253_402_300_799, 1_795_000_000.75, -0.25]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<200 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let unit = Double(state >> 11) / Double(1 << 53)
            values.append((-12_212_553_600 + unit * (253_402_300_799 + 12_212_553_600)).rounded(.down))
        }
        return values
    }()

    static func systemFormat(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: date)
    }

    @Test("format agrees with the system's ISO 8601 formatter", arguments: instants)
    func formatAgrees(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(Clock.format(date) == Self.systemFormat(date))
    }

    @Test("parse inverts format", arguments: instants)
    func parseInvertsFormat(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds.rounded(.down))
        #expect(Clock.parse(Clock.format(date)) == date)
    }

    @Test("parse reads zones and fractions", arguments: [
        ("2026-11-26T17:20:00Z", 1_795_713_600.0),
        ("2026-11-26T18:20:00+01:00", 1_795_713_600),
        ("2026-11-26T12:50:00-04:30", 1_795_713_600),
        ("2026-11-26T17:20:00.5Z", 1_795_713_600.5),
        ("2026-11-26T17:20:00.123456+00:00", 1_795_713_600.123456),
        ("2024-02-29T00:00:00Z", 1_709_164_800),
        ("0001-01-01T00:00:00Z", -62_135_596_800),
    ])
    func parseReads(text: String, seconds: Double) throws {
        let date = try #require(Clock.parse(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 1e-6)
    }

    @Test("parse refuses what is not a whole, real time", arguments: [
        "", "2026-11-26", "2026-11-26T17:20:00", "2026-11-26T17:20:00.Z", "2026-11-26T17:20:00.1234567890Z",
        "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "0000-01-01T00:00:00Z",
        "2026-11-26T17:60:00Z", "2026-11-26T17:20:60Z", "2026-11-26T17:20:00+15:00", "2026-11-26T17:20:00+01:60",
        "2026-11-26T17:20:00Z ", "2026-11-26 17:20:00Z", "２０２６-11-26T17:20:00Z",
    ])
    func parseRefuses(text: String) {
        #expect(Clock.parse(text) == nil)
    }

    @Test("isDay takes real calendar days only", arguments: [
        ("2026-12-02", true), ("2024-02-29", true), ("2000-02-29", true), ("9999-12-31", true),
        ("2025-02-29", false), ("2100-02-29", false), ("2026-04-31", false), ("2026-00-10", false),
        ("0000-01-01", false), ("2026-1-02", false), ("2026-12-02T", false), ("20261202xx", false), ("", false),
    ])
    func isDay(text: String, expected: Bool) {
        #expect(Clock.isDay(text) == expected)
    }

    @Test("today is the UTC day of now", arguments: instants)
    func today(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(Clock.today(date) == String(Self.systemFormat(date).prefix(10)))
    }
}
