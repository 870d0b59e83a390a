/// How many values front matter stands for once every alias is expanded, counted event by event
/// while it is read: an alias bomb (`*lol9` standing for a billion values, perhaps as a mapping key)
/// is stopped at the event that takes the count over the limit, before anything is built from it.
/// Aliases are never copied, only counted: a value shared through an anchor is stored once.
struct YAMLExpansion {
    struct Overflow: Equatable {
        /// 1-based position of the event at which the count first went over the limit.
        var line: Int, column: Int
        /// Whether aliases took it there, or the document is simply that long.
        var throughAliases: Bool
    }

    let limit: Int
    /// Values so far, keys included.
    private(set) var total = 0
    private(set) var aliases = 0
    /// Open collections: values so far, the collection itself counting one (capped just over the limit).
    private var open: [Int] = []

    init(limit: Int) { self.limit = limit }

    var isOver: Bool { total > limit }

    /// A scalar; its count (for an anchor naming it) is 1.
    mutating func scalar() { add(1) }

    /// An alias of a value that stands for `size` values (1 when its anchor is unknown).
    mutating func alias(size: Int) {
        aliases += 1
        add(size)
    }

    mutating func startCollection() {
        open.append(1)
        total += 1
    }

    /// Closes the innermost collection and returns how many values it stands for (for its anchor).
    mutating func endCollection() -> Int {
        guard let closed = open.popLast() else { return 1 }
        if !open.isEmpty { open[open.count - 1] = min(open[open.count - 1] + closed, limit + 1) }
        return closed
    }

    private mutating func add(_ n: Int) {
        total += n
        if !open.isEmpty { open[open.count - 1] = min(open[open.count - 1] + n, limit + 1) }
    }

    /// Where the number of values (keys count too) first exceeds `limit`, or nil when it stays within
    /// it. Malformed YAML also gives nil: reading it reports what is wrong instead.
    static func firstOverflow(_ yaml: String, limit: Int) -> Overflow? {
        Array(yaml.utf8).withUnsafeBufferPointer { buffer in
            if case .overflow(let overflow) = YAMLReader.read(buffer, limit: limit) { return overflow }
            return nil
        }
    }
}
