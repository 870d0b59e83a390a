import Foundation
import XCTest
@testable import Waymark

/// The persistent build cache: a cached build's output must be byte-identical to a clean build's after
/// any sequence of edits, renames and deletions, while redoing only what changed.
final class BuildCacheTests: XCTestCase {
    /// The example knowledge base copied into a temporary site that a test may change.
    private func exampleSite() throws -> TempSite {
        let site = try TempSite([:], templates: nil)
        let fm = FileManager.default
        try fm.removeItem(at: site.root.appendingPathComponent("content"))
        try fm.copyItem(at: ExampleSiteTests.repositoryRoot.appendingPathComponent("content"), to: site.root.appendingPathComponent("content"))
        try fm.copyItem(at: ExampleSiteTests.repositoryRoot.appendingPathComponent("waymark.yml"), to: site.root.appendingPathComponent("waymark.yml"))
        return site
    }

    private func cacheFile(_ site: TempSite) -> URL { site.root.appendingPathComponent(".waymark-cache/build.bin") }

    @discardableResult
    private func cachedBuild(_ site: TempSite, readCache: Bool = true) -> BuildReport {
        var o = site.options()
        o.cacheFile = cacheFile(site)
        o.readCache = readCache
        return BuildPipeline.run(o)
    }

    /// A build from scratch of the same site into a second folder.
    private func cleanOutput(_ site: TempSite) -> [String: Data] {
        var o = site.options()
        let clean = site.scratch.appendingPathComponent("clean")
        try? FileManager.default.removeItem(at: clean)
        o.output = clean.path
        let report = BuildPipeline.run(o)
        XCTAssertFalse(report.diagnostics.hasErrors, DiagnosticFormat.human.render(report.diagnostics))
        return snapshot(clean)
    }

    /// Builds with the cache and checks the output equals a clean build's, file for file.
    @discardableResult
    private func assertCachedEqualsClean(_ site: TempSite, _ step: String, file: StaticString = #filePath, line: UInt = #line) -> BuildReport {
        let report = cachedBuild(site)
        XCTAssertFalse(report.diagnostics.hasErrors, "\(step): " + DiagnosticFormat.human.render(report.diagnostics), file: file, line: line)
        let cached = snapshot(site.output), clean = cleanOutput(site)
        XCTAssertEqual(Set(cached.keys), Set(clean.keys), "\(step): the same files", file: file, line: line)
        let differing = clean.keys.filter { cached[$0] != nil && cached[$0] != clean[$0] }.sorted()
        XCTAssertEqual(differing, [], "\(step): files whose bytes differ from a clean build", file: file, line: line)
        return report
    }

    private func edit(_ site: TempSite, _ path: String, _ change: (String) -> String) throws {
        let url = site.root.appendingPathComponent(path)
        try site.write(path, change(try String(contentsOf: url, encoding: .utf8)))
    }

