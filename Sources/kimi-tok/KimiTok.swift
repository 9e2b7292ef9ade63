import ArgumentParser
import Foundation
import KimiIO
import KimiTokenizer

/// `kimi-tok`: the Kimi tokenizer and token-stream inspector.
@main
struct KimiTok: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kimi-tok",
        abstract: "Kimi token IDs, prompts and tool calls, exactly as the reference makes them.",
        version: KimiTokVersion.current,
        subcommands: [
            EncodeCommand.self, DecodeCommand.self, TokensCommand.self, RenderCommand.self,
            CheckCommand.self, CompareCommand.self, ParseToolCallsCommand.self, NormalizeIDsCommand.self,
            AuditCommand.self, ServeCommand.self, BenchCommand.self,
        ]
    )

    /// Runs the command and maps every failure to one line on stderr: exit 2 for bad usage or
    /// bad input (swift-argument-parser's own 64 included), a command's own `ExitCode` as is.
    static func main() {
        do {
            try CommandLineArguments.requireValidUTF8()
            try CommandLineArguments.requireNoTextThatLooksLikeAnOption()
            var command = try parseAsRoot()
            try command.run()
        } catch let exitCode as ExitCode {
            Foundation.exit(exitCode.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let oneLine = CommandLineArguments.hint(for: message(for: error)).split(whereSeparator: \.isNewline).joined(separator: " ")
            Output.standardError("kimi-tok: error: \(oneLine)\n")
            Foundation.exit(exitStatus(of: KimiError.kind(of: error)))
        }
    }

    /// The exit status of each kind of error: the one place the command line maps them. Every
    /// refusal and input error is 2 (1 is kept for a result that fails: findings, a divergence,
    /// invalid tool calls), so scripts tell "the input is wrong" from "the prompt is wrong".
    static func exitStatus(of kind: KimiError.Kind) -> Int32 {
        switch kind {
        case .badInput, .refused, .unsupported, .notFound, .tooLarge, .forbidden, .engineUnavailable: 2
        }
    }
}
