import Foundation

/// What a template sees: plain text (escaped when interpolated), numbers, flags, lists and objects.
/// Typed so that rendering never casts; the semantics follow swift-mustache, which Waymark used before:
/// only `false`, `null`, a missing key and an empty list are falsey; empty text and 0 are truthy.
enum TemplateValue: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case text(String)
    /// Text held as UTF-8 bytes (a page's rendered body, which is not made a `String` only to be
    /// written out again): the same as `.text` in every template.
    case utf8([UInt8])
    /// HTML that Waymark made from text it escaped itself (a persona's pain or a stage's goal with
    /// its glossary links): written as it is by `{{x}}` as by `{{{x}}}`, as Hugo's `template.HTML`
    /// is. Only where a value would otherwise be `.text`, and only when it holds a link. The text
    /// without links stays beside it for every other use (transforms, sorting).
    case markup([UInt8], plain: String)
    case list([TemplateValue])
    case object(TemplateObject)

    /// A list of plain texts.
    static func texts(_ strings: [String]) -> TemplateValue { .list(strings.map(TemplateValue.text)) }

    /// The text, when this is text.
    var string: String? {
        if case .text(let s) = self { return s }
        if case .utf8(let bytes) = self { return String(decoding: bytes, as: UTF8.self) }
        if case .markup(_, let plain) = self { return plain }
        return nil
    }

    /// The key's value, when this is an object that has it.
    subscript(key: String) -> TemplateValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    init(stringLiteral value: String) { self = .text(value) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(integerLiteral value: Int) { self = .int(value) }
    init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
    init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .object(TemplateObject(literal: elements))
    }
    init(nilLiteral: ()) { self = .null }
}

extension TemplateValue {
    /// How `{{value}}` shows it: text as is, numbers in decimal, flags as true/false (as swift-mustache
    /// did, through `String(describing:)`); lists and objects in Swift's literal notation.
    var interpolated: String {
        switch self {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .text(let s): return s
        case .utf8(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .markup(let bytes, _): return String(decoding: bytes, as: UTF8.self)
        case .list, .object: return literal
        }
    }

    private var literal: String {
        switch self {
        case .null: return "nil"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .text(let s): return s.debugDescription
        case .utf8(let bytes): return String(decoding: bytes, as: UTF8.self).debugDescription
        case .markup(_, let plain): return plain.debugDescription
        case .list(let items): return "[" + items.map(\.literal).joined(separator: ", ") + "]"
        case .object(let o):
            if o.isEmpty { return "[:]" }
            return "[" + o.sorted { $0.key < $1.key }.map { "\($0.key.debugDescription): \($0.value.literal)" }.joined(separator: ", ") + "]"
        }
    }

    /// Applies one swift-mustache transform (`empty(x)`, `count(x)`, `uppercased(x)`…); nil when it does not apply.
    func transformed(_ transform: TemplateTransform) -> TemplateValue? {
        switch (self, transform) {
        case (.utf8(let bytes), .empty): return .bool(bytes.isEmpty)
        case (.markup(_, let plain), _): return TemplateValue.text(plain).transformed(transform)
        case (.utf8(let bytes), _): return TemplateValue.text(String(decoding: bytes, as: UTF8.self)).transformed(transform)
        case (.text(let s), .empty): return .bool(s.isEmpty)
        case (.text(let s), .capitalized): return .text(s.capitalized)
        case (.text(let s), .lowercased): return .text(s.lowercased())
        case (.text(let s), .uppercased): return .text(s.uppercased())
        case (.text(let s), .reversed): return .text(String(s.reversed()))
        case (.list(let l), .first): return l.first
        case (.list(let l), .last): return l.last
        case (.list(let l), .reversed): return .list(l.reversed())
        case (.list(let l), .count): return .int(l.count)
        case (.list(let l), .empty): return .bool(l.isEmpty)
        case (.list(let l), .sorted):
            let texts = l.compactMap(\.string)
            if texts.count == l.count { return .texts(texts.sorted()) }
            let ints = l.compactMap { if case .int(let i) = $0 { return i }; return nil }
            if ints.count == l.count { return .list(ints.sorted().map(TemplateValue.int)) }
            return nil
        case (.object(let o), .count): return .int(o.count)
        case (.object(let o), .empty): return .bool(o.isEmpty)
        case (.object(let o), .enumerated), (.object(let o), .sorted):
            let pairs = transform == .sorted ? o.sorted { $0.key < $1.key } : Array(o)
            return .list(pairs.map { .object(["key": .text($0.key), "value": $0.value]) })
        case (.int(let i), .equalzero): return .bool(i == 0)
        case (.int(let i), .plusone): return .int(i &+ 1)
        case (.int(let i), .minusone): return .int(i &- 1)
        case (.int(let i), .even): return .bool(i & 1 == 0)
        case (.int(let i), .odd): return .bool(i & 1 == 1)
        default: return nil
        }
    }
}

/// The transforms swift-mustache defines, resolved once when a template is parsed.
enum TemplateTransform: Sendable, Equatable {
    case first, last, index, even, odd
    case empty, count, reversed, sorted, enumerated
    case capitalized, lowercased, uppercased
    case equalzero, plusone, minusone
    /// A name no value understands: the tag renders as if its value were missing.
    case unknown

