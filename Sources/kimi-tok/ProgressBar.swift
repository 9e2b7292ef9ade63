import Foundation

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
final class ProgressBar {
    private let total: Int
    private let enabled: Bool
    private var lastPercent = -1

    init(total: Int) {
        self.total = total
        enabled = isatty(STDERR_FILENO) != 0 && total > 16 << 20
    }

    func update(_ done: Int) {
        guard enabled, total > 0 else { return }
        let percent = min(100, done * 100 / total)
        guard percent != lastPercent else { return }
        lastPercent = percent
        let filled = percent / 4
        Output.standardError(
            "\rencoding [" + String(repeating: "#", count: filled) + String(repeating: " ", count: 25 - filled)
                + "] \(percent)% of \(total >> 20) MiB")
    }

    func finish() {
        if enabled, lastPercent >= 0 { Output.standardError("\r\u{1B}[K") }
    }
}