    func testCachedBuildEqualsCleanBuildAfterEditsRenamesAndDeletions() throws {
        let site = try exampleSite()
        let first = cachedBuild(site)
        XCTAssertFalse(first.incremental, "the first build has no cache to use")
        XCTAssertTrue(FileManager.default.fileExists(atPath: cacheFile(site).path))

        let unchanged = assertCachedEqualsClean(site, "no change")
        XCTAssertTrue(unchanged.incremental)
        XCTAssertEqual(unchanged.writtenCount, 0, "nothing changed, so no file is rewritten")
        XCTAssertEqual(unchanged.renderedCount, 0, "nothing changed, so nothing is rendered")
        XCTAssertEqual(unchanged.diagnostics, first.diagnostics, "the same warnings are reported again")
        XCTAssertEqual(unchanged.pageCount, first.pageCount)
        XCTAssertEqual(unchanged.fileCount, first.fileCount, "the same files are counted")
        // The notes about the site again; not the sitemap's, said on the build from scratch.
        XCTAssertEqual(unchanged.notes, first.notes.filter { !$0.hasPrefix("sitemap.xml") })

        try edit(site, "content/personas/maya-parent.md") { $0.replacingOccurrences(of: "title: ", with: "title: Renamed ") }
        let retitled = assertCachedEqualsClean(site, "a persona's title")
        XCTAssertLessThan(retitled.renderedCount, retitled.pageCount)

        try edit(site, "content/research/teen-diary-study.md") { $0 + "\nAlso relevant to [[clinic-onboarding]] and [[touchpoint]].\n" }
        assertCachedEqualsClean(site, "a new link in a finding (backlinks of its target)")

        try edit(site, "content/glossary/adherence.md") { $0.replacingOccurrences(of: "definition: ", with: "definition: (Reworded.) ") }
        assertCachedEqualsClean(site, "a term's definition (hover cards where it is auto-linked)")

        try edit(site, "content/departments/sales.md") { $0.replacingOccurrences(of: "title: ", with: "title: Field ") }
        assertCachedEqualsClean(site, "a department's title (synonym sentences in hover cards)")

        try site.write("content/guides/new-note.md", "---\ntitle: A new note\n---\nNotes about [[maya-parent]] and adherence.\n")
        assertCachedEqualsClean(site, "a new page")

        try FileManager.default.moveItem(at: site.root.appendingPathComponent("content/guides/new-note.md"),
                                         to: site.root.appendingPathComponent("content/guides/renamed-note.md"))
        assertCachedEqualsClean(site, "a renamed page")
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.output.appendingPathComponent("guides/new-note").path),
                       "the old name leaves no stale output")

        try site.remove("content/guides/renamed-note.md")
        assertCachedEqualsClean(site, "a deleted page")
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.output.appendingPathComponent("guides/renamed-note").path))

        try site.write("content/files/plan.txt", "an attachment\n")
        assertCachedEqualsClean(site, "a new asset")
        try site.write("content/files/plan.txt", "an attachment, changed\n")
        assertCachedEqualsClean(site, "a changed asset")
        try site.remove("content/files/plan.txt")
        assertCachedEqualsClean(site, "a deleted asset")
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.output.appendingPathComponent("files").path), "emptied folders go too")

        let layout = try String(contentsOf: try XCTUnwrap(Theme.defaultDirectory()).appendingPathComponent("layout.mustache"), encoding: .utf8)
        try site.write("templates/layout.mustache", layout.replacingOccurrences(of: "<body", with: "<!-- site override -->\n<body"))
        let themed = assertCachedEqualsClean(site, "a template override")
        XCTAssertEqual(themed.renderedCount, themed.pageCount, "a template change renders every page")

        try edit(site, "waymark.yml") { $0.replacingOccurrences(of: "title: ", with: "title: Renamed ") }
        assertCachedEqualsClean(site, "waymark.yml")
    }

    /// Every kind of page, edited in turn (title and body), against a clean build: the dependency
    /// rules must not miss a page that shows something of the edited one.
    func testEditingAnyPageGivesTheCleanBuildsOutput() throws {
        let site = try exampleSite()
        cachedBuild(site)
        let pages = ["content/index.md", "content/journeys/asthma.md", "content/personas/jordan-teen.md",
                     "content/research/parent-interviews-2025.md", "content/glossary/lead.md", "content/departments/it.md",
                     "content/guides/how-to-contribute.md"]
        for path in pages {
            // The text only: pages summarising the site are kept unless a summary, link or term use changed.
            try edit(site, path) { $0 + "\nAn added sentence.\n" }
            assertCachedEqualsClean(site, path + ": a sentence at the end")
            try edit(site, path) { $0 + "\nAnother sentence that mentions churn and links [[maya-parent]].\n" }
            assertCachedEqualsClean(site, path + ": a term and a link")
            try edit(site, path) { text in
                // Opening words change the page's summary (listings, search).
                guard let end = text.range(of: "\n---\n", range: text.index(after: text.startIndex)..<text.endIndex) else { return "Opening words. " + text }
                return text.replacingCharacters(in: end, with: "\n---\nOpening words.\n\n")
            }
            assertCachedEqualsClean(site, path + ": the summary")
            try edit(site, path) { $0.replacingOccurrences(of: "\ntitle: ", with: "\ntitle: Edited ") }
            assertCachedEqualsClean(site, path + ": the title")
        }
    }

    /// In a sparse site each page shows another only through one link, so a missed dependency shows.
    func testATitleReachesLinkersBacklinksAndListingsOnly() throws {
        let site = try TempSite([
            "content/guides/a.md": "---\ntitle: Alpha\n---\nSee [[b]].\n",
            "content/guides/b.md": "---\ntitle: Beta\n---\nPlain text.\n",
            "content/notes/c.md": "---\ntitle: Gamma\n---\nUnrelated.\n",
        ], templates: nil)
        cachedBuild(site)
        try edit(site, "content/guides/a.md") { $0.replacingOccurrences(of: "Alpha", with: "Alpha renamed") }
        let report = assertCachedEqualsClean(site, "the linking page's title (the target's backlinks)")
        XCTAssertTrue(report.incremental)
        try edit(site, "content/guides/b.md") { $0.replacingOccurrences(of: "Beta", with: "Beta renamed") }
        assertCachedEqualsClean(site, "the target's title (the linking page's link text)")
        XCTAssertTrue(site.html("guides/a/index.html")?.contains("Beta renamed") == true)
    }

    /// A listing summarises a page by its first paragraph, where an unlabelled wikilink reads as its
    /// target's title (with the section it points at), not its id; renaming the target renders the
    /// listing again (only pages summarising the site show summaries, and they follow every page's face).
    func testASummaryShowsTheTitlesItsLinksLeadToAndFollowsARename() throws {
        let site = try TempSite([
            "content/guides/a.md": "---\ntitle: Alpha\n---\nThis follows [[guides/b#part-two]] and [[notes/c]].\n",
            "content/guides/b.md": "---\ntitle: Beta\n---\n## Part two\n\nText.\n",
            "content/notes/c.md": "---\ntitle: Gamma\n---\nUnrelated.\n",
        ], templates: nil)
        XCTAssertFalse(cachedBuild(site).diagnostics.hasErrors)
        let listing = try XCTUnwrap(site.html("guides/index.html"))
        XCTAssertTrue(listing.contains("This follows Beta › Part two and Gamma."), listing)
        XCTAssertFalse(listing.contains("guides/b") && listing.contains(">This follows guides/b"), listing)
        try edit(site, "content/notes/c.md") { $0.replacingOccurrences(of: "Gamma", with: "Gamma renamed") }
        assertCachedEqualsClean(site, "the title of a page a summary links to")
        XCTAssertTrue(site.html("guides/index.html")?.contains("This follows Beta › Part two and Gamma renamed.") == true)
        try edit(site, "content/guides/b.md") { $0.replacingOccurrences(of: "## Part two", with: "## Second part\n\n## Part two") }
        assertCachedEqualsClean(site, "a heading added to a page a summary links to")
    }

    /// Another page shows a page's face (title, description, summary, headings), not its text: a sentence
    /// added to a page renders that page and the pages embedding it, not the pages linking to it.
    func testASentenceAddedToAPageRendersItAndItsEmbeddersOnly() throws {
        let site = try TempSite([
            "content/guides/a.md": "---\ntitle: Alpha\n---\nSee [[b]].\n",
            "content/guides/b.md": "---\ntitle: Beta\n---\nPlain text.\n\n## Details\n\nMore.\n",
            "content/notes/c.md": "---\ntitle: Gamma\n---\nLinks [[b]] and shows it:\n\n![[b]]\n",
            "content/notes/d.md": "---\ntitle: Delta\n---\nUnrelated.\n",
        ], templates: nil)
        cachedBuild(site)
        try edit(site, "content/guides/b.md") { $0 + "\nAn added sentence.\n" }
        let report = assertCachedEqualsClean(site, "a sentence at the end of b")
        XCTAssertTrue(report.incremental)
        XCTAssertEqual(report.renderedCount, 2, "b itself and c, which embeds it; not a, which only links to it")
        XCTAssertTrue(site.html("notes/c/index.html")?.contains("An added sentence.") == true)
        try edit(site, "content/guides/b.md") { $0.replacingOccurrences(of: "## Details", with: "## Particulars") }
        assertCachedEqualsClean(site, "a heading of b (what a link to b#particulars shows)")
    }

    /// Links of unchanged pages are not resolved again while nothing they resolve against changed; a
    /// page whose links found a problem is checked on every build, so its warning is never lost.
    func testLinksLeadWhereTheyLedUntilWhatTheyResolveAgainstChanges() throws {
        let site = try TempSite([
            "waymark.yml": "title: Memo\nlinks:\n  broken: warning\n",
            "content/guides/a.md": "---\ntitle: Alpha\n---\nSee [[b]], [the details](b.md#details) and ![a map](map.png).\n",
            "content/guides/b.md": "---\ntitle: Beta\n---\nPlain text.\n\n## Details\n\nMore.\n",
            "content/notes/c.md": "---\ntitle: Gamma\n---\nShows [[guides/b#details]]:\n\n![[b#details]]\n",
            "content/notes/d.md": "---\ntitle: Delta\n---\nA broken [[nowhere]] link.\n",
            "content/guides/map.png": "png",
        ], templates: nil)
        let first = cachedBuild(site)
        XCTAssertEqual(first.linksReused, 0)
        let pageCount = first.pageCount
        func brokenWarnings(_ report: BuildReport) -> Int { report.diagnostics.filter { $0.message.contains("[[nowhere]]") }.count }
        XCTAssertEqual(brokenWarnings(first), 1)

        try edit(site, "content/notes/c.md") { $0 + "\nAn added sentence.\n" }
        var report = assertCachedEqualsClean(site, "a sentence added to c")
        XCTAssertEqual(report.linksReused, pageCount - 2, "every page but c (changed) and d (its link is broken)")
        XCTAssertEqual(brokenWarnings(report), 1, "the broken link is still reported")

        // What links resolve against: a heading, a title, a new page, an asset. Each time every link is resolved again.
        try edit(site, "content/guides/b.md") { $0.replacingOccurrences(of: "## Details", with: "## Particulars") }
        report = assertCachedEqualsClean(site, "b's heading renamed")
        XCTAssertEqual(report.linksReused, 0)
        XCTAssertEqual(report.diagnostics.filter { $0.message.contains("#details") }.count, 3, "a, and c's link and embed, now miss it")
        try edit(site, "content/guides/b.md") { $0.replacingOccurrences(of: "Beta", with: "Beta renamed") }
        report = assertCachedEqualsClean(site, "b's title, which a's backlink sentence shows")
        XCTAssertEqual(report.linksReused, 0)
        try site.write("content/nowhere.md", "---\ntitle: Nowhere\n---\nNow there.\n")
        report = assertCachedEqualsClean(site, "the page d's link was missing")
        XCTAssertEqual(brokenWarnings(report), 0)
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("content/guides/map.png"))
        report = assertCachedEqualsClean(site, "the image a shows, removed")
        XCTAssertEqual(report.diagnostics.filter { $0.message.contains("map.png") }.count, 1)
        // The summary counts it as removed, not as one of the files updated ("updated 192 of 175 files").
        XCTAssertEqual(report.removedCount, 1)
        XCTAssertLessThanOrEqual(report.writtenCount - report.removedCount, report.fileCount)

        // Unchanged again: reused, with the same output as a clean build.
        try edit(site, "content/guides/a.md") { $0 + "\nOne more.\n" }
        report = assertCachedEqualsClean(site, "a sentence added to a")
        XCTAssertEqual(report.linksReused, report.pageCount - 2, "every page but a (changed, and its image is missing) and c (its anchors are missing)")
    }

    /// A cache the build cannot remove before it writes (a folder it may not write, after a build under
    /// another user) would describe an output it no longer matches, and be trusted by the next build:
    /// the build writes nothing and says why. (Tests run as root, whom permissions do not stop: here the
    /// cache's place is taken by a folder, which cannot be unlinked either.)
    func testACacheThatCannotBeRemovedStopsTheBuildBeforeItWrites() throws {
        let site = try TempSite(["content/index.md": "Home.\n"])
        XCTAssertFalse(cachedBuild(site).diagnostics.hasErrors)
        let before = snapshot(site.output)
        try FileManager.default.removeItem(at: cacheFile(site))
        try FileManager.default.createDirectory(at: cacheFile(site).appendingPathComponent("stuck"), withIntermediateDirectories: true)
        try site.write("content/index.md", "Home, edited.\n")
        let report = cachedBuild(site)
        XCTAssertEqual(headlines(report.diagnostics.filter { $0.severity == .error }).map { $0.components(separatedBy: " (")[0] },
                       [".waymark-cache/build.bin: error: cannot remove the build cache before writing the output"])
        XCTAssertEqual(snapshot(site.output), before, "the output is left as it was")
    }

    /// `--output out/` or `./out` is the folder `out`: the cache's configuration is the same, so nothing is rendered again.
    func testAnOutputFolderTypedAnotherWayIsTheSameFolder() throws {
        let site = try TempSite(["content/index.md": "Home.\n", "content/a.md": "A.\n"])
        XCTAssertFalse(cachedBuild(site).diagnostics.hasErrors)
        for spelling in [site.output.path + "/", site.output.path + "/./", site.scratch.path + "/site/../out"] {
            var o = site.options()
            o.cacheFile = cacheFile(site)
            o.output = spelling
            let report = BuildPipeline.run(o)
            XCTAssertEqual(report.renderedCount, 0, spelling)
            XCTAssertEqual(report.writtenCount, 0, spelling)
        }
    }

    /// A cache written for another output folder (`--output`, or a knowledge base moved or copied) is
    /// discarded with a note, not silently.
    func testACacheForAnotherOutputFolderIsDiscardedWithANote() throws {
        let site = try TempSite(["content/index.md": "Home.\n"])
        XCTAssertFalse(cachedBuild(site).diagnostics.hasErrors)
        var o = site.options()
        o.cacheFile = cacheFile(site)
        o.output = site.scratch.appendingPathComponent("elsewhere").path
        let report = BuildPipeline.run(o)
        XCTAssertEqual(report.notes.filter { $0.hasPrefix("the build cache was written for another output folder") }.count, 1, "\(report.notes)")
    }

    /// Two writing builds of one site never overlap: the second waits for the first's lock.
    func testASecondBuildWaitsForTheFirst() throws {
        let site = try TempSite(["content/index.md": "Home.\n"])
        var lock: BuildLock? = BuildLock(folder: site.root.path) {}
        XCTAssertNotNil(lock)
        let done = DispatchSemaphore(value: 0)
        let options = site.options()
        DispatchQueue.global().async { _ = BuildPipeline.run(options); done.signal() }
        XCTAssertEqual(done.wait(timeout: .now() + 0.5), .timedOut, "the build waits while another holds the lock")
        lock = nil
        XCTAssertEqual(done.wait(timeout: .now() + 20), .success)
        XCTAssertNotNil(site.html("index.html"))
    }

    /// A killed build's half-written cache (`.build.bin.<pid>`) is removed by the next build that saves one.
    func testAKilledBuildsTemporaryCacheIsRemoved() throws {
        let site = try TempSite(["content/index.md": "Home.\n"])
        let dir = site.root.appendingPathComponent(".waymark-cache")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var dead: pid_t = 4_000_000
        while kill(dead, 0) == 0 || errno != ESRCH { dead += 1 }
        let leftover = dir.appendingPathComponent(".build.bin.\(dead)")
        try Data("half".utf8).write(to: leftover)
        XCTAssertFalse(cachedBuild(site).diagnostics.hasErrors)
        XCTAssertFalse(FileManager.default.fileExists(atPath: leftover.path))
        XCTAssertTrue(FileManager.default.fileExists(atPath: cacheFile(site).path))
    }

    /// The memo of where links led survives a round trip through the cache's bytes.
    func testTheLinkMemoReadsBackAsWritten() throws {
        let memo = LinkMemo(environment: 0xDEAD_BEEF_0123_4567, pages: [
            LinkMemo.Entry(sourceHash: 7, links: [0, LinkMemo.Entry.code(target: 0, titled: true), LinkMemo.Entry.code(target: 70_000, titled: false)]),
            nil,
            LinkMemo.Entry(sourceHash: .max, links: []),
        ])
        var writer = CompactWriter()
        writer.write(memo)
        func read(_ bytes: [UInt8]) throws -> LinkMemo {
            try bytes.withUnsafeBytes { raw in
                var reader = CompactReader(raw, path: nil)
                let value = try LinkMemo(reading: &reader)
                try reader.finish()
                return value
            }
        }
        XCTAssertEqual(try read(writer.bytes), memo)
        XCTAssertEqual(memo.pages[0].flatMap { LinkMemo.Entry.target($0.links[2]) }, 70_000)
        XCTAssertEqual(memo.pages[0].map { LinkMemo.Entry.titled($0.links[1]) }, true)
        XCTAssertNil(LinkMemo.Entry.target(0))
        XCTAssertThrowsError(try read(Array(writer.bytes.dropLast(2))), "cut short: damage, not a trap")
    }

    /// An embedded page's links show their targets' titles and descriptions: the embedding page depends
    /// on those too, though it does not link them itself.
    func testAPageEmbeddingAnotherShowsWhatItsLinksShow() throws {
        let site = try TempSite([
            "content/guides/a.md": "---\ntitle: Alpha\n---\n![[b]]\n",
            "content/guides/b.md": "---\ntitle: Beta\n---\nSee [[c]].\n\n![[d]]\n",
            "content/guides/c.md": "---\ntitle: Gamma\ndescription: First words\n---\nText.\n",
            "content/guides/d.md": "---\ntitle: Delta\n---\nSee [[c]].\n",
        ], templates: nil)
        cachedBuild(site)
        try edit(site, "content/guides/c.md") { $0.replacingOccurrences(of: "First words", with: "Other words") }
        assertCachedEqualsClean(site, "the description of a page that an embedded page links to")
        try edit(site, "content/guides/c.md") { $0.replacingOccurrences(of: "Gamma", with: "Gamma renamed") }
        assertCachedEqualsClean(site, "its title")
        XCTAssertTrue(site.html("guides/a/index.html")?.contains("Gamma renamed") == true, "shown through two embeds")
    }

    /// Runs git (in `folder` when given), with extra environment variables; skips the test where git fails.
    private func runGit(_ args: [String], in folder: URL? = nil, environment: [String: String] = [:]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git"] + (folder.map { ["-C", $0.path] } ?? []) + args
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        if p.terminationStatus != 0 { throw XCTSkip("git \(args.first ?? "") failed: git is not usable here") }
    }

    /// A git repository in the site's root, for tests of dates and authors: `git(…)` runs in it.
    private func repository(_ site: TempSite) throws -> (String...) throws -> Void {
        func git(_ args: String...) throws { try runGit(args, in: site.root) }
        try git("init", "-q")
        return git
    }

    /// Names come through .mailmap: a new .mailmap changes them, though no commit moved HEAD.
    func testAMailmapRenamesAuthorsWithoutACommit() throws {
        let site = try TempSite(["content/guides/a.md": "---\ntitle: Alpha\n---\nText.\n"], templates: nil)
        let git = try repository(site)
        try git("-c", "user.name=Bob", "-c", "user.email=b@example.org", "add", ".")
        try git("-c", "user.name=Bob", "-c", "user.email=b@example.org", "commit", "-q", "-m", "first")
        cachedBuild(site)
        XCTAssertTrue(site.html("guides/a/index.html")?.contains("Bob") == true)
        try site.write(".mailmap", "Robert Builder <b@example.org> Bob <b@example.org>\n")
        let report = assertCachedEqualsClean(site, "a .mailmap added")
        XCTAssertTrue(report.incremental)
        XCTAssertTrue(site.html("guides/a/index.html")?.contains("Robert Builder") == true)
    }

    /// A shallow clone deepened (`git fetch --unshallow`) moves no HEAD, but pages' dates change.
    func testDeepeningAShallowCloneUpdatesDates() throws {
        let origin = try TempSite(["content/guides/a.md": "---\ntitle: Alpha\n---\nText.\n",
                                   "content/guides/b.md": "---\ntitle: Beta\n---\nText.\n"], templates: nil)
        let git = try repository(origin)
        func commit(_ message: String, date: String) throws {
            try git("add", ".")
            try runGit(["-c", "user.name=Ann", "-c", "user.email=a@example.org", "commit", "-q", "-m", message], in: origin.root,
                       environment: ["GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date])
        }
        try commit("first", date: "2025-01-01T10:00:00+00:00")
        try origin.write("content/guides/b.md", "---\ntitle: Beta\n---\nText, changed.\n")
        try commit("second", date: "2025-05-05T10:00:00+00:00")
        let site = try TempSite([:], templates: nil)
        try FileManager.default.removeItem(at: site.root)
        try runGit(["clone", "-q", "--depth", "1", "file://" + origin.root.path, site.root.path])
        cachedBuild(site)
        XCTAssertTrue(site.html("guides/a/index.html")?.contains("2025-05-05") == true, "a shallow clone dates every page by its one commit")
        try runGit(["fetch", "-q", "--unshallow"], in: site.root)
        assertCachedEqualsClean(site, "the clone deepened")
        XCTAssertTrue(site.html("guides/a/index.html")?.contains("2025-01-01") == true)
    }

    /// A file under content/ where Waymark writes a file of its own, or where the site needs a folder,
    /// is an error at that file: nothing is written, and no build crashes.
    func testAContentFileInThePlaceOfAGeneratedOneIsAnError() throws {
        let site = try TempSite(["content/guides/a.md": "---\ntitle: Alpha\n---\nText.\n",
                                 "content/graph.json": "{}\n",
                                 "content/guides/a/index.html": "<p>mine</p>\n",
                                 "content/guides/b": "a file with no extension\n",
                                 "content/guides/b.md": "---\ntitle: Beta\n---\nText.\n",
                                 "content/robots.txt": "User-agent: *\n"], templates: nil)
        for _ in 0..<2 {  // with no cache, then with the cache of a good build
            let report = cachedBuild(site)
            let errors = report.diagnostics.filter { $0.severity == .error }.map { "\($0.location.path): \($0.message)" }
            XCTAssertEqual(errors.sorted(), [
                "content/graph.json: Waymark writes graph.json itself (the knowledge graph)",
                "content/guides/a/index.html: Waymark writes guides/a/index.html itself (a page of the site)",
                "content/guides/b: the site needs a folder guides/b/ where this file would be copied",
            ])
            XCTAssertFalse(report.wrote)
            for path in ["content/graph.json", "content/guides/a/index.html", "content/guides/b"] { try? FileManager.default.removeItem(at: site.root.appendingPathComponent(path)) }
            XCTAssertFalse(cachedBuild(site).diagnostics.hasErrors, "and without them the site builds")
            XCTAssertEqual(try String(contentsOf: site.output.appendingPathComponent("robots.txt"), encoding: .utf8), "User-agent: *\n",
                           "a robots.txt of the site's own takes the place of Waymark's, as documented")
            try site.write("content/graph.json", "{}\n")
            try site.write("content/guides/a/index.html", "<p>mine</p>\n")
            try site.write("content/guides/b", "a file with no extension\n")
        }
    }

    /// Names: one written with composed and one with decomposed accents is one name (a crash before);
    /// a page whose folder is a file of the site is an error at the page; a long name updates.
    func testNamesThatLookAlikeOrCrowdTheSitesOwnFiles() throws {
        let composed = "caf\u{E9}", decomposed = "cafe\u{301}"
        let site = try TempSite(["content/guides/a.md": "---\ntitle: Alpha\n---\n![one](\(decomposed).png) ![two](../\(composed)/b.png)\n",
                                 "content/graph.json.md": "---\ntitle: Graph\n---\nText.\n"], templates: nil)
        func rawWrite(_ path: String, _ text: String) throws {
            let url = site.root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            XCTAssertTrue(FileManager.default.createFile(atPath: url.path, contents: Data(text.utf8)))
        }
        try rawWrite("content/guides/\(composed).png", "1")
        try rawWrite("content/guides/\(decomposed).png", "2")
        // Folders named both ways hold one folder's files; every place in the site is composed.
        try rawWrite("content/\(composed)/a.png", "a")
        try rawWrite("content/\(decomposed)/b.png", "b")
        var report = cachedBuild(site)
        XCTAssertEqual(report.diagnostics.filter { $0.severity == .error }.map(\.message).sorted(), [
            "this page would be written in a folder graph.json/, where the site has the file graph.json (the knowledge graph)",
            "two files are named content/guides/\(composed).png, its accents encoded two ways (composed and decomposed)",
        ])
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("content/graph.json.md"))
        try FileManager.default.removeItem(atPath: site.root.path + "/content/guides/" + decomposed + ".png")
        let long = String(repeating: "x", count: 246) + ".png"
        try rawWrite("content/" + long, "first")
        report = cachedBuild(site)
        XCTAssertFalse(report.diagnostics.hasErrors, DiagnosticFormat.human.render(report.diagnostics))
        let written = try FileManager.default.subpathsOfDirectory(atPath: site.output.path)
        XCTAssertFalse(written.contains { $0.unicodeScalars.contains("\u{301}") }, "no decomposed name in the output")
        XCTAssertTrue(written.contains { Array($0.utf8) == Array("\(composed)/b.png".utf8) }, "\(written)")
        let html = try XCTUnwrap(site.html("guides/a/index.html"))
        XCTAssertTrue(html.contains(#"src="/guides/caf%C3%A9.png""#), "a link typed decomposed names the composed file")
        XCTAssertTrue(html.contains(#"src="/caf%C3%A9/b.png""#))
        try rawWrite("content/" + long, "second")
        XCTAssertTrue(assertCachedEqualsClean(site, "a file with a 250-byte name changed").incremental)
    }

    /// An output that is a file is refused, not replaced by a folder.
    func testAnOutputThatIsAFileIsRefused() throws {
        let site = try TempSite(["content/guides/a.md": "---\ntitle: Alpha\n---\nText.\n"], templates: nil)
        var o = site.options()
        o.output = "waymark.yml"
        try site.write("waymark.yml", "title: Mine\n")
        let report = BuildPipeline.run(o)
        XCTAssertTrue(report.diagnostics.contains { $0.message.contains("is a file, not a folder") })
        XCTAssertEqual(try String(contentsOf: site.root.appendingPathComponent("waymark.yml"), encoding: .utf8), "title: Mine\n")
    }

    /// A file copied as it is, then replaced by a page of the same name: the page needs a folder
    /// where the file was. The update removes the file before it writes the page.
    func testAFileReplacedByAPageOfTheSameName() throws {
        let site = try TempSite(["content/guides/a.md": "---\ntitle: Alpha\n---\nSee [notes](notes).\n",
                                 "content/guides/notes": "plain notes\n"], templates: nil)
        cachedBuild(site)
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("content/guides/notes"))
        try site.write("content/guides/notes.md", "---\ntitle: Notes\n---\nHi.\n")
        XCTAssertTrue(assertCachedEqualsClean(site, "a file replaced by a page").incremental)
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("content/guides/notes.md"))
        try site.write("content/guides/notes", "plain notes again\n")
        XCTAssertTrue(assertCachedEqualsClean(site, "and back").incremental)
    }

    /// An update that fails part way removes the build cache, which described the old files: the next
    /// build starts from scratch instead of trusting files it never wrote.
    func testAFailedUpdateIsFollowedByABuildFromScratch() throws {
        let site = try TempSite(["content/guides/a.md": "---\ntitle: Alpha\n---\nText.\n",
                                 "content/guides/b.md": "---\ntitle: Beta\n---\nText.\n"], templates: nil)
        cachedBuild(site)
        // A folder in the way of a new page's file makes writing it fail; the listing is written.
        let inTheWay = site.output.appendingPathComponent("guides/c/index.html/in-the-way")
        try FileManager.default.createDirectory(at: inTheWay, withIntermediateDirectories: true)
        try site.write("content/guides/c.md", "---\ntitle: Gamma\n---\nText.\n")
        let failed = cachedBuild(site)
        XCTAssertTrue(failed.updateFailed)
        XCTAssertTrue(failed.diagnostics.hasErrors)
        XCTAssertTrue(site.html("guides/index.html")?.contains("Gamma") == true, "written before the failure")
        XCTAssertFalse(FileManager.default.fileExists(atPath: cacheFile(site).path), "the cache no longer describes the output")
        // The page taken back: the site is as the cache (had it stayed) described it, the listing is not.
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("content/guides/c.md"))
        try FileManager.default.removeItem(at: site.output.appendingPathComponent("guides/c"))
        let next = cachedBuild(site)
        XCTAssertFalse(next.incremental, "from scratch")
        XCTAssertFalse(next.diagnostics.hasErrors, DiagnosticFormat.human.render(next.diagnostics))
        XCTAssertFalse(site.html("guides/index.html")?.contains("Gamma") == true)
        XCTAssertEqual(snapshot(site.output), cleanOutput(site))
    }

    /// A commit changes the dates and authors pages show without changing their text.
    func testACommitUpdatesDatesOfCachedPages() throws {
        let site = try TempSite([
            "content/guides/a.md": "---\ntitle: Alpha\n---\nSee [[b]].\n",
            "content/guides/b.md": "---\ntitle: Beta\n---\nPlain text.\n",
        ], templates: nil)
        let git = try repository(site)
        try git("-c", "user.name=Ada Author", "-c", "user.email=ada@example.org", "add", ".")
        try git("-c", "user.name=Ada Author", "-c", "user.email=ada@example.org", "commit", "-q", "-m", "first")
        cachedBuild(site)
        try edit(site, "content/guides/b.md") { $0 + "\nA new paragraph.\n" }
        assertCachedEqualsClean(site, "an edit not yet committed")
        try git("-c", "user.name=Bo Reviewer", "-c", "user.email=bo@example.org", "commit", "-q", "-am", "second")
        let report = assertCachedEqualsClean(site, "the same text, committed by someone else")
        XCTAssertTrue(report.incremental)
        XCTAssertTrue(site.html("guides/b/index.html")?.contains("Bo Reviewer") == true)
        // Only the committed page shows the new date and author; listings are kept, and the sitemap
        // (every page's date, made on every build) matches a clean build's, as checked above.
        XCTAssertEqual(report.renderedCount, 1)
    }

    /// A build that finds nothing changed reports every warning again: from loading and from linking.
    func testNothingChangedReportsTheSameWarnings() throws {
        let site = try TempSite([
            "content/personas/untitled.md": "A persona page written without front matter.\n",
            "content/guides/a.md": "---\ntitle: Alpha\nunknown_key: 1\n---\nText.\n",
        ], templates: nil)
        let first = cachedBuild(site)
        XCTAssertFalse(first.diagnostics.hasErrors, DiagnosticFormat.human.render(first.diagnostics))
        XCTAssertFalse(first.diagnostics.isEmpty, "the fixture has warnings to repeat")
        let second = cachedBuild(site)
        XCTAssertTrue(second.incremental)
        XCTAssertEqual(second.renderedCount, 0)
        XCTAssertEqual(second.diagnostics, first.diagnostics)
    }

    /// A theme file that is copied, not rendered (a site's own `templates/assets/…`), changed with no
    /// page changed: the build must not take it for "nothing changed".
    func testAnEditedThemeAssetIsCopiedAgain() throws {
        let site = try TempSite(["content/guides/a.md": "---\ntitle: Alpha\n---\nText.\n",
                                 "templates/assets/brand.css": "body { color: black; }\n"], templates: nil)
        cachedBuild(site)
        let brand = site.output.appendingPathComponent("assets/brand.css")
        try site.write("templates/assets/brand.css", "body { color: navy; }\n")
        var report = assertCachedEqualsClean(site, "a theme asset edited")
        XCTAssertEqual(try String(contentsOf: brand, encoding: .utf8), "body { color: navy; }\n")
        XCTAssertEqual(report.renderedCount, 0, "no page depends on the asset's bytes")
        try site.write("templates/assets/print.css", "@page { margin: 1cm; }\n")
        report = assertCachedEqualsClean(site, "a theme asset added")
        XCTAssertTrue(FileManager.default.fileExists(atPath: site.output.appendingPathComponent("assets/print.css").path))
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("templates/assets/print.css"))
        assertCachedEqualsClean(site, "a theme asset deleted")
    }

    func testUnchangedOutputsAreNotRewritten() throws {
        let site = try exampleSite()
        cachedBuild(site)
        let untouched = site.output.appendingPathComponent("guides/running-a-journey-workshop/index.html").path
        let edited = site.output.appendingPathComponent("guides/how-to-contribute/index.html").path
        let before = try XCTUnwrap(FileStamp.of(untouched)), editedBefore = try XCTUnwrap(FileStamp.of(edited))
        try edit(site, "content/guides/how-to-contribute.md") { $0 + "\nOne more line.\n" }
        let report = cachedBuild(site)
        XCTAssertTrue(report.incremental)
        XCTAssertEqual(FileStamp.of(untouched), before, "a page whose bytes did not change keeps its file")
        XCTAssertNotEqual(FileStamp.of(edited), editedBefore)
        XCTAssertTrue(try String(contentsOfFile: edited, encoding: .utf8).contains("One more line."))
    }

    func testAMissingOutputFileIsRenderedAgain() throws {
        let site = try exampleSite()
        cachedBuild(site)
        try FileManager.default.removeItem(at: site.output.appendingPathComponent("personas/jordan-teen/index.html"))
        assertCachedEqualsClean(site, "an output file deleted by hand")
    }

    /// A term page lists every page that uses it, those behind "Show N more" too: renaming one of
    /// them renders the term page again.
    func testATermPageFollowsTheTitleOfAPageListedBehindShowMore() throws {
        var files = ["content/glossary/segment.md": "---\nterm: Segment\ndefinition: A group of customers.\n---\n"]
        for i in 1...25 { files["content/notes/note-\(i).md"] = "---\ntitle: Note \(String(format: "%02d", i))\n---\nOur segment grew.\n" }
        let site = try TempSite(files, templates: nil)
        cachedBuild(site)
        try edit(site, "content/notes/note-25.md") { $0.replacingOccurrences(of: "title: Note 25", with: "title: Note 25, renamed") }
        let report = assertCachedEqualsClean(site, "a page behind Show more renamed")
        XCTAssertTrue(report.incremental)
        XCTAssertTrue(site.html("glossary/segment/index.html")?.contains(">Note 25, renamed</a>") == true)
    }

    func testTheOutputFolderFindsFilesByRelativePath() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("journeys/asthma"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: folder.appendingPathComponent("journeys/asthma/index.html"))
        try Data("x".utf8).write(to: folder.appendingPathComponent("index.html"))
        let output = OutputFolder(folder.path)
        XCTAssertTrue(output.contains("journeys/asthma/index.html"))
        XCTAssertTrue(output.contains("index.html"))
        XCTAssertFalse(output.contains("journeys/missing/index.html"))
        XCTAssertFalse(output.contains("journeys/asthma/index.htm"))
        XCTAssertFalse(OutputFolder(folder.appendingPathComponent("no-such-folder").path).contains("index.html"),
                       "a folder that does not exist has no files")
    }

    func testADamagedCacheIsDiscardedWithANote() throws {
        let site = try exampleSite()
        cachedBuild(site)
        var bytes = try Data(contentsOf: cacheFile(site))
        bytes.removeLast(bytes.count / 3)  // cut short, as a full disk or a killed copy would leave it
        try bytes.write(to: cacheFile(site))
        let report = assertCachedEqualsClean(site, "damaged cache")
        XCTAssertFalse(report.incremental)
        XCTAssertTrue(report.notes.contains { $0.contains("could not be read") }, "\(report.notes)")
        let next = cachedBuild(site)
        XCTAssertTrue(next.incremental, "a fresh cache was written")
        // The note was about that build: the next one, with nothing changed, does not say it again.
        XCTAssertFalse(next.notes.contains { $0.contains("could not be read") || $0.contains("from scratch") }, "\(next.notes)")
    }

    /// A byte changed anywhere, in the header or in a page's load result: the damage is never trusted
    /// (the cache is discarded, or the page is loaded again from its file) and the output is a clean build's.
    func testDamageAnywhereInTheCacheGivesTheCleanBuildsOutput() throws {
        let site = try exampleSite()
        cachedBuild(site)
        let good = try Data(contentsOf: cacheFile(site))
        // A changed page, so that the others' load results are read from the cache.
        try edit(site, "content/index.md") { $0 + "\nOne more sentence.\n" }
        let start = BuildCache.magic.count
        for k in 1...8 {
            var bytes = good
            let offset = start + (bytes.count - start) * k / 9
            bytes[offset] ^= 0x20
            try bytes.write(to: cacheFile(site))
            assertCachedEqualsClean(site, "a byte changed at \(offset) of \(bytes.count)")
        }
    }

    func testACacheFromAnotherVersionIsDiscarded() throws {
        let site = try exampleSite()
        cachedBuild(site)
        guard case .loaded(var cache) = BuildCache.load(from: cacheFile(site), output: site.output.standardizedFileURL.path) else {
            return XCTFail("the cache just written cannot be read")
        }
        XCTAssertFalse(cache.sources.isEmpty)
        cache.tool = "waymark 0.0.1 cache 1"
        try cache.save(to: cacheFile(site))
        let report = cachedBuild(site)
        XCTAssertFalse(report.incremental)
        XCTAssertTrue(report.notes.contains { $0.contains("another Waymark") }, "\(report.notes)")
    }

    /// A cache in an earlier layout (the format's number right after the magic) is another Waymark's.
    func testACacheInAnEarlierFormatIsDiscarded() throws {
        let site = try exampleSite()
        cachedBuild(site)
        var bytes = try Data(contentsOf: cacheFile(site))
        let at = BuildCache.magic.count
        bytes.replaceSubrange(at..<(at + 8), with: withUnsafeBytes(of: UInt64(BuildCache.format - 1).littleEndian) { Data($0) })
        try bytes.write(to: cacheFile(site))
        let report = assertCachedEqualsClean(site, "earlier format")
        XCTAssertFalse(report.incremental)
        XCTAssertTrue(report.notes.contains { $0.contains("another Waymark") }, "\(report.notes)")
    }

    func testNoCacheRendersEverything() throws {
        let site = try exampleSite()
        cachedBuild(site)
        let report = cachedBuild(site, readCache: false)
        XCTAssertFalse(report.incremental)
        XCTAssertEqual(report.renderedCount, report.pageCount)
        XCTAssertEqual(snapshot(site.output), cleanOutput(site))
    }

    func testAFailedBuildKeepsOutputAndCache() throws {
        let site = try exampleSite()
        cachedBuild(site)
        let before = snapshot(site.output)
        let cacheBefore = try Data(contentsOf: cacheFile(site))
        try site.write("content/guides/broken.md", "---\ntitle: [unclosed\n---\n")
        let report = cachedBuild(site)
        XCTAssertTrue(report.diagnostics.hasErrors)
        XCTAssertEqual(snapshot(site.output), before)
        XCTAssertEqual(try Data(contentsOf: cacheFile(site)), cacheBefore)
        // The records a build writes while it links and renders are removed when it fails.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cacheFile(site).deletingLastPathComponent().path), ["build.bin"])
        try site.remove("content/guides/broken.md")
        XCTAssertTrue(assertCachedEqualsClean(site, "after the fix").incremental)
    }

    /// A cache restored into a fresh checkout: every file has a new modification time but the same
    /// bytes, so nothing is parsed again (the load results are reused by content hash).
    func testFreshCheckoutReusesLoadsByContent() throws {
        let site = try exampleSite()
        cachedBuild(site)
        let touched = Date().addingTimeInterval(60)
        let e = FileManager.default.enumerator(atPath: site.root.appendingPathComponent("content").path)
        while let rel = e?.nextObject() as? String {
            try FileManager.default.setAttributes([.modificationDate: touched], ofItemAtPath: site.root.appendingPathComponent("content/" + rel).path)
        }
        let report = assertCachedEqualsClean(site, "new modification times")
        XCTAssertTrue(report.incremental)
        XCTAssertEqual(report.writtenCount, 0)
    }
}

