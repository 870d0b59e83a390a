/// Stable anchors and URL segments: lowercase, apostrophes dropped, every other run of characters
/// that are not letters or digits becomes one `-`. "GP appointment" → `gp-appointment`.
public func slugify(_ text: String) -> String {
    // Built as UTF-8 bytes and made a string once: appending scalar by scalar to a String went
    // through its general append path for every character of every heading, stage and term.
    var slug: [UInt8] = []
    slug.reserveCapacity(text.utf8.count)
    var pendingDash = false
    for scalar in text.unicodeScalars {
        if scalar.isASCII {
            // ASCII letters and digits are the only ASCII characters kept; no Unicode tables needed.
            let v = UInt8(scalar.value)
            if (v >= 0x61 && v <= 0x7A) || (v >= 0x30 && v <= 0x39) || (v >= 0x41 && v <= 0x5A) {
                if pendingDash && !slug.isEmpty { slug.append(UInt8(ascii: "-")) }
                pendingDash = false
                slug.append(v >= 0x41 && v <= 0x5A ? v + 0x20 : v)
            } else if scalar != "'" {
                pendingDash = true
            }
            continue
        }
        if scalar == "\u{2019}" { continue }
        if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
            if pendingDash && !slug.isEmpty { slug.append(UInt8(ascii: "-")) }
            pendingDash = false
            slug.append(contentsOf: String(scalar).lowercased().utf8)
        } else {
            pendingDash = true
        }
    }
    return String(decoding: slug, as: UTF8.self)
}

/// Hands out unique slugs within one page: the second "Notes" heading becomes `notes-1`.
struct SlugAllocator {
    /// Slugs handed out (and reserved): searched in turn while there are few, as on nearly every
    /// page, and through a set once there are many. A set from the first heading spent more on
    /// hashing and growing than the slugs took to make.
    private var usedList: [String] = []
    private var usedSet: Set<String>?
    /// The next number to try per base: thirty thousand "Notes" headings must not count from 1 each time.
    private var nextNumber: [String: Int] = [:]
    private static let listLimit = 32

    init(reserved: some Sequence<String> = []) {
        for slug in reserved { insert(slug) }
    }

    private func contains(_ slug: String) -> Bool {
        if let usedSet { return usedSet.contains(slug) }
        return usedList.contains(slug)
    }

    private mutating func insert(_ slug: String) {
        if usedSet != nil {
            usedSet?.insert(slug)
        } else if usedList.count < Self.listLimit {
            if !usedList.contains(slug) { usedList.append(slug) }
        } else {
            var set = Set(usedList)
            set.insert(slug)
            usedSet = set
            usedList = []
        }
    }

    mutating func allocate(_ text: String) -> String {
        var base = slugify(text)
        if base.isEmpty { base = "section" }
        guard contains(base) else {
            insert(base)
            return base
        }
        var candidate = base
        var n = nextNumber[base] ?? 1
        while contains(candidate) {
            candidate = "\(base)-\(n)"
            n += 1
        }
        // Numbers below n are all taken and nothing is ever released, so the next search may start here.
        nextNumber[base] = n
        insert(candidate)
        return candidate
    }
}

/// GitHub's heading ids: lowercase, punctuation removed, each space a `-` (runs are not collapsed).
func githubSlug(_ text: String) -> String {
    var out = ""
    for scalar in text.lowercased().unicodeScalars {
        if scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar == "-" || scalar == "_" {
            out.unicodeScalars.append(scalar)
        } else if scalar == " " {
            out.append("-")
        }
    }
    return out
}
