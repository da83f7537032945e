import Foundation
import WarrantFiles
import WarrantReport

/// A case's Markdown report and the SVG plots written beside it.
public struct ReportFiles {
    /// The report's Markdown.
    public var markdown: String
    /// The plots: each one's path (beside the report, named after it), title and SVG.
    public var plots: [(path: String, title: String, svg: String)]

    /// The report of `analysis`; with a `reportPath`, its plots too (a report on standard
    /// output has none, since it has nowhere to put them).
    public init(_ analysis: CaseAnalysis, reportPath: String?) {
        var report = MarkdownReport(analysis: analysis)
        plots = reportPath.map { MarkdownReport.plots(for: analysis, reportPath: $0) } ?? []
        report.plots = plots.map { (($0.path as NSString).lastPathComponent, $0.title) }
        markdown = report.render()
    }

    /// Writes the report to `path` and the plots beside it, each refused when it would
    /// replace one of `inputs`, each written whole or not at all.
    public func write(to path: String, inputs: InputFiles) throws {
        try OutputFile.write(markdown, to: path, inputs: inputs)
        for plot in plots { try OutputFile.write(plot.svg, to: plot.path, inputs: inputs) }
    }
}
