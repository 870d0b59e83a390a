import Foundation

/// `waymark.yml`: every key is optional and has a default. Unknown keys are warnings, not silence.
public struct SiteConfig: Sendable {
    public enum BrokenLinks: String, Sendable { case error, warning }
    public enum Autolink: String, Sendable { case first, all, off }

    public var title = "Journey knowledge base"
    /// Absolute URL or path the site is served from, always ending in `/`.
    public var baseURL = "/"
    /// Pattern for "edit this page" links; `{path}` becomes the file's path under the site root.
    public var editURL: String?
    public var brokenLinks = BrokenLinks.error
    public var glossaryAutolink = Autolink.first
    public var unsafeHTML = false
    public var output = "public"
    /// Paths under content/ to skip, as glob patterns (`drafts/*`, `*.tmp`).
    public var ignore: [String] = []

    public init() {}

    /// The sections of `waymark.yml`, each with its one setting (for the hint when a value stands in for it).
    static let sections: [String: (name: String, values: String, example: String)] = [
        "links": ("broken", "error, warning", "warning"),
        "glossary": ("autolink", "first, all, off", "off"),
        "markdown": ("unsafe", "true, false", "true"),
    ]

    static let fileName = "waymark.yml"
    static let knownKeys = ["title", "baseURL", "editURL", "links", "links.broken", "glossary", "glossary.autolink",
                            "markdown", "markdown.unsafe", "output", "ignore"]

    /// The path part of `baseURL` (`https://intranet.example/kb/` → `/kb/`), the prefix of every site link.
    public var basePath: String {
        var path = baseURL
        if let schemeEnd = baseURL.schemeSeparatorRange {
            let rest = baseURL[schemeEnd.upperBound...]
            path = rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
        }
        if !path.hasPrefix("/") { path = "/" + path }
        if !path.hasSuffix("/") { path += "/" }
        return path
    }

    /// Where `waymark.yml` sets `output:` (its line and column), if it does; for a diagnostic about
    /// the output folder, read again only then.
    static func outputSetting(root: URL) -> SourceLocation? {
        guard let data = try? Data(contentsOf: root.appendingPathComponent(fileName)),
              case .success(let source) = SourceText.decode(data, path: fileName),
              case .success(.mapping(let entries, _)?) = YAMLDocument.parse(source.text, path: fileName, firstLine: 1),
              let entry = entries.first(where: { $0.key == "output" }) else { return nil }
        return entry.value.location
    }

    /// Reads `waymark.yml` under `root`, if present. Problems come back as diagnostics; defaults fill the gaps.
    public static func load(root: URL) -> (SiteConfig, [Diagnostic]) {
        var config = SiteConfig()
        let url = root.appendingPathComponent(fileName)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            // No waymark.yml is a site with every default; one that is there and cannot be read is not.
            var info = stat()
            guard stat(url.path, &info) == 0 else { return (config, []) }
            let why = info.st_mode & S_IFMT == S_IFDIR ? "it is a folder, not a file" : "cannot read it"
            return (config, [.error(SourceLocation(path: fileName), "\(fileName): \(why)",
                                    hint: "waymark.yml holds the site's settings as `key: value` lines; remove it to use the defaults")])
        }
        let text: String
        switch SourceText.decode(data, path: fileName) {
        case .success(let s): text = s.text
        case .failure(let d): return (config, [d])
        }
        let value: YAMLValue?
        switch YAMLDocument.parse(text, path: fileName, firstLine: 1) {
        case .success(let v): value = v
        case .failure(let d): return (config, [d])
        }
        guard let value else { return (config, []) }
        var diagnostics: [Diagnostic] = []
        guard case .mapping(let entries, _) = value else {
            return (config, [.error(value.location, "waymark.yml must be written as `key: value` lines")])
        }
        // Nested sections (`links: {broken: warning}`) and dotted keys (`links.broken: warning`) both work.
        var flat: [YAMLEntry] = []
        for e in entries {
            if let setting = sections[e.key] {
                if case .mapping(let sub, _) = e.value {
                    flat += sub.map { YAMLEntry(key: "\(e.key).\($0.key)", keyLocation: $0.keyLocation, value: $0.value) }
                } else {
                    // `links: warning` reads as a setting but sets nothing: say how to write it, not "unknown key".
                    // The value given, when the setting takes it; else the example (`glossary: false` means `autolink: off`).
                    let values = setting.values.components(separatedBy: ", ")
                    var given = setting.example
                    if case .scalar(let s, _, _) = e.value, values.contains(s.lowercased()) { given = s.lowercased() }
                    diagnostics.append(.error(e.value.location, "`\(e.key)` holds settings, not a value: `\(e.key).\(setting.name)` is probably meant",
                                              hint: "write `\(e.key): {\(setting.name): \(given)}` (or `\(e.key).\(setting.name): \(given)`); "
                                                  + "\(setting.name) is one of \(setting.values)"))
                }
            } else {
                flat.append(e)
            }
        }
        var r = FieldReader(entries: flat, location: value.location, subject: "waymark.yml")
        if let s = r.string("title") { config.title = s.value }
        if let s = r.string("baseURL") {
            if let problem = baseURLProblem(s.value, at: s.location) { diagnostics.append(problem) } else {
                config.baseURL = s.value.hasSuffix("/") ? s.value : s.value + "/"
            }
        }
        if let s = r.string("editURL") {
            if let problem = editURLProblem(s.value, at: s.location) { diagnostics.append(problem) } else { config.editURL = s.value }
        }
        if let s = r.choice("links.broken", ["error", "warning"]) { config.brokenLinks = BrokenLinks(rawValue: s) ?? .error }
        if let s = r.choice("glossary.autolink", ["first", "all", "off"]) { config.glossaryAutolink = Autolink(rawValue: s) ?? .first }
        if let v = r.value("markdown.unsafe") {
            if case .scalar(let s, .bool, _) = v { config.unsafeHTML = ["true", "yes", "on"].contains(s.lowercased()) } else {
                r.wrongType("markdown.unsafe", v, expected: "true or false")
            }
        }
        if let s = r.string("output") { config.output = s.value }
        config.ignore = r.strings("ignore").map(\.value)
        diagnostics += r.diagnostics
        for e in r.unusedEntries {
            let suggestion = closestMatch(to: e.key, in: knownKeys)
            diagnostics.append(.warning(e.keyLocation, "unknown key `\(e.key)` in waymark.yml is ignored",
                                        hint: suggestion.map { "did you mean `\($0)`?" } ?? "known keys: \(knownKeys.joined(separator: ", "))"))
        }
        return (config, diagnostics)
    }
}

/// Edit distance, for "did you mean" hints.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.lowercased()), b = Array(b.lowercased())
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// The candidate closest to `word`, if it is close enough to be a plausible typo.
func closestMatch(to word: String, in candidates: some Sequence<String>) -> String? {
    var best: (String, Int)?
    let limit = max(2, word.count / 3)
    for c in candidates {
        let d = editDistance(word, c)
        if d <= limit, best.map({ d < $0.1 || (d == $0.1 && c < $0.0) }) ?? true { best = (c, d) }
    }
    return best?.0
}
