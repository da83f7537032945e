import Foundation

/// Adam (Kingma & Ba 2015) with bias correction and optional decoupled weight
/// decay (AdamW, Loshchilov & Hutter 2019), over parameters held as flat arrays.
public struct Adam<T: BLASScalar>: Sendable {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    /// Decoupled weight decay: p ← p − lr·λ·p before the Adam step.
    public var weightDecay: Double
    public var step = 0
    @usableFromInline var m: [[T]] = []
    @usableFromInline var v: [[T]] = []

    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
                epsilon: Double = 1e-8, weightDecay: Double = 0) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }

    /// Starts a step; call before updating each parameter of the step.
    @inlinable public mutating func beginStep() { step += 1 }

    /// Updates parameter number `slot` in place from its gradient.
    @inlinable public mutating func update(_ parameter: inout [T], gradient: [T], slot: Int, decay: Bool = true) {
        precondition(parameter.count == gradient.count)
        while m.count <= slot {
            m.append([])
            v.append([])
        }
        if m[slot].count != parameter.count {
            m[slot] = [T](repeating: 0, count: parameter.count)
            v[slot] = [T](repeating: 0, count: parameter.count)
        }
        let b1 = T(beta1), b2 = T(beta2)
        let c1 = T(1 - Foundation.pow(beta1, Double(step))), c2 = T(1 - Foundation.pow(beta2, Double(step)))
        let lr = T(learningRate), eps = T(epsilon)
        let shrink = T(1 - learningRate * (decay ? weightDecay : 0))
        let count = parameter.count
        guard count > 0 else { return }
        parameter.withUnsafeMutableBufferPointer { p in
            gradient.withUnsafeBufferPointer { g in
                m[slot].withUnsafeMutableBufferPointer { mm in
                    v[slot].withUnsafeMutableBufferPointer { vv in
                        let (pp, gp) = (UnsafeTransfer(p.baseAddress!), UnsafeTransfer(g.baseAddress!))
                        let (mp, vp) = (UnsafeTransfer(mm.baseAddress!), UnsafeTransfer(vv.baseAddress!))
                        // Elementwise, so any split across threads gives the same bits.
                        Parallel.ranges(count, minimum: 65_536) { range in
                            let (p, g, mm, vv) = (pp.value, gp.value, mp.value, vp.value)
                            if T.self == Float.self {
                                // The same arithmetic, run as wide as the CPU allows.
                                func f(_ x: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> { UnsafeMutableRawPointer(x).assumingMemoryBound(to: Float.self) }
                                func f(_ x: UnsafePointer<T>) -> UnsafePointer<Float> { UnsafeRawPointer(x).assumingMemoryBound(to: Float.self) }
                                func f(_ x: T) -> Float { unsafeBitCast(x, to: Float.self) }
                                let start = range.lowerBound
                                WideKernels.adam(range.count, parameter: f(p) + start, gradient: f(g) + start,
                                                 m: f(mm) + start, v: f(vv) + start, beta1: f(b1), beta2: f(b2),
                                                 correction1: f(c1), correction2: f(c2), learningRate: f(lr), epsilon: f(eps), shrink: f(shrink))
                                return
                            }
                            for i in range {
                                let gi = g[i]
                                mm[i] = b1 * mm[i] + (1 - b1) * gi
                                vv[i] = b2 * vv[i] + (1 - b2) * gi * gi
                                let mHat = mm[i] / c1
                                let vHat = vv[i] / c2
                                p[i] = p[i] * shrink - lr * mHat / (vHat.squareRoot() + eps)
                            }
                        }
                    }
                }
            }
        }
    }
}
