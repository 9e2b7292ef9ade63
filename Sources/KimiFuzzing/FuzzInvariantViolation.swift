/// A property that a fuzz target found broken: the input is a bug report.
public struct FuzzInvariantViolation: Error, CustomStringConvertible {
    /// Which target found it.
    public let target: FuzzTarget
    /// What went wrong, with the values involved.
    public let description: String

    init(_ target: FuzzTarget, _ description: String) {
        self.target = target
        self.description = description
    }
}
