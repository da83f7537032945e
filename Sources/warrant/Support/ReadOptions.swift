import ArgumentParser

/// `--allow-read DIR`: folders outside the case's own that its files may come from. Only
/// the person running Warrant can give it; a case cannot widen where it reads case files.
struct ReadOptions: ParsableArguments {
    @Option(name: .customLong("allow-read"), help: ArgumentHelp(
        "A folder outside the case's own that case and data files may come from; repeatable.",
        valueName: "dir"))
    var allowRead: [String] = []
}
