import Foundation

/// The templates and static assets a site renders with: the default theme, with any file a site's
/// own templates/ folder provides taking its place.
struct Theme: Sendable {
    /// Every template, compiled once when the theme loads.
    let library: TemplateLibrary
    /// Asset path (relative to templates/, e.g. `assets/style.css`) → source file.
    let assets: [String: URL]
    /// A hash of every template's text and every asset's path: when it changes, every page is rendered again.
    var fingerprint: UInt64 = 0

    /// Where the default theme is: `$WAYMARK_THEME`, next to an installed binary, or this source tree's templates/.
    static func defaultDirectory() -> URL? {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["WAYMARK_THEME"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath()
        let installed = executable.deletingLastPathComponent().appendingPathComponent("../share/waymark/templates").standardized
        if fm.fileExists(atPath: installed.appendingPathComponent("layout.mustache").path) { return installed }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../../templates").standardized
        if fm.fileExists(atPath: source.appendingPathComponent("layout.mustache").path) { return source }
        return nil
    }

    /// Loads the default theme, then the site's `templates/` over it. Template syntax errors are diagnostics.
    static func load(siteRoot: URL) -> (Theme?, [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        var sources: [String: (url: URL, display: String)] = [:]
        var assets: [String: URL] = [:]
        let siteTemplates = siteRoot.appendingPathComponent("templates")
        for (dir, isSite) in [(defaultDirectory(), false), (siteTemplates, true)] {
            guard let dir, FileManager.default.fileExists(atPath: dir.path) else { continue }
            for rel in files(under: dir) {
                let url = dir.appendingPathComponent(rel)
                if rel.hasSuffix(".mustache") {
                    sources[String(rel.dropLast(".mustache".count))] = (url, isSite ? "templates/" + rel : "(default theme) templates/" + rel)
                } else {
                    assets[rel] = url
                }
            }
        }
        guard sources["layout"] != nil else {
            return (nil, [.error(SourceLocation(path: "templates/layout.mustache"), "no theme found",
                                 hint: "add templates/ to the site or set WAYMARK_THEME to a theme folder")])
        }
        diagnostics += misspelledNames(in: sources.values.filter { !$0.display.hasPrefix("(default") }.map(\.url), siteTemplates: siteTemplates)
        var library = TemplateLibrary()
        var hasher = StableHasher()
        for path in assets.keys.sorted() { hasher.combine(path) }
        for (name, source) in sources.sorted(by: { $0.key < $1.key }) {
            let text: String
            do {
                text = try String(contentsOf: source.url, encoding: .utf8)
                hasher.combine(name)
                hasher.combine(text)
            } catch {
                diagnostics.append(.error(SourceLocation(path: source.display), "cannot read template: \(error)"))
                continue
            }
            do {
                try library.register(text, named: name)
            } catch {
                diagnostics.append(.error(SourceLocation(path: source.display, line: error.line, column: error.column),
                                          "template error: \(error.message)", hint: error.hint))
            }
        }
        return (Theme(library: library, assets: assets, fingerprint: hasher.value), diagnostics)
    }

    /// Names in the site's own templates that look like a misspelling of a name the default theme uses
    /// (`{{page.tilte}}` for `{{page.title}}`): Mustache shows a name it cannot find as nothing, so the
    /// mistake would only be an empty place on every page. A warning at the first place it is written.
    static func misspelledNames(in siteFiles: [URL], siteTemplates: URL) -> [Diagnostic] {
        guard !siteFiles.isEmpty, let defaults = defaultDirectory() else { return [] }
        var known: Set<String> = []
        for rel in files(under: defaults) where rel.hasSuffix(".mustache") {
            guard let text = try? String(contentsOf: defaults.appendingPathComponent(rel), encoding: .utf8),
                  let nodes = try? TemplateParser.parse(text) else { continue }
            TemplateNode.collectNames(in: nodes, into: &known)
        }
        let candidates = known.sorted()
        var diagnostics: [Diagnostic] = []
        for url in siteFiles.sorted(by: { $0.path < $1.path }) {
            guard let text = try? String(contentsOf: url, encoding: .utf8), let nodes = try? TemplateParser.parse(text) else { continue }
            var used: Set<String> = []
            TemplateNode.collectNames(in: nodes, into: &used)
            for name in used.sorted() where !known.contains(name) && name.count >= 4 {
                guard let meant = closestMatch(to: name, in: candidates), meant != name else { continue }
                let display = "templates/" + url.path.dropFirst(siteTemplates.path.count + 1)
                var at = SourceLocation(path: display)
                if let range = text.range(of: name) {
                    let before = text[..<range.lowerBound]
                    let line = before.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
                    let column = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
                    at = SourceLocation(path: display, line: line, column: column)
                }
                diagnostics.append(.warning(at, "`\(name)` is no name the default theme uses: did you mean `\(meant)`?",
                                            hint: "Mustache shows a name it cannot find as nothing, so this place stays empty on every page"))
            }
        }
        return diagnostics
    }

    /// Regular files under `dir` (not hidden, symbolic links not followed), relative to it, sorted.
    /// Listed with `readdir` as content/ is: Foundation's enumerator looked up each file's owner.
    private static func files(under dir: URL) -> [String] {
        var result: [String] = []
        func walk(_ path: String, _ relative: String, depth: Int) {
            guard depth < 64, let entries = ContentDiscovery.list(path) else { return }
            for (name, listed) in entries where !name.hasPrefix(".") {
                let rel = relative.isEmpty ? name : relative + "/" + name
                switch listed ?? ContentDiscovery.type(ofItemAt: path + "/" + name) {
                case .directory: walk(path + "/" + name, rel, depth: depth + 1)
                case .regular: result.append(rel)
                default: break
                }
            }
        }
        walk(dir.path, "", depth: 0)
        return result.sorted()
    }

    /// Renders with the page type's template, else `page`; nil when neither exists. `problem` says
    /// why the output stopped early (a partial that includes itself).
    /// `capacity`: about the bytes the page will have, so that its output is allocated once rather
    /// than grown and copied on the way (a common term's page lists thousands of pages).
    func render(_ context: TemplateValue, template: String, capacity: Int = 16_384) -> (bytes: [UInt8], problem: String?)? {
        library.render(context, template: library.contains(template) ? template : "page", capacity: capacity)
    }
}
