import Foundation

/// Full-text search: every word of every page, beyond the first words that `search/index.js` carries.
///
/// The words are split into shards by their first two letters (`search/words/ch.js` holds
/// "champion", "channel", "chat"…), so the search page loads only the shards of the words typed: a
/// few kilobytes out of megabytes at 10,000 pages. Each shard is a script, not JSON, so it loads by
/// `<script src>` from disk too:
///
/// ```
/// (window.WaymarkSearchShards = window.WaymarkSearchShards || {})["ch"] = {"champion": [3, 2, 40], …};
/// ```
/// Each word maps to the pages that use it, as indexes into the index's `pages`: the first index,
/// then the gap to each next one. Words are folded as the search page folds a query (`fold` and
/// `words` in assets/search.js): decomposed (NFD), combining accents U+0300–U+036F dropped, lower
/// case (ς as σ), then split into runs of letters and digits (`[\p{L}\p{N}]+`).
enum SearchWords {
    static let folder = "search/words/"

    /// The list of shards, which the search page loads beside the index:
    /// `window.WaymarkSearchWords = {"shards": ["a", "ab", …], "version": "k3x9…"};`. Only shards it
    /// lists are asked for; `version` names the list of pages their numbers count, and goes into each
    /// shard's address (`ch.js?v=…`), so a browser's cache never mixes shards numbered for another
    /// list of pages with the index.
    static let listPath = folder + "index.js"

    static func listScript(keys: [String], version: String) -> [UInt8] {
        var json = JSONText()
        json.append("window.WaymarkSearchWords = ")
        JSONValue.object([("shards", .array(keys.map { .string($0) })), ("version", .string(version))]).write(into: &json)
        json.append(";\n")
        return json.bytes
    }

    /// The file of the shard `key`: `search/words/ch.js`.
    @Sendable static func path(_ key: String) -> String { folder + fileName(ofKey: Substring(key)) + ".js" }

    /// The distinct words of a page's rendered body and of its fields (`fieldText`), folded, in the
    /// order they first appear, one space apart: what the build cache keeps of each page for its shards.
    static func words(ofHTML html: [UInt8], page: LoadedPage? = nil) -> String {
        var words = Words()
        html.withUnsafeBufferPointer { words.scanHTML($0) }
        if let page { for text in fieldText(of: page) { words.scanText(text) } }
        return String(decoding: words.distinct, as: UTF8.self)
    }

    /// What a page's fields say in words, beside its body: a persona's goals and needs, a journey's
    /// stage goals and channels, a definition. (Titles, stages, touchpoints, synonyms and tags are in
    /// the index itself.)
    static func fieldText(of page: LoadedPage) -> [String] {
        var text: [String] = page.description.map { [$0] } ?? []
        switch page.entity {
        case .journey(let j):
            // Where it begins and ends ("a night-time cough or wheeze"), and its basis and status, as the page shows them.
            text += [j.begins, j.ends, j.basis, j.status].compactMap { $0 }
            text += j.channels + j.kpis
            for stage in j.stages {
                if let goal = stage.goal { text.append(goal) }
                for tp in stage.touchpoints { text += [tp.channel] + tp.actors + tp.kpis }
            }
        case .persona(let p):
            text += [p.segment, p.quote].compactMap { $0 } + p.goals + p.needs + p.pains + p.gains
        case .finding(let f):
            text.append(f.method)
        case .term(let t):
            text.append(t.definition)
        case .department(let d):
            text += [d.lead].compactMap { $0 }
        case .page:
            break
        }
        return text
    }

    /// The distinct words of `text`, as `words(ofHTML:)` gives them.
    static func words(ofText text: String) -> String {
        var words = Words()
        words.scanText(text)
        return String(decoding: words.distinct, as: UTF8.self)
    }

    /// Every word of `text`, folded, in order (repeats kept).
    static func allWords(in text: String) -> [String] {
        var words = Words()
        words.all = []
        words.scanText(text)
        return words.all ?? []
    }

