/// Finds glossary words in text: Aho–Corasick over normalised word tokens, so thousands of terms
/// cost one pass per text. Whole words only, case-insensitive, simple plurals ("segments" matches
/// "segment"), and leftmost-longest: "industry segment" wins over "segment".
struct TermMatcher: Sendable {
    struct Match: Equatable {
        /// UTF-8 byte range of the matched words in the text.
        var range: Range<Int>
        /// Index of the pattern (in the order given to `init`).
        var pattern: Int
    }

    private var tokenIDs: [UInt64: Int32] = [:]
    private var transitions: [[Int32: Int32]] = [[:]]
    private var fail: [Int32] = [0]
    /// The pattern ending at a node, and the nearest node on its fail chain that ends one.
    private var terminal: [Int32] = [-1]
    private var dictionaryLink: [Int32] = [-1]
    private var patternLengths: [Int] = []
    private var maxPatternLength = 0

    var patternCount: Int { patternLengths.count }

    /// `patterns[i]` is a phrase; a phrase with no words never matches.
    init(patterns: [String]) {
        for phrase in patterns {
            let tokens = Self.hashedTokens(in: phrase).map(\.hash)
            patternLengths.append(tokens.count)
            guard !tokens.isEmpty else { continue }
            var node: Int32 = 0
            for token in tokens {
                let id = tokenIDs[token] ?? {
                    let id = Int32(tokenIDs.count)
                    tokenIDs[token] = id
                    return id
                }()
                if let next = transitions[Int(node)][id] {
                    node = next
                } else {
                    let next = Int32(transitions.count)
                    transitions.append([:])
                    fail.append(0)
                    terminal.append(-1)
                    dictionaryLink.append(-1)
                    transitions[Int(node)][id] = next
                    node = next
                }
            }
            if terminal[Int(node)] < 0 { terminal[Int(node)] = Int32(patternLengths.count - 1) }
        }
        maxPatternLength = patternLengths.max() ?? 0
        buildFailLinks()
    }

    private mutating func buildFailLinks() {
        var queue: [Int32] = []
        for (_, child) in transitions[0] { queue.append(child) }
        var head = 0
        while head < queue.count {
            let node = queue[head]
            head += 1
            for (token, child) in transitions[Int(node)] {
                var f = fail[Int(node)]
                while f != 0 && transitions[Int(f)][token] == nil { f = fail[Int(f)] }
                let target = transitions[Int(f)][token] ?? 0
                fail[Int(child)] = target == child ? 0 : target
                let fc = fail[Int(child)]
                dictionaryLink[Int(child)] = terminal[Int(fc)] >= 0 ? fc : dictionaryLink[Int(fc)]
                queue.append(child)
            }
        }
    }

    /// Non-overlapping matches, left to right, the longest at each position.
    func matches(in text: String) -> [Match] {
        guard maxPatternLength > 0 else { return [] }
        // Start offsets of the last few words only, in a ring: nothing is allocated for text without matches.
        var starts = [Int](repeating: 0, count: maxPatternLength)
        var found: [(start: Int, end: Int, from: Int, to: Int, pattern: Int)] = []
        var node: Int32 = 0
        var i = 0
        Self.forEachToken(in: text) { hash, range in
            defer { i += 1 }
            starts[i % maxPatternLength] = range.lowerBound
            guard let id = tokenIDs[hash] else { node = 0; return }
            while node != 0 && transitions[Int(node)][id] == nil { node = fail[Int(node)] }
            node = transitions[Int(node)][id] ?? 0
            var out = terminal[Int(node)] >= 0 ? node : dictionaryLink[Int(node)]
            while out >= 0 {
                let p = Int(terminal[Int(out)])
                let first = i - patternLengths[p] + 1
                found.append((first, i, starts[first % maxPatternLength], range.upperBound, p))
                out = dictionaryLink[Int(out)]
            }
        }
        guard !found.isEmpty else { return [] }
        found.sort { $0.start != $1.start ? $0.start < $1.start : $0.end > $1.end }
        var result: [Match] = []
        var nextFree = 0
        for f in found where f.start >= nextFree {
            result.append(Match(range: f.from..<f.to, pattern: f.pattern))
            nextFree = f.end + 1
        }
        return result
    }

    /// Each word of `text` as a 64-bit hash of its normalised form (lowercased, singular), with its byte range.
    static func hashedTokens(in text: String) -> [(hash: UInt64, range: Range<Int>)] {
        var result: [(hash: UInt64, range: Range<Int>)] = []
        forEachToken(in: text) { result.append(($0, $1)) }
        return result
    }

