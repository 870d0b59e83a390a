import Foundation
import XCTest
@testable import Waymark

/// A tiny knowledge base written into a fresh temporary folder for one test, removed afterwards.
///
/// Layout: `<scratch>/site/` is the site root (content/, templates/, waymark.yml) and
/// `<scratch>/out/` is where builds write unless a test says otherwise, so an output folder
/// never lands inside the site by accident.
final class TempSite {
    let scratch: URL
    let root: URL
    var output: URL { scratch.appendingPathComponent("out", isDirectory: true) }

    /// Templates small enough that HTML assertions stay stable when the default theme changes.
    static let minimalTemplates: [String: String] = [
        "layout.mustache": """
            <!doctype html>
            <title>{{page.title}} | {{site.title}}</title>
            <main id="main">
            {{$main}}{{/main}}
            </main>

            """,
        "page.mustache": """
            {{<layout}}{{$main}}
            <h1 class="page-title">{{page.title}}</h1>
            <div class="content">
            {{{page.content}}}
            </div>
            {{#page.hasFields}}
            <dl class="fields">
            {{#page.fields}}
            <dt>{{label}}</dt>{{#.text}}<dd>{{.}}</dd>{{/.text}}{{#.links}}<dd><a href="{{url}}">{{title}}</a></dd>{{/.links}}{{#.items}}<dd>{{.}}</dd>{{/.items}}
            {{/page.fields}}
            </dl>
            {{/page.hasFields}}
            {{#page.backlinks}}
            <section class="backlinks"><h2>{{relation}}</h2>
            {{#items}}<p class="backlink"><a href="{{url}}">{{title}}</a> — {{context}}</p>
            {{/items}}</section>
            {{/page.backlinks}}
            {{#listing.hasItems}}<ul class="listing">
            {{#listing.items}}<li><a href="{{url}}">{{title}}</a></li>
            {{/listing.items}}</ul>{{/listing.hasItems}}
            {{/main}}{{/layout}}

            """,
    ]

    /// The minimal page template under every page type's name, so no type falls back to the default theme.
    static func everyType(_ page: String) -> [String: String] {
        var templates: [String: String] = [:]
        for type in PageType.allCases { templates[type.rawValue + ".mustache"] = page }
        return templates
    }

    /// `files` maps paths under the site root (`content/personas/sam.md`, `waymark.yml`) to their text.
    /// `templates` are written under templates/; pass nil to use the default theme.
    init(_ files: [String: String] = [:], templates: [String: String]? = TempSite.minimalTemplates) throws {
        scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("waymark-tests-\(UUID().uuidString)", isDirectory: true)
        root = scratch.appendingPathComponent("site", isDirectory: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("content"), withIntermediateDirectories: true)
        var all = templates ?? [:]
        if let page = all["page.mustache"] {
            for (name, text) in Self.everyType(page) where all[name] == nil { all[name] = text }
        }
        for (path, text) in all { try write("templates/" + path, text) }
        for (path, text) in files { try write(path, text) }
    }

    deinit { try? FileManager.default.removeItem(at: scratch) }

    func write(_ path: String, _ text: String) throws {
        try write(path, data: Data(text.utf8))
    }

    func write(_ path: String, data: Data) throws {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
    }

    func remove(_ path: String) throws {
        try FileManager.default.removeItem(at: root.appendingPathComponent(path))
    }

    func options(drafts: Bool = false) -> BuildOptions {
        var o = BuildOptions(root: root)
        o.output = output.path
        o.includeDrafts = drafts
        return o
    }

    /// Every step of a build, writing nothing (`waymark check`).
    func check(drafts: Bool = false) -> BuildReport {
        var o = options(drafts: drafts)
        o.write = false
        return BuildPipeline.run(o)
    }

    /// A full build into `output`.
    func build(drafts: Bool = false) -> BuildReport {
        BuildPipeline.run(options(drafts: drafts))
    }

    /// A built file's text, or nil when it was not written.
    func html(_ path: String) -> String? {
        try? String(contentsOf: output.appendingPathComponent(path), encoding: .utf8)
    }
}

/// Whether `html` has `<hN id="id">text</hN>`, allowing the line breaks cmark puts inside custom blocks.
/// Whether `html` has a body heading with that id and text, ending with its link to itself
/// (`<a class="heading-anchor" href="#id" …>#</a>`).
func containsHeading(_ html: String, level: Int, id: String, text: String) -> Bool {
    let anchor = ##" <a class="heading-anchor" href="#"## + id + ##"" aria-hidden="true" tabindex="-1">#</a>"##
    let pattern = "<h\(level) id=\"" + NSRegularExpression.escapedPattern(for: id) + "\">\\s*"
        + NSRegularExpression.escapedPattern(for: text) + "\\s*" + NSRegularExpression.escapedPattern(for: anchor) + "</h\(level)>"
    return html.range(of: pattern, options: .regularExpression) != nil
}

/// The first line of each diagnostic in the human format: `path:line:col: error: message`.
func headlines(_ diagnostics: [Diagnostic]) -> [String] {
    diagnostics.map { DiagnosticFormat.human.render([$0]).split(separator: "\n").first.map(String.init) ?? "" }
}

/// Every regular file under `dir` (relative path → bytes), for comparing whole output trees.
func snapshot(_ dir: URL) -> [String: Data] {
    var files: [String: Data] = [:]
    let base = dir.standardizedFileURL.path + "/"
    guard let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.isRegularFileKey]) else { return files }
    for case let url as URL in e where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
        let path = url.standardizedFileURL.path
        if path.hasPrefix(base), let data = try? Data(contentsOf: url) { files[String(path.dropFirst(base.count))] = data }
    }
    return files
}

/// The fixture sites shipped with the tests (Tests/WaymarkTests/Fixtures).
func fixture(_ name: String) throws -> URL {
    let fixtures = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil), "Fixtures missing from the test bundle")
    return fixtures.appendingPathComponent(name, isDirectory: true)
}

/// A fresh empty folder under the temporary directory; the caller removes it.
func makeTemporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("waymark-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

extension XCTestCase {
    /// Fails with every diagnostic printed, so a broken fixture explains itself.
    func assertNoDiagnostics(_ report: BuildReport, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(report.diagnostics, [], DiagnosticFormat.human.render(report.diagnostics), file: file, line: line)
    }

    func assertNoErrors(_ report: BuildReport, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(report.diagnostics.hasErrors, DiagnosticFormat.human.render(report.diagnostics), file: file, line: line)
    }
}

extension XCTestCase {
    /// Runs `script` in Node with `arguments`; skips the test where Node is not installed (.ci/run installs it).
    func node(_ script: String, _ arguments: [String]) throws -> String {
        guard let node = ["/usr/bin/node", "/usr/local/bin/node", "/usr/bin/nodejs"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("Node is not installed (apt-get install nodejs)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: node)
        process.arguments = ["-e", script, "--"] + arguments
        // Debian's Node packages (node-jsdom and what it needs) live here; a Node from elsewhere does not look there.
        var environment = ProcessInfo.processInfo.environment
        environment["NODE_PATH"] = ([environment["NODE_PATH"], "/usr/share/nodejs"].compactMap { $0 }).joined(separator: ":")
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, String(decoding: errors, as: UTF8.self))
        return String(decoding: data, as: UTF8.self)
    }
}
