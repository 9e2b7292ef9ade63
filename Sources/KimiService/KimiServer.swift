import Foundation
import Hummingbird
import KimiChatTemplate
import KimiIO
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The HTTP service: the models loaded once, the endpoints, the inspector page. Request bodies
/// are read whole (up to `maxBodyBytes`), computed on a pool of `threads` worker threads so
/// tokenizer work never blocks the event loops, and answered with a complete JSON body; every
/// failure becomes a JSON error. A request that sends its own template is rendered on a pool of
/// its own, so hostile templates cannot take the workers the other requests need, and every
/// render runs under the request's budget (``RequestPolicy``), cancelled when the client closes
/// the connection.
///
/// SIGTERM or SIGINT stops accepting connections at once and lets the requests in flight finish;
/// renders still running after `shutdownGrace` are cancelled (their clients get 422). A second
/// signal ends the process at once.
public struct KimiServer: Sendable {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        /// Event-loop threads and worker threads (each).
        public var threads: Int
        /// The largest request body accepted; larger ones are answered 413.
        public var maxBodyBytes: Int
        /// What requests may do, and their render budget.
        public var policy: RequestPolicy
        /// How long a shutdown waits for renders in flight before cancelling them.
        public var shutdownGrace: Duration

        public init(
            host: String = "127.0.0.1", port: Int = 8088, threads: Int = System.coreCount, maxBodyBytes: Int = 8 << 20,
            policy: RequestPolicy = RequestPolicy(), shutdownGrace: Duration = .seconds(10)
        ) {
            self.host = host
            self.port = port
            self.threads = threads
            self.maxBodyBytes = maxBodyBytes
            self.policy = policy
            self.shutdownGrace = shutdownGrace
        }

        /// Threads of the pool that renders requests' own templates.
        var sandboxThreads: Int { max(1, threads / 2) }
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
        let pools = WorkerPools(
            ordinary: NIOThreadPool(numberOfThreads: configuration.threads), sandbox: NIOThreadPool(numberOfThreads: configuration.sandboxThreads))
        pools.start()
        let inFlight = InFlightRequests()
        let router = Router(context: ServiceRequestContext.self)
        router.add(middleware: ServiceMiddleware())
        addRoutes(to: router, pools: pools, inFlight: inFlight)
        let app = Application(
            router: router,
            server: .http1(additionalChannelHandlers: [ClientDisconnectWatcher()]),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "kimi-tok"),
            onServerRunning: { channel in
                onListening(channel.localAddress?.ipAddress ?? "?", channel.localAddress?.port ?? 0)
            },
            eventLoopGroupProvider: .shared(group),
            logger: logger)
        let services = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let shutdown = ShutdownSignals(grace: configuration.shutdownGrace, logger: logger) {
            await services.triggerGracefulShutdown()
        } cancelRenders: { reason in
            inFlight.cancelAll(reason)
        }
        shutdown.install()
        defer { shutdown.remove() }
        do {
            try await services.run()
        } catch {
            try? await pools.shutdown()
            try? await group.shutdownGracefully()
            throw Self.explained(error, host: configuration.host, port: configuration.port)
        }
        try await pools.shutdown()
        try await group.shutdownGracefully()
    }

    /// A port in use, said in words (NIO's text names the system call and errno).
    private static func explained(_ error: any Error, host: String, port: Int) -> any Error {
        if let error = error as? IOError, error.errnoCode == EADDRINUSE {
            return ServiceError(
                status: 500, "port \(port) on \(host) is in use; stop what listens there, or choose another port with --port (0 picks a free one)")
        }
        if let error = error as? IOError, error.errnoCode == EACCES {
            return ServiceError(status: 500, "port \(port) on \(host) may not be bound by this user; choose a port above 1023 with --port")
        }
        return error
    }

    private func addRoutes(to router: Router<ServiceRequestContext>, pools: WorkerPools, inFlight: InFlightRequests) {
        let models = models
        let maxBody = configuration.maxBodyBytes
        let policy = configuration.policy
        func post(_ path: RouterPath, _ endpoint: @escaping @Sendable (EndpointRequest) throws -> [UInt8]) {
            router.post(path) { request, context -> Response in
                let body = try await Self.body(of: request, upTo: maxBody)
                let cancellation = RenderCancellation()
                if let watcher = try? await context.channel.pipeline.handler(type: ClientDisconnectWatcher.self).get() {
                    watcher.onDisconnect { cancellation.cancel("the client closed the connection") }
                }
                let call = EndpointRequest(fields: try RequestFields(body: body), models: models, policy: policy, cancellation: cancellation)
                let pool = call.sendsTemplate ? pools.sandbox : pools.ordinary
                let output = try await inFlight.tracking(cancellation) {
                    try await pool.runIfActive {
                        if let reason = cancellation.reason { throw ServiceError(status: 422, "not rendered: \(reason)") }
                        return try endpoint(call)
                    }
                }
                return Self.response(output, contentType: "application/json")
            }
            // vLLM answers a GET on its POST endpoints 405 with Allow, as HTTP asks.
            router.on(path, method: .get) { _, _ -> Response in
                throw ServiceError(status: 405, "\(path) takes POST", allow: "POST")
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
            if let allow = failure.allow { response.headers[.allow] = allow }
        }
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        context.logger.info("\(request.method) \(request.uri.path) \(response.status.code) \(String(format: "%.1f", milliseconds)) ms")
        return response
    }
}
