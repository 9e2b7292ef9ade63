import Foundation
import KimiIO
import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP/1.1 POST to an engine over NIO (the stack the service runs on), waited for by the
/// calling thread: the event loop does the waiting, so a slow engine costs no CPU, and one
/// deadline bounds the whole exchange, the message naming the step that ran out of it.
/// Plain HTTP only: engines serve `/tokenize` on plain HTTP, and TLS would mean compiling a TLS
/// library into every build.
struct HTTPPost {
    /// A response: its status and its whole body (Content-Length, chunked, or up to close).
    struct Response: Sendable {
        var status = 0
        var body: [UInt8] = []
    }

    let url: URL
    let timeout: TimeInterval

    /// Sends `body` and returns the response.
    func send(_ body: [UInt8], contentType: String = "application/json") throws -> Response {
        guard url.scheme == "http" else {
            throw KimiError(.badInput, "\(url.absoluteString): kimi-tok talks plain HTTP to engines; give the engine's http:// address")
        }
        guard let host = url.host, !host.isEmpty else { throw KimiError(.badInput, "\(url.absoluteString) has no host") }
        let port = url.port ?? 80
        let deadline = NIODeadline.now() + .nanoseconds(Int64(timeout * 1_000_000_000))
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: Response.self)
        let url = url
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.nanoseconds(Int64(timeout * 1_000_000_000)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise, url: url))
                }
            }
        let channel: any Channel
        do {
            channel = try bootstrap.connect(host: host, port: port).wait()
        } catch {
            // The promise is completed on every path (NIO reports a promise left pending).
            promise.fail(error)
            if case ChannelError.connectTimeout = error { throw timedOut("connecting to") }
            throw KimiError(.engineUnavailable, "cannot reach \(url.absoluteString): \(error)")
        }
        defer { channel.close(promise: nil) }
        var path = url.path.isEmpty ? "/" : url.path
        if let query = url.query { path += "?" + query }
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
        head.headers.add(name: "Host", value: "\(host):\(port)")
        head.headers.add(name: "Content-Type", value: contentType)
        head.headers.add(name: "Content-Length", value: String(body.count))
        head.headers.add(name: "Accept", value: "application/json")
        head.headers.add(name: "Connection", value: "close")
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        let timer = channel.eventLoop.scheduleTask(deadline: deadline) { promise.fail(TimedOut()) }
        defer { timer.cancel() }
        do {
            return try promise.futureResult.wait()
        } catch is TimedOut {
            throw timedOut("waiting for the response of")
        }
    }

    private struct TimedOut: Error {}

    private func timedOut(_ step: String) -> KimiError {
        KimiError(.engineUnavailable, "timed out after \(Int(timeout)) s \(step) \(url.absoluteString) (raise --timeout if the engine is busy)")
    }
}

/// Collects one response on the channel and completes the promise with it, or with why there
/// is none.
private final class ResponseCollector: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<HTTPPost.Response>
    private let url: URL
    private var response = HTTPPost.Response()
    private var sawHead = false
    private var completed = false

    init(promise: EventLoopPromise<HTTPPost.Response>, url: URL) {
        self.promise = promise
        self.url = url
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head):
            sawHead = true
            response.status = Int(head.status.code)
        case var .body(buffer):
            response.body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            complete(.success(response))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        complete(.failure(KimiError(.engineUnavailable, "\(url.absoluteString) closed the connection without a complete HTTP response")))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let reason = sawHead ? "sent a malformed HTTP response (\(error))" : "did not answer HTTP (\(error))"
        complete(.failure(KimiError(.engineUnavailable, "\(url.absoluteString) \(reason)")))
        context.close(promise: nil)
    }

    private func complete(_ result: Result<HTTPPost.Response, any Error>) {
        guard !completed else { return }
        completed = true
        promise.completeWith(result)
    }
}
