import Foundation

/// Progress on standard error: a bar on a terminal, plain lines otherwise.
final class Progress {
    let total: Int
    let label: String
    let terminal = isatty(STDERR_FILENO) == 1
    var lastLine = -1

    init(total: Int, label: String) {
        self.total = total
        self.label = label
    }

    func update(_ step: Int, _ detail: String) {
        if terminal {
            let width = 30, filled = width * min(max(step, 0), max(1, total)) / max(1, total)
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            FileHandle.standardError.write(Data("\r\(label) [\(bar)] \(step)/\(total)  \(detail)   ".utf8))
        } else {
            // Plain lines, about every 10%.
            let decile = step * 10 / max(1, total)
            if decile != lastLine {
                lastLine = decile
                printError("\(label): step \(step)/\(total)  \(detail)")
            }
        }
    }

    func finish() {
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