    init(name: String) {
        switch name {
        case "first": self = .first
        case "last": self = .last
        case "index": self = .index
        case "even": self = .even
        case "odd": self = .odd
        case "empty": self = .empty
        case "count": self = .count
        case "reversed": self = .reversed
        case "sorted": self = .sorted
        case "enumerated": self = .enumerated
        case "capitalized": self = .capitalized
        case "lowercased": self = .lowercased
        case "uppercased": self = .uppercased
        case "equalzero": self = .equalzero
        case "plusone": self = .plusone
        case "minusone": self = .minusone
        default: self = .unknown
        }
    }
}

/// Where the element being rendered sits in the list a section iterates: `first()`, `last()`, `index()`.
struct SequencePosition {
    var first: Bool
    var last: Bool
    var index: Int

    func transformed(_ transform: TemplateTransform) -> TemplateValue? {
        switch transform {
        case .first: return .bool(first)
        case .last: return .bool(last)
        case .index: return .int(index)
        case .even: return .bool(index & 1 == 0)
        case .odd: return .bool(index & 1 == 1)
        default: return nil
        }
    }
}

/// A template object: its keys in the order they were set, found by a scan that compares lengths
/// first. A page's context has a few dozen keys at most, and most objects in it a handful: a scan
/// is faster than hashing, and hashing was paid twice for every key (building the context, then
/// looking names up while rendering it).
struct TemplateObject: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    typealias Element = (key: String, value: TemplateValue)
    /// Kept without labels, the type a dictionary literal's pairs come in: a literal's own array
    /// becomes the entries as it is (copying it, then releasing it, was a tenth of building a page's context).
    private var entries: [(String, TemplateValue)] = []

    init() {}

    init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self.init(literal: elements)
    }

    /// The pairs of a literal: taken as they are when their keys differ, as they nearly always do.
    init(literal elements: [(String, TemplateValue)]) {
        if elements.count <= 16, Self.keysDiffer(elements) {
            entries = elements
        } else {
            entries = Self.uniqued(elements) { _, last in last }
        }
    }

    /// Like `Dictionary(_:uniquingKeysWith:)`: a repeated key keeps the first place, with the combined value.
    init(_ pairs: some Sequence<(String, TemplateValue)>, uniquingKeysWith combine: (TemplateValue, TemplateValue) -> TemplateValue) {
        entries = Self.uniqued(Array(pairs), combine)
    }

    private static func keysDiffer(_ pairs: [(String, TemplateValue)]) -> Bool {
        var a = 1
        while a < pairs.count {
            var b = 0
            while b < a {
                if pairs[a].0 == pairs[b].0 { return false }
                b += 1
            }
            a += 1
        }
        return true
    }

    /// Many pairs (a writer's front matter can hold any number) are deduplicated through a dictionary,
    /// so that building stays linear; lookups in such an object are scans, as in any other.
    private static func uniqued(_ pairs: [(String, TemplateValue)], _ combine: (TemplateValue, TemplateValue) -> TemplateValue) -> [(String, TemplateValue)] {
        var entries: [(String, TemplateValue)] = []
        entries.reserveCapacity(pairs.count)
        if pairs.count <= 16 {
            for (key, value) in pairs {
                if let k = entries.firstIndex(where: { $0.0 == key }) { entries[k].1 = combine(entries[k].1, value) } else { entries.append((key, value)) }
            }
            return entries
        }
        var position: [String: Int] = [:]
        position.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            if let k = position[key] { entries[k].1 = combine(entries[k].1, value); continue }
            position[key] = entries.count
            entries.append((key, value))
        }
        return entries
    }

    var count: Int { entries.count }
    var isEmpty: Bool { entries.isEmpty }
    var keys: [String] { entries.map { $0.0 } }

    struct Iterator: IteratorProtocol {
        fileprivate var base: IndexingIterator<[(String, TemplateValue)]>
        mutating func next() -> Element? { base.next().map { (key: $0.0, value: $0.1) } }
    }

    func makeIterator() -> Iterator { Iterator(base: entries.makeIterator()) }

    @inline(__always)
    private func index(of key: String) -> Int? {
        let length = key.utf8.count
        for k in entries.indices where entries[k].0.utf8.count == length && entries[k].0 == key { return k }
        return nil
    }

    /// The key's value; setting nil removes the key.
    subscript(key: String) -> TemplateValue? {
        get { index(of: key).map { entries[$0].1 } }
        set {
            if let k = index(of: key) {
                if let newValue { entries[k].1 = newValue } else { entries.remove(at: k) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    @discardableResult
    mutating func removeValue(forKey key: String) -> TemplateValue? {
        guard let k = index(of: key) else { return nil }
        return entries.remove(at: k).1
    }

    /// Like `Dictionary.merge(_:uniquingKeysWith:)`.
    mutating func merge(_ other: TemplateObject, uniquingKeysWith combine: (TemplateValue, TemplateValue) -> TemplateValue) {
        for (key, value) in other {
            if let k = index(of: key) { entries[k].1 = combine(entries[k].1, value) } else { entries.append((key, value)) }
        }
    }
}
