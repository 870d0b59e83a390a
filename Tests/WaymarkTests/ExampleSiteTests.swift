import Foundation
import XCTest
@testable import Waymark

/// The knowledge base this repository dogfoods (content/ at the repository root), built with the default theme.
final class ExampleSiteTests: XCTestCase {
    /// Tests/WaymarkTests/ExampleSiteTests.swift → the repository root.
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..", isDirectory: true).standardizedFileURL

    private var output: URL!
    private var report: BuildReport!

    override func setUpWithError() throws {
        let scratch = try makeTemporaryFolder()
        addTeardownBlock { try? FileManager.default.removeItem(at: scratch) }
        output = scratch.appendingPathComponent("public", isDirectory: true)
        var o = BuildOptions(root: Self.repositoryRoot)
        o.output = output.path
        report = BuildPipeline.run(o)
    }

    /// The example deliberately keeps one homonym ("lead": Marketing's contact vs Sales' qualified practice)
    /// to show the check; nothing else may warn.
    func testExampleSiteBuildsWithoutErrorsAndOnlyTheDeliberateHomonymWarning() {
        XCTAssertEqual(report.diagnostics.errorCount, 0, "\n" + DiagnosticFormat.human.render(report.diagnostics))
        XCTAssertEqual(report.diagnostics.map(\.message),
                       ["“Lead” means different things: “Lead” (its name) and “Qualified practice” (what Sales calls it)"],
                       "\n" + DiagnosticFormat.human.render(report.diagnostics))
        XCTAssertTrue(report.wrote)
    }

    func testEveryMarkdownFileHasAPage() throws {
        let content = Self.repositoryRoot.appendingPathComponent("content")
        let markdown = snapshot(content).keys.filter { $0.hasSuffix(".md") }.sorted()
        XCTAssertFalse(markdown.isEmpty)
        for path in markdown {
            // Drafts are left out of the build (the example keeps one).
            let text = String(decoding: try Data(contentsOf: content.appendingPathComponent(path)), as: UTF8.self)
            if text.hasPrefix("---\n"), let end = text.range(of: "\n---\n"), text[..<end.lowerBound].contains("\ndraft: true") { continue }
            var id = String(path.dropLast(3))
            if id == "index" { id = "" } else if id.hasSuffix("/index") { id = String(id.dropLast(6)) }
            let page = id.isEmpty ? "index.html" : id + "/index.html"
            XCTAssertTrue(FileManager.default.fileExists(atPath: output.appendingPathComponent(page).path), "content/\(path) has no \(page)")
        }
    }

    func testEveryInternalLinkAndFragmentResolves() throws {
        let files = snapshot(output)
        let pages = files.filter { $0.key.hasSuffix(".html") }
        XCTAssertFalse(pages.isEmpty, "nothing was built")
        var idsByFile: [String: Set<String>] = [:]
        func ids(in file: String) -> Set<String> {
            if let cached = idsByFile[file] { return cached }
            let found = Set(Self.attributeValues("id", in: String(decoding: files[file] ?? Data(), as: UTF8.self)))
            idsByFile[file] = found
            return found
        }
        var checked = 0
        var problems: [String] = []
        for (page, data) in pages.sorted(by: { $0.key < $1.key }) {
            let html = String(decoding: data, as: UTF8.self)
            for href in Self.attributeValues("href", in: html) + Self.attributeValues("src", in: html) {
                let target: String
                let fragment: String?
                if href.hasPrefix("#") {
                    target = page
                    fragment = String(href.dropFirst())
                } else if href.hasPrefix("/"), !href.hasPrefix("//") {
                    var path = href
                    var frag: String?
                    if let hash = path.firstIndex(of: "#") {
                        frag = String(path[path.index(after: hash)...])
                        path = String(path[..<hash])
                    }
                    if let q = path.firstIndex(of: "?") { path = String(path[..<q]) }
                    path = String(path.dropFirst()).removingPercentEncoding ?? String(path.dropFirst())
                    if path.isEmpty || path.hasSuffix("/") { path += "index.html" }
                    target = path
                    fragment = frag
                } else {
                    continue
                }
                checked += 1
                guard files[target] != nil else {
                    problems.append("\(page): \(href) → no file \(target)")
                    continue
                }
                if let fragment, !fragment.isEmpty {
                    let id = fragment.removingPercentEncoding ?? fragment
                    if !ids(in: target).contains(id) { problems.append("\(page): \(href) → no id \"\(id)\" in \(target)") }
                }
            }
        }
        XCTAssertGreaterThan(checked, 0)
        XCTAssertEqual(problems, [], "\n" + problems.joined(separator: "\n"))
    }

    /// Values of `name="…"` attributes, with the entities Waymark's escaping produces decoded.
    static func attributeValues(_ name: String, in html: String) -> [String] {
        var values: [String] = []
        var rest = html[...]
        let open = " \(name)=\""
        while let start = rest.range(of: open) {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { break }
            values.append(decodeEntities(String(rest[..<end])))
            rest = rest[end...]
        }
        return values
    }

    static func decodeEntities(_ s: String) -> String {
        s.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
