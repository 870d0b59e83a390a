import CWaymark
import Foundation

/// Finds glossary words in text: Aho–Corasick over normalised word tokens, so thousands of terms
/// cost one pass per text. Whole words only, case-insensitive, simple plurals ("segments" matches
/// "segment"), and leftmost-longest: "industry segment" wins over "segment". The words of a phrase
/// are joined by spaces or hyphens; punctuation between two words ("… the customer. Journey maps …")
/// breaks a phrase unless the phrase itself has punctuation there ("R&D", "customer's journey").
struct TermMatcher: Sendable {
    struct Match: Equatable {
        /// UTF-8 byte range of the matched words in the text.
        var range: Range<Int>
        /// Index of the pattern (in the order given to `init`).
        var pattern: Int
    }

    /// Goto edges, (node, word hash) → child, in two open-addressing tables over plain arrays:
    /// the root's, which nearly every word reads, kept apart from the deeper nodes' so that it
    /// stays small and in cache. Each slot carries what the next word needs of its child (its
    /// fail link, children filter and first output), so a word usually costs one table read.
    private var rootEdges = EdgeTable()
    private var innerEdges = EdgeTable()
    /// One bit per value of a word hash's top 15 bits, set for the root's words: most words of a text
    /// start no phrase, and this 4 KB filter turns nearly all of them away without a table read.
    private var rootFilter = [UInt64](repeating: 0, count: 1 << 9)
    /// One bit per value of an inner edge key's top bits, sized to about sixteen bits an edge (at most
    /// 16 KB). A node's 32-bit children filter fills up when a common word starts many phrases; this
    /// one stays in cache and turns away the words that continue none, before the 24-byte slot of the
    /// inner table (hundreds of KB, evicted by a page's rendering) is read.
    private var innerFilter = [UInt64](repeating: 0, count: 1)
    private var innerFilterShift: UInt64 = 58
    /// A node's children filter and fail link, for walking down a fail chain (rare: the chain
    /// usually ends at the root after one step, and that step's data is in the slot already).
    private struct Hot { var childMask: UInt32 = 0; var fail: Int32 = 0 }
    private var hot: [Hot] = []
    /// The pattern ending at a node, its length in words, and the next node on the output chain
    /// that ends a pattern (the nearest one down the fail chain), or -1.
    private struct Output { var pattern: Int32; var length: Int32; var next: Int32 }
    private var outputs: [Output] = []
    private var patternLengths: [Int] = []
    private var maxPatternLength = 0

    var patternCount: Int { patternLengths.count }

