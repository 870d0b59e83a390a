import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// CPU time of the whole process so far (every thread, user and system), for `--verbose`.
func processCPUSeconds() -> Double {
    var usage = rusage()
    guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// `0..<count` in a few dozen consecutive runs, so that each core takes many items per task.
func runs(of count: Int) -> [Range<Int>] {
    let size = max(1, (count + 63) / 64)
    return stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
}

/// Maps `items` on all cores, keeping order. `transform` must be safe to run concurrently.
func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
    guard items.count > 1 else { return items.map(transform) }
    let results = ResultSlots<R>(count: items.count)
    DispatchQueue.concurrentPerform(iterations: items.count) { i in
        results.set(i, transform(items[i]))
    }
    return results.values()
}

/// Runs `first` and `second` at the same time, on two cores when there are.
func concurrently<A: Sendable, B: Sendable>(_ first: @Sendable () -> A, _ second: @Sendable () -> B) -> (A, B) {
    let a = ResultSlots<A>(count: 1), b = ResultSlots<B>(count: 1)
    DispatchQueue.concurrentPerform(iterations: 2) { i in
        if i == 0 { a.set(0, first()) } else { b.set(0, second()) }
    }
    return (a.values()[0], b.values()[0])
}

/// One slot per index; each index is written by exactly one iteration, then read after all finish.
/// The slots are a fixed allocation, never an Array: `Array.withUnsafeMutableBufferPointer` moves the
/// array's storage out while its closure runs, so two threads writing through it at once race.
private final class ResultSlots<R>: @unchecked Sendable {
    private let slots: UnsafeMutablePointer<R?>
    private let count: Int

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil, count: count)
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    /// Takes `value` over: assigning a borrowed one would copy it (a page: every field retained).
    func set(_ i: Int, _ value: consuming R) { (slots + i).pointee = consume value }

    /// The values, moved out rather than copied (a copy of a page retains every field it holds, and
    /// the slots would release them all again); call it once.
    func values() -> [R] {
        var result: [R] = []
        result.reserveCapacity(count)
        for i in 0..<count {
            if let value = (slots + i).move() { result.append(value) }
            (slots + i).initialize(to: nil)
        }
        return result
    }
}

/// A value being made on another thread, waited for where it is first needed.
final class Pending<T: Sendable>: @unchecked Sendable {
    private let group = DispatchGroup()
    // Written once on the other thread; read only after `group` is done.
    private var result: T?
    private let fallback: T

    /// `fallback` is what `value` gives should the work not leave a result (it always does).
    init(fallback: T, _ work: @escaping @Sendable () -> T) {
        self.fallback = fallback
        DispatchQueue.global().async(group: group) { [self] in result = work() }
    }

    var value: T {
        group.wait()
        return result ?? fallback
    }
}
