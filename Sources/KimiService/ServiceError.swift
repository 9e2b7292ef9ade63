import KimiChatTemplate
import KimiIO
import KimiInspector
import KimiTokenizer

/// A request the service answers with an error: the HTTP status and one message. Every error
/// leaves as `{"error": {"message", "type", "code"}}`, the shape OpenAI-compatible servers use.
public struct ServiceError: Error, Sendable, CustomStringConvertible {
    public let status: Int
    public let message: String
    /// The methods a 405 names in its `Allow` header.
    public let allow: String?

    public init(status: Int, _ message: String, allow: String? = nil) {
        self.status = status
        self.message = message
        self.allow = allow
    }

    public var description: String { message }

    /// 400: malformed JSON, or a body of the wrong shape.
    static func badRequest(_ message: String) -> ServiceError { ServiceError(status: 400, message) }

    /// The error a request's failure is answered with: a ``ClassifiedError``'s kind decides
    /// the status (``status(of:)``); a template error says where it happened.
    static func from(_ error: any Error) -> ServiceError {
        switch error {
        case let error as ServiceError: return error
        case let error as TemplateError: return ServiceError(status: status(of: error.errorKind), "template error: \(error)")
        default: return ServiceError(status: status(of: KimiError.kind(of: error)), String(describing: error))
        }
    }

    /// The HTTP status of each kind of error: the one place the service maps them.
    static func status(of kind: KimiError.Kind) -> Int {
        switch kind {
        case .badInput: 400
        case .forbidden: 403
        case .notFound: 404
        case .tooLarge: 413
        case .refused, .unsupported: 422
        case .engineUnavailable: 502
        }
    }

    /// The type name OpenAI-compatible servers give each status.
    var typeName: String {
        switch status {
        case 400: "BadRequestError"
        case 403: "PermissionDeniedError"
        case 404: "NotFoundError"
        case 405: "MethodNotAllowedError"
        case 413: "RequestEntityTooLargeError"
        case 422: "UnprocessableEntityError"
        case 502: "BadGatewayError"
        default: "InternalServerError"
        }
    }

    /// The JSON body.
    var body: [UInt8] {
        var error: [(key: String, value: JSONValue)] = []
        error.append(("message", .string(message)))
        error.append(("type", .string(typeName)))
        error.append(("code", .int(status)))
        return JSONWriter.bytes(of: .object([("error", .object(error))]))
    }
}
