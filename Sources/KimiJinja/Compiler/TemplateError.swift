import KimiIO

/// A position in template source: 1-based line and column.
public struct TemplatePosition: Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    public var description: String { "\(line):\(column)" }
}

/// Why a template could not be rendered, with where it happened.
public struct TemplateError: Error, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The template text is not valid Jinja.
        case syntax = "syntax error"
        /// A value of the wrong type, an unknown filter, test or name, a failed call.
        case runtime = "error"
        /// The sandbox refused an operation (e.g. `list.append`), as jinja2's immutable sandbox does.
        case security = "security error"
        /// The template called `raise_exception(message)`.
        case raised = "raise_exception"
        /// A guard against runaway templates: steps, recursion depth or output size.
        case limit = "limit exceeded"
    }

    public let kind: Kind
    public let message: String
    /// The template file (or a description of where the template came from).
    public var file: String
    /// Where it happened: the start of the node (or token) that failed.
    public let location: TemplatePosition
    /// The source of that node, start to end (one position wide where only the start is known).
    public let span: SourceSpan

    public var description: String { "\(file):\(location): \(kind.rawValue): \(message)" }

    public init(kind: Kind, message: String, file: String, location: TemplatePosition, span: SourceSpan? = nil) {
        self.kind = kind
        self.message = message
        self.file = file
        self.location = location
        self.span = span ?? SourceSpan(at: location)
    }
}

extension TemplateError: ClassifiedError {
    /// A template that does not parse, raises or runs out of its budget: the renderer refuses
    /// the request.
    public var errorKind: KimiError.Kind { .refused }
}

/// A failure before its location is known; the interpreter attaches the location.
enum TemplateFailure: Error {
    case type(String)
    case undefined(String)
    case security(String)
    case raised(String)
    case limit(String)

    var kind: TemplateError.Kind {
        switch self {
        case .type, .undefined: .runtime
        case .security: .security
        case .raised: .raised
        case .limit: .limit
        }
    }

    var message: String {
        switch self {
        case let .type(m), let .undefined(m), let .security(m), let .raised(m), let .limit(m): m
        }
    }
}