    /// Words being gathered from rendered HTML or plain text, one byte at a time: ASCII letters and
    /// digits are lower-cased through a table; any other character is folded once per page (the fold
    /// goes through Foundation) and remembered. The word being read is kept in a buffer of its own,
    /// hashed as it grows.
    struct Words: ~Copyable {
        /// Each distinct word once, one space apart.
        var distinct: [UInt8] { seen.bytes }
        /// Every word, when asked for (tests compare them with the search page's own split).
        var all: [String]?
        private var seen = WordTable(separator: 0x20)
        private var folded: [UInt32: [Unicode.Scalar]] = [:]
        /// The word being read: a longer run of letters is cut into words of this many bytes.
        private static let capacity = 256
        private let word = UnsafeMutablePointer<UInt8>.allocate(capacity: Words.capacity)
        private var count = 0
        private var hash = WordTable.seed
        /// Words joined by hyphens (`e-mail`, `check-in`) are also one word, their parts run together
        /// (`email`, `checkin`), so that either spelling finds the other: the parts so far, how many,
        /// and whether the word being read follows a hyphen straight after the one before.
        private var compound: [UInt8] = []
        private var compoundParts = 0
        private var afterHyphen = false

        init() {}
        deinit { word.deallocate() }

        @inline(__always) private mutating func add(_ b: UInt8) {
            if count == Self.capacity { end() }
            word[count] = b
            count += 1
            hash = (hash ^ UInt64(b)) &* WordTable.prime
        }

        /// Anything but a letter, a digit or a hyphen: the word, and any compound it ends, are done.
        /// (As lean as it was before compounds: it runs for nearly every word of every page.)
        @inline(__always)
        private mutating func end() {
            if count > 0 {
                let w = UnsafeBufferPointer(start: word, count: count)
                _ = seen.id(of: w, hash: hash)
                if all != nil { all?.append(String(decoding: w, as: UTF8.self)) }
                if afterHyphen { addToCompound(w) }
                count = 0
                hash = WordTable.seed
            }
            if afterHyphen { endCompound() }
        }

        /// A hyphen straight after a word may join it to the next; anywhere else it ends words.
        @inline(never)
        private mutating func hyphen() {
            guard count > 0 else { return end() }
            let w = UnsafeBufferPointer(start: word, count: count)
            _ = seen.id(of: w, hash: hash)
            if all != nil { all?.append(String(decoding: w, as: UTF8.self)) }
            if !afterHyphen { compound.removeAll(keepingCapacity: true) }
            addToCompound(w)
            count = 0
            hash = WordTable.seed
            afterHyphen = true
        }

        @inline(never)
        private mutating func addToCompound(_ w: UnsafeBufferPointer<UInt8>) {
            guard compound.count + w.count <= Self.capacity else { return }
            compound.append(contentsOf: w)
            compoundParts += 1
        }

        /// The compound the word just read ends, recorded when it has two parts or more.
        @inline(never)
        private mutating func endCompound() {
            if compoundParts > 1 {
                var h = WordTable.seed
                for b in compound { h = (h ^ UInt64(b)) &* WordTable.prime }
                let whole = compound  // a copy, so that recording it does not overlap reading it (rare: a hyphen between words)
                whole.withUnsafeBufferPointer { c in
                    _ = seen.id(of: c, hash: h)
                    if all != nil { all?.append(String(decoding: c, as: UTF8.self)) }
                }
            }
            compoundParts = 0
            afterHyphen = false
        }

        @inline(__always) private mutating func ascii(_ b: UInt8) {
            let t = Self.asciiWord[Int(b)]
            if t != 0 { add(t) } else if b == UInt8(ascii: "-") { hyphen() } else { end() }
        }

        private mutating func other(_ s: Unicode.Scalar) {
            let v = s.value
            if isDroppedMark(v) { return }
            // The Unicode hyphens (U+2010, U+2011 non-breaking) join words as `-` does.
            if v == 0x2010 || v == 0x2011 { return hyphen() }
            // Not a letter or a digit: what NFD makes of it is none either, so it ends the word.
            guard isWordScalar(s) else { return end() }
            let parts: [Unicode.Scalar]
            if let known = folded[v] {
                parts = known
            } else {
                parts = fold(s)
                folded[v] = parts
            }
            for part in parts {
                if isWordScalar(part) {
                    var utf8: [UInt8] = []
                    appendUTF8(part, to: &utf8)
                    for b in utf8 { add(b) }
                } else {
                    end()
                }
            }
        }