/// "What must be rebuilt after this change": the pure decision, on fingerprints.
final class RebuildPlanTests: XCTestCase {
    func testPlanRendersChangedNewAndMissingPagesAndDeletesGoneOnes() {
        let current: [String: UInt64?] = ["a/index.html": 1, "b/index.html": 2, "c/index.html": 3, "index.html": nil, "new/index.html": 9]
        let previous: [String: UInt64] = ["a/index.html": 1, "b/index.html": 20, "c/index.html": 3, "gone/index.html": 4]
        let plan = RebuildPlan.plan(current: current, previous: previous, outputExists: { $0 != "c/index.html" })
        XCTAssertEqual(plan.render, ["b/index.html", "c/index.html", "index.html", "new/index.html"],
                       "changed inputs, a missing output, a site-wide page and a new page; not the unchanged one")
        XCTAssertEqual(plan.delete, ["gone/index.html"])
    }

    /// Every setting pages are rendered with is part of the cache's key: a change to any one of them
    /// renders every page again. The key is written field by field, so a new field must be added to it.
    func testTheConfigurationKeyCoversEverySetting() {
        XCTAssertEqual(Mirror(reflecting: SiteConfig()).children.map { $0.label ?? "" },
                       ["title", "baseURL", "editURL", "brokenLinks", "glossaryAutolink", "unsafeHTML", "output", "ignore"],
                       "a new SiteConfig field must go into BuildPipeline.configurationKey, then into this list")
        let options = BuildOptions(root: URL(fileURLWithPath: "/kb"))
        let base = SiteConfig()
        var variants: [SiteConfig] = []
        func vary(_ change: (inout SiteConfig) -> Void) { var c = base; change(&c); variants.append(c) }
        vary { $0.title = "Other" }
        vary { $0.baseURL = "/kb/" }
        vary { $0.editURL = "https://git.example/{path}" }
        vary { $0.brokenLinks = .warning }
        vary { $0.glossaryAutolink = .all }
        vary { $0.unsafeHTML = true }
        vary { $0.output = "site" }
        vary { $0.ignore = ["drafts/*"] }
        vary { $0.ignore = ["drafts/*", "x"] }
        vary { $0.ignore = ["drafts/*,x"] }
        vary { $0.title = "Journey"; $0.baseURL = " knowledge base/" }
        var drafts = options
        drafts.includeDrafts = true
        let keys = [BuildPipeline.configurationKey(base, options), BuildPipeline.configurationKey(base, drafts)]
            + variants.map { BuildPipeline.configurationKey($0, options) }
        XCTAssertEqual(Set(keys).count, keys.count, keys.joined(separator: "\n"))
        XCTAssertEqual(BuildPipeline.configurationKey(base, options), BuildPipeline.configurationKey(SiteConfig(), options))
    }

