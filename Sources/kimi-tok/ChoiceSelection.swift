import ArgumentParser
import KimiInspector

extension EngineTokenIDs.Part: ExpressibleByArgument {}

/// Picks the choice a command works on when a response holds several outputs.
enum ChoiceSelection {
    struct Ambiguous: Error, CustomStringConvertible {
        let description: String
    }

    /// The list `choice` names, or the only one; several without `--choice` is an error, so
    /// that no choice is dropped silently.
    static func one(of lists: [[Int]], choice: Int?) throws -> [Int] {
        if let choice {
            guard choice < lists.count else {
                throw Ambiguous(
                    description: "--choice \(choice): the response has \(lists.count) choice\(lists.count == 1 ? "" : "s") (0...\(lists.count - 1))")
            }
            return lists[choice]
        }
        guard lists.count == 1 else {
            throw Ambiguous(description: "the response has \(lists.count) choices; pick one with --choice N (0...\(lists.count - 1))")
        }
        return lists[0]
    }
}