    /// `patterns[i]` is a phrase; a phrase with no words never matches.
    init(patterns: [String]) {
        // A node's children by the word's hash and by its symbol (the hash marked when punctuation
        // comes before the word): the root's edges are keyed by hash, deeper edges by symbol.
        var children: [[(hash: UInt64, symbol: UInt64, child: Int32)]] = [[]]
        var goto: [UInt64: Int32] = [:]
        var terminal: [Int32] = [-1]
        for phrase in patterns {
            let tokens = Self.hashedTokens(in: phrase)
            patternLengths.append(tokens.count)
            guard !tokens.isEmpty else { continue }
            var node: Int32 = 0
            for token in tokens {
                let symbol = Self.symbol(token.hash, broken: token.broken)
                let key = Self.edgeKey(node, token.hash, symbol)
                if let next = goto[key] {
                    node = next
                } else {
                    let next = Int32(children.count)
                    children.append([])
                    terminal.append(-1)
                    goto[key] = next
                    children[Int(node)].append((token.hash, symbol, next))
                    node = next
                }
            }
            if terminal[Int(node)] < 0 { terminal[Int(node)] = Int32(patternLengths.count - 1) }
        }
        maxPatternLength = patternLengths.max() ?? 0
        // Fail links and output chains, breadth first.
        let count = children.count
        var fail = [Int32](repeating: 0, count: count)
        var firstOutput = [Int32](repeating: -1, count: count)
        var outputLink = [Int32](repeating: -1, count: count)  // nearest node down the fail chain ending a pattern
        var queue: [Int32] = children[0].map(\.child)
        for c in queue where terminal[Int(c)] >= 0 { firstOutput[Int(c)] = c }
        var head = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            for (hash, symbol, child) in children[Int(node)] {
                var f = fail[Int(node)]
                while f != 0 && goto[Self.key(f, symbol)] == nil { f = fail[Int(f)] }
                let target = goto[Self.edgeKey(f, hash, symbol)] ?? 0
                let fc = target == child ? 0 : target
                fail[Int(child)] = fc
                outputLink[Int(child)] = terminal[Int(fc)] >= 0 ? fc : outputLink[Int(fc)]
                firstOutput[Int(child)] = terminal[Int(child)] >= 0 ? child : outputLink[Int(child)]
                queue.append(child)
            }
        }
        hot = (0..<count).map { Hot(fail: fail[$0]) }
        for (node, list) in children.enumerated() {
            for edge in list { hot[node].childMask |= Self.bit(edge.symbol) }
        }
        outputs = (0..<count).map { n in
            let p = terminal[n]
            return Output(pattern: p, length: p >= 0 ? Int32(patternLengths[Int(p)]) : 0,
                          next: outputLink[n] >= 0 ? outputLink[n] : -1)
        }
        let innerCount = children.dropFirst().reduce(0) { $0 + $1.count }
        var filterBits = 512
        while filterBits < innerCount * 16 && filterBits < 1 << 17 { filterBits <<= 1 }
        innerFilter = [UInt64](repeating: 0, count: filterBits / 64)
        innerFilterShift = UInt64(64 - filterBits.trailingZeroBitCount)
        for (node, list) in children.enumerated() {
            for (hash, symbol, child) in list {
                let c = Int(child)
                let edge = EdgeTable.Slot(key: Self.edgeKey(Int32(node), hash, symbol), childMask: hot[c].childMask,
                                          child: child, firstOutput: firstOutput[c], fail: fail[c])
                if node == 0 {
                    rootEdges.insert(edge)
                    rootFilter[Int(hash >> 55)] |= 1 << ((hash >> 49) & 63)
                } else {
                    innerEdges.insert(edge)
                    let bit = edge.key >> innerFilterShift
                    innerFilter[Int(bit >> 6)] |= 1 << (bit & 63)
                }
            }
        }
    }

    /// The key of the edge from `node` by a word: the word's hash itself from the root.
    @inline(__always)
    private static func key(_ node: Int32, _ hash: UInt64) -> UInt64 {
        hash ^ (UInt64(UInt32(bitPattern: node)) &* 0x9E37_79B9_7F4A_7C15)
    }

    /// The word as a step below the root: its hash, changed when punctuation comes before it, so that
    /// "customer. Journey" does not continue the phrase "customer journey" but "R&D" continues "R&D".
    @inline(__always)
    private static func symbol(_ hash: UInt64, broken: Bool) -> UInt64 {
        broken ? hash ^ 0x5BD1_E995_2C6F_3A8B : hash
    }

    /// The key of an edge: the root's edges by the word's hash (a phrase starts anywhere), the others by symbol.
    @inline(__always)
    private static func edgeKey(_ node: Int32, _ hash: UInt64, _ symbol: UInt64) -> UInt64 {
        node == 0 ? hash : key(node, symbol)
    }

    /// A word's bit in a node's children filter: the hash's top five bits (the table uses its low bits'
    /// mix). 32 bits, not 64, so that a table slot is 24 bytes: the tables are read for every word and
    /// do not stay in cache beside the rest of a page's rendering.
    @inline(__always)
    private static func bit(_ hash: UInt64) -> UInt32 { 1 << UInt32(truncatingIfNeeded: hash >> 59) }

    /// Non-overlapping matches, left to right, the longest at each position.
    func matches(in text: String) -> [Match] {
        guard maxPatternLength > 0 else { return [] }
        var text = text
        return text.withUTF8 { matches(inUTF8: $0) }
    }

    /// `matches(in:)` over UTF-8 bytes.
    func matches(inUTF8 bytes: UnsafeBufferPointer<UInt8>) -> [Match] {
        var scratch = Scratch()
        var result: [Match] = []
        matches(inUTF8: bytes, scratch: &scratch, into: &result)
        return result
    }

    /// Buffers that `matches(inUTF8:scratch:)` reuses from one text to the next.
    struct Scratch {
        /// Every pattern found: its first and last word, its bytes, the pattern.
        fileprivate var found = PlainBuffer<(start: Int, end: Int, from: Int, to: Int, pattern: Int)>()
        fileprivate var results = PlainBuffer<Match>()
    }

    /// `matches(inUTF8:scratch:)` into an array.
    func matches(inUTF8 bytes: UnsafeBufferPointer<UInt8>, scratch: inout Scratch, into result: inout [Match]) {
        if !result.isEmpty { result.removeAll(keepingCapacity: true) }
        result.append(contentsOf: matches(inUTF8: bytes, scratch: &scratch))
    }

    /// The hot path: the matches in `bytes`, in `scratch` until its next use; nothing is allocated
    /// on the heap once the buffers have grown.
    func matches(inUTF8 bytes: UnsafeBufferPointer<UInt8>, scratch: inout Scratch) -> UnsafeBufferPointer<Match> {
        // The buffers as locals: read through `scratch` inside the loop, each append retained and released them.
        let (foundBuffer, results) = (scratch.found, scratch.results)
        results.removeAll()
        guard maxPatternLength > 0 else { return results.values }
        foundBuffer.removeAll()
        // Start offsets of the last few words only, in a ring on the stack.
        // A power of two, so the ring is indexed with a mask rather than a division.
        let ringMask = (1 << (Int.bitWidth - (maxPatternLength - 1).leadingZeroBitCount)) - 1
        withUnsafeTemporaryAllocation(of: Int.self, capacity: ringMask + 1) { starts in
            rootFilter.withUnsafeBufferPointer { rootFilter in
            innerFilter.withUnsafeBufferPointer { innerFilter in
            hot.withUnsafeBufferPointer { hot in
            outputs.withUnsafeBufferPointer { outputs in
            // The current node, with its children filter and fail link.
            var node: Int32 = 0, mask: UInt32 = 0, fail: Int32 = 0
            var i = 0
            var words = WordScanner(bytes)
            while let (hash, range, broken) = words.next() {
                defer { i &+= 1 }
                starts[i & ringMask] = range.lowerBound
                let symbol = Self.symbol(hash, broken: broken)
                let bit = Self.bit(symbol)
                var edge: EdgeTable.Slot?
                // Down the fail chain to the deepest node with a child for this word, else the root's child.
                while node != 0 {
                    if mask & bit != 0 {
                        let key = Self.key(node, symbol), filterBit = key >> innerFilterShift
                        if innerFilter[Int(filterBit >> 6)] & (1 << (filterBit & 63)) != 0, let e = innerEdges[key] { edge = e; break }
                    }
                    node = fail
                    if node == 0 { break }
                    let h = hot[Int(node)]
                    mask = h.childMask
                    fail = h.fail
                }
                if edge == nil, rootFilter[Int(hash >> 55)] & (1 << ((hash >> 49) & 63)) != 0 { edge = rootEdges[hash] }
                guard let e = edge else { node = 0; continue }
                node = e.child
                mask = e.childMask
                fail = e.fail
                var out = e.firstOutput
                while out >= 0 {
                    let o = outputs[Int(out)]
                    let first = i - Int(o.length) + 1
                    foundBuffer.append((first, i, starts[first & ringMask], range.upperBound, Int(o.pattern)))
                    out = o.next
                }
            }
            }
            }
            }
            }
        }
        let found = foundBuffer.elements
        guard !found.isEmpty else { return results.values }
        // By start, the longest first. Found by end, so nearly in order and few: sorted by insertion.
        for k in 1..<found.count {
            let f = found[k]
            var j = k
            while j > 0, found[j - 1].start > f.start || (found[j - 1].start == f.start && found[j - 1].end < f.end) {
                found[j] = found[j - 1]
                j -= 1
            }
            found[j] = f
        }
        var nextFree = 0
        for f in found where f.start >= nextFree {
            results.append(Match(range: f.from..<f.to, pattern: f.pattern))
            nextFree = f.end + 1
        }
        return results.values
    }

    /// Each word of `text` as a 64-bit hash of its normalised form (lowercased, singular), with its
    /// byte range and whether punctuation comes between it and the word before.
    static func hashedTokens(in text: String) -> [(hash: UInt64, range: Range<Int>, broken: Bool)] {
        var result: [(hash: UInt64, range: Range<Int>, broken: Bool)] = []
        var text = text
        text.withUTF8 { bytes in
            var words = WordScanner(bytes)
            while let token = words.next() { result.append(token) }
        }
        return result
    }

    /// Words of `text` (runs of letters and digits), lowercased and singularised, with their byte
    /// ranges and whether punctuation comes between each and the word before: anything but spaces
    /// and hyphens, a line break included (the words of a phrase are on one line).
    static func tokens(in text: String) -> [(word: String, range: Range<Int>, broken: Bool)] {
        asciiTokens(in: text) ?? unicodeTokens(in: text)
    }

    /// `tokens(in:)` of a text in ASCII, byte by byte: most glossary words are, and the scalar
    /// properties of the general path cost about 19,000 instructions a phrase (a glossary of 2,000
    /// terms normalised its words some 100,000 times a build). Nil when the text is not ASCII.
    static func asciiTokens(in text: String) -> [(word: String, range: Range<Int>, broken: Bool)]? {
        var text = text
        return text.withUTF8 { bytes -> [(word: String, range: Range<Int>, broken: Bool)]? in
            var result: [(word: String, range: Range<Int>, broken: Bool)] = []
            var start = -1, broken = false, hyphenBefore = false
            var previous: UInt8 = 0
            func word(_ end: Int) -> String {
                let lowered = String(decoding: bytes[start..<end].map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
                return singular(lowered, afterHyphen: hyphenBefore)
            }
            for i in 0..<bytes.count {
                let c = bytes[i]
                guard c < 0x80 else { return nil }
                let lower = c | 0x20
                if (lower >= 0x61 && lower <= 0x7A) || (c >= 0x30 && c <= 0x39) {
                    if start < 0 { start = i; hyphenBefore = previous == 0x2D }
                } else {
                    if start >= 0 {
                        result.append((word(i), start..<i, broken))
                        start = -1
                        broken = false
                    }
                    if !WordScanner.joinsWords(UInt32(c)) { broken = true }
                }
                previous = c
            }
            if start >= 0 { result.append((word(bytes.count), start..<bytes.count, broken)) }
            return result
        }
    }

    /// `tokens(in:)` of any text, scalar by scalar.
    static func unicodeTokens(in text: String) -> [(word: String, range: Range<Int>, broken: Bool)] {
        var result: [(String, Range<Int>, Bool)] = []
        var current = String.UnicodeScalarView()
        var start = 0
        var offset = 0
        var broken = false
        var previous: UInt32 = 0, hyphenBefore = false
        // Lowercased, composed (a decomposed "é" is the composed one), singular.
        func normalised(_ word: String.UnicodeScalarView) -> String {
            let lowered = String(word).lowercased()
            let composed = word.contains(where: WordScanner.isCombiningMark) ? lowered.precomposedStringWithCanonicalMapping : lowered
            return singular(composed, afterHyphen: hyphenBefore)
        }
        for scalar in text.unicodeScalars {
            let width = UTF8.width(scalar)
            // Combining marks start at U+0300: the common ASCII space or comma asks for no category.
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil || (scalar.value >= 0x300 && WordScanner.isCombiningMark(scalar)) {
                if current.isEmpty { start = offset; hyphenBefore = previous == 0x2D }
                current.append(scalar)
            } else {
                if !current.isEmpty {
                    result.append((normalised(current), start..<offset, broken))
                    current = String.UnicodeScalarView()
                    broken = false
                }
                if !WordScanner.joinsWords(scalar.value) { broken = true }
            }
            previous = scalar.value
            offset += width
        }
        if !current.isEmpty { result.append((normalised(current), start..<offset, broken)) }
        return result
    }

    /// A phrase's normalised form: its words, joined by a space where spaces or hyphens join them and
    /// by `&` where punctuation does. Two phrases with the same form are the same glossary word.
    static func normalisedPhrase(_ text: String) -> String {
        var result = ""
        for (k, token) in tokens(in: text).enumerated() {
            if k > 0 { result += token.broken ? "&" : " " }
            result += token.word
        }
        return result
    }

    /// A light English singular, applied to both patterns and text so they meet: journeys → journey,
    /// policies → policy, processes → process. Words ending in -ss, -us, -is are left alone.
    /// After a hyphen a three-letter word has its singular too ("sign-ups" → "sign-up", "check-ins"),
    /// which alone it does not ("bus", "its" stay).
    static func singular(_ w: String, afterHyphen: Bool = false) -> String {
        // Lengths in UTF-8 bytes, as the hashed tokenizer counts them.
        guard w.utf8.count > (afterHyphen ? 2 : 3), w.last == "s" else { return w }
        if w.hasSuffix("ies") && w.utf8.count > 4 { return String(w.dropLast(3)) + "y" }
        for suffix in ["sses", "shes", "ches", "xes", "zes"] where w.hasSuffix(suffix) { return String(w.dropLast(2)) }
        if w.hasSuffix("ss") || w.hasSuffix("us") || w.hasSuffix("is") { return w }
        return String(w.dropLast())
    }
}