        mutating func scanText(_ text: String) {
            for scalar in text.unicodeScalars {
                if scalar.value < 0x80 { ascii(UInt8(scalar.value)) } else { other(scalar) }
            }
            end()
        }

        /// Each byte as it goes into a word (ASCII in lower case), or 0 where it ends one or needs a
        /// closer look (`<`, `&`, the bytes of other characters). Allocated once, never freed.
        nonisolated(unsafe) private static let asciiWord: UnsafePointer<UInt8> = {
            let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
            for b in 0..<256 {
                switch b {
                case 0x30...0x39, 0x61...0x7A: table[b] = UInt8(b)
                case 0x41...0x5A: table[b] = UInt8(b | 0x20)
                default: table[b] = 0
                }
            }
            return UnsafePointer(table)
        }()

        /// The text of body HTML as `SearchIndex.plainText` reads it: tags end words except inline
        /// ones (`<em>`, `<a>`…), entities are decoded, scripts and styles are left out.
        mutating func scanHTML(_ b: UnsafeBufferPointer<UInt8>) {
            var i = 0
            let n = b.count
            let table = Self.asciiWord, inlineSlots = Self.inlineSlots
            while i < n {
                let c = b[i]
                // Letters and digits, nearly every byte, first.
                let t = table[Int(c)]
                if t != 0 {
                    add(t)
                    i += 1
                    continue
                }
                if c >= 0x80 {
                    let (scalar, width) = decodeUTF8(b, at: i)
                    if let scalar { other(scalar) } else { end() }
                    i += width
                } else if c == UInt8(ascii: "<") {
                    guard let base = b.baseAddress, i + 1 < n, let found = memchr(base + i + 1, 0x3E, n - i - 1) else { break }
                    let close = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                    var j = i + 1
                    let closing = j < close && b[j] == UInt8(ascii: "/")
                    if closing { j += 1 }
                    var name: UInt64 = 0
                    var length = 0
                    while j < close, b[j] < 0x80, isWordScalar(Unicode.Scalar(b[j])) {
                        if length < 8 { name = name << 8 | UInt64(b[j] | 0x20) }
                        length += 1
                        j += 1
                    }
                    i = close + 1
                    if !closing, length <= 6, name == Self.script || name == Self.style,
                       let after = firstIndex(of: name == Self.script ? Array("</script".utf8) : Array("</style".utf8), in: b, from: i) {
                        end()
                        i = after
                        continue
                    }
                    if length == 0 || length > 8 || !Self.isInline(name, inlineSlots) { end() }
                } else if c == UInt8(ascii: "&"), let semi = b[(i + 1)..<min(n, i + 12)].firstIndex(of: UInt8(ascii: ";")) {
                    guard b[i + 1] == UInt8(ascii: "#") else {
                        // A named reference: those in cmark's output (&amp; &lt; &gt; &quot;) are not letters.
                        end()
                        i = semi + 1
                        continue
                    }
                    let hex = semi > i + 2 && b[i + 2] | 0x20 == UInt8(ascii: "x")
                    let digits = String(decoding: b[(i + (hex ? 3 : 2))..<semi], as: UTF8.self)
                    if let v = UInt32(digits, radix: hex ? 16 : 10), v != 0, let scalar = Unicode.Scalar(v) {
                        if v < 0x80 { ascii(UInt8(v)) } else { other(scalar) }
                        i = semi + 1
                    } else {
                        end()
                        i += 1
                    }
                } else {
                    ascii(c)
                    i += 1
                }
            }
            end()
        }

