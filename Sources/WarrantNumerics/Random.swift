import Foundation

/// A seeded, portable random number generator (xoshiro256**, seeded by
/// SplitMix64), so that training is deterministic given a seed on any machine.
/// `SystemRandomNumberGenerator` is never used for anything that must repeat.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    public init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    public mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = (s.3 << 45) | (s.3 >> 19)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * nextUnit()
    }

    /// Standard normal (Box–Muller).
    public mutating func normal() -> Double {
        var u = nextUnit()
        while u <= 0 { u = nextUnit() }
        let v = nextUnit()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// A uniformly random index in 0..<n, without modulo bias.
    public mutating func index(below n: Int) -> Int {
        precondition(n > 0)
        let bound = UInt64(n)
        let limit = UInt64.max - UInt64.max % bound
        var r = next()
        while r >= limit { r = next() }
        return Int(r % bound)
    }

    /// Fisher–Yates shuffle, portable (the standard library's shuffle may change).
    public mutating func shuffle<C: MutableCollection & RandomAccessCollection>(_ c: inout C) where C.Index == Int {
        guard c.count > 1 else { return }
        for i in stride(from: c.count - 1, to: 0, by: -1) {
            let j = index(below: i + 1)
            c.swapAt(c.startIndex + i, c.startIndex + j)
        }
    }
}
