/// `#tag` in body text, by Obsidian's rules: a `#` at the start of the text or after white space,
/// followed by letters, digits, `-`, `_` and `/`, with at least one character that is not a digit
/// (`#2025` is a number, not a tag). Code, links, URLs and headings never hold tags: the callers
/// only hand over paragraph text outside links and code.
struct InlineTag: Equatable {
    /// The tag as written, without `#` (`research/interviews`).
    var name: String
    /// Byte range of `#name` in the scanned text.
    var range: Range<Int>

    /// Every tag in `text`. `boundaryBefore` says whether the text follows white space (or starts its block).
    static func scan(_ text: String, boundaryBefore: Bool) -> [InlineTag] {
        guard text.utf8.contains(UInt8(ascii: "#")) else { return [] }
        var tags: [InlineTag] = []
        let scalars = Array(text.unicodeScalars)
        var offset = 0
        var previousIsBoundary = boundaryBefore
        var i = 0
        while i < scalars.count {
            let s = scalars[i]
            let width = String(s).utf8.count
            if s == "#", previousIsBoundary {
                var j = i + 1
                var end = offset + width
                var name = ""
                while j < scalars.count, isTagCharacter(scalars[j]) {
                    name.unicodeScalars.append(scalars[j])
                    end += String(scalars[j]).utf8.count
                    j += 1
                }
                // A trailing `/` ends a sentence ("see #a/"), it is not part of the tag.
                while name.hasSuffix("/") {
                    name.removeLast()
                    end -= 1
                }
                if !name.isEmpty, !name.hasPrefix("/"), name.unicodeScalars.contains(where: { $0.properties.numericType == nil }),
                   !TagName.slug(name).isEmpty {
                    tags.append(InlineTag(name: name, range: offset..<end))
                    // Whatever follows the tag directly is not a boundary.
                    offset = end
                    i += 1 + name.unicodeScalars.count
                    previousIsBoundary = false
                    continue
                }
            }
            previousIsBoundary = s.properties.isWhitespace
            offset += width
            i += 1
        }
        return tags
    }

    static func isTagCharacter(_ s: Unicode.Scalar) -> Bool {
        s.properties.isAlphabetic || s.properties.numericType != nil || s == "-" || s == "_" || s == "/"
    }
}

/// How tags are named and addressed, for front matter and inline tags alike.
enum TagName {
    /// `Research/Interviews` → `research/interviews`: one slug per `/`-separated level. Tags that
    /// differ only in case or punctuation (`#Follow_up`, `#follow-up`) are one tag.
    static func slug(_ name: String) -> String {
        name.slashSeparated().map { slugify(String($0)) }.filter { !$0.isEmpty }.joined(separator: "/")
    }

    /// What a writer put in `tags:`: `#a` and `a` are the same tag; surrounding spaces are dropped.
    static func clean(_ written: String) -> String {
        var name = written.trimmingWhitespace()
        while name.hasPrefix("#") { name.removeFirst() }
        return name.trimmingWhitespace()
    }
}