        private static func packed(_ name: String) -> UInt64 { name.utf8.reduce(0) { $0 << 8 | UInt64($1) } }
        private static let script = packed("script"), style = packed("style")
        /// Tags inside a line of text, which do not end a word: `un<em>usual</em>` is one word.
        static let inlineTags = ["a", "span", "em", "strong", "code", "mark", "abbr", "b", "i", "u", "s", "del", "ins", "sub",
                                 "sup", "small", "kbd", "q", "cite", "dfn", "time", "var"]
        /// `inlineTags` packed, in 64 slots by a multiplicative hash with linear probing (0: empty). A
        /// `Set` spent about 170 instructions a tag hashing the name; a body has a tag every few words.
        nonisolated(unsafe) private static let inlineSlots: UnsafePointer<UInt64> = {
            let slots = UnsafeMutablePointer<UInt64>.allocate(capacity: 64)
            slots.initialize(repeating: 0, count: 64)
            for name in inlineTags.map(packed) {
                var s = slot(name)
                while slots[s] != 0 { s = (s + 1) & 63 }
                slots[s] = name
            }
            return UnsafePointer(slots)
        }()

        @inline(__always) private static func slot(_ name: UInt64) -> Int {
            Int(truncatingIfNeeded: (name &* 0x9E37_79B9_7F4A_7C15) >> 58)
        }

        /// Whether a packed tag name (not 0) is one of `inlineTags`.
        @inline(__always) static func isInline(_ name: UInt64, _ slots: UnsafePointer<UInt64>) -> Bool {
            var s = slot(name)
            while true {
                let v = slots[s]
                if v == name { return true }
                if v == 0 { return false }
                s = (s + 1) & 63
            }
        }
    }

