import Foundation
import WarrantEvidence
import WarrantJSON

/// A figure the report draws from evidence records, as SVG beside the report.
/// Evaluation kinds add theirs by adding a plot here.
public protocol ReportPlot: Sendable {
    /// File-name suffix, e.g. `sae-frontier`.
    var name: String { get }
    var title: String { get }
    /// The SVG, or nil when the records hold nothing to draw.
    func svg(records: [EvidenceRecord]) -> String?
}

/// All plots the report knows.
public enum ReportPlots {
    public static let all: [any ReportPlot] = [SAEFrontierPlot(), LIBSpectrumPlot(), LIBAblationPlot(), BoundaryDensityPlot()]
}

/// The SAE frontier: L0 against KL divergence (or CE increase), one series per loss.
public struct SAEFrontierPlot: ReportPlot {
    public var name: String { "sae-frontier" }
    public var title: String { "SAE frontier: active features (L0) against KL divergence, by loss" }

    public init() {}

    public func svg(records: [EvidenceRecord]) -> String? {
        var series: [String: [(x: Double, y: Double)]] = [:]
        var yName = "kl"
        let sae = records.filter { $0.kind == "interpretability.sae" }
        if !sae.contains(where: { $0.metrics["kl"] != nil }) { yName = "ce_increase" }
        for r in sae {
            guard let l0 = r.metrics["l0"]?.value, let y = r.metrics[yName]?.value, l0.isFinite, y.isFinite else { continue }
            let loss = r.configuration["loss"]?.string ?? "unknown"
            series[loss, default: []].append((l0, y))
        }
        guard !series.isEmpty else { return nil }
        return SVGChart(title: title, xLabel: "L0 (active features per token)", yLabel: yName == "kl" ? "KL(original ‖ spliced)" : "CE increase",
                        series: series.keys.sorted().map { ($0, series[$0]!.sorted { $0.x < $1.x }) }).render()
    }
}

/// The importance spectra of LIB records: the share of ΣΛ (LIB) or of the variance (PCA)
/// held by the largest k directions, per hidden node layer.
public struct LIBSpectrumPlot: ReportPlot {
    public var name: String { "lib-spectrum" }
    public var title: String { "Importance spectrum: share in the largest k directions, LIB (ΣΛ) and PCA (variance)" }

    public init() {}

    public func svg(records: [EvidenceRecord]) -> String? {
        // lib.hidden.0.importance_share_k12; the input layer's spectrum is not a hidden layer's.
        let series = LIBCurves.series(records, metric: "importance_share") { $0.contains(".hidden.") }
        guard !series.isEmpty else { return nil }
        return SVGChart(title: title, xLabel: "directions (k, log scale)", yLabel: "share of the total", series: series, logX: true).render()
    }
}

/// Node-ablation curves of LIB records: held-out accuracy against directions kept, LIB
/// against PCA, per hidden node layer.
public struct LIBAblationPlot: ReportPlot {
    public var name: String { "lib-ablation" }
    public var title: String { "Node ablation: held-out accuracy keeping the first k directions, LIB against PCA" }

    public init() {}

    public func svg(records: [EvidenceRecord]) -> String? {
        // lib.hidden.0.ablation_k12
        let series = LIBCurves.series(records, metric: "ablation") { _ in true }
        guard !series.isEmpty else { return nil }
        // k runs from 1 to the layer width, and what matters happens at small k: log scale.
        return SVGChart(title: title, xLabel: "directions kept (k, log scale)", yLabel: "held-out accuracy", series: series, logX: true).render()
    }
}

/// Curves over k that LIB records hold as metrics `BASIS.LAYER.METRIC_kK`.
enum LIBCurves {
    /// One series per `BASIS.LAYER` prefix that `keep` accepts, sorted by name, points by k.
    static func series(_ records: [EvidenceRecord], metric: String,
                       keep: (String) -> Bool) -> [(name: String, points: [(x: Double, y: Double)])] {
        var series: [String: [(x: Double, y: Double)]] = [:]
        for r in records where r.kind == "interpretability.lib" {
            for (name, value) in r.metrics {
                let parts = name.components(separatedBy: ".\(metric)_k")
                guard parts.count == 2, keep(parts[0]), let k = Double(parts[1]) else { continue }
                series[parts[0], default: []].append((k, value.value))
            }
        }
        return series.keys.sorted().map { ($0, series[$0]!.sorted { $0.x < $1.x }) }
    }
}

/// Polytope boundary density along paths: mean crossings per tenth of the path, for
/// same-label and different-label pairs (one series each per polytope record).
public struct BoundaryDensityPlot: ReportPlot {
    public var name: String { "boundary-density" }
    public var title: String { "Polytope boundaries crossed along paths, by tenth of the path" }

    public init() {}

    public func svg(records: [EvidenceRecord]) -> String? {
        var series: [(String, [(x: Double, y: Double)])] = []
        for r in records where r.kind == "interpretability.polytope" {
            let layer = r.configuration["layer"]?.string ?? "input"
            for group in ["same", "different"] {
                let points = (0..<10).compactMap { b in r.metrics["density_profile_\(group)_\(b)"].map { (x: (Double(b) + 0.5) / 10, y: $0.value) } }
                if points.count == 10 { series.append(("\(group) label (\(layer))", points)) }
            }
        }
        guard !series.isEmpty else { return nil }
        return SVGChart(title: title, xLabel: "position along the path (t)", yLabel: "mean crossings per window",
                        series: series.sorted { $0.0 < $1.0 }).render()
    }
}