    /// The hot path, allocation-free: reads UTF-8 once and hashes each word as it goes (FNV-1a).
    /// The hashes without the last 1, 2 and 3 bytes are kept alongside, so the singular rules
    /// (`-s`, `-es`, `-ies` → `-y`) choose a hash at the end of the word instead of copying it.
    static func forEachToken(in text: String, _ body: (UInt64, Range<Int>) -> Void) {
        let basis: UInt64 = 0xcbf29ce484222325, prime: UInt64 = 0x100000001b3
        var h = basis, h1 = basis, h2 = basis, h3 = basis
        var tail: UInt32 = 0  // the last four bytes, newest lowest
        var length = 0, start = 0
        func add(_ byte: UInt8) {
            h3 = h2; h2 = h1; h1 = h
            h = (h ^ UInt64(byte)) &* prime
            tail = tail << 8 | UInt32(byte)
            length += 1
        }
        func finish(_ end: Int) {
            guard length > 0 else { return }
            var hash = h
            let last = UInt8(tail & 0xFF), second = UInt8(tail >> 8 & 0xFF)
            let third = UInt8(tail >> 16 & 0xFF), fourth = UInt8(tail >> 24)
            let s = UInt8(ascii: "s"), e = UInt8(ascii: "e")
            if length > 3 && last == s {
                if length > 4 && second == e && third == UInt8(ascii: "i") {
                    hash = (h3 ^ UInt64(UInt8(ascii: "y"))) &* prime  // policies → policy
                } else if second == e && ((third == s && fourth == s)
                                          || (third == UInt8(ascii: "h") && (fourth == s || fourth == UInt8(ascii: "c")))
                                          || third == UInt8(ascii: "x") || third == UInt8(ascii: "z")) {
                    hash = h2  // processes → process
                } else if !(second == s || second == UInt8(ascii: "u") || second == UInt8(ascii: "i")) {
                    hash = h1  // segments → segment
                }
            }
            body(hash, start..<end)
            h = basis; h1 = basis; h2 = basis; h3 = basis; tail = 0; length = 0
        }
        var text = text
        text.withUTF8 { bytes in
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                if b < 0x80 {
                    if (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) {
                        if length == 0 { start = i }
                        add(b)
                    } else if b >= 0x41 && b <= 0x5A {
                        if length == 0 { start = i }
                        add(b + 32)
                    } else {
                        finish(i)
                    }
                    i += 1
                    continue
                }
                let width = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
                let end = min(i + width, bytes.count)
                // Decode by hand: dashes, quotes and spaces (U+2000–U+206F) are common and are never letters.
                var value = UInt32(b) & (width == 2 ? 0x1F : width == 3 ? 0x0F : 0x07)
                for k in (i + 1)..<end { value = value << 6 | UInt32(bytes[k] & 0x3F) }
                let scalar = (0x2000...0x206F).contains(value) || value == 0xA0 ? nil : Unicode.Scalar(value)
                if let scalar, scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                    if length == 0 { start = i }
                    for byte in String(scalar).lowercased().utf8 { add(byte) }
                } else {
                    finish(i)
                }
                i = end
            }
            finish(bytes.count)
        }
    }

    /// Words of `text` (runs of letters and digits), lowercased and singularised, with their byte ranges.
    static func tokens(in text: String) -> [(word: String, range: Range<Int>)] {
        var result: [(String, Range<Int>)] = []
        var current = String.UnicodeScalarView()
        var start = 0
        var offset = 0
        for scalar in text.unicodeScalars {
            let width = UTF8.width(scalar)
            if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                if current.isEmpty { start = offset }
                current.append(scalar)
            } else if !current.isEmpty {
                result.append((singular(String(current).lowercased()), start..<offset))
                current = String.UnicodeScalarView()
            }
            offset += width
        }
        if !current.isEmpty { result.append((singular(String(current).lowercased()), start..<offset)) }
        return result
    }

    /// A light English singular, applied to both patterns and text so they meet: journeys → journey,
    /// policies → policy, processes → process. Words ending in -ss, -us, -is are left alone.
    static func singular(_ w: String) -> String {
        guard w.count > 3, w.last == "s" else { return w }
        if w.hasSuffix("ies") && w.count > 4 { return String(w.dropLast(3)) + "y" }
        for suffix in ["sses", "shes", "ches", "xes", "zes"] where w.hasSuffix(suffix) { return String(w.dropLast(2)) }
        if w.hasSuffix("ss") || w.hasSuffix("us") || w.hasSuffix("is") { return w }
        return String(w.dropLast())
    }
}
