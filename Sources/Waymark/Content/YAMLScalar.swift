/// What a YAML scalar means, decided the way Waymark always has (it used to ask Yams): quoted and
/// block scalars are text; a plain scalar is nothing, true/false, a number, a timestamp or text.
/// Written on bytes, so the common case (a word, a sentence, an id) is settled by its first byte.
enum YAMLScalar {
    /// The resolved tag of a scalar, as far as telling mapping keys apart needs: `1` and `"1"` are
    /// different keys, `a` and `"a"` the same one.
    enum Tag: Equatable {
        case str, bool, int, float, merge, null, timestamp, value
        case other(String)

        static let strName = "tag:yaml.org,2002:str"

        /// The tag of a scalar as written: an explicit tag wins, `!` and quotes mean text, a plain
        /// scalar is resolved from its text (YAML 1.1's implicit types).
        static func of(_ text: String, explicitTag: String?, quotedImplicit: Bool) -> Tag {
            if quotedImplicit { return .str }
            switch explicitTag {
            case nil: return implicit(Array(text.utf8))
            case "!", strName?: return .str
            case let name?: return .other(name)
            }
        }

        /// The implicit tag of a plain scalar: the first of YAML 1.1's patterns (bool, int, float,
        /// merge, null, timestamp, value) it matches in full, else text.
        static func implicit(_ s: [UInt8]) -> Tag {
            if YAMLScalar.isBoolSpelling(s) { return .bool }
            if YAMLScalar.matchesIntPattern(s) { return .int }
            if YAMLScalar.matchesFloatPattern(s) { return .float }
            if s == [0x3C, 0x3C] { return .merge }  // <<
            if s.isEmpty || s == [0x7E] || YAMLScalar.equals(s, "null") || YAMLScalar.equals(s, "Null") || YAMLScalar.equals(s, "NULL") {
                return .null
            }
            if YAMLScalar.isTimestamp(s, strictDate: true) { return .timestamp }
            if s == [0x3D] { return .value }  // =
            return .str
        }
    }

