import Hummingbird
import NIOCore

/// The request context of the service: Hummingbird's core context and the connection's
/// channel, whose closing cancels the request's renders.
struct ServiceRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