/// A small, deterministic line-and-marker chart.
struct SVGChart {
    var title: String
    var xLabel: String
    var yLabel: String
    var series: [(name: String, points: [(x: Double, y: Double)])]
    /// Base-2 logarithmic x axis (x must be positive), with ticks at powers of two.
    var logX = false

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]

    func render() -> String {
        let width = 640.0, height = 400.0, left = 70.0, right = 150.0, top = 40.0, bottom = 60.0
        let xs = series.flatMap { $0.points.map { logX ? log2(max($0.x, .leastNormalMagnitude)) : $0.x } }
        let ys = series.flatMap { $0.points.map(\.y) }
        let xTicks = logX ? Self.powerOfTwoTicks(xs.min()!, xs.max()!) : Self.niceTicks(xs.min()!, xs.max()!)
        let yTicks = Self.niceTicks(ys.min()!, ys.max()!)
        let (x0, x1) = (xTicks.first!, xTicks.last!), (y0, y1) = (yTicks.first!, yTicks.last!)
        func px(_ x: Double) -> Double { left + ((logX ? log2(max(x, .leastNormalMagnitude)) : x) - x0) / (x1 - x0) * (width - left - right) }
        func py(_ y: Double) -> Double { height - bottom - (y - y0) / (y1 - y0) * (height - top - bottom) }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(f(width))\" height=\"\(f(height))\" viewBox=\"0 0 \(f(width)) \(f(height))\" font-family=\"sans-serif\" font-size=\"12\">\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        out += "<text x=\"\(f(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">\(xml(title))</text>\n"
        // Axes and ticks.
        out += "<line x1=\"\(f(left))\" y1=\"\(f(height - bottom))\" x2=\"\(f(width - right))\" y2=\"\(f(height - bottom))\" stroke=\"black\"/>\n"
        out += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(height - bottom))\" stroke=\"black\"/>\n"
        for t in xTicks {
            let x = left + (t - x0) / (x1 - x0) * (width - left - right)
            out += "<line x1=\"\(f(x))\" y1=\"\(f(height - bottom))\" x2=\"\(f(x))\" y2=\"\(f(height - bottom + 5))\" stroke=\"black\"/>"
            out += "<text x=\"\(f(x))\" y=\"\(f(height - bottom + 18))\" text-anchor=\"middle\">\(tick(logX ? pow(2, t) : t))</text>\n"
        }
        for t in yTicks {
            out += "<line x1=\"\(f(left - 5))\" y1=\"\(f(py(t)))\" x2=\"\(f(left))\" y2=\"\(f(py(t)))\" stroke=\"black\"/>"
            out += "<text x=\"\(f(left - 8))\" y=\"\(f(py(t) + 4))\" text-anchor=\"end\">\(tick(t))</text>\n"
        }
        out += "<text x=\"\(f((left + width - right) / 2))\" y=\"\(f(height - 18))\" text-anchor=\"middle\">\(xml(xLabel))</text>\n"
        out += "<text x=\"18\" y=\"\(f((top + height - bottom) / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 18 \(f((top + height - bottom) / 2)))\">\(xml(yLabel))</text>\n"
        for (k, s) in series.enumerated() {
            let color = Self.palette[k % Self.palette.count]
            let points = s.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            if s.points.count > 1 { out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"/>\n" }
            for p in s.points { out += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"4\" fill=\"\(color)\"/>\n" }
            let ly = top + 10 + Double(k) * 20
            out += "<rect x=\"\(f(width - right + 15))\" y=\"\(f(ly - 9))\" width=\"12\" height=\"12\" fill=\"\(color)\"/>"
            out += "<text x=\"\(f(width - right + 33))\" y=\"\(f(ly + 1))\">\(xml(s.name))</text>\n"
        }
        return out + "</svg>\n"
    }

    /// Five round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) whose span
    /// covers [lo, hi], starting at or below lo; never an empty span.
    static func niceTicks(_ lo: Double, _ hi: Double) -> [Double] {
        let (lo, hi) = lo == hi ? (lo - 1, hi + 1) : (lo, hi)
        let magnitude = pow(10, (log10((hi - lo) / 4)).rounded(.down))
        for m in [1, 2, 2.5, 5, 10, 20] {
            let step = m * magnitude
            let start = (lo / step).rounded(.down) * step
            if start + 4 * step >= hi - 1e-9 * step { return (0...4).map { start + Double($0) * step } }
        }
        return (0...4).map { lo + Double($0) * (hi - lo) / 4 }
    }

    /// Exponents of two from below lo to above hi (log2 values), at most nine ticks.
    static func powerOfTwoTicks(_ lo: Double, _ hi: Double) -> [Double] {
        let a = lo.rounded(.down), b = max(hi.rounded(.up), a + 1)
        let stride = max(1, ((b - a) / 8).rounded(.up))
        var ticks: [Double] = []
        var t = a
        while t < b + stride { ticks.append(t); if t >= b { break }; t += stride }
        return ticks
    }

    func f(_ v: Double) -> String { JSONValue.format((v * 100).rounded() / 100) }

    func tick(_ v: Double) -> String {
        let a = abs(v)
        if a != 0 && (a < 0.01 || a >= 10_000) {
            let e = Int((log10(a)).rounded(.down))
            return f(v / pow(10, Double(e))) + "e" + String(e)
        }
        return JSONValue.format((v * 1000).rounded() / 1000)
    }

    func xml(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
