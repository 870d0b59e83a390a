import Foundation
import XCTest
@testable import Waymark

/// Whole builds of small sites: what lands in the output folder, and what a failed build leaves alone.
final class EndToEndTests: XCTestCase {
    private var temporary: [URL] = []

    override func tearDown() {
        for url in temporary { try? FileManager.default.removeItem(at: url) }
        temporary = []
        super.tearDown()
    }

    private func folder() throws -> URL {
        let url = try makeTemporaryFolder()
        temporary.append(url)
        return url
    }

    /// Builds the `kb` fixture (one page of every type) into a fresh folder.
    private func buildFixture(file: StaticString = #filePath, line: UInt = #line) throws -> (BuildReport, URL) {
        let out = try folder().appendingPathComponent("public")
        var o = BuildOptions(root: try fixture("kb"))
        o.output = out.path
        let report = BuildPipeline.run(o)
        assertNoDiagnostics(report, file: file, line: line)
        XCTAssertTrue(report.wrote, file: file, line: line)
        return (report, out)
    }

    private func read(_ out: URL, _ path: String, file: StaticString = #filePath, line: UInt = #line) throws -> String {
        try XCTUnwrap(try? String(contentsOf: out.appendingPathComponent(path), encoding: .utf8), "\(path) was not written", file: file, line: line)
    }

    // MARK: (a) A site with every type

    func testEveryContentFileBecomesAPageAtItsPrettyURLAndFoldersWithoutIndexGetAListing() throws {
        let (report, out) = try buildFixture()
        let pages = Set(snapshot(out).keys.filter { $0.hasSuffix(".html") })
        // One page per content file, one listing per folder without an index; derived views (glossary
        // vocabularies, search, …) may add more.
        let expected: Set<String> = [
            "index.html",
            "departments/service/index.html", "glossary/touchpoint/index.html", "guides/start/index.html",
            "journeys/asthma/index.html", "personas/sam/index.html", "research/diary-study/index.html",
            "departments/index.html", "glossary/index.html", "guides/index.html", "journeys/index.html",
            "personas/index.html", "research/index.html",
        ]
        XCTAssertEqual(expected.subtracting(pages), [], "pages missing from \(pages.sorted())")
        XCTAssertFalse(pages.contains("files/index.html"), "a folder holding only files gets no listing")
        XCTAssertGreaterThanOrEqual(report.pageCount, expected.count)
        XCTAssertEqual(report.output?.path, out.path)
    }

