#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Frees nested template values without recursion. Releasing a list that holds a list that
/// holds a list ... would otherwise run one `deinit` inside the next, as deep as the nesting,
/// and a deep enough value overflows the stack. Instead the outermost release on a thread
/// drains a queue: every box freed while it runs hands its items to the queue and returns, so
/// the stack stays flat however deep the value is.
enum IterativeRelease {
    private final class Queue {
        var draining = false
        var pending: [Value] = []
    }

    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        #if canImport(Darwin)
            pthread_key_create(&key) { pointer in Unmanaged<Queue>.fromOpaque(pointer).release() }
        #else
            pthread_key_create(&key) { pointer in
                if let pointer { Unmanaged<Queue>.fromOpaque(pointer).release() }
            }
        #endif
        return key
    }()

    private static var queue: Queue {
        if let pointer = pthread_getspecific(key) { return Unmanaged<Queue>.fromOpaque(pointer).takeUnretainedValue() }
        let queue = Queue()
        pthread_setspecific(key, Unmanaged.passRetained(queue).toOpaque())
        return queue
    }

    /// Takes `items` from a box being freed; scalars are freed at once, containers through the
    /// queue.
    static func release(_ items: inout [Value]) {
        guard items.contains(where: \.isContainer) else { return }
        let queue = Self.queue
        queue.pending.append(contentsOf: items)
        items = []
        guard !queue.draining else { return }
        queue.draining = true
        while !queue.pending.isEmpty {
            queue.pending.removeLast()
        }
        queue.draining = false
    }
}

extension Value {
    fileprivate var isContainer: Bool {
        switch self {
        case .list, .dict, .namespace, .tuple, .view: true
        default: false
        }
    }
}
