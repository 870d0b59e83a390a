import Foundation

/// `waymark new <type> <title>`: one new page with the front-matter skeleton of its type.
public enum NewPage {
    /// The type names `waymark new` accepts, for help and error texts.
    public static var typeNames: [String] { PageSkeleton.types.map { $0.rawValue } }

    /// Longest file name stem, in characters: titles can be long sentences, file names should not be.
    static let maxSlugLength = 80

    /// The type `name` means (`journey`, `finding`, also `research`, `glossary`), or nil.
    public static func type(named name: String) -> PageType? {
        PageType.fromFrontMatter(name.trimmingWhitespace()).flatMap { PageSkeleton.types.contains($0) ? $0 : nil }
    }

    /// The type a mistyped name was probably meant to be (`jorney` → `journey`), or nil.
    public static func closestType(to name: String) -> String? {
        closestMatch(to: name.trimmingWhitespace().lowercased(), in: typeNames)
    }

    /// The new page's path under the site root: `content/<folder of the type>/<slug>.md`.
    public static func relativePath(type: PageType, title: String) -> Result<String, Diagnostic> {
        let slug = fileStem(for: title)
        guard !slug.isEmpty else {
            return .failure(.error(SourceLocation(path: "content/"), "the title “\(title)” has no letters or digits to name the file with",
                                   hint: "give the page a title with at least one letter or digit"))
        }
        if ContentFile.indexNames.contains(slug) {
            return .failure(.error(SourceLocation(path: "content/"), "a page named `\(slug)` would be its folder's own page, not a new \(type.label.lowercased())",
                                   hint: "choose a title that is not “index”, “readme” or “_index”"))
        }
        let folder = type.folder.map { $0 + "/" } ?? ""
        return .success("content/" + folder + slug + ".md")
    }

    /// The slug of the title, shortened at a word boundary; only letters, digits and `-`, so never `/` or `..`.
    static func fileStem(for title: String) -> String {
        let slug = slugify(title)
        guard slug.count > maxSlugLength else { return slug }
        let cut = String(slug.prefix(maxSlugLength))
        if let dash = cut.lastIndex(of: "-"), cut.distance(from: cut.startIndex, to: dash) >= maxSlugLength / 2 {
            return String(cut[..<dash])
        }
        return cut
    }

    /// Writes the page under `root` and returns its path relative to the root; never overwrites.
    /// `today` (YYYY-MM-DD) dates a new finding; it defaults to the current date in UTC.
    public static func create(type: PageType, title: String, root: URL, today: String = NewPage.today()) -> Result<String, Diagnostic> {
        let trimmed = title.trimmingWhitespace()
        guard !trimmed.isEmpty else {
            return .failure(.error(SourceLocation(path: "waymark new"), "the title is empty", hint: "pass the page's title, e.g. waymark new \(type.rawValue) \"First order\""))
        }
        let path: String
        switch relativePath(type: type, title: trimmed) {
        case .success(let p): path = p
        case .failure(let d): return .failure(d)
        }
        let root = root.standardizedFileURL
        guard ScaffoldWriter.kind(root.appendingPathComponent("content").path) == .directory else {
            return .failure(.error(SourceLocation(path: "content/"), "no content/ folder in \(root.path)",
                                   hint: "run this in the knowledge base's root, pass --root DIR, or start one with `waymark init`"))
        }
        let writer = ScaffoldWriter(base: root, displayPrefix: "")
        let problems = writer.write([(path, PageSkeleton.text(type, title: trimmed, today: today))],
                                    hint: "choose another title, or edit the existing page")
        if let first = problems.first { return .failure(first) }
        return .success(path)
    }

    /// The current date in UTC as YYYY-MM-DD.
    public static func today(_ date: Date = Date()) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year ?? 1970, c.month ?? 1, c.day ?? 1)
    }
}