    /// (Exact halves such as 1.25 aside: printf rounds those to even.)
    func testOneDecimalWritesAsPrintfDoes() {
        for v in [0, 0.04, 0.05, 1.26, 9.96, 12.34, 1234.56, -0.04, -2.5] {
            XCTAssertEqual(BuildPipeline.oneDecimal(v), String(format: "%.1f", v).replacingOccurrences(of: "-0.0", with: "0.0"), "\(v)")
        }
    }

    private func linkedSite(_ files: [String: String]) throws -> Site {
        let site = try TempSite(files)
        var pages: [LoadedPage] = []
        for (path, _) in files where path.hasPrefix("content/") {
            let rel = String(path.dropFirst("content/".count))
            let file = ContentFile(relativePath: rel, url: site.root.appendingPathComponent(path), kind: .markdown)
            if let page = PageLoader.load(file, cached: nil).0 { pages.append(page) }
        }
        return Linker(config: SiteConfig(), includeDrafts: false).link(pages: pages, assets: []).0
    }

    private func fingerprints(_ site: Site, global: UInt64 = 1) -> [String: UInt64?] {
        let digests = RebuildPlan.digests(site)
        var result: [String: UInt64?] = [:]
        for i in site.pages.indices {
            result[site.pages[i].id] = RebuildPlan.fingerprint(of: i, in: site, global: global, digests: digests, mentions: [], cards: [])
        }
        return result
    }

