import Dispatch

/// Maps `items` on all cores, keeping order. `transform` must be safe to run concurrently.
func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
    guard items.count > 1 else { return items.map(transform) }
    let results = ResultSlots<R>(count: items.count)
    DispatchQueue.concurrentPerform(iterations: items.count) { i in
        results.set(i, transform(items[i]))
    }
    return results.values()
}

/// One slot per index; each index is written by exactly one iteration, then read after all finish.
private final class ResultSlots<R>: @unchecked Sendable {
    private var slots: [R?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: R) { slots.withUnsafeMutableBufferPointer { $0[i] = value } }
    func values() -> [R] { slots.compactMap { $0 } }
}
