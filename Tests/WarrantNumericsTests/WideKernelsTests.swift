import Foundation
import Testing
@testable import WarrantNumerics

/// The C kernels must give the bits of the Swift loops they replaced, at every length
/// (vector bodies and scalar tails) and on whatever vector width the CPU picked.
@Suite("Wide kernels give the Swift loops' bits")
struct WideKernelsTests {
    static func values(_ n: Int, seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        return (0..<n).map { _ in Float(g.normal()) }
    }

    @Test("dot: Kernels.dot's eight sums", arguments: [0, 1, 7, 8, 9, 15, 16, 17, 128, 513])
    func dot(n: Int) {
        let a = Self.values(n, seed: 1), b = Self.values(n, seed: 2)
        let wide = a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in
            n == 0 ? 0 : WideKernels.dot(n, pa.baseAddress!, pb.baseAddress!)
        } }
        #expect(wide.bitPattern == Kernels.dot(a, b).bitPattern)
    }

    @Test("axpy and axpy2: y += a·x, one multiply and one add each", arguments: [1, 7, 16, 33, 512])
    func axpy(n: Int) {
        let x = Self.values(n, seed: 3), u = Self.values(n, seed: 4)
        var y = Self.values(n, seed: 5), v = Self.values(n, seed: 6), z = Self.values(n, seed: 7)
        let (a, b): (Float, Float) = (0.3711, -1.25e-3)
        var yRef = y, vRef = v, zRef = z
        for j in 0..<n {
            yRef[j] += a * x[j]
            vRef[j] += b * u[j]
            zRef[j] += b * x[j]
        }
        x.withUnsafeBufferPointer { px in u.withUnsafeBufferPointer { pu in
            y.withUnsafeMutableBufferPointer { py in v.withUnsafeMutableBufferPointer { pv in z.withUnsafeMutableBufferPointer { pz in
                WideKernels.axpy2(n, a, px.baseAddress!, py.baseAddress!, b, pu.baseAddress!, pv.baseAddress!)
                WideKernels.axpy(n, b, px.baseAddress!, pz.baseAddress!)
            } } }
        } }
        #expect(y.map(\.bitPattern) == yRef.map(\.bitPattern))
        #expect(v.map(\.bitPattern) == vRef.map(\.bitPattern))
        #expect(z.map(\.bitPattern) == zRef.map(\.bitPattern))
    }

    @Test("compressPositive: the active units of x + bias, in order", arguments: [1, 15, 16, 17, 100, 1024])
    func compress(n: Int) {
        let x = Self.values(n, seed: 8), bias = Self.values(n, seed: 9).map { $0 * 0.5 }
        var expected: [(Int32, Float)] = []
        for i in 0..<n where x[i] + bias[i] > 0 { expected.append((Int32(i), x[i] + bias[i])) }
        var columns = [Int32](repeating: -1, count: n), values = [Float](repeating: .nan, count: n)
        let (count, written) = x.withUnsafeBufferPointer { px in bias.withUnsafeBufferPointer { pb in
            columns.withUnsafeMutableBufferPointer { pc in values.withUnsafeMutableBufferPointer { pv in
                (WideKernels.countPositive(n, px.baseAddress!, plus: pb.baseAddress!),
                 WideKernels.compressPositive(n, px.baseAddress!, plus: pb.baseAddress!, columns: pc.baseAddress!, values: pv.baseAddress!))
            } }
        } }
        #expect(count == expected.count && written == expected.count)
        #expect(Array(columns.prefix(written)) == expected.map(\.0))
        #expect(values.prefix(written).map(\.bitPattern) == expected.map(\.1.bitPattern))
    }

    @Test("Adam on Float32 runs the C kernel with the generic loop's arithmetic", arguments: [3, 70_001, 200_003])
    func adam(n: Int) {
        // Above 65,536 elements per part the update also splits across threads.
        var p = Self.values(n, seed: 10)
        let grads = [Self.values(n, seed: 11), Self.values(n, seed: 12)]
        var adam = Adam<Float>(learningRate: 1e-3, weightDecay: 0.01)
        var reference = p, m = [Float](repeating: 0, count: n), v = m
        for (step, g) in grads.enumerated() {
            adam.beginStep()
            adam.update(&p, gradient: g, slot: 0)
            let b1: Float = 0.9, b2: Float = 0.999
            let c1 = Float(1 - Foundation.pow(0.9, Double(step + 1))), c2 = Float(1 - Foundation.pow(0.999, Double(step + 1)))
            let lr: Float = 1e-3, eps: Float = 1e-8, shrink = Float(1 - 1e-3 * 0.01)
            for i in 0..<n {
                m[i] = b1 * m[i] + (1 - b1) * g[i]
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i]
                let mHat = m[i] / c1, vHat = v[i] / c2
                reference[i] = reference[i] * shrink - lr * mHat / (vHat.squareRoot() + eps)
            }
        }
        #expect(p.map(\.bitPattern) == reference.map(\.bitPattern))
    }
}