    private func changed(_ a: [String: UInt64?], _ b: [String: UInt64?]) -> Set<String> {
        Set(b.keys.filter { b[$0]! == nil || a[$0] == nil || a[$0]! != b[$0]! })
    }

    func testATitleChangeRerendersThePageItsLinkersAndItsTargetsOnly() throws {
        var files = [
            "content/guides/a.md": "---\ntitle: A\n---\nSee [[b]].\n",
            "content/guides/b.md": "---\ntitle: B\n---\nSee [[c]].\n",
            "content/guides/c.md": "---\ntitle: C\n---\nNothing.\n",
            "content/guides/d.md": "---\ntitle: D\n---\nUnrelated.\n",
        ]
        let before = fingerprints(try linkedSite(files))
        files["content/guides/b.md"] = "---\ntitle: B renamed\n---\nSee [[c]].\n"
        let after = fingerprints(try linkedSite(files))
        // a shows b's title in its link; c shows b in its backlinks; the folder listing is site-wide.
        XCTAssertEqual(changed(before, after), ["guides/a", "guides/b", "guides/c", "guides", ""])
    }

    func testGlobalInputsRerenderEverything() throws {
        let files = ["content/guides/a.md": "---\ntitle: A\n---\nText.\n", "content/guides/b.md": "---\ntitle: B\n---\nText.\n"]
        let site = try linkedSite(files)
        XCTAssertEqual(changed(fingerprints(site, global: 1), fingerprints(site, global: 2)), Set(site.pages.map(\.id)))
        XCTAssertEqual(changed(fingerprints(site), fingerprints(site)), ["guides", ""], "only site-wide pages when nothing changed")
    }

