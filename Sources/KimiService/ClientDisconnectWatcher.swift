import NIOConcurrencyHelpers
import NIOCore

/// Tells a request that its client went away: the server reads on while a request is computed,
/// so a client that closes its connection (or its sending side) is seen at once, and the
/// callbacks registered for that connection (cancelling its renders) run once.
final class ClientDisconnectWatcher: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny

    private let state = NIOLockedValueBox<(gone: Bool, callbacks: [@Sendable () -> Void])>((false, []))

    /// Runs `callback` when the client goes away (at once if it already has).
    func onDisconnect(_ callback: @escaping @Sendable () -> Void) {
        let gone = state.withLockedValue { state in
            if !state.gone { state.callbacks.append(callback) }
            return state.gone
        }
        if gone { callback() }
    }

    private func disconnected() {
        let callbacks = state.withLockedValue { state in
            defer { state = (true, []) }
            return state.gone ? [] : state.callbacks
        }
        for callback in callbacks { callback() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.fireChannelRead(data)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed { disconnected() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        disconnected()
        context.fireChannelInactive()
    }
}