    func testHomePageComesFromContentIndex() throws {
        let (_, out) = try buildFixture()
        let home = try read(out, "index.html")
        XCTAssertTrue(home.contains("<title>Fixture home | Fixture knowledge base</title>"), home)
        XCTAssertTrue(home.contains(#"<a href="/journeys/asthma/" class="wikilink wikilink-journey">Asthma care</a>"#), home)
    }

    func testGeneratedListingLinksToTheFolderPages() throws {
        let (_, out) = try buildFixture()
        let guides = try read(out, "guides/index.html")
        XCTAssertTrue(guides.contains("<title>Guides | Fixture knowledge base</title>"), guides)
        XCTAssertTrue(guides.contains(#"<li><a href="/guides/start/">Getting started</a></li>"#), guides)
        let personas = try read(out, "personas/index.html")
        XCTAssertTrue(personas.contains("<title>Personas | Fixture knowledge base</title>"), personas)
        XCTAssertTrue(personas.contains(#"<li><a href="/personas/sam/">Sam</a></li>"#), personas)
    }

    func testAssetsUnderContentAndThemeAssetsAreCopiedAsIs() throws {
        let (_, out) = try buildFixture()
        let root = try fixture("kb")
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("files/map.pdf")),
                       try Data(contentsOf: root.appendingPathComponent("content/files/map.pdf")))
        XCTAssertEqual(try Data(contentsOf: out.appendingPathComponent("assets/site.css")),
                       try Data(contentsOf: root.appendingPathComponent("templates/assets/site.css")))
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.appendingPathComponent(".waymark-output").path))
    }

    func testMarkdownLinksToPagesAndFilesAreRewritten() throws {
        let (_, out) = try buildFixture()
        let guide = try read(out, "guides/start/index.html")
        XCTAssertTrue(guide.contains(#"<a href="/files/map.pdf">the journey map</a>"#), guide)
        XCTAssertTrue(guide.contains(#"<a href="/journeys/asthma/">asthma journey</a>"#), guide)
    }

    func testBacklinksAreGroupedByRelationWithTheSentenceOfTheMention() throws {
        let (_, out) = try buildFixture()
        let sam = try read(out, "personas/sam/index.html")
        let walked = try XCTUnwrap(sam.range(of: "<h2>Journeys walked by this persona</h2>"), sam).lowerBound
        let research = try XCTUnwrap(sam.range(of: "<h2>Research about this persona</h2>"), sam).lowerBound
        let mentions = try XCTUnwrap(sam.range(of: "<h2>Mentioned in</h2>"), sam).lowerBound
        XCTAssertLessThan(walked, research)
        XCTAssertLessThan(research, mentions)
        XCTAssertTrue(sam[walked..<research].contains(#"<a href="/journeys/asthma/">Asthma care</a>"#), sam)
        XCTAssertTrue(sam[research..<mentions].contains(#"<a href="/research/diary-study/">Diary study</a>"#), sam)
        let mentioned = sam[mentions...]
        XCTAssertTrue(mentioned.contains(#"<a href="/guides/start/">Getting started</a> — Read Sam before the workshop.</p>"#), sam)
        // Sorted by the source's title within a relation.
        let home = try XCTUnwrap(mentioned.range(of: #"<a href="/">Fixture home</a>"#), sam).lowerBound
        let guide = try XCTUnwrap(mentioned.range(of: #"<a href="/guides/start/">"#), sam).lowerBound
        XCTAssertLessThan(home, guide)
    }

    func testBacklinkSentenceReadsAsRenderedWithTheTitleOfAnUnlabelledWikilink() throws {
        // index.md says "Start with [[journeys/asthma]] or meet [[personas/sam|Sam]]."; the page shows "Asthma care".
        let (_, out) = try buildFixture()
        let sam = try read(out, "personas/sam/index.html")
        XCTAssertTrue(sam.contains(#"<a href="/">Fixture home</a> — Start with Asthma care or meet Sam.</p>"#), sam)
    }

    /// A sentence linking to a section of a page reads, under that page's "Linked from", with the
    /// section's name (the page it is shown on needs no naming), and elsewhere as "Title › Section".
    func testABacklinkSentenceNamesTheSectionItLinksTo() throws {
        let site = try TempSite([
            "content/a.md": "---\ntitle: Alpha\n---\nRead [[b#part-two]] before [[c#later]].\n",
            "content/b.md": "---\ntitle: Beta\n---\n## Part two\n\nText.\n",
            "content/c.md": "---\ntitle: Gamma\n---\n## Later\n\nText.\n",
        ], templates: nil)
        XCTAssertFalse(site.build().diagnostics.hasErrors)
        let b = try XCTUnwrap(site.html("b/index.html"))
        XCTAssertTrue(b.contains("Read Part two before Gamma › Later."), b)
        let c = try XCTUnwrap(site.html("c/index.html"))
        XCTAssertTrue(c.contains("Read Beta › Part two before Later."), c)
    }

    func testFrontMatterReferencesGiveBacklinksWithTheirRole() throws {
        let (_, out) = try buildFixture()
        let journey = try read(out, "journeys/asthma/index.html")
        XCTAssertTrue(journey.contains("<h2>Evidence for</h2>\n<p class=\"backlink\"><a href=\"/research/diary-study/\">Diary study</a> — Diagnosis › GP appointment</p>"), journey)
        let study = try read(out, "research/diary-study/index.html")
        XCTAssertTrue(study.contains("<h2>Cited at touchpoints</h2>\n<p class=\"backlink\"><a href=\"/journeys/asthma/\">Asthma care</a> — Diagnosis › GP appointment</p>"), study)
        let service = try read(out, "departments/service/index.html")
        XCTAssertTrue(service.contains("<h2>Owned by this department</h2>\n<p class=\"backlink\"><a href=\"/journeys/asthma/\">Asthma care</a> — owns the journey; owns the touchpoint “Diagnosis › GP appointment”</p>\n</section>"),
                      "every place one page makes the relation: \(service)")
        XCTAssertTrue(service.contains("<h2>Vocabulary of this department</h2>\n<p class=\"backlink\"><a href=\"/glossary/touchpoint/\">Touchpoint</a> — contact point</p>"), service)
    }

    func testHeadingsHaveIdsThatDoNotCollideWithStageAnchors() throws {
        let (_, out) = try buildFixture()
        let journey = try read(out, "journeys/asthma/index.html")
        XCTAssertTrue(containsHeading(journey, level: 2, id: "open-questions", text: "Open questions"), journey)
        let sam = try read(out, "personas/sam/index.html")
        XCTAssertTrue(containsHeading(sam, level: 2, id: "daily-life", text: "Daily life"), sam)
    }

    func testAFirstHeadingThatRepeatsTheTitleIsNotShownTwice() throws {
        let (_, out) = try buildFixture()
        let journey = try read(out, "journeys/asthma/index.html")
        XCTAssertEqual(journey.components(separatedBy: "Asthma care</h1>").count, 2, journey)
        // Only an empty target keeps the dropped heading's anchor working.
        XCTAssertTrue(journey.contains(#"<span id="asthma-care"></span>"#), journey)
    }

    func testAnchorOfTheTitleHeadingIsEitherRenderedOrReportedAsBroken() throws {
        // `# Sam` repeats the title, so the body does not show it; a link to `#sam` must not point nowhere.
        let site = try TempSite([
            "content/personas/sam.md": "---\ntitle: Sam\n---\n# Sam\n\nA parent.\n\n## Goals\n",
            "content/notes.md": "See [[personas/sam#sam]] and [[personas/sam#goals]].\n",
        ], templates: nil)
        let report = site.build()
        guard !report.diagnostics.hasErrors else { return }
        let sam = try XCTUnwrap(site.html("personas/sam/index.html"))
        let ids = ExampleSiteTests.attributeValues("id", in: sam)
        XCTAssertTrue(ids.contains("goals"), sam)
        XCTAssertTrue(ids.contains("sam"), "[[personas/sam#sam]] passed the check but personas/sam/ has no id=\"sam\"")
    }

    func testAHeadingNamedLikeAStageGetsAnotherId() throws {
        let site = try TempSite([
            "content/personas/sam.md": "---\ntitle: Sam\n---\n",
            "content/journeys/a.md": "---\ntitle: A\npersonas: [sam]\nstages: [{name: Diagnosis}]\n---\n## Diagnosis\n\n## Main\n",
        ])
        assertNoDiagnostics(site.build())
        let html = try XCTUnwrap(site.html("journeys/a/index.html"))
        XCTAssertTrue(containsHeading(html, level: 2, id: "diagnosis-1", text: "Diagnosis"), html)
        XCTAssertTrue(containsHeading(html, level: 2, id: "main-1", text: "Main"), html)
    }

    func testFieldsShowResolvedReferences() throws {
        let (_, out) = try buildFixture()
        let journey = try read(out, "journeys/asthma/index.html")
        XCTAssertTrue(journey.contains(#"<dt>Personas</dt><dd><a href="/personas/sam/">Sam</a></dd>"#), journey)
        XCTAssertTrue(journey.contains(#"<dt>Owner</dt><dd><a href="/departments/service/">Service</a></dd>"#), journey)
        let study = try read(out, "research/diary-study/index.html")
        XCTAssertTrue(study.contains(#"<dt>Supports</dt><dd><a href="/journeys/asthma/#diagnosis/gp-appointment">Asthma care › Diagnosis › GP appointment</a></dd>"#), study)
    }

    func testCheckWritesNothing() throws {
        let out = try folder().appendingPathComponent("public")
        var o = BuildOptions(root: try fixture("kb"))
        o.output = out.path
        o.write = false
        let report = BuildPipeline.run(o)
        assertNoDiagnostics(report)
        XCTAssertFalse(report.wrote)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path))
    }

    func testMissingContentFolderIsAnErrorWithAHint() throws {
        let root = try folder()
        let report = BuildPipeline.run(BuildOptions(root: root))
        XCTAssertEqual(report.diagnostics.count, 1)
        XCTAssertEqual(report.diagnostics.first?.location.path, "content/")
        XCTAssertTrue(report.diagnostics.first?.hint?.contains("waymark init") == true)
    }

    // MARK: (b) Four errors, and the previous output untouched

    static let goodSite: [String: String] = [
        "content/personas/sam.md": "---\ntitle: Sam\n---\nA parent.\n",
        "content/journeys/asthma.md": """
            ---
            title: Asthma care
            personas: [personas/sam]
            stages:
              - name: Diagnosis
            ---
            The reference journey.
            """,
        "content/departments/it.md": """
            ---
            title: IT
            lead: Robin
            ---
            Runs the app.
            """,
        "content/guides/start.md": """
            ---
            title: Getting started
            ---
            Welcome.
            Read [[personas/sam]] first.
            """,
    ]

    func testFourErrorsAreReportedExactlyAndThePreviousOutputIsLeftByteForByte() throws {
        let site = try TempSite(Self.goodSite)
        let good = site.build()
        assertNoDiagnostics(good)
        let before = snapshot(site.output)
        XCTAssertFalse(before.isEmpty)

        // A broken wikilink, a missing persona id, malformed YAML and two files claiming one id.
        try site.write("content/guides/start.md", """
            ---
            title: Getting started
            ---
            Welcome.
            Read [[personas/sma]] first.
            """)
        try site.write("content/journeys/asthma.md", """
            ---
            title: Asthma care
            personas: [personas/sam, personas/robin]
            stages:
              - name: Diagnosis
            ---
            The reference journey.
            """)
        try site.write("content/departments/it.md", """
            ---
            title: IT
            lead: Robin: the app lead
            ---
            Runs the app.
            """)
        try site.write("content/personas/sam/index.md", "---\ntitle: Sam again\n---\n")

        let report = site.build()
        XCTAssertFalse(report.wrote)
        XCTAssertEqual(DiagnosticFormat.human.render(report.diagnostics), """
            content/departments/it.md:3:12: error: malformed YAML: a value with `: ` in it must be quoted
              hint: write it as `lead: "Robin: the app lead"`
            content/guides/start.md:5:6: error: broken link [[personas/sma]]: no such page or file
              hint: did you mean [[personas/sam]]?
            content/journeys/asthma.md:3:26: error: unknown persona `personas/robin`
              hint: create content/personas/robin.md or fix the id
            content/personas/sam/index.md:1:1: error: content/personas/sam/index.md and content/personas/sam.md have the same id `personas/sam`
              hint: rename or remove one of them; `a.md` and `a/index.md` are the same page

            """)
        XCTAssertEqual(snapshot(site.output), before, "a failed build must leave the previous output as it was")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: site.scratch.path).sorted()
        XCTAssertEqual(leftovers, ["out", "site"], "no staging folder left behind")
    }

    func testASuccessfulRebuildReplacesTheOutputAndDropsPagesThatWereRemoved() throws {
        let site = try TempSite(Self.goodSite)
        assertNoDiagnostics(site.build())
        XCTAssertNotNil(site.html("guides/start/index.html"))
        try site.remove("content/guides/start.md")
        assertNoDiagnostics(site.build())
        XCTAssertNil(site.html("guides/start/index.html"))
        XCTAssertNil(site.html("guides/index.html"))
        XCTAssertNotNil(site.html("personas/sam/index.html"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: site.scratch.path).sorted()
        XCTAssertEqual(leftovers, ["out", "site"])
    }

    // MARK: (c) Determinism

    func testBuildingTwiceGivesByteIdenticalOutput() throws {
        let (_, first) = try buildFixture()
        let (_, second) = try buildFixture()
        let a = snapshot(first), b = snapshot(second)
        XCTAssertFalse(a.isEmpty)
        XCTAssertEqual(Set(a.keys), Set(b.keys))
        for (path, data) in a where b[path] != data {
            XCTFail("\(path) differs between two builds")
        }
    }

    func testBuildsInSeparateProcessesGiveByteIdenticalOutput() throws {
        // Swift seeds hashing per process, so only separate processes catch output that follows dictionary order.
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("waymark")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw XCTSkip("the waymark executable is not built next to the tests (\(executable.path))")
        }
        let root = try fixture("kb")
        var outputs: [[String: Data]] = []
        for _ in 0..<2 {
            let out = try folder().appendingPathComponent("public")
            let process = Process()
            process.executableURL = executable
            process.arguments = ["build", "--root", root.path, "--output", out.path]
            var environment = ProcessInfo.processInfo.environment
            environment.removeValue(forKey: "SWIFT_DETERMINISTIC_HASHING")
            process.environment = environment
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0)
            outputs.append(snapshot(out))
        }
        XCTAssertFalse(outputs[0].isEmpty)
        XCTAssertEqual(Set(outputs[0].keys), Set(outputs[1].keys))
        for (path, data) in outputs[0] where outputs[1][path] != data {
            XCTFail("\(path) differs between two processes")
        }
    }

    // MARK: (d) Output folder safety

    func testOutputThatIsTheSiteRootIsRefusedAndNothingIsDeleted() throws {
        let site = try TempSite(Self.goodSite)
        let before = snapshot(site.root)
        var o = BuildOptions(root: site.root)
        o.output = site.root.path
        let report = BuildPipeline.run(o)
        XCTAssertFalse(report.wrote)
        XCTAssertEqual(report.diagnostics.count, 1)
        XCTAssertEqual(report.diagnostics.first?.severity, .error)
        XCTAssertTrue(report.diagnostics.first?.message.contains("contains the knowledge base itself") == true, "\(report.diagnostics)")
        XCTAssertEqual(snapshot(site.root), before)
    }

    /// The error names what chose the folder: `waymark.yml`'s `output:` at its line, or `--output`.
    func testAnOutputInsideContentIsAnErrorAtTheSettingThatChoseIt() throws {
        let site = try TempSite(Self.goodSite.merging(["waymark.yml": "title: Site\noutput: content/out\n"]) { $1 })
        let report = BuildPipeline.run(BuildOptions(root: site.root))
        XCTAssertEqual(headlines(report.diagnostics), ["waymark.yml:2:9: error: output folder \(site.root.path)/content/out is inside content/"])
        var o = BuildOptions(root: site.root)
        o.output = site.root.appendingPathComponent("templates/x").path
        XCTAssertEqual(headlines(BuildPipeline.run(o).diagnostics), ["--output: error: output folder \(site.root.path)/templates/x is inside templates/"])
    }

    func testOutputThatHoldsTheSiteRootIsRefused() throws {
        let site = try TempSite(Self.goodSite)
        var o = BuildOptions(root: site.root)
        o.output = ".."
        let report = BuildPipeline.run(o)
        XCTAssertFalse(report.wrote)
        XCTAssertEqual(report.diagnostics.map(\.severity), [.error])
        XCTAssertTrue(FileManager.default.fileExists(atPath: site.root.appendingPathComponent("content/personas/sam.md").path))
    }

    func testOutputInsideContentIsRefused() throws {
        let site = try TempSite(Self.goodSite)
        let before = snapshot(site.root)
        var o = BuildOptions(root: site.root)
        o.output = "content/public"
        let report = BuildPipeline.run(o)
        XCTAssertFalse(report.wrote)
        XCTAssertTrue(report.diagnostics.first?.message.contains("inside content/") == true, "\(report.diagnostics)")
        XCTAssertEqual(snapshot(site.root), before)
    }

    func testNonEmptyFolderNotWrittenByWaymarkIsRefusedAndKept() throws {
        let site = try TempSite(Self.goodSite)
        let other = site.scratch.appendingPathComponent("documents")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try Data("keep me\n".utf8).write(to: other.appendingPathComponent("thesis.txt"))
        var o = BuildOptions(root: site.root)
        o.output = other.path
        let report = BuildPipeline.run(o)
        XCTAssertFalse(report.wrote)
        XCTAssertEqual(report.diagnostics.count, 1)
        XCTAssertTrue(report.diagnostics.first?.message.contains("was not written by Waymark") == true, "\(report.diagnostics)")
        XCTAssertEqual(snapshot(other), ["thesis.txt": Data("keep me\n".utf8)])
    }

    func testEmptyExistingFolderIsAcceptedAsOutput() throws {
        let site = try TempSite(Self.goodSite)
        try FileManager.default.createDirectory(at: site.output, withIntermediateDirectories: true)
        let report = site.build()
        assertNoDiagnostics(report)
        XCTAssertTrue(report.wrote)
        XCTAssertNotNil(site.html("personas/sam/index.html"))
    }

    func testRelativeOutputIsInsideTheSiteRoot() throws {
        let site = try TempSite(Self.goodSite)
        var o = BuildOptions(root: site.root)
        o.output = "public"
        let report = BuildPipeline.run(o)
        assertNoDiagnostics(report)
        XCTAssertEqual(report.output?.path, site.root.appendingPathComponent("public").path)
        XCTAssertTrue(FileManager.default.fileExists(atPath: site.root.appendingPathComponent("public/personas/sam/index.html").path))
    }

    func testRelativeOutputIsInsideTheSiteRootEvenWhenTheRootURLHasNoTrailingSlash() throws {
        let site = try TempSite(Self.goodSite)
        var o = BuildOptions(root: URL(fileURLWithPath: site.root.path, isDirectory: false))
        o.output = "public"
        let report = BuildPipeline.run(o)
        assertNoDiagnostics(report)
        XCTAssertEqual(report.output?.path, site.root.appendingPathComponent("public").path)
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.scratch.appendingPathComponent("public").path),
                       "the output landed beside the site root instead of inside it")
    }

    func testOutputKeyInWaymarkYmlIsUsed() throws {
        var files = Self.goodSite
        files["waymark.yml"] = "output: site-html\n"
        let site = try TempSite(files)
        let report = BuildPipeline.run(BuildOptions(root: site.root))
        assertNoDiagnostics(report)
        XCTAssertTrue(FileManager.default.fileExists(atPath: site.root.appendingPathComponent("site-html/index.html").path))
    }

    // MARK: (e) Drafts

    static let withDraft: [String: String] = {
        var files = goodSite
        files["content/personas/robin.md"] = "---\ntitle: Robin\ndraft: true\n---\nNot ready.\n"
        return files
    }()

    func testDraftPagesAreLeftOutByDefault() throws {
        let site = try TempSite(Self.withDraft)
        let report = site.build()
        assertNoDiagnostics(report)
        XCTAssertNil(site.html("personas/robin/index.html"))
        XCTAssertFalse(site.html("personas/index.html")?.contains("Robin") ?? true)
    }

    func testDraftPagesAreBuiltWithDrafts() throws {
        let site = try TempSite(Self.withDraft)
        assertNoDiagnostics(site.build(drafts: true))
        XCTAssertNotNil(site.html("personas/robin/index.html"))
    }

    func testLinkToADraftGetsAHintMentioningDrafts() throws {
        var files = Self.withDraft
        files["content/guides/start.md"] = "Ask [[personas/robin]].\n"
        let site = try TempSite(files)
        let report = site.check()
        XCTAssertEqual(headlines(report.diagnostics), ["content/guides/start.md:1:5: error: link [[personas/robin]] points to a draft, which this build leaves out"])
        XCTAssertTrue(report.diagnostics.first?.hint?.contains("--drafts") == true, "\(report.diagnostics)")
        assertNoDiagnostics(site.check(drafts: true))
    }

    func testShortNameLinkToADraftAlsoGetsTheDraftsHint() throws {
        var files = Self.withDraft
        files["content/guides/start.md"] = "Ask [[robin]].\n"
        let report = try TempSite(files).check()
        XCTAssertEqual(report.diagnostics.count, 1)
        XCTAssertTrue(report.diagnostics.first?.hint?.contains("--drafts") == true, "\(report.diagnostics)")
    }

    func testFrontMatterReferenceToADraftGetsTheDraftsHint() throws {
        var files = Self.withDraft
        files["content/journeys/asthma.md"] = "---\ntitle: Asthma care\npersonas: [personas/robin]\nstages: [{name: Diagnosis}]\n---\n"
        let report = try TempSite(files).check()
        XCTAssertEqual(headlines(report.diagnostics), ["content/journeys/asthma.md:3:12: error: unknown persona `personas/robin`"])
        XCTAssertTrue(report.diagnostics.first?.hint?.contains("--drafts") == true, "\(report.diagnostics)")
    }
}

/// The default theme shows each linking page once: not under "Linked from" what the page shows in a
/// section of its own, nor under "Mentioned in" a page listed by what it says of this one.
final class BacklinkDisplayTests: XCTestCase {
    func testEachLinkingPageIsShownOnce() throws {
        let site = try TempSite([
            "content/personas/sam.md": "---\ntitle: Sam\n---\nSam.\n",
            "content/journeys/move.md": "---\ntitle: Moving house\npersonas: [personas/sam]\nstages:\n  - name: Search\n---\n",
            "content/research/visits.md": "---\ntitle: Home visits\nmethod: interview\ndate: 2026-01-05\npersonas: [personas/sam]\n---\nWe met [[personas/sam]].\n",
            "content/guides/notes.md": "Ask [[personas/sam]] first.\n",
        ], templates: nil)
        XCTAssertEqual(site.build().diagnostics.errorCount, 0)
        let sam = try XCTUnwrap(site.html("personas/sam/index.html"))
        let linkedFrom = String(sam[try XCTUnwrap(sam.range(of: "wm-backlinks-title"), sam).lowerBound...])
        XCTAssertFalse(linkedFrom.contains("Journeys walked by this persona"), linkedFrom)
        XCTAssertTrue(sam.contains("Journeys this persona walks"), sam)
        XCTAssertEqual(linkedFrom.components(separatedBy: "href=\"/research/visits/\"").count - 1, 1, linkedFrom)
        XCTAssertTrue(linkedFrom.contains("Research about this persona"), linkedFrom)
        XCTAssertTrue(linkedFrom.contains("href=\"/guides/notes/\""), linkedFrom)
    }

    /// A page linked from a dozen shows ten per relation; the other two are behind "Show 2 more",
    /// in the page all the same (a `<details>`, which works without JavaScript).
    func testALongRelationShowsTenThenTheRestBehindShowMore() throws {
        var files = ["content/guides/hub.md": "---\ntitle: Hub\n---\nThe hub.\n"]
        for k in 1...12 { files["content/guides/note-\(k).md"] = "---\ntitle: Note \(k)\n---\nSee [[guides/hub]] for note \(k).\n" }
        let site = try TempSite(files, templates: nil)
        XCTAssertEqual(site.build().diagnostics.errorCount, 0)
        let hub = try XCTUnwrap(site.html("guides/hub/index.html"))
        let linkedFrom = String(hub[try XCTUnwrap(hub.range(of: "wm-backlinks-title"), hub).lowerBound...])
        let parts = linkedFrom.components(separatedBy: "<details class=\"backlinks-more\">")
        XCTAssertEqual(parts.count, 2, linkedFrom)
        XCTAssertEqual(parts[0].components(separatedBy: "class=\"backlink__title\"").count - 1, 10, parts[0])
        XCTAssertEqual(parts[1].components(separatedBy: "class=\"backlink__title\"").count - 1, 2, parts[1])
        XCTAssertTrue(parts[1].contains("Show </span>2 more</summary>"), parts[1])
        for k in 1...12 { XCTAssertTrue(linkedFrom.contains("href=\"/guides/note-\(k)/\""), "note-\(k)") }
    }
}