    func testGlobalKeyFollowsThemeConfigAndPageSet() throws {
        let site = try linkedSite(["content/guides/a.md": "---\ntitle: A\n---\nText.\n"])
        let key = RebuildPlan.globalKey(version: "v", configuration: "c", themeFingerprint: 1, site: site)
        XCTAssertEqual(key, RebuildPlan.globalKey(version: "v", configuration: "c", themeFingerprint: 1, site: site))
        XCTAssertNotEqual(key, RebuildPlan.globalKey(version: "v", configuration: "c", themeFingerprint: 2, site: site))
        XCTAssertNotEqual(key, RebuildPlan.globalKey(version: "v", configuration: "d", themeFingerprint: 1, site: site))
        XCTAssertNotEqual(key, RebuildPlan.globalKey(version: "w", configuration: "c", themeFingerprint: 1, site: site))
        let bigger = try linkedSite(["content/guides/a.md": "---\ntitle: A\n---\nText.\n", "content/guides/b.md": "---\ntitle: B\n---\n"])
        XCTAssertNotEqual(key, RebuildPlan.globalKey(version: "v", configuration: "c", themeFingerprint: 1, site: bigger))
    }
}

final class StableHasherTests: XCTestCase {
    /// The cache compares hashes written by one process with hashes computed by another: they must
    /// not depend on the process (Swift's Hasher does), only on the bytes.
    func testTheHashIsFixedByTheBytesAlone() {
        XCTAssertEqual(StableHasher.hash("abcdefghij"), 0xdf2a_90cb_ebc3_616f, "the same value in every process and on every run")
        XCTAssertEqual(StableHasher.hash(Data("abcdefghij".utf8)), StableHasher.hash("abcdefghij"))
        // Long inputs go through four lanes first.
        let long = String((0..<100).map { Character(Unicode.Scalar(UInt8(97 + $0 % 26))) })
        XCTAssertEqual(StableHasher.hash(long), 0x899f_e1b9_f623_dd34)
    }