    /// The character whose UTF-8 starts at `i`, and its length; nil (length 1) for a byte that starts none.
    private static func decodeUTF8(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> (Unicode.Scalar?, Int) {
        let lead = b[i]
        let width = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        guard width > 1, i + width <= b.count else { return (nil, 1) }
        var value = UInt32(lead) & (width == 2 ? 0x1F : width == 3 ? 0x0F : 0x07)
        for k in (i + 1)..<(i + width) {
            guard b[k] & 0xC0 == 0x80 else { return (nil, 1) }
            value = value << 6 | UInt32(b[k] & 0x3F)
        }
        return (Unicode.Scalar(value), width)
    }

    /// One character as the search page folds it: decomposed, accents dropped, lower case, and Greek's
    /// final sigma as any other (JavaScript lower-cases a word-final Σ to ς, Swift to σ).
    static func fold(_ scalar: Unicode.Scalar) -> [Unicode.Scalar] {
        let decomposed = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars.filter { !isDroppedMark($0.value) }
        return String(String.UnicodeScalarView(decomposed)).lowercased().unicodeScalars.map { $0 == "\u{03C2}" ? "\u{03C3}" : $0 }
    }

    private static func isDroppedMark(_ v: UInt32) -> Bool { v >= 0x300 && v <= 0x36F }

    /// `[\p{L}\p{N}]`: a letter or a number of any script.
    static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        if s.value < 0x80 {
            let b = UInt8(s.value)
            return b >= 0x61 && b <= 0x7A || b >= 0x41 && b <= 0x5A || b >= 0x30 && b <= 0x39
        }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    private static func appendUTF8(_ s: Unicode.Scalar, to out: inout [UInt8]) {
        let v = s.value
        switch v {
        case ..<0x80: out.append(UInt8(v))
        case ..<0x800: out += [UInt8(0xC0 | v >> 6), UInt8(0x80 | v & 0x3F)]
        case ..<0x10000: out += [UInt8(0xE0 | v >> 12), UInt8(0x80 | v >> 6 & 0x3F), UInt8(0x80 | v & 0x3F)]
        default: out += [UInt8(0xF0 | v >> 18), UInt8(0x80 | v >> 12 & 0x3F), UInt8(0x80 | v >> 6 & 0x3F), UInt8(0x80 | v & 0x3F)]
        }
    }

    /// The shard a folded word belongs to: its first two characters (Unicode scalars), or the word
    /// itself when it has one.
    static func shardKey(of word: Substring) -> Substring {
        let scalars = word.unicodeScalars
        var end = scalars.startIndex
        for _ in 0..<2 where end < scalars.endIndex { end = scalars.index(after: end) }
        return Substring(scalars[scalars.startIndex..<end])
    }

    /// A shard's file name under `search/words/`, without `.js`: `a`–`z` and `0`–`9` as they are,
    /// any other character as `_` and six hex digits (`é` would be `_0000e9`), so every name is plain
    /// ASCII and means one key. assets/search.js names them the same way.
    static func fileName(ofKey key: Substring) -> String {
        var name = ""
        for s in key.unicodeScalars {
            if s.value < 0x80, isWordScalar(s), !(s.value >= 0x41 && s.value <= 0x5A) {
                name.unicodeScalars.append(s)
            } else {
                let hex = String(s.value, radix: 16)
                name += "_" + String(repeating: "0", count: max(0, 6 - hex.count)) + hex
            }
        }
        return name
    }

    struct Shard: Sendable {
        var key: String
        /// Each word with the pages that use it, in order; words sorted.
        var words: [(word: String, pages: [Int32])]
    }

    /// The shards of a site whose page `i` has the words `pageWords[i]` (as `words(ofHTML:)` gives
    /// them), sorted by key. Made on all cores: each takes the words whose first two bytes fall in
    /// its bucket, of a power of two (a shard's words share their first two bytes, so each shard is
    /// made whole by one). With `only`, just the shards of those keys (a word that begins no shard
    /// any more has none), in one pass.
    static func shards(pageWords: [String], only: Set<String>? = nil) -> [Shard] {
        if only?.isEmpty == true { return [] }
        // A word's shard is known from its first two bytes but for words whose first letter takes
        // several: this table says which pairs of bytes can begin a wanted shard.
        let wantedPairs = only.map { keys in
            var pairs = [Bool](repeating: false, count: 1 << 16)
            for key in keys {
                let b = Array(key.utf8)
                if let first = b.first { pairs[Int(first) << 8 | Int(b.count > 1 ? b[1] : 0)] = true }
            }
            return pairs
        }
        // Every bucket reads every page's words: a few shards (after an edit) are made in one.
        var power = 1
        if only == nil { while power < ProcessInfo.processInfo.activeProcessorCount * 2 { power <<= 1 } }
        let buckets = power
        let parts = parallelMap(Array(0..<buckets)) { bucket -> [Shard] in
            var table = WordTable(separator: nil)
            var postings: [[Int32]] = []
            for i in pageWords.indices {
                var line = pageWords[i]
                line.withUTF8 { bytes in
                    guard let base = bytes.baseAddress else { return }
                    let count = bytes.count
                    var start = 0
                    while start < count {
                        // The next space ends the word: found with memchr, most words being skipped.
                        let end = memchr(base + start, 0x20, count - start).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? count
                        if end > start {
                            let first = Int(base[start]), second = end - start > 1 ? Int(base[start + 1]) : 0
                            if (first &* 31 &+ second) & (buckets - 1) == bucket, wantedPairs.map({ $0[first << 8 | second] }) ?? true {
                                let (id, isNew) = table.id(of: UnsafeBufferPointer(start: base + start, count: end - start))
                                if isNew { postings.append([Int32(i)]) } else { postings[id].append(Int32(i)) }
                            }
                        }
                        start = end + 1
                    }
                }
            }
            var byKey: [Substring: [(word: String, pages: [Int32])]] = [:]
            for id in postings.indices {
                let word = table.string(id)
                let key = shardKey(of: Substring(word))
                if let only, !only.contains(String(key)) { continue }
                byKey[key, default: []].append((word, postings[id]))
            }
            return byKey.map { Shard(key: String($0.key), words: $0.value.sorted { $0.word < $1.word }) }
        }
        return parts.joined().sorted { $0.key < $1.key }
    }

    /// The shards of the words in one of two word lists (as `words(ofHTML:)` gives them) and not in the other.
    static func changedKeys(_ before: String, _ after: String) -> Set<String> {
        let old = Set(before.utf8.split(separator: 0x20)), new = Set(after.utf8.split(separator: 0x20))
        return Set(old.symmetricDifference(new).map { String(shardKey(of: Substring(decoding: $0, as: UTF8.self))) })
    }

    /// A shard as the script the search page loads.
    static func script(_ shard: Shard) -> [UInt8] {
        var json = JSONText()
        json.reserveCapacity(shard.words.reduce(96) { $0 + $1.word.utf8.count + 4 + 3 * $1.pages.count })
        json.append("(window.WaymarkSearchShards = window.WaymarkSearchShards || {})[")
        json.string(shard.key)
        json.append("] = {")
        for (k, entry) in shard.words.enumerated() {
            if k > 0 { json.append(",") }
            json.string(entry.word)
            json.append(":[")
            var previous: Int32 = 0
            for (n, page) in entry.pages.enumerated() {
                if n > 0 { json.append(",") }
                json.decimal(Int(page - previous))
                previous = page
            }
            json.append("]")
        }
        json.append("};\n")
        return json.bytes
    }
}

/// Distinct byte strings (words), one after another in `bytes`, each with an id in the order first
/// seen: an open-addressing hash table with FNV-1a, which for words of a few letters costs a fraction
/// of a `Set<String>` (no string is made, no SipHash).
struct WordTable {
    /// The words, with `separator` between them when there is one.
    private(set) var bytes: [UInt8] = []
    private struct Entry {
        var hash: UInt64
        var start: Int32
        var count: Int32
    }
    private var entries: [Entry] = []
    private var slots: [Int32]
    private let separator: UInt8?

