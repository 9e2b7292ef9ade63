/// Why kimi-tok would not do what it was asked: one type for every refusal and input error, its
/// kind saying whose fault it is. The command line turns a kind into an exit code and the
/// service into an HTTP status, each in one place.
public struct KimiError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        /// The input is malformed or of the wrong shape (not JSON, a field of the wrong type, an
        /// empty input, an ID outside the vocabulary, an unknown option value).
        case badInput = "bad-input"
        /// The input is well formed but the renderer refuses it (a template the family does not
        /// take, a model directory without a template, a variable the renderer sets itself).
        case refused
        /// An engine profile (or the model family) does not support what the request asks for,
        /// where the engine itself refuses it.
        case unsupported
        /// A model, file or path that does not exist.
        case notFound = "not-found"
        /// Input larger than a limit.
        case tooLarge = "too-large"
        /// A request the service's policy forbids (a template from a client without trust).
        case forbidden
        /// A server kimi-tok asked (an engine's `/tokenize`) could not be reached or answered
        /// something unusable.
        case engineUnavailable = "engine-unavailable"
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// An error that says which ``KimiError/Kind`` it is: ``KimiError`` itself, and the errors that
/// carry more than a message (a template error's span, a JSON syntax error's line and column).
public protocol ClassifiedError: Error, CustomStringConvertible {
    var errorKind: KimiError.Kind { get }
}

extension KimiError: ClassifiedError {
    public var errorKind: Kind { kind }
}

extension KimiError {
    /// The kind of any error: its own for a ``ClassifiedError``, else bad input (whatever the
    /// libraries throw is about what they were given).
    public static func kind(of error: any Error) -> Kind {
        (error as? any ClassifiedError)?.errorKind ?? .badInput
    }
}
