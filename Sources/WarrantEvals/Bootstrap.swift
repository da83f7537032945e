import WarrantJSON
import WarrantNumerics

/// Percentile bootstrap intervals for metrics that are means (or ratios of sums) over
/// samples: held-out tokens for SAEs, walks and rays for polytopes.
///
/// Each resample draws as many samples as there are, with replacement, from a generator
/// seeded by ``seed``, so intervals are the same bytes every run. The interval is the
/// 2.5th and 97.5th percentile of the resampled statistic, interpolated linearly between
/// order statistics (numpy's default `percentile` method). Centring terms (the mean that
/// explained variance subtracts) are those of the full sample, held fixed across resamples.
public struct Bootstrap: Sendable {
    public var resamples = 1000
    public var level = 0.95
    public var seed: UInt64 = 0x0B00_7577

    public init(resamples: Int = 1000, level: Double = 0.95) {
        self.resamples = resamples
        self.level = level
    }

    /// How the intervals were made, for the record's configuration.
    public var recordConfiguration: JSONValue {
        .object(["method": .string("percentile bootstrap (linear interpolation)"), "level": .number(level),
                 "resamples": .number(Double(resamples)), "seed": .number(Double(seed))])
    }

    /// A statistic of one sample array: the mean of its values, or the ratio of the sums of
    /// two aligned arrays passed through `map`.
    public enum Statistic {
        case mean([Double])
        case ratio(numerator: [Double], denominator: [Double], map: @Sendable (Double) -> Double)

        var count: Int {
            switch self {
            case .mean(let v): return v.count
            case .ratio(let n, _, _): return n.count
            }
        }
    }

    /// The interval of each statistic, by name; statistics with fewer than two samples, or
    /// whose resamples are not all finite, get none.
    public func intervals(_ statistics: [String: Statistic]) -> [String: [Double]] {
        var out: [String: [Double]] = [:]
        // Statistics over the same number of samples share their resampled indices.
        let byCount = Dictionary(grouping: statistics.keys.sorted()) { statistics[$0]?.count ?? 0 }
        for count in byCount.keys.sorted() where count >= 2 {
            guard let names = byCount[count] else { continue }
            var g = SeededGenerator(seed: seed ^ UInt64(count))
            var values = [String: [Double]](uniqueKeysWithValues: names.map { ($0, [Double]()) })
            var index = [Int](repeating: 0, count: count)
            for _ in 0..<resamples {
                for k in 0..<count { index[k] = g.index(below: count) }
                for name in names {
                    guard let statistic = statistics[name] else { continue }
                    switch statistic {
                    case .mean(let v):
                        var s = 0.0
                        for k in index { s += v[k] }
                        values[name]?.append(s / Double(count))
                    case .ratio(let num, let den, let map):
                        var a = 0.0, b = 0.0
                        for k in index { a += num[k]; b += den[k] }
                        values[name]?.append(b != 0 ? map(a / b) : .nan)
                    }
                }
            }
            for name in names {
                guard let v = values[name], v.allSatisfy(\.isFinite) else { continue }
                out[name] = [Self.percentile(v, (1 - level) / 2), Self.percentile(v, (1 + level) / 2)]
            }
        }
        return out
    }

    /// The q-quantile of `values`, interpolated linearly between order statistics.
    public static func percentile(_ values: [Double], _ q: Double) -> Double {
        let sorted = values.sorted()
        guard let last = sorted.last else { return .nan }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down)), upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return lower >= sorted.count - 1 ? last : sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }
}