    /// Any one changed byte changes the hash, in each of the four lanes, in the eight-byte steps after
    /// them and in the tail (203 bytes: six 32-byte steps, one 8-byte step, three bytes).
    func testEveryByteOfALongInputCounts() {
        let base = (0..<203).map { UInt8(truncatingIfNeeded: $0 &* 37) }
        var seen: Set<UInt64> = [StableHasher.hash(bytes: base)]
        for i in base.indices {
            var changed = base
            changed[i] ^= 0x01
            XCTAssertTrue(seen.insert(StableHasher.hash(bytes: changed)).inserted, "byte \(i)")
        }
        XCTAssertNotEqual(StableHasher.hash(bytes: base), StableHasher.hash(bytes: base + [0]), "the length counts")
    }

    /// A file written in pieces is hashed in pieces: every length from 0 to 300 (with and without
    /// the four lanes, every tail), cut at every place into two pieces and into random runs of pieces,
    /// gives the hash of the whole. Too few or too many bytes give no hash at all.
    func testPiecesHashAsTheWhole() {
        var random = SystemRandomNumberGenerator()
        for length in 0...300 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 89 &+ length) }
            var seeded = StableHasher()
            seeded.combine("before")
            var whole = seeded
            bytes.withUnsafeBytes { whole.combine(bytes: $0) }
            bytes.withUnsafeBytes { all in
                for cut in 0...length {
                    var pieces = StableHasher.Pieces(seeded, total: length)
                    pieces.combine(UnsafeRawBufferPointer(rebasing: all[..<cut]))
                    pieces.combine(UnsafeRawBufferPointer(rebasing: all[cut...]))
                    XCTAssertEqual(pieces.value, whole.value, "\(length) bytes cut at \(cut)")
                }
                var pieces = StableHasher.Pieces(seeded, total: length)
                var at = 0
                while at < length {
                    let n = Int.random(in: 0...40, using: &random)
                    pieces.combine(UnsafeRawBufferPointer(rebasing: all[at..<min(length, at + n)]))
                    at += n
                }
                XCTAssertEqual(pieces.value, whole.value, "\(length) bytes in random pieces")
                var short = StableHasher.Pieces(seeded, total: length + 1)
                short.combine(all)
                XCTAssertNil(short.value, "a byte missing")
                if length > 0 {
                    var long = StableHasher.Pieces(seeded, total: length - 1)
                    long.combine(all)
                    XCTAssertNil(long.value, "a byte too many")
                }
            }
        }
    }

    func testFieldsAreSeparated() {
        var a = StableHasher(), b = StableHasher()
        a.combine("ab"); a.combine("c")
        b.combine("a"); b.combine("bc")
        XCTAssertNotEqual(a.value, b.value)
        var c = StableHasher(), d = StableHasher()
        c.combine(nil as String?); d.combine("" as String?)
        XCTAssertNotEqual(c.value, d.value)
        XCTAssertNotEqual(StableHasher.hash("abcdefgh" + "i"), StableHasher.hash("abcdefgh" + "j"), "the tail after whole words counts")
        XCTAssertNotEqual(StableHasher.hash(String(repeating: "x", count: 16)), StableHasher.hash(String(repeating: "x", count: 24)))
    }
}

