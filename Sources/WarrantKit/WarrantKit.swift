// WarrantKit: Warrant's main jobs as a library, the ones the `warrant` command runs.
//
//   let analyses = try CaseChecker.analyse(CheckRequest(files: ["case.yaml"]))
//   let verdict = analyses.allSatisfy(\.passed)
//
// - ``CaseChecker``: load a case with the files it uses, assess its evidence against the
//   store, and check it (`warrant check`, and the first step of everything else).
// - ``CaseBuilder``: run the evaluations a case declares that have no fresh record, then
//   check and write the report (`warrant build`).
// - ``ReportFiles``: the Markdown report with its plots (`warrant report`).
// - ``GateOutput``: the verdict in a CI format (`warrant gate`).
// - ``CaseChecker/diff(old:new:level:allowRead:)``: what changed between two versions.
// - ``CaseTemplate``: a case from a built-in template (`warrant init`).
// - ``AssertedRecord``: records typed in by a person (`warrant evidence add`).
//
// It re-exports the modules whose types its API speaks in, so `import WarrantKit` is
// enough for a program that embeds Warrant.
@_exported import WarrantCore
@_exported import WarrantEvidence
@_exported import WarrantReport
