import Foundation
import XCTest
@testable import Waymark

/// Publishing an internal wiki: a sub-path baseURL, `--relative` builds, sitemap, robots.txt, 404,
/// canonical links, the search index, dates from git and "edit this page" links.
final class PublishingTests: XCTestCase {
    static let base = "https://intranet.example/kb/"

    private func buildExample(baseURL: String? = nil, relative: Bool = false) throws -> (BuildReport, URL) {
        let scratch = try makeTemporaryFolder()
        addTeardownBlock { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("public", isDirectory: true)
        var o = BuildOptions(root: ExampleSiteTests.repositoryRoot)
        o.output = output.path
        o.baseURL = baseURL
        o.relativeLinks = relative
        let report = BuildPipeline.run(o)
        XCTAssertEqual(report.diagnostics.errorCount, 0, DiagnosticFormat.human.render(report.diagnostics))
        XCTAssertEqual(report.diagnostics.warningCount, 1, "only the example's deliberate homonym")
        XCTAssertTrue(report.wrote)
        return (report, output)
    }

    private func text(_ output: URL, _ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try XCTUnwrap(try? String(contentsOf: output.appendingPathComponent(path), encoding: .utf8), "\(path) was not written", file: file, line: line)
    }

    // MARK: Hosting

    func testUnderASubPathEveryInternalLinkAndAssetOfTheExampleResolves() throws {
        let (_, output) = try buildExample(baseURL: Self.base)
        var audit = LinkAudit(output: output, mode: .server(baseURL: Self.base))
        audit.run()
        XCTAssertGreaterThan(audit.pages.count, 50)
        XCTAssertGreaterThan(audit.checked, 2000)
        XCTAssertEqual(audit.problems, [], "\n" + audit.problems.joined(separator: "\n"))
        XCTAssertEqual(audit.searchIndexURLs()?.isEmpty, false, "the search index's result links are audited too")
        // Nothing links to the host's root, outside /kb/.
        for page in audit.pages {
            let html = try text(output, page)
            for value in ExampleSiteTests.attributeValues("href", in: html) + ExampleSiteTests.attributeValues("src", in: html)
            where value.hasPrefix("/") {
                XCTAssertTrue(value.hasPrefix("/kb/"), "\(page): \(value)")
            }
        }
    }

    func testARelativeBuildWorksOpenedFromDisk() throws {
        let (_, output) = try buildExample(relative: true)
        var audit = LinkAudit(output: output, mode: .disk)
        audit.run()
        XCTAssertGreaterThan(audit.checked, 2000)
        XCTAssertEqual(audit.problems, [], "\n" + audit.problems.joined(separator: "\n"))
        let journey = try text(output, "journeys/asthma/index.html")
        XCTAssertTrue(journey.contains(#"<link rel="stylesheet" href="../../assets/style.css">"#), journey)
        XCTAssertTrue(journey.contains(#"<a class="site-title" href="../../index.html">"#))
        XCTAssertTrue(journey.contains(#"action="../../search/index.html""#), "the header search box works from disk")
        XCTAssertFalse(journey.contains("rel=\"canonical\""), "without a host there is no address to call canonical")
        let search = try text(output, "search/index.html")
        XCTAssertTrue(search.contains(#"<script src="../search/index.js" defer></script>"#), "the index is a script, not a fetch")
        XCTAssertEqual(audit.searchIndexURLs()?.contains("journeys/asthma/index.html"), true)
    }

    func testTheAuditCatchesLinksThatWouldBreak() throws {
        // A build for the server root, audited as if published under /kb/ and as if opened from disk.
        let site = try TempSite(Self.smallSite, templates: nil)
        assertNoDiagnostics(site.build())
        var underKB = LinkAudit(output: site.output, mode: .server(baseURL: Self.base))
        underKB.run()
        XCTAssertTrue(underKB.problems.contains { $0.contains("/assets/style.css → /assets/style.css is outside the site's path /kb/") },
                      underKB.problems.joined(separator: "\n"))
        var fromDisk = LinkAudit(output: site.output, mode: .disk)
        fromDisk.run()
        XCTAssertTrue(fromDisk.problems.contains { $0.contains("/assets/style.css is an absolute path") })
        // Raw HTML, which Waymark does not check (a Markdown link from the root is checked now).
        try site.write("content/broken.md", "# Broken\n\n<a href=\"/nowhere/\">x</a> <a href=\"/journeys/j/#nope\">y</a>\n")
        try site.write("waymark.yml", "markdown: {unsafe: true}\n")
        assertNoErrors(site.build())
        var atRoot = LinkAudit(output: site.output, mode: .server(baseURL: "https://intranet.example/"))
        atRoot.run()
        XCTAssertEqual(atRoot.problems.sorted(), ["broken/index.html: /journeys/j/#nope → no id \"nope\" in journeys/j/index.html",
                                                  "broken/index.html: /nowhere/ → no file nowhere/index.html"])
    }

    func testRelativeAndAbsoluteTogether() throws {
        // --relative with a host: links relative, canonical and sitemap still absolute.
        let (_, output) = try buildExample(baseURL: Self.base, relative: true)
        let journey = try text(output, "journeys/asthma/index.html")
        XCTAssertTrue(journey.contains(#"<link rel="canonical" href="https://intranet.example/kb/journeys/asthma/">"#), journey)
        XCTAssertTrue(journey.contains(#"href="../../personas/maya-parent/index.html""#))
        XCTAssertTrue(try text(output, "sitemap.xml").contains("<loc>https://intranet.example/kb/journeys/asthma/</loc>"))
    }

    func testRelativeLinkRewriting() {
        func rel(_ html: String, page: String = "a/b/index.html", base: String = "/kb/") -> String {
            RelativeLinks.rewrite(html: html, pagePath: page, basePath: base)
        }
        XCTAssertEqual(rel(#"<a href="/kb/">h</a>"#), #"<a href="../../index.html">h</a>"#)
        XCTAssertEqual(rel(#"<a href="/kb/x/y/#s1">x</a>"#), #"<a href="../../x/y/index.html#s1">x</a>"#)
        XCTAssertEqual(rel(#"<form action="/kb/search/?q=a&amp;b=1">"#), #"<form action="../../search/index.html?q=a&amp;b=1">"#)
        XCTAssertEqual(rel(#"<img src='/kb/img/a.png' srcset="/kb/a.png 1x, /kb/b.png 2x">"#),
                       #"<img src='../../img/a.png' srcset="../../a.png 1x,../../b.png 2x">"#)
        XCTAssertEqual(rel("<a href=/kb/p/>p</a>", page: "index.html"), "<a href=p/index.html>p</a>")
        // Left alone: other sites, other paths on the host, fragments, text and comments that look like links.
        for same in [#"<a href="https://intranet.example/kb/x/">x</a>"#, #"<a href="/other/">o</a>"#, ##"<a href="#top">t</a>"##,
                     "<p>href=\"/kb/x/\"</p>", "<!-- <a href=\"/kb/x/\"> -->", #"<a href="//cdn.example/kb/x">x</a>"#,
                     "<script>var a = '<a href=\"/kb/x/\">';</script>"] {
            XCTAssertEqual(rel(same), same)
        }
    }

    func testMalformedBaseURLAndEditURLAreErrorsAtTheirLine() throws {
        let cases: [(String, String)] = [
            ("baseURL: intranet.example/kb\n", "waymark.yml:1:10: error: `baseURL` `intranet.example/kb` is neither a URL nor an absolute path"),
            ("baseURL: ftp://intranet.example/kb/\n", "waymark.yml:1:10: error: `baseURL` must be an http or https URL, not `ftp:`"),
            ("baseURL: https:///kb/\n", "waymark.yml:1:10: error: `baseURL` `https:///kb/` has no host"),
            ("baseURL: /kb/?x=1\n", "waymark.yml:1:10: error: `baseURL` `/kb/?x=1` has a query or fragment"),
            ("title: T\neditURL: https://git.example/kb/edit/main/\n",
             "waymark.yml:2:10: error: `editURL` has no `{path}`, so every page would link to the same place"),
            ("editURL: git.example/edit/{path}\n", "waymark.yml:1:10: error: `editURL` `git.example/edit/{path}` is not an http(s) URL"),
            ("editURL: javascript:alert(1)//{path}\n", "waymark.yml:1:10: error: `editURL` `javascript:alert(1)//{path}` is not an http(s) URL"),
        ]
        for (yml, expected) in cases {
            let site = try TempSite(["waymark.yml": yml, "content/index.md": "# Home\n"])
            let report = site.check()
            XCTAssertEqual(headlines(report.diagnostics), [expected], yml)
            XCTAssertNotNil(report.diagnostics.first?.hint, yml)
        }
        let site = try TempSite(["content/index.md": "# Home\n"])
        var o = site.options()
        o.baseURL = "intranet.example"
        XCTAssertEqual(headlines(BuildPipeline.run(o).diagnostics),
                       ["--base-url: error: `baseURL` `intranet.example` is neither a URL nor an absolute path"])
        o.baseURL = "http://127.0.0.1:8080/kb"
        assertNoDiagnostics(BuildPipeline.run(o))
    }

    // MARK: Sitemap, robots.txt, 404, canonical

    private static let smallSite: [String: String] = [
        "content/index.md": "---\ntitle: Home\n---\nWelcome.\n",
        "content/journeys/j.md": "---\ntitle: A & B journey\npersonas: []\nstages:\n  - name: Start\n---\nBody.\n",
        "content/notes/meeting notes.md": "# Meeting notes\n\nText.\n",
    ]

    func testSitemapListsEveryPageWithAbsoluteURLs() throws {
        var files = Self.smallSite
        files["waymark.yml"] = "baseURL: \(Self.base)\n"
        let site = try TempSite(files, templates: nil)
        let report = site.build()
        assertNoDiagnostics(report)
        let sitemap = try XCTUnwrap(site.html("sitemap.xml"))
        let locs = sitemap.components(separatedBy: "<loc>").dropFirst().map { String($0.prefix { $0 != "<" }) }
        XCTAssertEqual(locs.count, report.pageCount, sitemap)
        XCTAssertEqual(locs, locs.sorted())
        for loc in locs { XCTAssertTrue(loc.hasPrefix(Self.base), loc) }
        XCTAssertTrue(locs.contains("https://intranet.example/kb/notes/meeting%20notes/"), "\(locs)")
        XCTAssertTrue(locs.contains("https://intranet.example/kb/journeys/j/"))
        XCTAssertFalse(locs.contains { $0.contains("404") || $0.contains("search") }, "not pages of content")
        XCTAssertTrue(sitemap.hasPrefix(#"<?xml version="1.0" encoding="utf-8"?>"# + "\n" + #"<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">"#))
        XCTAssertFalse(report.notes.contains { $0.contains("sitemap") })

        let robots = try XCTUnwrap(site.html("robots.txt"))
        XCTAssertEqual(robots, "User-agent: *\nDisallow:\n\nSitemap: https://intranet.example/kb/sitemap.xml\n")
        let openSearch = try XCTUnwrap(site.html("opensearch.xml"))
        XCTAssertTrue(openSearch.contains(#"template="https://intranet.example/kb/search/?q={searchTerms}""#), openSearch)
        XCTAssertTrue(try XCTUnwrap(site.html("index.html")).contains(
            #"<link rel="search" type="application/opensearchdescription+xml" title="Journey knowledge base" href="/kb/opensearch.xml">"#))
    }

    func testWithoutAHostTheSitemapHasPathsAndTheBuildSaysSo() throws {
        let site = try TempSite(Self.smallSite, templates: nil)
        let report = site.build()
        assertNoDiagnostics(report)
        let sitemap = try XCTUnwrap(site.html("sitemap.xml"))
        XCTAssertTrue(sitemap.contains("<loc>/journeys/j/</loc>"), sitemap)
        XCTAssertEqual(report.notes.filter { $0.contains("sitemap.xml") }.count, 1, "\(report.notes)")
        let robots = try XCTUnwrap(site.html("robots.txt"))
        XCTAssertFalse(robots.contains("Sitemap:"), "robots.txt takes only an absolute sitemap URL")
        XCTAssertNil(site.html("opensearch.xml"), "OpenSearch needs an absolute URL")
        XCTAssertFalse(try XCTUnwrap(site.html("index.html")).contains("opensearch"))
    }

    func testFilesTheSiteProvidesWin() throws {
        var files = Self.smallSite
        files["content/robots.txt"] = "User-agent: *\nDisallow: /\n"
        let site = try TempSite(files, templates: nil)
        assertNoDiagnostics(site.build())
        XCTAssertEqual(site.html("robots.txt"), "User-agent: *\nDisallow: /\n")
    }

    func testNotFoundPageUsesTheThemeAndWorksAtAnyAddress() throws {
        var files = Self.smallSite
        files["waymark.yml"] = "baseURL: \(Self.base)\ntitle: \"KB <Intranet>\"\n"
        let site = try TempSite(files, templates: nil)
        assertNoDiagnostics(site.build())
        let page = try XCTUnwrap(site.html("404.html"))
        XCTAssertTrue(page.contains("<h1>Page not found</h1>"), page)
        XCTAssertTrue(page.contains("<title>Page not found · KB &lt;Intranet&gt;</title>"), page)
        XCTAssertTrue(page.contains(#"<link rel="stylesheet" href="/kb/assets/style.css">"#), "root-relative, so it works at any depth")
        XCTAssertTrue(page.contains(#"action="/kb/search/""#))
        XCTAssertFalse(page.contains("rel=\"canonical\""), "a 404 has no address of its own")
        for value in ExampleSiteTests.attributeValues("href", in: page) where !value.hasPrefix("data:") {
            XCTAssertTrue(value.hasPrefix("/kb/") || value.hasPrefix("#"), value)
        }
    }

    func testEveryPageHasOneCanonicalLinkToItself() throws {
        let (_, output) = try buildExample(baseURL: Self.base)
        for page in snapshot(output).keys where page.hasSuffix(".html") && page != "404.html" {
            let html = try text(output, page)
            let canonical = html.components(separatedBy: #"<link rel="canonical" href=""#).dropFirst().map { String($0.prefix { $0 != "\"" }) }
            let expected = Self.base + String(page.dropLast("index.html".count))
            XCTAssertEqual(canonical.map(ExampleSiteTests.decodeEntities), [expected], page)
        }
    }

    // MARK: Search

    func testSearchIndexHoldsEveryPageWithTypeKeywordsAndAShortExcerpt() throws {
        let (report, output) = try buildExample()
        let data = try Data(contentsOf: output.appendingPathComponent(SearchIndex.path))
        let json = try XCTUnwrap(LinkAudit.searchIndexJSON(data), String(decoding: data.prefix(200), as: UTF8.self))
        XCTAssertEqual(json["version"] as? Int, 1)
        let types = try XCTUnwrap(json["types"] as? [[String]]).map { $0[0] }
        XCTAssertEqual(types, ["journey", "persona", "finding", "term", "department", "page"])
        let pages = try XCTUnwrap(json["pages"] as? [[Any]])
        XCTAssertEqual(pages.count, report.pageCount)
        func entry(_ url: String) throws -> (title: String, type: String, keywords: [Any], text: String) {
            let e = try XCTUnwrap(pages.first { $0[1] as? String == url }, url)
            return (e[0] as? String ?? "", types[e[2] as? Int ?? 0], e[3] as? [Any] ?? [], e[4] as? String ?? "")
        }
        let asthma = try entry("journeys/asthma/")
        XCTAssertEqual(asthma.title, "Childhood asthma patient journey")
        XCTAssertEqual(asthma.type, "journey")
        XCTAssertTrue(asthma.keywords.contains { ($0 as? [String]) == ["Diagnosis", "diagnosis"] }, "stages link to their anchors")
        XCTAssertTrue(asthma.keywords.contains { ($0 as? [String]) == ["GP appointment", "diagnosis/gp-appointment"] })
        XCTAssertLessThanOrEqual(asthma.text.split(separator: " ").count, SearchIndex.excerptWords + 1)
        let persona = try entry("glossary/persona/")
        XCTAssertEqual(persona.type, "term")
        XCTAssertTrue(persona.keywords.contains { $0 as? String == "target group" }, "Marketing's word finds the term")
        XCTAssertTrue(persona.text.hasPrefix("A research-based portrait"), persona.text)
        XCTAssertEqual(try entry("").type, "page")
        // Small beside the site: the report's figure.
        let index = try XCTUnwrap(report.searchIndexBytes)
        XCTAssertEqual(index, data.count)
        XCTAssertLessThan(Double(index), Double(report.siteBytes) * 0.08)
        XCTAssertNotNil(report.searchIndexFigure)

        let search = try text(output, "search/index.html")
        XCTAssertTrue(search.contains(#"<form id="wm-search-form" class="search-form" role="search" action="/search/" method="get">"#))
        XCTAssertTrue(search.contains(#"name="q""#))
        XCTAssertTrue(search.contains("<noscript>"))
        XCTAssertTrue(search.contains(#"<link rel="canonical" href="/search/">"#))
        XCTAssertFalse(search.contains("wm-site-search"), "the search page has its own box, not the header's")
        XCTAssertTrue(try text(output, "personas/maya-parent/index.html").contains(#"<form class="site-search" role="search" action="/search/" method="get">"#))
        XCTAssertNotNil(try? text(output, "assets/search.js"))
    }

    func testSearchIndexEscapesWhatWritersType() throws {
        let payload = "</script><script>alert(1)</script> \"quoted\" \\ back"
        let site = try TempSite(["content/x.md": "---\ntitle: \(SecurityTests.q(payload))\ndescription: \(SecurityTests.q(payload))\n---\n<b>bold</b> &amp; more\n"],
                                templates: nil)
        assertNoErrors(site.build())
        let data = try Data(contentsOf: site.output.appendingPathComponent(SearchIndex.path))
        let pages = try XCTUnwrap(LinkAudit.searchIndexJSON(data)?["pages"] as? [[Any]])
        let x = try XCTUnwrap(pages.first { $0[1] as? String == "x/" })
        XCTAssertEqual(x[0] as? String, payload, "the title survives the round trip exactly")
        XCTAssertTrue((x[4] as? String ?? "").hasSuffix("<b>bold</b> & more"), "text, not markup: \(x[4])")
    }

    func testPlainTextOfBodyHTML() {
        let html = """
            <h2 id="a">Heading &amp; more</h2>
            <p>See <a href="/g/t/" class="term-link">persona</a> <span class="tag">here&#39;s</span> <code>x&lt;y</code>.</p>
            <ul><li>one</li><li>two</li></ul><script>nope()</script>
            """
        // A heading ends like a sentence (unless it has its own mark), so an excerpt does not run it into the text.
        XCTAssertEqual(SearchIndex.plainText(fromHTML: html), "Heading & more. See persona here's x<y. one two")
        XCTAssertEqual(SearchIndex.plainText(fromHTML: "<h3>Why?</h3><p>Because.</p><h2>What we own</h2><p>The app</p>"),
                       "Why? Because. What we own. The app")
        XCTAssertEqual(SearchIndex.firstWords(of: "a b  c d", 3), "a b c …")
        XCTAssertEqual(SearchIndex.firstWords(of: "a b", 3), "a b")
        XCTAssertEqual(SearchIndex.firstWords(of: " a\tb\nc ", 3), "a b c")
        XCTAssertEqual(SearchIndex.firstWords(of: "Ärger\u{00A0}über\u{3000}Straße – ok", 3), "Ärger über Straße …", "Unicode white space separates words")
        XCTAssertEqual(SearchIndex.firstWords(of: "", 3), "")
        XCTAssertEqual(SearchIndex.firstWords(of: "a b", 0), " …")
    }

    /// The Swift trim keeps Foundation's `trimmingCharacters(in: .whitespaces)`, which it replaced.
    func testTrimmingWhitespacesAgreesWithFoundation() {
        let pieces = ["", " ", "\t", "\u{00A0}", "\u{3000}", "\u{2009}", "\u{2028}", "\n", "a", "é", "x y", "–", "\u{200B}", "😀"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let text = (0..<Int.random(in: 0...6, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
            XCTAssertEqual(SearchIndex.trimmingWhitespaces(text), text.trimmingCharacters(in: .whitespaces),
                           "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        XCTAssertEqual(SearchIndex.plainText(fromHTML: "<p>&#160;Hello&nbsp;</p>\n<p>world\u{3000}</p>"), "Hello world")
    }

    func testAContentPageAtSearchIsWarnedAbout() throws {
        let site = try TempSite(["content/search.md": "# Search tips\n\nUse words.\n"], templates: nil)
        let report = site.build()
        XCTAssertEqual(headlines(report.diagnostics),
                       ["content/search.md:1:1: warning: this page takes the place of the search page at search/, so the site has no search"])
        XCTAssertTrue(site.html("search/index.html")?.contains("Search tips") ?? false)
        XCTAssertNil(site.html(SearchIndex.path))
        XCTAssertFalse(site.html("index.html")?.contains("site-search") ?? true, "no search box pointing at the wrong page")
    }

    func testOnlyTheThemesOwnSearchScriptsAndFormsPassTheSafetyScanner() {
        XCTAssertEqual(HTMLSafety.problems(in: #"<script src="/kb/search/index.js" defer></script><script src="../assets/search.js" defer></script>"#), [])
        XCTAssertEqual(HTMLSafety.problems(in: #"<form class="site-search" role="search" action="/search/" method="get"></form>"#), [])
        for hostile in [#"<script src="https://evil.example/search/index.js"></script>"#, #"<script src="/assets/search.js">alert(1)</script>"#,
                        #"<script src="/assets/evil.js"></script>"#, #"<script src="/assets/search.js" onload="x()"></script>"#,
                        #"<form action="https://evil.example/search/">"#, #"<form action="/search/" method="post">"#,
                        #"<form action="/login/">"#, "<script>alert(1)</script>"] {
            XCTAssertFalse(HTMLSafety.problems(in: hostile).isEmpty, hostile)
        }
    }

    // MARK: From git

    private func git(_ args: [String], in dir: URL, env: [String: String] = [:]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git"] + args
        p.currentDirectoryURL = dir
        var environment = ProcessInfo.processInfo.environment
        for (k, v) in env { environment[k] = v }
        environment["GIT_CONFIG_GLOBAL"] = "/dev/null"
        environment["GIT_CONFIG_NOSYSTEM"] = "1"
        p.environment = environment
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 { throw XCTSkip("git \(args.joined(separator: " ")) failed (is git installed?)") }
    }

    private func commit(_ message: String, author: String, date: String, in dir: URL) throws {
        try git(["add", "-A"], in: dir)
        try git(["-c", "user.name=\(author)", "-c", "user.email=\(author.lowercased())@example.org", "commit", "-q", "-m", message], in: dir,
                env: ["GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date])
    }

    func testLastChangeAndAuthorComeFromGit() throws {
        let site = try TempSite([
            "waymark.yml": "baseURL: \(Self.base)\neditURL: https://git.example/kb/edit/main/{path}\n",
            "content/alpha.md": "# Alpha\n\nFirst.\n",
            "content/beta.md": "# Beta\n\nFirst.\n",
        ], templates: nil)
        try git(["init", "-q"], in: site.root)
        try commit("one", author: "Alice", date: "2026-03-04T10:00:00+01:00", in: site.root)
        try site.write("content/beta.md", "# Beta\n\nSecond.\n")
        try commit("two", author: "Bob O'Brien & Co", date: "2026-05-06T18:30:00-04:00", in: site.root)
        XCTAssertEqual(GitHistory.load(root: site.root).changes.keys.sorted(), ["content/alpha.md", "content/beta.md"], "content/ only")
        let report = site.build()
        assertNoDiagnostics(report)
        let alpha = try XCTUnwrap(site.html("alpha/index.html"))
        XCTAssertTrue(alpha.contains(#"Last updated <time datetime="2026-03-04T10:00:00+01:00">2026-03-04</time> by Alice"#), alpha)
        let beta = try XCTUnwrap(site.html("beta/index.html"))
        XCTAssertTrue(beta.contains(#"<time datetime="2026-05-06T18:30:00-04:00">2026-05-06</time> by Bob O&#39;Brien &amp; Co"#), beta)
        let sitemap = try XCTUnwrap(site.html("sitemap.xml"))
        XCTAssertTrue(sitemap.contains("<loc>https://intranet.example/kb/beta/</loc>\n    <lastmod>2026-05-06T18:30:00-04:00</lastmod>"), sitemap)
        // The generated home page has no file, so no date and no edit link.
        XCTAssertFalse(try XCTUnwrap(site.html("index.html")).contains("page-meta"))

        // Without git on the PATH: no dates, no error.
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        setenv("PATH", "/nonexistent", 1)
        defer { setenv("PATH", path, 1) }
        XCTAssertTrue(GitHistory.load(root: site.root).changes.isEmpty)
        let withoutGit = site.build()
        assertNoDiagnostics(withoutGit)
        XCTAssertFalse(try XCTUnwrap(site.html("alpha/index.html")).contains("Last updated"))
        XCTAssertTrue(try XCTUnwrap(site.html("alpha/index.html")).contains("Edit this page"))
    }

    /// With the history the last build read, git is asked only for newer commits when HEAD moved on
    /// by commits without merges, and not at all when it did not move; the result is a full read's.
    /// A merge or rewritten history reads everything again. (A made-up earlier change shows which
    /// of the previous history was kept.)
    func testOnlyNewCommitsAreReadAndTheResultIsAFullReads() throws {
        let site = try TempSite(["content/alpha.md": "# Alpha\n", "content/beta.md": "# Beta\n"], templates: nil)
        try git(["init", "-q", "-b", "main"], in: site.root)
        try commit("one", author: "Alice", date: "2026-03-04T10:00:00+01:00", in: site.root)
        let first = GitHistory.load(root: site.root)
        XCTAssertNotNil(first.head)
        XCTAssertEqual(first.change(of: "content/alpha.md")?.author, "Alice")
        var remembered = first
        remembered.changes["content/alpha.md"] = .init(date: "2026-01-01T00:00:00+00:00", author: "Made up")

        // HEAD did not move: the remembered history stands, git log is not run.
        XCTAssertEqual(GitHistory.load(root: site.root, previous: remembered).changes, remembered.changes)

        // Two commits on top touching beta only: alpha's change is the remembered one, beta's is new.
        try site.write("content/beta.md", "# Beta\n\nTwo.\n")
        try commit("two", author: "Bob", date: "2026-05-06T18:30:00-04:00", in: site.root)
        try site.write("content/beta.md", "# Beta\n\nThree.\n")
        try commit("three", author: "Carol", date: "2026-05-07T09:00:00+02:00", in: site.root)
        let full = GitHistory.load(root: site.root)
        XCTAssertEqual(full.change(of: "content/beta.md")?.author, "Carol")
        let incremental = GitHistory.load(root: site.root, previous: remembered)
        XCTAssertEqual(incremental.change(of: "content/alpha.md")?.author, "Made up", "only the new commits were read")
        XCTAssertEqual(incremental.change(of: "content/beta.md"), full.change(of: "content/beta.md"))
        XCTAssertEqual(incremental.head, full.head)
        XCTAssertEqual(GitHistory.load(root: site.root, previous: first).changes, full.changes, "the same as a full read")

        // A merge since the remembered HEAD: everything is read again.
        var beforeMerge = full
        beforeMerge.changes["content/alpha.md"] = .init(date: "2026-01-01T00:00:00+00:00", author: "Made up")
        try git(["checkout", "-q", "-b", "side"], in: site.root)
        try site.write("content/alpha.md", "# Alpha\n\nSide.\n")
        try commit("side", author: "Dan", date: "2026-05-08T09:00:00+02:00", in: site.root)
        try git(["checkout", "-q", "main"], in: site.root)
        try git(["-c", "user.name=Eve", "-c", "user.email=eve@example.org", "merge", "-q", "--no-ff", "-m", "merge", "side"], in: site.root)
        let merged = GitHistory.load(root: site.root, previous: beforeMerge)
        XCTAssertEqual(merged.changes, GitHistory.load(root: site.root).changes)
        XCTAssertEqual(merged.change(of: "content/alpha.md")?.author, "Dan")

        // History rewritten (the remembered HEAD is no longer an ancestor): everything is read again.
        var rewritten = merged
        rewritten.head = "0000000000000000000000000000000000000000"
        rewritten.changes["content/beta.md"] = .init(date: "2026-01-01T00:00:00+00:00", author: "Made up")
        XCTAssertEqual(GitHistory.load(root: site.root, previous: rewritten).changes, GitHistory.load(root: site.root).changes)
    }

    func testOutsideARepositoryThereAreNoDatesAndNoErrors() throws {
        let site = try TempSite(["content/alpha.md": "# Alpha\n\nText.\n"], templates: nil)
        XCTAssertEqual(GitHistory.load(root: site.root).changes.count, 0)
        let report = site.build()
        assertNoDiagnostics(report)
        XCTAssertFalse(try XCTUnwrap(site.html("alpha/index.html")).contains("Last updated"))
    }

    func testGitLogParsing() {
        let log = "\u{1E}2026-01-02T10:00:00+01:00\u{1F}Bob\0\ncontent/a.md\0content/b é.md\0"
            + "\u{1E}2025-01-01T00:00:00+00:00\u{1F}Alice\0\ncontent/a.md\0content/c.md\0"
        let history = GitHistory.parse(Data(log.utf8))
        XCTAssertEqual(history.change(of: "content/a.md"), .init(date: "2026-01-02T10:00:00+01:00", author: "Bob"), "newest first wins")
        XCTAssertEqual(history.change(of: "content/b é.md")?.author, "Bob")
        XCTAssertEqual(history.change(of: "content/c.md")?.day, "2025-01-01")
        XCTAssertTrue(GitHistory.parse(Data()).changes.isEmpty)
    }

    /// git is started only where it could find a repository: a `.git` folder or file in the folder or
    /// above it (a worktree's or submodule's `.git` is a file).
    func testGitIsAskedOnlyInsideARepository() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("waymark-git-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let plain = base.appendingPathComponent("plain/kb"), repo = base.appendingPathComponent("repo"),
            worktree = base.appendingPathComponent("worktree")
        for dir in [plain, repo.appendingPathComponent(".git"), repo.appendingPathComponent("docs/kb"), worktree.appendingPathComponent("kb")] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        try Data("gitdir: /elsewhere\n".utf8).write(to: worktree.appendingPathComponent(".git"))
        try XCTSkipIf(getenv("GIT_DIR") != nil, "GIT_DIR is set: every folder may be in a repository")
        try XCTSkipIf(GitHistory.mayBeInRepository(base), "the temporary folder is inside a repository")
        XCTAssertFalse(GitHistory.mayBeInRepository(plain))
        XCTAssertTrue(GitHistory.load(root: plain).changes.isEmpty)
        XCTAssertTrue(GitHistory.mayBeInRepository(repo))
        XCTAssertTrue(GitHistory.mayBeInRepository(repo.appendingPathComponent("docs/kb")))
        XCTAssertTrue(GitHistory.mayBeInRepository(worktree.appendingPathComponent("kb")))
        XCTAssertTrue(GitHistory.mayBeInRepository(URL(fileURLWithPath: "/tmp/../" + repo.path)))
    }

    func testEditLinksNameTheSourceFileEscaped() throws {
        let site = try TempSite([
            "waymark.yml": "editURL: https://git.example/kb/edit/main/{path}?plain=1&b=x\n",
            "content/notes/meeting notes & ideas.md": "# Meeting\n\nText.\n",
            "content/guide/index.md": "# Guide\n\nText.\n",
        ], templates: nil)
        assertNoDiagnostics(site.build())
        let page = try XCTUnwrap(site.html("notes/meeting notes & ideas/index.html"))
        XCTAssertTrue(page.contains(#"<a href="https://git.example/kb/edit/main/content/notes/meeting%20notes%20%26%20ideas.md?plain=1&amp;b=x">Edit this page</a>"#), page)
        XCTAssertTrue(try XCTUnwrap(site.html("guide/index.html")).contains("edit/main/content/guide/index.md?"), "a folder's index.md is its source")
        XCTAssertFalse(try XCTUnwrap(site.html("notes/index.html")).contains("Edit this page"), "a generated listing has no source to edit")
    }

    func testBasePathAndOriginOfBaseURL() {
        let cases: [(String, String, String?)] = [
            ("/", "/", nil), ("kb", "/kb/", nil), ("/kb/", "/kb/", nil),
            ("https://intranet.example", "/", "https://intranet.example"),
            ("https://intranet.example/kb", "/kb/", "https://intranet.example"),
            ("http://host:8080/a/b/", "/a/b/", "http://host:8080"),
            ("https://", "/", nil), ("a:/b", "/a:/b/", nil),
        ]
        for (baseURL, path, origin) in cases {
            var config = SiteConfig()
            config.baseURL = baseURL
            XCTAssertEqual(config.basePath, path, baseURL)
            XCTAssertEqual(config.origin, origin, baseURL)
        }
    }
}
