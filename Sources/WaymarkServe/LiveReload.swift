/// Fans reload events out to every connected browser's event stream.
actor LiveReload {
    private var subscribers: [Int: AsyncStream<String>.Continuation] = [:]
    private var next = 0

    func subscribe() -> (Int, AsyncStream<String>) {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(8))
        next += 1
        subscribers[next] = continuation
        return (next, stream)
    }

    func unsubscribe(_ id: Int) {
        subscribers.removeValue(forKey: id)?.finish()
    }

    func broadcast(_ event: String) {
        for continuation in subscribers.values { continuation.yield(event) }
    }

    /// Ends every stream, so a graceful shutdown is not held up by open browsers.
    func finishAll() {
        for continuation in subscribers.values { continuation.finish() }
        subscribers.removeAll()
    }

    var count: Int { subscribers.count }
}
