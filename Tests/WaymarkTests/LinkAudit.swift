import Foundation
@testable import Waymark

/// Follows every internal `href`, `src` and `action` of every HTML file of a built site the way a
/// browser would from where the page is published, and reports each one that lands on no file (or on
/// a missing fragment). Links to other hosts and non-web schemes are the reader's business.
struct LinkAudit {
    enum Mode {
        /// Published at `baseURL` (absolute, e.g. `https://intranet.example/kb/`): folder URLs serve index.html.
        case server(baseURL: String)
        /// Opened from disk: every link must name a file, relative to the page.
        case disk
    }

    let output: URL
    let mode: Mode
    private(set) var checked = 0
    private(set) var problems: [String] = []
    private var files: [String: Data] = [:]
    private var idsByFile: [String: Set<String>] = [:]

    init(output: URL, mode: Mode) {
        self.output = output
        self.mode = mode
        files = snapshot(output)
    }

    var pages: [String] { files.keys.filter { $0.hasSuffix(".html") }.sorted() }

    /// Audits every attribute of every page; then, when the site has one, every result URL of the search index.
    mutating func run() {
        for page in pages {
            let html = String(decoding: files[page] ?? Data(), as: UTF8.self)
            for name in ["href", "src", "action"] {
                for value in ExampleSiteTests.attributeValues(name, in: html) { follow(value, from: page) }
            }
        }
        if let index = searchIndexURLs() {
            for url in index { follow(url, from: "search/index.html", indexEntry: true) }
        }
    }

    /// The page URLs (relative to the site root) listed in search/index.js.
    func searchIndexURLs() -> [String]? {
        guard let data = files[SearchIndex.path], let json = LinkAudit.searchIndexJSON(data),
              let pages = json["pages"] as? [[Any]] else { return nil }
        return pages.compactMap { $0.count > 1 ? $0[1] as? String : nil }
    }

    static func searchIndexJSON(_ data: Data) -> [String: Any]? {
        let text = String(decoding: data, as: UTF8.self)
        let prefix = "window.WaymarkSearchIndex = "
        guard text.hasPrefix(prefix), text.hasSuffix(";\n") else { return nil }
        let json = Data(text.dropFirst(prefix.count).dropLast(2).utf8)
        return (try? JSONSerialization.jsonObject(with: json)) as? [String: Any]
    }

    private mutating func follow(_ value: String, from page: String, indexEntry: Bool = false) {
        if value.isEmpty || value.hasPrefix("data:") || value.hasPrefix("mailto:") || value.hasPrefix("tel:") { return }
        var target: String
        var fragment: String?
        switch mode {
        case .server(let baseURL):
            guard let base = URL(string: baseURL), let host = base.host else { problems.append("bad baseURL \(baseURL)"); return }
            // A page `a/b/index.html` is published at `<base>a/b/`; the index's URLs are relative to the root.
            let location = page.hasSuffix("index.html") ? String(page.dropLast("index.html".count)) : page
            let pageURL = indexEntry || location.isEmpty ? base
                : URL(string: location.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? location, relativeTo: base)
            guard let pageURL, let resolved = URL(string: value, relativeTo: pageURL)?.absoluteURL else {
                problems.append("\(page): cannot resolve \(value)")
                return
            }
            guard resolved.scheme == base.scheme, resolved.host == host else { return }  // another site
            let basePath = URLComponents(url: base, resolvingAgainstBaseURL: true)?.percentEncodedPath ?? "/"
            let encoded = URLComponents(url: resolved, resolvingAgainstBaseURL: true)?.percentEncodedPath ?? ""
            let path = encoded.removingPercentEncoding ?? encoded
            guard path.hasPrefix(basePath) else {
                problems.append("\(page): \(value) → \(path) is outside the site's path \(basePath)")
                return
            }
            target = String(path.dropFirst(min(basePath.count, path.count)))
            if target.isEmpty || target.hasSuffix("/") { target += "index.html" }
            fragment = resolved.fragment
        case .disk:
            if value.hasPrefix("/") {
                problems.append("\(page): \(value) is an absolute path, which names the reader's disk")
                return
            }
            let pageURL = output.appendingPathComponent(indexEntry ? "index.html" : page)
            guard let resolved = URL(string: value, relativeTo: pageURL)?.absoluteURL else {
                problems.append("\(page): cannot resolve \(value)")
                return
            }
            guard resolved.isFileURL else { return }  // http(s) links to other sites
            let root = output.standardizedFileURL.path + "/"
            let path = resolved.standardizedFileURL.path
            guard path.hasPrefix(root) else {
                problems.append("\(page): \(value) leaves the site")
                return
            }
            target = String(path.dropFirst(root.count))
            fragment = resolved.fragment
        }
        checked += 1
        guard files[target] != nil else {
            problems.append("\(page): \(value) → no file \(target)")
            return
        }
        if let fragment, !fragment.isEmpty {
            let id = fragment.removingPercentEncoding ?? fragment
            if idsByFile[target] == nil {
                idsByFile[target] = Set(ExampleSiteTests.attributeValues("id", in: String(decoding: files[target] ?? Data(), as: UTF8.self)))
            }
            if idsByFile[target]?.contains(id) != true { problems.append("\(page): \(value) → no id \"\(id)\" in \(target)") }
        }
    }
}