final class ChunkedFileWriterTests: XCTestCase {
    /// The cache is written through a buffer of a few megabytes: pieces smaller than it, pieces that
    /// fill it across a flush, and a piece larger than the buffer all land in order, byte for byte.
    func testPiecesOfEverySizeArriveInOrder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("waymark-chunked-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("cache.bin").path
        var expected: [UInt8] = []
        var writer = try ChunkedFileWriter(path: path)
        var seed: UInt8 = 1
        for size in [0, 1, 7, 3 << 20, 2 << 20, 9 << 20, 12, 4 << 20, 5] {
            let piece = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31) &+ seed }
            seed &+= 1
            writer.append(piece)
            expected += piece
        }
        writer.append(integer: 0x0102_0304_0506_0708)
        expected += [8, 7, 6, 5, 4, 3, 2, 1]
        writer.append(block: [9, 9])
        expected += [2, 0, 0, 0, 0, 0, 0, 0, 9, 9]
        try writer.finish()
        XCTAssertEqual(writer.written, expected.count)
        let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(written.count, expected.count)
        XCTAssertTrue(written == expected, "the file's bytes differ from what was appended")
    }

    func testAnUnwritableFileIsAnErrorNamingIt() {
        XCTAssertThrowsError(try ChunkedFileWriter(path: "/nonexistent-waymark-folder/cache.bin")) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent-waymark-folder/cache.bin"), "\(error)")
        }
    }
}
