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
        guard !patternLengths.isEmpty else { return [] }
        let tokens = Self.hashedTokens(in: text)
        var found: [(start: Int, end: Int, pattern: Int)] = []
        var node: Int32 = 0
        for (i, token) in tokens.enumerated() {
            guard let id = tokenIDs[token.hash] else { node = 0; continue }
            while node != 0 && transitions[Int(node)][id] == nil { node = fail[Int(node)] }
            node = transitions[Int(node)][id] ?? 0
            var out = terminal[Int(node)] >= 0 ? node : dictionaryLink[Int(node)]
            while out >= 0 {
                let p = Int(terminal[Int(out)])
                found.append((i - patternLengths[p] + 1, i, p))
                out = dictionaryLink[Int(out)]
            }
        }
        found.sort { $0.start != $1.start ? $0.start < $1.start : $0.end > $1.end }
        var result: [Match] = []
        var nextFree = 0
        for f in found where f.start >= nextFree {
            result.append(Match(range: tokens[f.start].range.lowerBound..<tokens[f.end].range.upperBound, pattern: f.pattern))
            nextFree = f.end + 1
        }
        return result
    }

    /// The hot path: each word of `text` as a 64-bit hash of its normalised form (lowercased, singular),
    /// read straight from UTF-8 without making a String per word. ASCII is handled byte by byte;
    /// other scalars are decoded and lowercased only when they occur.
    static func hashedTokens(in text: String) -> [(hash: UInt64, range: Range<Int>)] {
        var result: [(hash: UInt64, range: Range<Int>)] = []
        var text = text
        text.withUTF8 { bytes in
            var word: [UInt8] = []
            word.reserveCapacity(32)
            var start = 0
            var i = 0
            func flush(_ end: Int) {
                if !word.isEmpty {
                    result.append((hashWord(&word), start..<end))
                    word.removeAll(keepingCapacity: true)
                }
            }
            while i < bytes.count {
                let b = bytes[i]
                if b < 0x80 {
                    if (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) {
                        if word.isEmpty { start = i }
                        word.append(b)
                    } else if b >= 0x41 && b <= 0x5A {
                        if word.isEmpty { start = i }
                        word.append(b + 32)
                    } else {
                        flush(i)
                    }
                    i += 1
                    continue
                }
                let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
                let end = min(i + length, bytes.count)
                // Decode by hand: dashes, quotes and spaces (U+2000–U+206F) are common and are never letters.
                var value = UInt32(b) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
                for k in (i + 1)..<end { value = value << 6 | UInt32(bytes[k] & 0x3F) }
                let scalar = (0x2000...0x206F).contains(value) || value == 0xA0 ? nil : Unicode.Scalar(value)
                if let scalar, scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                    if word.isEmpty { start = i }
                    word.append(contentsOf: String(scalar).lowercased().utf8)
                } else {
                    flush(i)
                }
                i = end
            }
            flush(bytes.count)
        }
        return result
    }

    /// FNV-1a of the word after the same singular rules as `singular`.
    private static func hashWord(_ w: inout [UInt8]) -> UInt64 {
        let n = w.count
        func ends(_ suffix: StaticString) -> Bool {
            let k = suffix.utf8CodeUnitCount
            guard n >= k else { return false }
            return suffix.withUTF8Buffer { s in (0..<k).allSatisfy { w[n - k + $0] == s[$0] } }
        }
        if n > 3 && w[n - 1] == UInt8(ascii: "s") {
            if n > 4 && ends("ies") { w.removeLast(3); w.append(UInt8(ascii: "y")) }
            else if ends("sses") || ends("shes") || ends("ches") || ends("xes") || ends("zes") { w.removeLast(2) }
            else if !(ends("ss") || ends("us") || ends("is")) { w.removeLast() }
        }
        var h: UInt64 = 0xcbf29ce484222325
        for byte in w { h = (h ^ UInt64(byte)) &* 0x100000001b3 }
        return h
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
