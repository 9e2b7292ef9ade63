import Foundation
import Hummingbird
import KimiIO
import Logging
import NIOCore
import NIOPosix

/// The HTTP service: the models loaded once, the endpoints, the inspector page. Request bodies
/// are read whole (up to `maxBodyBytes`), computed on a pool of `threads` worker threads so
/// tokenizer work never blocks the event loops, and answered with a complete JSON body; every
/// failure becomes a JSON error. SIGTERM and SIGINT stop it gracefully: it stops accepting
/// connections and finishes the requests in flight.
public struct KimiServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// Event-loop threads and worker threads (each).
        public var threads: Int
        /// The largest request body accepted; larger ones are answered 413.
        public var maxBodyBytes: Int

        public init(host: String = "127.0.0.1", port: Int = 8088, threads: Int = System.coreCount, maxBodyBytes: Int = 8 << 20) {
            self.host = host
            self.port = port
            self.threads = threads
            self.maxBodyBytes = maxBodyBytes
        }
    }

    public let models: ModelRegistry
    public let configuration: Configuration
    public let logger: Logger

    public init(models: ModelRegistry, configuration: Configuration, logger: Logger) {
        self.models = models
        self.configuration = configuration
        self.logger = logger
    }

    /// Serves until SIGTERM or SIGINT; `onListening` gets the address once the socket is bound.
    public func run(onListening: @escaping @Sendable (_ host: String, _ port: Int) -> Void) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.threads)
        let pool = NIOThreadPool(numberOfThreads: configuration.threads)
        pool.start()
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: ServiceMiddleware())
        addRoutes(to: router, pool: pool)
        let app = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "kimi-tok"),
            onServerRunning: { channel in
                onListening(channel.localAddress?.ipAddress ?? "?", channel.localAddress?.port ?? 0)
            },
            eventLoopGroupProvider: .shared(group),
            logger: logger)
        do {
            try await app.runService()
        } catch {
            try? await pool.shutdownGracefully()
            try? await group.shutdownGracefully()
            throw error
        }
        try await pool.shutdownGracefully()
        try await group.shutdownGracefully()
    }

    private func addRoutes(to router: Router<BasicRequestContext>, pool: NIOThreadPool) {
        let models = models
        let maxBody = configuration.maxBodyBytes
        func post(_ path: RouterPath, _ endpoint: @escaping @Sendable (RequestFields, ModelRegistry) throws -> [UInt8]) {
            router.post(path) { request, _ -> Response in
                let body = try await Self.body(of: request, upTo: maxBody)
                let output = try await pool.runIfActive { try endpoint(RequestFields(body: body), models) }
                return Self.response(output, contentType: "application/json")
            }
        }
        post("/tokenize", TokenizeEndpoints.tokenize)
        post("/detokenize", TokenizeEndpoints.detokenize)
        post("/v1/kimi/render", InspectorEndpoints.render)
        post("/v1/kimi/check", InspectorEndpoints.check)
        post("/v1/kimi/compare", InspectorEndpoints.compare)
        post("/v1/kimi/tool-calls", InspectorEndpoints.toolCalls)
        post("/v1/kimi/tokens", InspectorEndpoints.tokens)
        router.get("/health") { _, _ in Self.response(Array(#"{"status":"ok"}"#.utf8), contentType: "application/json") }
        let modelList = ModelsEndpoint.list(models)
        router.get("/v1/models") { _, _ in Self.response(modelList, contentType: "application/json") }
        let page = Array(InspectorPage.html.utf8)
        router.get("/") { _, _ in Self.response(page, contentType: "text/html; charset=utf-8") }
    }

    /// The whole body: 413 before reading when `Content-Length` is over the limit, or as soon
    /// as the bytes read are.
    private static func body(of request: Request, upTo limit: Int) async throws -> [UInt8] {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw ServiceError(status: 413, "the body is \(length) bytes; this server takes at most \(limit) (--max-body)")
        }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch is NIOTooManyBytesError {
            throw ServiceError(status: 413, "the body is over \(limit) bytes, the most this server takes (--max-body)")
        }
    }

    static func response(_ bytes: [UInt8], contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: contentType, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// Turns every failure into a JSON error with its status, and logs each request: method, path,
/// status and time.
struct ServiceMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let failure: ServiceError
            if let error = error as? HTTPResponseError {
                let code = error.status.code
                failure =
                    code == 404
                    ? ServiceError(status: 404, "no endpoint \(request.method) \(request.uri.path)")
                    : code == 413 ? ServiceError(status: 413, "the body is too large (--max-body)") : ServiceError(status: code, "\(error.status.reasonPhrase)")
            } else {
                failure = ServiceError.from(error)
            }
            response = KimiServer.response(failure.body, contentType: "application/json", status: HTTPResponse.Status(code: failure.status))
        }
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        context.logger.info("\(request.method) \(request.uri.path) \(response.status.code) \(String(format: "%.1f", milliseconds)) ms")
        return response
    }
}
