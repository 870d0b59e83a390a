import Foundation
import XCTest
@testable import Waymark

/// Nothing a writer puts in a knowledge base runs script in a reader's browser, and no path places
/// a file outside the output folder. Built with the default theme, as readers see it.
final class SecurityTests: XCTestCase {
    static let script = "<script>alert(1)</script>"
    static let attribute = "\"><img src=x onerror=alert(1)>"
    static let url = "javascript:alert(1)"
    static let payloads = [script, attribute, url]

    /// A YAML double-quoted scalar holding `s` exactly.
    static func q(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// The same payload in every field of every entity, a wikilink label, a heading and the site title.
    static func hostileSite(_ p: String) -> [String: String] {
        let list = "[\(q(p)), \(q(p + " 2"))]"
        return [
            "waymark.yml": "title: \(q(p))\n",
            "content/departments/it.md": "---\ntitle: \(q(p))\nlead: \(q(p))\ncontact: \(q(p))\ndescription: \(q(p))\n---\n\(p)\n",
            "content/personas/sam.md": """
                ---
                title: \(q(p))
                type: primary
                segment: \(q(p))
                quote: \(q(p))
                goals: \(list)
                needs: \(list)
                pains: \(list)
                gains: \(list)
                tags: \(list)
                description: \(q(p))
                \(q(p)): \(q(p))
                custom: {\(q(p)): \(list)}
                ---
                # \(p)

                Sam \(p).

                """,
            "content/journeys/j.md": """
                ---
                title: \(q(p))
                personas: [personas/sam]
                owner: departments/it
                departments: [departments/it]
                begins: \(q(p))
                ends: \(q(p))
                basis: hybrid
                channels: \(list)
                kpis: \(list)
                stages:
                  - name: \(q(p))
                    goal: \(q(p))
                    emotion: -1
                    owner: departments/it
                    touchpoints:
                      - name: \(q(p))
                        channel: \(q(p))
                        actors: \(list)
                        kpis: \(list)
                        emotion: 1
                        moment: pain
                ---
                The journey \(p).

                """,
            "content/research/f.md": """
                ---
                title: \(q(p))
                method: \(q(p))
                date: 2026-01-02
                confidence: high
                supports: [journeys/j]
                personas: [personas/sam]
                description: \(q(p))
                ---
                Found \(p).

                """,
            "content/glossary/t.md": "---\nterm: \(q(p))\ndefinition: \(q(p))\nsynonyms:\n  it: \(list)\n---\n",
            "content/glossary/hover.md": "---\nterm: Hover\ndefinition: \(q(p))\nsynonyms:\n  it: [\(q("pointer " + p))]\n---\n",
            "content/notes.md": """
                ---
                title: \(q(p))
                description: \(q(p))
                ---
                # \(p)

                Hover here. See [[personas/sam|\(p.replacingOccurrences(of: "[", with: "(").replacingOccurrences(of: "]", with: ")"))]],
                [[personas/sam]], [[journeys/j]] and [\(p)](personas/sam.md "\(p.replacingOccurrences(of: "\"", with: "'"))").

                | \(p.replacingOccurrences(of: "|", with: "/")) | b |
                |---|---|
                | \(p.replacingOccurrences(of: "|", with: "/")) | [[journeys/j]] |

                """,
        ]
    }

    /// Every HTML file of a built site, checked by the tag scanner the fuzz target also uses.
    private func assertSafe(_ site: TempSite, atLeast count: Int = 10, file: StaticString = #filePath, line: UInt = #line) {
        let files = snapshot(site.output)
        XCTAssertGreaterThanOrEqual(files.count, count, file: file, line: line)
        for (path, data) in files.sorted(by: { $0.key < $1.key }) {
            let text = String(decoding: data, as: UTF8.self)
            if path.hasSuffix(".html") {
                XCTAssertEqual(HTMLSafety.problems(in: text), [], path, file: file, line: line)
            }
            if path.hasSuffix(".html") || path.hasSuffix(".xml") {
                XCTAssertFalse(text.contains(Self.script), "\(path) has an unescaped script", file: file, line: line)
                XCTAssertFalse(text.contains("<img src=x"), "\(path) has an unescaped img", file: file, line: line)
            }
        }
    }

    /// An output folder that is a symbolic link (`public -> /srv/www/kb`) is built into where it leads;
    /// the link stays a link.
    func testAnOutputThatIsALinkIsBuiltIntoItsTarget() throws {
        let site = try TempSite(["content/index.md": "Home.\n"])
        let target = site.scratch.appendingPathComponent("www")
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        let link = site.scratch.appendingPathComponent("pub")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
        var o = site.options()
        o.output = link.path
        XCTAssertFalse(BuildPipeline.run(o).diagnostics.hasErrors)
        XCTAssertTrue(FileManager.default.fileExists(atPath: target.appendingPathComponent("index.html").path))
        XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link.path), target.path)
    }

    /// A cached build updates files in place: a symbolic link someone put inside the output is never
    /// written or removed through (it is replaced by a real folder when a page needs one there).
    func testACachedBuildNeverWritesOrRemovesThroughALinkInTheOutput() throws {
        let site = try TempSite(["content/index.md": "Home.\n", "content/guides/a.md": "A.\n", "content/guides/b.md": "B.\n"])
        var o = site.options()
        o.cacheFile = site.root.appendingPathComponent(".waymark-cache/build.bin")
        XCTAssertFalse(BuildPipeline.run(o).diagnostics.hasErrors)
        let outside = site.scratch.appendingPathComponent("victim")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: outside.appendingPathComponent("index.html"))
        for page in ["a", "b"] {
            let folder = site.output.appendingPathComponent("guides/\(page)")
            try FileManager.default.removeItem(at: folder)
            try FileManager.default.createSymbolicLink(at: folder, withDestinationURL: outside)
        }
        try site.write("content/guides/a.md", "A, edited.\n")
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("content/guides/b.md"))
        XCTAssertFalse(BuildPipeline.run(o).diagnostics.hasErrors)
        XCTAssertEqual(try String(contentsOf: outside.appendingPathComponent("index.html"), encoding: .utf8), "keep", "nothing written or removed there")
        XCTAssertTrue(try XCTUnwrap(site.html("guides/a/index.html")).contains("A, edited."))
        XCTAssertNil(try? FileManager.default.destinationOfSymbolicLink(atPath: site.output.appendingPathComponent("guides/a").path), "a real folder now")
    }

    func testScriptPayloadsInEveryFieldComeOutEscaped() throws {
        for payload in Self.payloads {
            let site = try TempSite(Self.hostileSite(payload), templates: nil)
            let report = site.build()
            assertNoErrors(report)
            XCTAssertTrue(report.wrote, payload)
            assertSafe(site)
            // The payload is there, as text.
            let sam = try XCTUnwrap(site.html("personas/sam/index.html"))
            XCTAssertTrue(sam.contains(escapeHTML(payload)) || sam.contains(payload.replacingOccurrences(of: "\"", with: "&quot;")), payload)
        }
    }

    func testTheEscapedPayloadIsWhatTheReaderSees() throws {
        let site = try TempSite(Self.hostileSite(Self.script), templates: nil)
        assertNoErrors(site.build())
        let sam = try XCTUnwrap(site.html("personas/sam/index.html"))
        XCTAssertTrue(sam.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), sam)
        let journey = try XCTUnwrap(site.html("journeys/j/index.html"))
        XCTAssertTrue(journey.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), journey)
    }

    func testDangerousURLsAreDroppedFromLinksInSafeAndUnsafeMode() throws {
        let body = """
            [a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](&#106;avascript:alert(1)) [d](<java&#9;script:alert(1)>)
            [e](vbscript:msgbox(1)) [f](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [g](file:///etc/passwd)
            <javascript:alert(1)> [h][ref] [i](data:image/png;base64,iVBORw0KGgo=)
            ![j](javascript:alert(1)) ![k](data:text/html,<b>x</b>) ![ok](data:image/png;base64,iVBORw0KGgo=)

            [ref]: javascript:alert(1)

            """
        for unsafe in [false, true] {
            let site = try TempSite(["content/links.md": "# Links\n\n" + body, "waymark.yml": "markdown: {unsafe: \(unsafe)}\n"], templates: nil)
            let report = site.build()
            assertNoErrors(report)
            let html = try XCTUnwrap(site.html("links/index.html"))
            for bad in ["javascript:", "vbscript:", "data:text", "file:", "&#106;avascript", "java&#9;script"] {
                XCTAssertFalse(html.lowercased().contains("href=\"" + bad) || html.lowercased().contains("src=\"" + bad),
                               "\(bad) survived (unsafe: \(unsafe)):\n\(html)")
            }
            XCTAssertEqual(HTMLSafety.problems(in: html), [])
            XCTAssertTrue(html.contains("<img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"ok\""), "an inline PNG stays")
            XCTAssertTrue(html.contains("<a href=\"\">i</a>"), "a data: link is emptied even when it holds an image")
            XCTAssertEqual(html.components(separatedBy: "<a href=\"\"").count - 1, 10, "every dangerous link is kept as an empty link")
        }
    }

    func testTheStandaloneRendererDropsThemToo() {
        let html = StandaloneRender.html(markdown: "[x](javascript:alert(1)) [y](data:text/html,hi)\n", unsafe: true, headingAnchors: false)
        XCTAssertEqual(html, "<p><a href=\"\">x</a> <a href=\"\">y</a></p>\n")
    }

    func testTheSchemeRuleIgnoresCaseControlCharactersAndSpaces() {
        for url in ["javascript:x", "JAVASCRIPT:x", " javascript:x", "java\tscript:x", "java\nscript:x", "\u{1}javascript:x",
                    "vbscript:x", "file:///etc/passwd", "data:text/html,x", "DATA:image/svg+xml,<svg onload=alert(1)>"] {
            XCTAssertNotNil(MarkdownBody.blockedScheme(url, image: false), url)
            XCTAssertNotNil(MarkdownBody.blockedScheme(url, image: true), url)
        }
        for url in ["https://example.com", "mailto:a@example.com", "../personas/sam.md", "#top", "javascript", "/data:x", "x?javascript:y"] {
            XCTAssertNil(MarkdownBody.blockedScheme(url, image: false), url)
        }
        XCTAssertNil(MarkdownBody.blockedScheme("data:image/png;base64,AA==", image: true))
        XCTAssertNotNil(MarkdownBody.blockedScheme("data:image/png;base64,AA==", image: false))
    }

    /// A page of imported HTML gets one warning naming its first ten lines, not a warning a line.
    func testRawHTMLOnManyLinesIsOneWarningThatCountsThem() throws {
        let body = (1...13).map { "Line <b>\($0)</b> here.\n" }.joined(separator: "\n")
        let site = try TempSite(["content/imported.md": body])
        XCTAssertEqual(headlines(site.check().diagnostics), [
            "content/imported.md:1:6: warning: raw HTML is shown as text, here and on lines 3, 5, 7, 9, 11, 13, 15, 17, 19 and 3 more",
        ])
    }

    func testRawHTMLIsShownAsTextByDefault() throws {
        let site = try TempSite(["content/raw.md": "# Raw\n\n<script>alert(1)</script>\n\nInline <img src=x onerror=alert(1)> and <a href=\"javascript:alert(1)\">x</a>.\n"],
                                templates: nil)
        let report = site.build()
        // One warning, naming every line with raw HTML (two tags on line 5 are one line).
        XCTAssertEqual(headlines(report.diagnostics), ["content/raw.md:3:1: warning: raw HTML is shown as text, here and on line 5"])
        let html = try XCTUnwrap(site.html("raw/index.html"))
        XCTAssertEqual(HTMLSafety.problems(in: html), [])
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        XCTAssertTrue(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
    }

    // MARK: Paths

    func testPathsThatWouldLeaveTheOutputFolderAreUnsafe() {
        for path in ["", "/etc/passwd", "..", "../x.html", "a/../../x.html", "a/..", "./a", "a/./b", "a//b", "a/", "a\0b", "/"] {
            XCTAssertFalse(OutputWriter.isSafe(path), path.debugDescription)
        }
        for path in ["index.html", "a/b/index.html", "...", "a..b/index.html", "%2e%2e/index.html", "\"><img src=x>/index.html", "café/index.html"] {
            XCTAssertTrue(OutputWriter.isSafe(path), path.debugDescription)
        }
    }

    func testTheWriterRefusesAnUnsafePathAndLeavesThePreviousOutput() throws {
        let site = try TempSite(["content/page.md": "# Page\n"])
        assertNoErrors(site.build())
        let before = snapshot(site.output)
        let writer = OutputWriter(output: site.output)
        XCTAssertThrowsError(try writer.write([OutputFile(path: "ok.html", content: .bytes(Array("ok".utf8))),
                                               OutputFile(path: "../escaped.html", content: .bytes(Array("x".utf8)))]))
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.scratch.appendingPathComponent("escaped.html").path))
        XCTAssertTrue(snapshot(site.output) == before)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: site.scratch.path).sorted(), ["out", "site"])
    }

    func testPagesWhoseFileNamesLookLikeMarkupOrTraversalStayInsideAndEscaped() throws {
        let site = try TempSite([
            "content/\(Self.attribute).md": "Odd name.\n",
            "content/%2e%2e.md": "Encoded dots.\n",
            "content/a..b.md": "Dots.\n",
            "content/index.md": "# Home\n\n[[\(Self.attribute)]] [[%2e%2e]] [[a..b]]\n",
        ], templates: nil)
        let report = site.build()
        assertNoErrors(report)
        assertSafe(site, atLeast: 5)
        let written = snapshot(site.output).keys
        XCTAssertTrue(written.contains("\(Self.attribute)/index.html"), "\(written.sorted())")
        XCTAssertTrue(written.contains("%2e%2e/index.html"), "\(written.sorted())")
        let home = try XCTUnwrap(site.html("index.html"))
        XCTAssertFalse(home.contains("href=\"/%2e%2e/\""), "a browser reads /%2e%2e/ as /../: the % must be encoded\n\(home)")
        // Nothing was written beside the output folder.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: site.scratch.path).sorted(), ["out", "site"])
    }
}
