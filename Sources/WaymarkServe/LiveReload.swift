/// Fans reload events out to every connected browser's event stream.
actor LiveReload {
    /// A Server-Sent Event: its name and its one line of data.
    struct Event: Sendable {
        var name: String
        var data: String
    }

    private var subscribers: [Int: AsyncStream<Event>.Continuation] = [:]
    private var next = 0

    func subscribe() -> (Int, AsyncStream<Event>) {
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(8))
        next += 1
        subscribers[next] = continuation
        return (next, stream)
    }

    func unsubscribe(_ id: Int) {
        subscribers.removeValue(forKey: id)?.finish()
    }

    func broadcast(_ event: Event) {
        for continuation in subscribers.values { continuation.yield(event) }
    }

    /// Ends every stream, so a graceful shutdown is not held up by open browsers.
    func finishAll() {
        for continuation in subscribers.values { continuation.finish() }
        subscribers.removeAll()
    }

    var count: Int { subscribers.count }
}