/// A growable buffer of plain values (no references to count: integers, ranges of them), emptied
/// by setting its count to zero: an Array's `removeAll(keepingCapacity:)` takes a generic path and
/// each append checks that the storage is not shared, which for the matcher's many short texts
/// cost more than the buffers' use.
final class PlainBuffer<Element> {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 32) {
        assert(_isPOD(Element.self), "values are dropped without being destroyed")
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// The values, until the next change.
    var elements: UnsafeMutableBufferPointer<Element> { UnsafeMutableBufferPointer(start: base, count: count) }
    var values: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    @inline(__always)
    func append(_ value: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: value)
        count &+= 1
    }

    @inline(__always)
    func removeAll() { count = 0 }

    private func grow() {
        let larger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
        larger.initialize(from: base, count: count)
        base.deallocate()
        base = larger
        capacity *= 2
    }
}

/// The words of UTF-8 text, each as a 64-bit hash of its normalised form (lowercased, singular) with
/// its byte range, and whether anything but spaces and hyphens separates it from the word before
/// (`broken`). A word is a run of letters and digits.
///
/// The text is classified 64 bytes at a time into bit masks (ASCII letters and digits, joiners,
/// bytes beyond ASCII), so a word's start and end are found by counting zero bits instead of
/// testing every byte. An ASCII word is hashed straight from the text, eight bytes at a time,
/// after its ending has chosen the singular (`-s`, `-es`, `-ies` → `-y`), so nothing is copied.
/// Bytes beyond ASCII are decoded one scalar at a time; a word with such letters is lowercased into
/// a buffer first and hashed by the same rules.
struct WordScanner {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0
    /// The classified window: bit k of each mask is about `bytes[base + k]`, for k < `end - base`.
    private var base = 0, end = 0
    private var wordBits: UInt64 = 0, highBits: UInt64 = 0
    /// ASCII bytes that are neither word bytes nor joiners: punctuation and line breaks.
    private var breakBits: UInt64 = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Classifies the (up to) 64 bytes from `start`; a text's last bytes are copied out first, since
    /// the classifier reads 64.
    @inline(__always)
    private mutating func classify(from start: Int) {
        let n = min(64, bytes.count &- start)
        var classes: waymark_byte_classes
        if n == 64 {
            classes = waymark_classify64(bytes.baseAddress! + start)
            breakBits = ~(classes.word | classes.join | classes.high)
        } else {
            classes = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { tail in
                let copied = tail.initialize(fromContentsOf: UnsafeBufferPointer(rebasing: bytes[start..<(start &+ n)]))
                tail[copied...].initialize(repeating: 0)
                return waymark_classify64(tail.baseAddress!)
            }
            let valid: UInt64 = (1 &<< UInt64(n)) &- 1
            classes.word &= valid
            classes.high &= valid
            breakBits = valid & ~(classes.word | classes.join | classes.high)
        }
        base = start
        end = start &+ n
        wordBits = classes.word
        highBits = classes.high
    }