    /// The kind of a scalar: only plain scalars are anything but text. Explicit tags are ignored
    /// except `!!str`, which keeps `yes` from being true (as Yams's constructors did).
    static func kind(_ text: String, plain: Bool, explicitTag: String?) -> YAMLValue.ScalarKind {
        guard plain else { return .string }
        // Most values are words and sentences: their first byte rules out every other kind.
        guard let lead = text.utf8.first else { return .null }
        switch lead {
        case 0x30...0x39, UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
             UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "y"), UInt8(ascii: "Y"),
             UInt8(ascii: "o"), UInt8(ascii: "O"), UInt8(ascii: "f"), UInt8(ascii: "F"), UInt8(ascii: "i"), UInt8(ascii: "I"),
             UInt8(ascii: "s"), UInt8(ascii: "S"):
            break
        default:
            return .string
        }
        if isLetter(lead), let settled = wordKind(text.utf8, lead: lead) { return settled }
        var bytes = Array(text.utf8)
        if bytes.isEmpty || bytes == [0x7E] || equals(bytes, "null") || equals(bytes, "Null") || equals(bytes, "NULL") { return .null }
        if explicitTag != Tag.strName, isBoolWord(bytes) { return .bool }
        // Numbers: underscores are separators and may stand anywhere.
        if bytes.contains(0x5F) { bytes.removeAll { $0 == 0x5F } }
        guard let first = bytes.first else { return .string }
        if isDigit(first) || first == 0x2B || first == 0x2D {
            if integer(bytes) { return .int }
        }
        if float(text, withoutUnderscores: bytes) { return .float }
        if isDigit(text.utf8.first ?? 0), isTimestamp(Array(text.utf8), strictDate: false) { return .timestamp }
        return .string
    }

    private static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") }

    /// Text, when a plain scalar that starts with a letter can be nothing else; nil when the full
    /// check must decide. Such a scalar is null or true/false only as one of those words, and a number
    /// only as Swift reads one that starts with a letter: `inf`, `infinity`, `nan`, `nan(…)`, `snan`,
    /// none of which holds a space. Settles keys and a field's words and sentences (`name`,
    /// `Customer Service`) without copying, lowercasing or parsing them.
    private static func wordKind(_ utf8: String.UTF8View, lead: UInt8) -> YAMLValue.ScalarKind? {
        guard !utf8.contains(0x5F) else { return nil }  // underscores may stand inside a number
        if utf8.count <= 5 {
            var packed: UInt64 = 0
            for b in utf8 { packed = packed << 8 | UInt64(b | 0x20) }
            if nullAndBoolWords.contains(packed) { return nil }
        } else if utf8.contains(0x20) {
            return .string
        }
        var rest = utf8.dropFirst().makeIterator()
        let next = (rest.next() ?? 0) | 0x20
        switch lead | 0x20 {
        case UInt8(ascii: "i"): return next == UInt8(ascii: "n") ? nil : .string
        case UInt8(ascii: "n"): return next == UInt8(ascii: "a") ? nil : .string
        case UInt8(ascii: "s"): return next == UInt8(ascii: "n") ? nil : .string
        default: return .string
        }
    }

    /// null and the true/false words, each byte lowercased and packed as `wordKind` packs a word.
    private static let nullAndBoolWords: [UInt64] = ["null", "true", "yes", "on", "false", "no", "off"].map { word in
        word.utf8.reduce(0) { $0 << 8 | UInt64($1) }
    }

    // MARK: Constructors (what Waymark accepts as a value of each kind)

    /// true, yes, on, false, no, off in any case.
    static func isBoolWord(_ s: [UInt8]) -> Bool {
        guard (2...5).contains(s.count) else { return false }
        let lower = s.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
        return boolWords.contains { equals(lower, $0) }
    }

    private static let boolWords: [StaticString] = ["true", "yes", "on", "false", "no", "off"]
    private static let boolSpellings: [StaticString] = ["yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE",
                                                        "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"]

    /// A whole number: decimal, `0x`, `0o`, `0b` or leading-`0` octal, or base 60 (`1:30`); underscores already removed.
    private static func integer(_ s: [UInt8]) -> Bool {
        let text = String(decoding: s, as: UTF8.self)
        if text == "0" { return true }
        let negative = text.hasPrefix("-")
        let signPrefix = negative ? "-" : ""
        let hasSign = negative || text.hasPrefix("+")
        let digits = text.dropFirst(hasSign ? 1 : 0)
        for (prefix, radix) in [("0x", 16), ("0b", 2), ("0o", 8), ("0", 8)] where digits.hasPrefix(prefix) {
            return Int(signPrefix + digits.dropFirst(prefix.count), radix: radix) != nil
        }
        if s.contains(0x3A) { return sexagesimal(text) { Int($0, radix: 10) != nil } }
        return Int(text) != nil
    }

    /// A floating-point number as Swift reads one (`1.5`, `1e3`, `.inf`, `nan`), or base 60 (`1:30.5`).
    private static func float(_ text: String, withoutUnderscores s: [UInt8]) -> Bool {
        let lowered = text.lowercased()
        if lowered == ".inf" || lowered == "+.inf" || lowered == "-.inf" || lowered == ".nan" { return true }
        // Swift's Double(_:) reads nothing that starts otherwise.
        guard let first = s.first, isDigit(first) || "+-.nNiIsS".utf8.contains(first) else { return false }
        let string = String(decoding: s, as: UTF8.self)
        if s.contains(0x3A) { return sexagesimal(string) { Double($0) != nil } }
        return Double(string) != nil
    }

    private static func sexagesimal(_ text: String, _ isNumber: (String) -> Bool) -> Bool {
        var rest = Substring(text)
        if rest.hasPrefix("-") || rest.hasPrefix("+") { rest = rest.dropFirst() }
        return rest.components(separatedBy: ":").allSatisfy(isNumber)
    }

    // MARK: YAML 1.1 implicit patterns (for telling keys apart)

    static func isBoolSpelling(_ s: [UInt8]) -> Bool {
        (2...5).contains(s.count) && boolSpellings.contains { equals(s, $0) }
    }

    /// `[-+]?0b[01_]+ | [-+]?0o?[0-7_]+ | [-+]?(0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+ | [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+`
    static func matchesIntPattern(_ s: [UInt8]) -> Bool {
        var i = 0
        if i < s.count, s[i] == 0x2B || s[i] == 0x2D { i += 1 }
        let body = Array(s[i...])
        guard let first = body.first else { return false }
        func all(_ from: Int, _ ok: (UInt8) -> Bool) -> Bool { from < body.count && body[from...].allSatisfy(ok) }
        if body.count >= 2, body[0] == 0x30, body[1] == 0x62, all(2, { $0 == 0x30 || $0 == 0x31 || $0 == 0x5F }) { return true }
        if first == 0x30 {
            if body.count >= 2, body[1] == 0x6F, all(2, { ($0 >= 0x30 && $0 <= 0x37) || $0 == 0x5F }) { return true }
            if all(1, { ($0 >= 0x30 && $0 <= 0x37) || $0 == 0x5F }) { return true }
            if body.count == 1 { return true }
            if body.count >= 2, body[1] == 0x78, all(2, { isHexDigit($0) || $0 == 0x5F }) { return true }
            return false
        }
        guard first >= 0x31 && first <= 0x39 else { return false }
        var j = 1
        while j < body.count, isDigit(body[j]) || body[j] == 0x5F { j += 1 }
        if j == body.count { return true }
        return matchesBase60Tail(body, from: j, allowFraction: false)
    }

    /// `(:[0-5]?[0-9])+` to the end, optionally followed by `\.[0-9_]*` (floats).
    private static func matchesBase60Tail(_ s: [UInt8], from start: Int, allowFraction: Bool) -> Bool {
        var j = start, groups = 0
        while j < s.count, s[j] == 0x3A {
            j += 1
            if j + 1 < s.count, s[j] >= 0x30 && s[j] <= 0x35, isDigit(s[j + 1]) { j += 2 }
            else if j < s.count, isDigit(s[j]) { j += 1 }
            else { return false }
            groups += 1
        }
        guard groups > 0 else { return false }
        if j == s.count { return !allowFraction }
        guard allowFraction, s[j] == 0x2E else { return false }
        return s[(j + 1)...].allSatisfy { isDigit($0) || $0 == 0x5F }
    }

    /// `[-+]?[0-9][0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)? | \.[0-9_]+([eE][-+][0-9]+)? | [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)`
    static func matchesFloatPattern(_ s: [UInt8]) -> Bool {
        if equals(s, ".nan") || equals(s, ".NaN") || equals(s, ".NAN") { return true }
        var i = 0
        let signed = i < s.count && (s[i] == 0x2B || s[i] == 0x2D)
        if signed { i += 1 }
        let rest = Array(s[i...])
        if equals(rest, ".inf") || equals(rest, ".Inf") || equals(rest, ".INF") { return true }
        guard let first = rest.first else { return false }
        if first == 0x2E {
            // `.5`, `.5e+3`: unsigned only, at least one digit or underscore, the exponent's sign required.
            guard !signed else { return false }
            var j = 1
            while j < rest.count, isDigit(rest[j]) || rest[j] == 0x5F { j += 1 }
            guard j > 1 else { return false }
            if j == rest.count { return true }
            guard j + 2 < rest.count, rest[j] == 0x65 || rest[j] == 0x45, rest[j + 1] == 0x2B || rest[j + 1] == 0x2D else { return false }
            return rest[(j + 2)...].allSatisfy(isDigit)
        }
        guard isDigit(first) else { return false }
        var j = 1
        while j < rest.count, isDigit(rest[j]) || rest[j] == 0x5F { j += 1 }
        if j < rest.count, rest[j] == 0x3A { return matchesBase60Tail(rest, from: j, allowFraction: true) }
        if j < rest.count, rest[j] == 0x2E {
            j += 1
            while j < rest.count, isDigit(rest[j]) || rest[j] == 0x5F { j += 1 }
        }
        if j == rest.count { return true }
        guard rest[j] == 0x65 || rest[j] == 0x45 else { return false }
        j += 1
        if j < rest.count, rest[j] == 0x2B || rest[j] == 0x2D { j += 1 }
        return j < rest.count && rest[j...].allSatisfy(isDigit)
    }

    /// `YYYY-M-D`, alone or followed by a time (`T`, `t` or blanks, then `H:MM:SS`, an optional fraction
    /// and an optional zone `Z` or `±H[:MM]`). A date alone needs two-digit months and days when `strictDate`
    /// (YAML's implicit timestamp pattern, for keys); values accept one digit, as Yams's date constructor did.
    static func isTimestamp(_ s: [UInt8], strictDate: Bool) -> Bool {
        func digits(_ i: inout Int, min: Int, max: Int) -> Bool {
            var n = 0
            while n < max, i < s.count, isDigit(s[i]) { i += 1; n += 1 }
            return n >= min
        }
        var i = 0
        guard digits(&i, min: 4, max: 4), i < s.count, s[i] == 0x2D else { return false }
        i += 1
        let monthStart = i
        guard digits(&i, min: 1, max: 2), i < s.count, s[i] == 0x2D else { return false }
        let monthLength = i - monthStart
        i += 1
        let dayStart = i
        guard digits(&i, min: 1, max: 2) else { return false }
        if i == s.count { return !strictDate || (monthLength == 2 && i - dayStart == 2) }
        // The time part.
        if s[i] == 0x54 || s[i] == 0x74 { i += 1 } else {
            guard s[i] == 0x20 || s[i] == 0x09 else { return false }
            while i < s.count, s[i] == 0x20 || s[i] == 0x09 { i += 1 }
        }
        guard digits(&i, min: 1, max: 2), i < s.count, s[i] == 0x3A else { return false }
        i += 1
        guard digits(&i, min: 2, max: 2), i < s.count, s[i] == 0x3A else { return false }
        i += 1
        guard digits(&i, min: 2, max: 2) else { return false }
        if i < s.count, s[i] == 0x2E {
            i += 1
            while i < s.count, isDigit(s[i]) { i += 1 }
        }
        if i == s.count { return true }
        while i < s.count, s[i] == 0x20 || s[i] == 0x09 { i += 1 }
        guard i < s.count else { return false }
        if s[i] == 0x5A { return i + 1 == s.count }
        guard s[i] == 0x2B || s[i] == 0x2D else { return false }
        i += 1
        guard digits(&i, min: 1, max: 2) else { return false }
        if i == s.count { return true }
        guard s[i] == 0x3A else { return false }
        i += 1
        return digits(&i, min: 2, max: 2) && i == s.count
    }

    // MARK: Bytes

    private static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    private static func isHexDigit(_ b: UInt8) -> Bool { isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66) }

    static func equals(_ s: [UInt8], _ word: StaticString) -> Bool {
        s.count == word.utf8CodeUnitCount && s.withUnsafeBufferPointer { buffer in
            word.withUTF8Buffer { buffer.elementsEqual($0) }
        }
    }
}
