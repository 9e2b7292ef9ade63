import Foundation
import Synchronization

/// The budget of one render: what a template may spend before it is stopped. Every limit is
/// checked before the work or the allocation it guards, so a hostile template is refused
/// without first building what it asked for.
public struct RenderLimits: Sendable {
    /// Evaluation steps: statements, expressions and loop iterations (``iterationSteps`` each).
    public var steps = 2_000_000
    /// Nested macro calls and recursive loop levels.
    public var callDepth = 200
    /// Bytes of output.
    public var outputBytes = 64 << 20
    /// How deeply a value may nest (a list in a list in ...): values nested deeper are refused
    /// when built, as `tojson` and the JSON reader refuse them.
    public var valueDepth = 512
    /// When the render must be over, whatever its steps.
    public var deadline: ContinuousClock.Instant?
    /// The time the deadline was set from, for messages.
    public var timeout: Duration?
    /// Cancels the render from another thread (a client that went away, a server shutting down).
    public var cancellation: RenderCancellation?

    /// The largest string (in UTF-8 bytes) an operation may build: repetition, concatenation,
    /// joins, replacement, padding and format widths check the size they are about to build
    /// against it before allocating.
    public static let stringBytes = 64 << 20
    /// The largest list an operation may build, in items.
    public static let listItems = 8 << 20
    /// Every 2^clockShift steps the interpreter looks at the clock and the cancellation flag.
    static let clockShift = 12
    /// The steps one loop iteration counts for: it costs about as much as four expressions.
    static let iterationSteps = 4

    public init() {}

    /// The steps a value built by a filter, a call or an operator counts for, beside the step
    /// of the expression itself: an item of a list or dict each, a step per 64 bytes of a
    /// string. A step is then about as much work whatever the template does.
    static func steps(toBuild value: Value) -> Int {
        switch value {
        case let .string(text): text.utf8.count >> 6
        case let .list(box): box.items.count
        case let .tuple(items), let .view(_, items): items.count
        case let .dict(box): box.count
        default: 0
        }
    }

    /// These limits with a deadline `timeout` from now.
    public func expiring(after timeout: Duration) -> RenderLimits {
        var limits = self
        limits.deadline = ContinuousClock.now.advanced(by: timeout)
        limits.timeout = timeout
        return limits
    }

    /// " of 5 s", or nothing when no timeout was given.
    var timeoutText: String {
        guard let timeout else { return "" }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        return " of \(seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)) s"
    }

    /// Fails unless a string of `bytes` bytes may be built.
    static func checkString(_ bytes: Int, _ what: String) throws(TemplateFailure) {
        if bytes < 0 || bytes > stringBytes {
            throw .limit("\(what) would build a string of \(bytes < 0 ? "too many" : String(bytes)) bytes (the limit is \(stringBytes))")
        }
    }

    /// Fails unless a list of `items` items may be built.
    static func checkList(_ items: Int, _ what: String) throws(TemplateFailure) {
        if items < 0 || items > listItems {
            throw .limit("\(what) would build a list of \(items < 0 ? "too many" : String(items)) items (the limit is \(listItems))")
        }
    }

    /// A width or precision written in a format (`%0999999999d`, `{:>99999}`), or given to a
    /// padding filter: refused when it could build a string over the limit, and when its
    /// digits do not even fit a machine integer (Python: "Too many decimal digits").
    static func checkWidth(_ digits: Substring?, _ what: String) throws(TemplateFailure) -> Int? {
        guard let digits, !digits.isEmpty else { return nil }
        guard let width = Int(digits) else { throw .limit("\(what) \(digits.prefix(40)) is too large (the limit is \(stringBytes))") }
        try checkWidth(width, what)
        return width
    }

    static func checkWidth(_ width: Int, _ what: String) throws(TemplateFailure) {
        if width > stringBytes { throw .limit("\(what) \(width) is too large (the limit is \(stringBytes))") }
    }

    /// `a * b`, or -1 when it overflows (which every check refuses).
    static func product(_ a: Int, _ b: Int) -> Int {
        let (value, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? -1 : value
    }
}

/// A flag that stops a render from outside: the interpreter looks at it every
/// 2^``RenderLimits/clockShift`` steps and stops with a limit error once it is set.
public final class RenderCancellation: Sendable {
    /// Why the render was cancelled; nil while it may go on.
    private let cancelled = Mutex<String?>(nil)

    public init() {}

    /// Asks the render to stop; the first `reason` given ends up in its error message.
    public func cancel(_ reason: String) {
        cancelled.withLock { if $0 == nil { $0 = reason } }
    }

    /// Why the render was cancelled, or nil when it was not.
    public var reason: String? { cancelled.withLock { $0 } }
}