    static let seed: UInt64 = 0xcbf2_9ce4_8422_2325, prime: UInt64 = 0x0000_0100_0000_01B3

    init(separator: UInt8?, capacity: Int = 512) {
        self.separator = separator
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: -1, count: size)
    }

    var count: Int { entries.count }

    /// The id of `word`, and whether it was added now.
    mutating func id(of word: UnsafeBufferPointer<UInt8>) -> (id: Int, isNew: Bool) {
        var hash = Self.seed
        for b in word { hash = (hash ^ UInt64(b)) &* Self.prime }
        return id(of: word, hash: hash)
    }

    /// The id of `word`, whose FNV-1a hash (from `seed`, by `prime`) is `hash`.
    mutating func id(of word: UnsafeBufferPointer<UInt8>, hash: UInt64) -> (id: Int, isNew: Bool) {
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: hash ^ (hash >> 32)) & mask
        let found: Int? = slots.withUnsafeBufferPointer { slots in
            entries.withUnsafeBufferPointer { entries in
                bytes.withUnsafeBufferPointer { stored in
                    while true {
                        let s = Int(slots[i])
                        if s < 0 { return nil }
                        let e = entries[s]
                        if e.hash == hash, Int(e.count) == word.count {
                            guard word.count > 0, let a = stored.baseAddress, let b = word.baseAddress else { return s }
                            if memcmp(a + Int(e.start), b, word.count) == 0 { return s }
                        }
                        i = (i + 1) & mask
                    }
                }
            }
        }
        if let found { return (found, false) }
        if let separator, !bytes.isEmpty { bytes.append(separator) }
        entries.append(Entry(hash: hash, start: Int32(bytes.count), count: Int32(word.count)))
        bytes.append(contentsOf: word)
        slots[i] = Int32(entries.count - 1)
        if entries.count * 2 > slots.count { grow() }
        return (entries.count - 1, true)
    }

    func string(_ id: Int) -> String {
        let e = entries[id]
        return String(decoding: bytes[Int(e.start)..<Int(e.start + e.count)], as: UTF8.self)
    }

    private mutating func grow() {
        slots = Array(repeating: -1, count: slots.count * 2)
        let mask = slots.count - 1
        for (id, e) in entries.enumerated() {
            var i = Int(truncatingIfNeeded: e.hash ^ (e.hash >> 32)) & mask
            while slots[i] >= 0 { i = (i + 1) & mask }
            slots[i] = Int32(id)
        }
    }
}