    /// Whether a character between two words keeps them one phrase: spaces (not line breaks) and hyphens.
    static func joinsWords(_ value: UInt32) -> Bool {
        switch value {
        case 0x20, 0x09, 0x2D, 0xA0, 0x2000...0x200A, 0x2010, 0x2011, 0x202F: return true
        default: return false
        }
    }

    /// The scalar starting at `bytes[i]`, when it is a letter or digit, its width in bytes and its value.
    /// Out of line: inlined, it made every word set up the standard library's resilient scalar
    /// property types.
    @inline(never)
    private static func wordScalar(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> (Unicode.Scalar?, Int, UInt32) {
        let b = bytes[i]
        let width = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
        let end = min(i + width, bytes.count)
        // Decode by hand: dashes, quotes and spaces (U+2000–U+206F) are common and are never letters.
        var value = UInt32(b) & (width == 2 ? 0x1F : width == 3 ? 0x0F : 0x07)
        for k in (i + 1)..<end { value = value << 6 | UInt32(bytes[k] & 0x3F) }
        guard !((0x2000...0x206F).contains(value) || value == 0xA0), let scalar = Unicode.Scalar(value),
              scalar.properties.isAlphabetic || scalar.properties.numericType != nil || isCombiningMark(scalar) else { return (nil, end - i, value) }
        return (scalar, end - i, value)
    }

    /// A mark that combines with the letter before it: "é" written decomposed (NFD, as some editors and
    /// macOS copy it) is "e" and U+0301, one word with the composed "é" (`word(_:from:asciiUpTo:afterHyphen:)`).
    static func isCombiningMark(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    private static let lengthFactor: UInt64 = 0xC2B2_AE3D_27D4_EB4F, factor: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// One piece of a word (up to eight bytes, little-endian, zero-padded) mixed into its hash: the
    /// halves swapped, so the multiply spreads the high bits too, then the piece, then the multiply.
    @inline(__always)
    private static func mix(_ h: UInt64, _ piece: UInt64) -> UInt64 {
        ((h &>> 32 | h &<< 32) ^ piece) &* factor
    }

    /// The hash of a normalised word (lowercase, singular): its length times a constant, then each
    /// eight bytes mixed in. The top bits, which the matcher's filter and tables read, come out of a
    /// multiply and depend on every byte.
    static func hash(normalised word: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h = UInt64(word.count) &* lengthFactor
        var k = 0
        while k < word.count {
            var piece: UInt64 = 0
            for j in 0..<min(8, word.count - k) { piece |= UInt64(word[k + j]) << UInt64(8 * j) }
            h = mix(h, piece)
            k += 8
        }
        return h
    }

    /// How many bytes of a word's end its singular keeps, and whether a `y` follows them:
    /// journeys → journey, policies → policy, processes → process; -ss, -us, -is stay. `lower` is
    /// set in every byte read (0x20 lowercases an ASCII letter or digit; 0 for lowercased text).
    @inline(__always)
    private static func singular(_ word: UnsafePointer<UInt8>, count n: Int, lower: UInt8, afterHyphen: Bool) -> (keep: Int, y: Bool) {
        guard n > (afterHyphen ? 2 : 3) && word[n &- 1] | lower == UInt8(ascii: "s") else { return (n, false) }
        let second = word[n &- 2] | lower, third = word[n &- 3] | lower, fourth = n > 3 ? word[n &- 4] | lower : 0
        let s = UInt8(ascii: "s"), e = UInt8(ascii: "e")
        if n > 4 && second == e && third == UInt8(ascii: "i") { return (n &- 3, true) }
        if second == e && ((third == s && fourth == s) || (third == UInt8(ascii: "h") && (fourth == s || fourth == UInt8(ascii: "c")))
                           || third == UInt8(ascii: "x") || third == UInt8(ascii: "z")) { return (n &- 2, false) }
        if second == s || second == UInt8(ascii: "u") || second == UInt8(ascii: "i") { return (n, false) }
        return (n &- 1, false)
    }

    /// `hash(normalised:)` of the ASCII word (letters and digits) at `word` with `n` bytes, `readable`
    /// bytes readable from its start: lowercased by setting 0x20 in every byte, cut to its singular.
    @inline(__always)
    private static func hashASCII(_ word: UnsafePointer<UInt8>, count n: Int, readable: Int, afterHyphen: Bool) -> UInt64 {
        let (keep, y) = singular(word, count: n, lower: 0x20, afterHyphen: afterHyphen)
        let lower: UInt64 = 0x2020_2020_2020_2020
        var h = UInt64(truncatingIfNeeded: keep &+ (y ? 1 : 0)) &* lengthFactor
        var k = 0
        while keep &- k >= 8 {
            h = mix(h, UnsafeRawPointer(word + k).loadUnaligned(as: UInt64.self) | lower)
            k &+= 8
        }
        let rest = keep &- k
        if rest > 0 || y {
            let mask: UInt64 = (1 &<< UInt64(truncatingIfNeeded: 8 &* rest)) &- 1  // rest < 8
            var piece: UInt64
            if readable &- k >= 8 {
                piece = UnsafeRawPointer(word + k).loadUnaligned(as: UInt64.self)
            } else {
                piece = 0
                for j in 0..<rest { piece |= UInt64(word[k &+ j]) &<< UInt64(8 &* j) }
            }
            piece = (piece | lower) & mask
            if y { piece |= UInt64(UInt8(ascii: "y")) &<< UInt64(truncatingIfNeeded: 8 &* rest) }
            h = mix(h, piece)
        }
        return h
    }

    @inline(__always)
    mutating func next() -> (hash: UInt64, range: Range<Int>, broken: Bool)? {
        let count = bytes.count
        var i = self.i  // a local, so that the loops keep it in a register
        var broken = false
        // To the start of a word, noting whether anything but spaces and hyphens comes before it.
        while true {
            guard i < count else { self.i = i; return nil }
            if i >= end { classify(from: i) }
            let offset = UInt64(truncatingIfNeeded: i &- base)
            let candidates = (wordBits | highBits) &>> offset
            guard candidates != 0 else {
                if breakBits &>> offset != 0 { broken = true }
                i = end
                continue
            }
            let skip = UInt64(truncatingIfNeeded: candidates.trailingZeroBitCount)
            if breakBits &>> offset & ((1 &<< skip) &- 1) != 0 { broken = true }
            i &+= Int(truncatingIfNeeded: skip)
            if wordBits &>> (offset &+ skip) & 1 != 0 { break }
            let (scalar, width, value) = Self.wordScalar(bytes, at: i)
            if scalar != nil {
                let (hash, wordEnd) = Self.word(bytes, from: i, asciiUpTo: i, afterHyphen: i > 0 && bytes[i &- 1] == 0x2D)
                self.i = wordEnd
                return (hash, i..<wordEnd, broken)
            }
            if !Self.joinsWords(value) { broken = true }
            i &+= width
        }
        // To its end: the run of ASCII word bytes, perhaps across windows.
        let start = i
        while true {
            i &+= (~(wordBits &>> UInt64(truncatingIfNeeded: i &- base))).trailingZeroBitCount
            guard i == end, end < count else { break }
            classify(from: i)
        }
        if i < count && bytes[i] >= 0x80 && Self.wordScalar(bytes, at: i).0 != nil {
            let (hash, wordEnd) = Self.word(bytes, from: start, asciiUpTo: i, afterHyphen: start > 0 && bytes[start &- 1] == 0x2D)
            self.i = wordEnd
            return (hash, start..<wordEnd, broken)
        }
        self.i = i
        // "sign-ups" is the plural of "sign-up": after a hyphen a three-letter word has its singular too.
        let afterHyphen = start > 0 && bytes[start &- 1] == 0x2D
        return (Self.hashASCII(bytes.baseAddress! + start, count: i &- start, readable: count &- start, afterHyphen: afterHyphen), start..<i, broken)
    }

    /// A word with letters beyond ASCII, from `start` (ASCII up to `ascii`): lowercased into a buffer,
    /// then hashed. Its hash and where it ends.
    @inline(never)
    private static func word(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, asciiUpTo ascii: Int, afterHyphen: Bool) -> (UInt64, Int) {
        var i = ascii
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                guard (b | 0x20) &- 0x61 < 26 || b &- 0x30 < 10 else { break }
                i += 1
            } else {
                let (scalar, width, _) = wordScalar(bytes, at: i)
                guard scalar != nil else { break }
                i += width
            }
        }
        var lowered: [UInt8] = []
        var k = start
        var combines = false
        while k < i {
            let b = bytes[k]
            if b < 0x80 {
                lowered.append((b &- 0x41) < 26 ? b | 0x20 : b)
                k += 1
            } else {
                let (scalar, width, _) = wordScalar(bytes, at: k)
                if let scalar {
                    lowered += String(scalar).lowercased().utf8
                    if isCombiningMark(scalar) { combines = true }
                }
                k += width
            }
        }
        // Composed (NFC), so that a decomposed "é" hashes as the composed one every pattern is read as.
        if combines { lowered = Array(String(decoding: lowered, as: UTF8.self).precomposedStringWithCanonicalMapping.utf8) }
        let (keep, y) = lowered.withUnsafeBufferPointer { singular($0.baseAddress!, count: $0.count, lower: 0, afterHyphen: afterHyphen) }
        lowered.removeLast(lowered.count - keep)
        if y { lowered.append(UInt8(ascii: "y")) }
        return (lowered.withUnsafeBufferPointer { hash(normalised: $0) }, i)
    }
}

