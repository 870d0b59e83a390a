import Foundation
/// `[[target#anchor|label]]` as written in a page body.
struct Wikilink: Equatable, Sendable {
    /// The page part: an id, a file name or a title (may be empty for `[[#anchor]]`).
    var target: String
    var anchor: String?
    var label: String?
    /// Byte range of the whole `[[…]]` in the scanned text (with the `!` of an embed).
    var range: Range<Int>
    /// Written `![[…]]`: the target's content (or an image) is shown in place, not linked.
    var embed = false

    /// Image files an embed shows as an image rather than a page.
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "bmp"]

    /// Whether the target names an image file (`diagrams/map.png`).
    var targetIsImage: Bool {
        guard let dot = target.lastIndex(of: ".") else { return false }
        return Self.imageExtensions.contains(target[target.index(after: dot)...].lowercased())
    }

    /// Every wikilink in `text`, left to right. Brackets inside a link, or an empty `[[]]`, are not links.
    static func scan(_ text: String) -> [Wikilink] {
        var text = text
        return text.withUTF8 { scan(utf8: $0) }
    }

    static func scan(utf8 bytes: UnsafeBufferPointer<UInt8>) -> [Wikilink] {
        var links: [Wikilink] = []
        var i = 0
        while i + 1 < bytes.count {
            guard bytes[i] == UInt8(ascii: "["), bytes[i + 1] == UInt8(ascii: "[") else { i += 1; continue }
            // `[[[x]]]` is not a wikilink in Obsidian either; skip the run of brackets.
            if i + 2 < bytes.count, bytes[i + 2] == UInt8(ascii: "[") {
                while i < bytes.count, bytes[i] == UInt8(ascii: "[") { i += 1 }
                continue
            }
            var j = i + 2
            var valid = true
            while j + 1 < bytes.count, !(bytes[j] == UInt8(ascii: "]") && bytes[j + 1] == UInt8(ascii: "]")) {
                if bytes[j] == UInt8(ascii: "[") || bytes[j] == UInt8(ascii: "]") || bytes[j] == UInt8(ascii: "\n") {
                    valid = false
                    break
                }
                j += 1
            }
            guard valid, j + 1 < bytes.count else { i += 2; continue }
            let embed = i > 0 && bytes[i - 1] == UInt8(ascii: "!")
            if var link = parse(inner: UnsafeBufferPointer(rebasing: bytes[(i + 2)..<j]), range: (embed ? i - 1 : i)..<(j + 2)) {
                link.embed = embed
                links.append(link)
            }
            i = j + 2
        }
        return links
    }

    /// `target#anchor|label` from its UTF-8 bytes. The separators are ASCII, so they are found as bytes
    /// (as characters, every link's text went through the standard library's grapheme breaking:
    /// 6 % of a cold build's instructions).
    static func parse(inner: UnsafeBufferPointer<UInt8>, range: Range<Int>) -> Wikilink? {
        func text(_ part: Range<Int>) -> String? {
            let s = String(decoding: UnsafeBufferPointer(rebasing: inner[part]), as: UTF8.self).trimmingWhitespace()
            return s.isEmpty ? nil : s
        }
        var end = inner.count
        var label: String?
        if let bar = inner.firstIndex(of: UInt8(ascii: "|")) {
            label = text((bar + 1)..<end)
            end = bar
        }
        var anchor: String?
        if let hash = inner[..<end].firstIndex(of: UInt8(ascii: "#")) {
            anchor = text((hash + 1)..<end)
            end = hash
        }
        let target = text(0..<end) ?? ""
        if target.isEmpty && anchor == nil { return nil }
        return Wikilink(target: target, anchor: anchor, label: label, range: range)
    }
}

extension String {
    /// Whether the UTF-8 of the string holds `needle` (bytes, not characters: no grapheme breaking,
    /// which `contains(_:)` on strings does).
    func containsUTF8(_ needle: StaticString) -> Bool {
        var s = self
        return s.withUTF8 { hay in
            needle.withUTF8Buffer { n in
                guard let first = n.first, hay.count >= n.count else { return false }
                // memchr to each candidate first byte, then the rest compared.
                var from = 0
                while from + n.count <= hay.count {
                    guard let at = SourceText.firstIndex(of: first, in: UnsafeBufferPointer(rebasing: hay[from...])) else { return false }
                    let start = from + at
                    guard start + n.count <= hay.count else { return false }
                    if memcmp(hay.baseAddress! + start, n.baseAddress!, n.count) == 0 { return true }
                    from = start + 1
                }
                return false
            }
        }
    }

    /// Whether the UTF-8 of the string holds `byte`: memchr on the string's own storage.
    func containsByte(_ byte: UInt8) -> Bool {
        // Read in place: a native string's bytes are contiguous (a copy to call `withUTF8` retained it).
        if let found = utf8.withContiguousStorageIfAvailable({ SourceText.firstIndex(of: byte, in: $0) != nil }) { return found }
        var s = self
        return s.withUTF8 { SourceText.firstIndex(of: byte, in: $0) != nil }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        let string = String(self)
        // Most text starts and ends with a printable ASCII character: nothing to trim.
        if let first = string.utf8.first, let last = string.utf8.last, first > 0x20, first < 0x80, last > 0x20, last < 0x80 { return string }
        let scalars = string.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) ?? first
        // Scalar boundaries, not characters: a leading space and a combining mark are trimmed apart.
        return String(decoding: string.utf8[first..<scalars.index(after: last)], as: UTF8.self)
    }
}

extension String {
    /// The parts between `/`, cut among the UTF-8 bytes: `split(separator: "/")` walks the string by
    /// characters (the standard library's grapheme breaking), which made page ids and output paths
    /// a few percent of a cold build's instructions.
    func slashSeparated(omittingEmpty: Bool = true) -> [Substring] {
        self[...].slashSeparated(omittingEmpty: omittingEmpty)
    }
}

extension Substring {
    /// `String.slashSeparated(omittingEmpty:)` of a part of a string.
    func slashSeparated(omittingEmpty: Bool = true) -> [Substring] {
        utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: omittingEmpty).map { Substring($0) }
    }
}