/// The automaton's goto edges by key: open addressing with linear probing, multiplicative
/// hashing (the keys are already hashes), each key beside what the matcher needs of the edge's
/// child, so that a lookup touches one slot. At most half full, so that a miss (a word that is
/// no term's) ends after a probe or two.
struct EdgeTable: Sendable {
    struct Slot: Sendable {
        var key: UInt64
        var childMask: UInt32
        /// 0 marks an empty slot: the root is nobody's child.
        var child: Int32
        var firstOutput: Int32
        var fail: Int32
    }
    private var slots = [Slot](repeating: Slot(key: 0, childMask: 0, child: 0, firstOutput: -1, fail: 0), count: 16)
    private var shift: UInt64 = 60
    private(set) var count = 0

    @inline(__always)
    private func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift) }

    subscript(key: UInt64) -> Slot? {
        @inline(__always) get {
            slots.withUnsafeBufferPointer { slots in
                let mask = slots.count &- 1
                var s = slot(key)
                while true {
                    let entry = slots[s]
                    if entry.child == 0 { return nil }
                    if entry.key == key { return entry }
                    s = (s &+ 1) & mask
                }
            }
        }
    }

    /// Adds `edge`, or replaces the edge with its key.
    mutating func insert(_ edge: Slot) {
        precondition(edge.child != 0, "the root is nobody's child")
        if (count + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        var s = slot(edge.key)
        while slots[s].child != 0 && slots[s].key != edge.key { s = (s + 1) & mask }
        if slots[s].child == 0 { count += 1 }
        slots[s] = edge
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(key: 0, childMask: 0, child: 0, firstOutput: -1, fail: 0), count: old.count * 2)
        shift -= 1
        count = 0
        for entry in old where entry.child != 0 { insert(entry) }
    }
}
