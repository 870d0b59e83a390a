import Foundation
import XCTest
@testable import Waymark

/// Malformed or hostile input gets a diagnostic naming the file (and line and column where there
/// is one) and fails the build; legal but extreme input builds, or stops with a clear limit
/// diagnostic. Never a crash, a hang or unbounded memory. Big inputs are generated here, at test time.
final class BadInputTests: XCTestCase {
    /// A persona and a department for typed pages to refer to.
    static let base: [String: String] = [
        "content/personas/sam.md": "---\ntitle: Sam\n---\nSam.\n",
        "content/departments/it.md": "---\ntitle: IT\n---\nIT.\n",
    ]

    private func check(_ files: [String: String]) throws -> BuildReport {
        try TempSite(Self.base.merging(files) { $1 }).check()
    }

    private func errors(_ report: BuildReport) -> [String] {
        headlines(report.diagnostics.filter { $0.severity == .error })
    }

    /// Runs a check (or build) of `site` on another thread and gives up waiting after `seconds`: a
    /// regression shows as a failure naming the case instead of a run that never ends. A hang guard, not a benchmark.
    private func run(_ site: TempSite, write: Bool = false, within seconds: Double, _ what: String) -> BuildReport? {
        var options = site.options()
        options.write = write
        let done = DispatchSemaphore(value: 0)
        let box = ReportBox()
        Thread.detachNewThread { [options] in
            box.report = BuildPipeline.run(options)
            done.signal()
        }
        guard done.wait(timeout: .now() + seconds) == .success else {
            XCTFail("\(what) did not finish within \(Int(seconds)) s")
            return nil
        }
        return box.report
    }

    // MARK: Empty and partial files

    /// An editor's backup of a page (`page.md~`, `#page.md#`, a swap file) is not published: it would show
    /// the page's source. The build says it skipped them.
    func testEditorBackupsAreNotPublished() throws {
        let s = try TempSite(["content/notes.md": "---\ntitle: Notes\n---\nSecret draft.\n", "content/notes.md~": "---\ntitle: Notes\n---\nOld.\n",
                              "content/#notes.md#": "x", "content/guides/.notes.md.swp": "x", "content/guides/plan.md.swp": "x",
                              "content/guides/map.png": "png"])
        let report = s.build()
        XCTAssertEqual(report.diagnostics.errorCount, 0)
        let fm = FileManager.default
        XCTAssertFalse(fm.fileExists(atPath: s.output.appendingPathComponent("notes.md~").path))
        XCTAssertFalse(fm.fileExists(atPath: s.output.appendingPathComponent("#notes.md#").path))
        XCTAssertFalse(fm.fileExists(atPath: s.output.appendingPathComponent("guides/plan.md.swp").path))
        XCTAssertTrue(fm.fileExists(atPath: s.output.appendingPathComponent("guides/map.png").path))
        XCTAssertEqual(report.notes.filter { $0.hasPrefix("skipped") },
                       ["skipped 3 editor backup or temporary files, not published: content/#notes.md#, content/guides/plan.md.swp, content/notes.md~"])
    }

    /// A journey copied by a file manager ("claim (copy).md") would be listed, counted and mapped twice:
    /// a warning at the copy's title names both files. Plain pages may share a title.
    func testACopiedJourneyOrPersonaIsAWarningNamingBoth() throws {
        let journey = "---\ntitle: Claim a car accident\npersonas: [personas/sam]\n---\n"
        let report = try check(["content/journeys/claim.md": journey, "content/journeys/claim (copy).md": journey,
                                "content/personas/sam - Copy.md": "---\ntitle: sam\n---\n",
                                "content/a/notes.md": "---\ntitle: Notes\n---\n", "content/b/notes.md": "---\ntitle: Notes\n---\n"])
        XCTAssertEqual(headlines(report.diagnostics.filter { $0.severity == .warning }), [
            "content/journeys/claim (copy).md:1:1: warning: 2 journeys are titled “Claim a car accident”: content/journeys/claim.md, content/journeys/claim (copy).md",
            "content/personas/sam - Copy.md:1:1: warning: 2 personas are titled “Sam”: content/personas/sam.md, content/personas/sam - Copy.md",
        ])
    }

    /// Many copies: one warning at each, naming the first only (a list of every copy in every warning
    /// made 6 MB of warnings for a folder of generated personas).
    func testManyCopiesNameTheFirstNotEveryCopy() throws {
        var files: [String: String] = [:]
        for n in 1...5 { files["content/personas/kim-\(n).md"] = "---\ntitle: Kim\n---\n" }
        let report = try check(files)
        XCTAssertEqual(headlines(report.diagnostics.filter { $0.severity == .warning }), (2...5).map {
            "content/personas/kim-\($0).md:1:1: warning: 5 personas are titled “Kim”: content/personas/kim-1.md and 4 more, each warned at"
        })
    }

    func testAnEmptyFileBuildsAsAnUntitledPage() throws {
        let site = try TempSite(["content/empty-notes.md": ""])
        let report = site.build()
        assertNoDiagnostics(report)
        XCTAssertNotNil(site.html("empty-notes/index.html"))
    }

    func testAnEmptyTypedFileNamesEachMissingFieldAtTheFile() throws {
        let report = try check(["content/journeys/empty.md": ""])
        XCTAssertFalse(report.succeeded)
        let problems = headlines(report.diagnostics)
        XCTAssertTrue(problems.contains { $0.hasPrefix("content/journeys/empty.md:1:1: error:") && $0.contains("`personas`") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.hasPrefix("content/journeys/empty.md:1:1: error:") && $0.contains("`stages`") }, "\(problems)")
    }

    func testAFileWithOnlyFrontMatterBuilds() throws {
        let site = try TempSite(["content/only.md": "---\ntitle: Only front matter\n---\n", "content/bare.md": "---\n---"])
        let report = site.build()
        assertNoDiagnostics(report)
        XCTAssertTrue(site.html("only/index.html")?.contains("Only front matter") ?? false)
        XCTAssertNotNil(site.html("bare/index.html"))
    }

    func testUnterminatedFrontMatterIsAnErrorAtTheOpeningFence() throws {
        let report = try check(["content/open.md": "---\ntitle: Never closed\n\nBody text\n"])
        XCTAssertEqual(errors(report), ["content/open.md:1:1: error: front matter is not closed"])
    }

    // MARK: YAML

    func testMalformedYAMLIsAnErrorAtItsLineAndColumn() throws {
        let report = try check(["content/bad.md": "---\ntitle: Fine\ntags: [one, two\nowner: x\n---\n"])
        let e = errors(report)
        XCTAssertEqual(e.count, 1, "\(e)")
        XCTAssertTrue(e.first?.hasPrefix("content/bad.md:4:") ?? false, "\(e)")
        XCTAssertTrue(e.first?.contains("malformed YAML") ?? false, "\(e)")
    }

    func testTabIndentedYAMLIsAnErrorThatNamesTheTab() throws {
        let report = try check(["content/tabs.md": "---\ntitle: T\nstages:\n\t- name: x\n---\n"])
        XCTAssertTrue(errors(report).first?.hasPrefix("content/tabs.md:4:") ?? false, "\(errors(report))")
        XCTAssertEqual(report.diagnostics.first?.hint,
                       "line 4 is indented with a tab; YAML indents with spaces only (a tab looks like spaces in most editors)")
    }

    /// libyaml gives up where the next quote happens to be, or at the end; the forgotten quote is named where it opens.
    func testAnUnclosedQuoteIsReportedWhereItOpens() throws {
        let report = try check([
            "content/journeys/move.md": "---\ntitle: Move\npersonas: [personas/sam]\nstages:\n  - name: Search\n    goal: \"Find a flat\n"
                + "  - name: \"Visit\"\n    emotion: 1\n---\n",
            "content/personas/ana.md": "---\ntitle: Ana\nquote: 'It''s fine\ngoals: [Move]\n---\n",
            "content/fine.md": "---\ntitle: \"Sam's \\\"quoted\\\" notes\"\ntags: ['a', \"b\"]\nsummary: he said \"hi\n\"key\": 1 # \"\n---\n",
            "content/personas/bo.md": "---\ntitle: Bo\nquote: \"Is it \"just a cold\" or more?\"\n---\n",
        ])
        XCTAssertEqual(errors(report), [
            "content/journeys/move.md:6:11: error: malformed YAML: the quote `\"` that starts this value is not closed",
            "content/personas/ana.md:3:8: error: malformed YAML: the quote `'` that starts this value is not closed",
            "content/personas/bo.md:3:8: error: malformed YAML: the value quoted with `\"` ends at column 15, but the line goes on after it",
        ])
        XCTAssertEqual(report.diagnostics.last?.hint, "for quotes inside a value, put the whole value in '…' instead, or leave the outer `\"` out")
        XCTAssertEqual(report.diagnostics.first?.hint, "end the value with `\"` on the same line, or remove the opening `\"`")
    }

    /// libyaml reports a forgotten `:` a line late ("mapping values are not allowed"); the line that
    /// lacks it is named, with the field written right. Curly quotes and an unquoted `: ` in a value
    /// get hints of their own. A value going on over an indented line is not a forgotten colon.
    func testAForgottenColonCurlyQuotesAndAnUnquotedColonAreNamed() throws {
        let report = try check([
            "content/personas/p.md": "---\ntitle Priya\ntype: secondary\n---\n",
            "content/personas/q.md": "---\ntitle: Q\nsegment Owners of small shops\ngoals: [a]\n---\n",
            "content/journeys/j.md": "---\ntitle: J\npersonas: [personas/t]\nstages:\n  - name: A\n    touchpoints:\n      - name: X\n"
                + "        channel phone\n        emotion: 1\n---\n",
            "content/personas/r.md": "---\ntitle: “Onboarding: first week”\n---\n",
            "content/personas/s.md": "---\ntitle: Acme: customer journeys\n---\n",
            "content/personas/t.md": "---\ntitle: T\ndescription: A long sentence\n  continued here\ngoals:\n  - one thing\n---\n",
        ])
        XCTAssertEqual(errors(report), [
            "content/journeys/j.md:8:9: error: malformed YAML: this line has no `:` after the field's name",
            "content/personas/p.md:2:1: error: malformed YAML: this line has no `:` after the field's name",
            "content/personas/q.md:3:1: error: malformed YAML: this line has no `:` after the field's name",
            "content/personas/r.md:2:19: error: malformed YAML: mapping values are not allowed in this context",
            "content/personas/s.md:2:12: error: malformed YAML: a value with `: ` in it must be quoted",
        ])
        XCTAssertEqual(report.diagnostics.map(\.hint), [
            "write it as `channel: phone`", "write it as `title: Priya`", "write it as `segment: Owners of small shops`",
            "YAML quotes are straight: write \"…\" instead of “…” (a word processor or chat app curls them)",
            "write it as `title: \"Acme: customer journeys\"`",
        ])
    }

    /// `personas: [Priya, small business owner]` is two items in YAML: one error naming the title cut in
    /// two, with the id to write, instead of two unknown personas with hints to create them.
    func testATitleCutInTwoByACommaInAListIsOneErrorWithTheID() throws {
        let report = try check([
            "content/personas/priya-small-business-owner.md": "---\ntitle: Priya, small business owner\n---\n",
            "content/personas/sam.md": "---\ntitle: Sam\n---\n",
            "content/journeys/a.md": "---\ntitle: A\npersonas: [personas/sam, Priya, small business owner]\nstages: [{name: S}]\n---\n",
            "content/research/r.md": "---\ntitle: R\nmethod: interview\ndate: 2026-01-05\npersonas: [Priya, small business owner, Nobody]\n---\n",
        ])
        XCTAssertEqual(errors(report), [
            "content/journeys/a.md:3:26: error: `Priya` and `small business owner` are two items here: in `[…]` a comma separates items, so the title `Priya, small business owner` was cut in two",
            "content/research/r.md:5:12: error: `Priya` and `small business owner` are two items here: in `[…]` a comma separates items, so the title `Priya, small business owner` was cut in two",
            "content/research/r.md:5:41: error: unknown persona `Nobody`",
        ])
        XCTAssertEqual(report.diagnostics.first?.hint, "write the persona's id, `personas/priya-small-business-owner`, or the title in quotes: \"Priya, small business owner\"")
    }

    /// A field indented out of line with the fields around it (one space short, pushed in, one space in
    /// at the top) is named at its own line with the column it belongs at, instead of the parser's
    /// "did not find expected '-' indicator" a line or two later.
    func testAFieldOutOfLineIsNamedWithItsColumn() throws {
        let report = try check([
            "content/personas/sam.md": "---\ntitle: Sam\n---\n",
            "content/journeys/a.md": "---\ntitle: A\npersonas: [personas/sam]\nstages:\n  - name: Search\n    touchpoints:\n      - name: Listing\n       channel: web\n---\n",
            "content/journeys/b.md": "---\ntitle: B\npersonas: [personas/sam]\nstages:\n  - name: Search\n      emotion: 2\n    touchpoints:\n      - {name: L, channel: web}\n---\n",
            "content/journeys/c.md": "---\ntitle: C\n tags: [a]\npersonas: [personas/sam]\nstages: [{name: S}]\n---\n",
            // Well-formed nesting, block scalars and continued values stay fine.
            "content/journeys/d.md": "---\ntitle: D\npersonas:\n- personas/sam\nbegins: |\n  Line one\n    indented: not a field\nstages:\n  - name: S\n    goal: a goal that goes\n      on a second line\n    touchpoints:\n      - name: T\n        channel: web\n  - name: S2\n---\n",
        ])
        XCTAssertEqual(errors(report), [
            "content/journeys/a.md:8:8: error: malformed YAML: `channel:` starts at column 8, but `name:` above it (line 7) at column 9",
            "content/journeys/b.md:6:7: error: malformed YAML: `emotion:` starts at column 7, but `name:` above it (line 5) at column 5",
            "content/journeys/c.md:3:2: error: malformed YAML: `tags:` starts at column 2, but `title:` above it (line 2) at column 1",
        ])
        XCTAssertEqual(report.diagnostics.map(\.hint), [
            "the fields of one mapping or list item start at the same column: move `channel:` to column 9, under `name:`",
            "the fields of one mapping or list item start at the same column: move `emotion:` to column 5, under `name:`",
            "the fields of one mapping or list item start at the same column: move `tags:` to column 1, under `title:` (the start of the line)",
        ])
    }

    /// A stage written as its name alone (`- Cancelling`) with its fields under it: YAML reads the lines
    /// as one value up to the first `:`. Named at the item, with the field name to give it.
    func testAListItemWrittenAsANameAloneWithFieldsUnderItIsNamed() throws {
        let report = try check([
            "content/personas/sam.md": "---\ntitle: Sam\n---\n",
            "content/journeys/a.md": "---\ntitle: A\npersonas: [personas/sam]\nstages:\n  - Cancelling\n    emotion: -1\n    touchpoints: []\n---\n",
            "content/journeys/b.md": "---\ntitle: B\npersonas: [personas/sam]\nstages:\n  - name: Search\n    touchpoints:\n      -   Listing page\n          of the shop\n          channel: web\n---\n",
            // Items that are values alone, and a value over two lines, stay fine.
            "content/journeys/c.md": "---\ntitle: C\npersonas:\n  - personas/sam\nkpis:\n  - Calls per order\n  - Orders per\n    visit\nstages: [{name: S}]\n---\n",
        ])
        XCTAssertEqual(errors(report), [
            "content/journeys/a.md:5:5: error: malformed YAML: `- Cancelling` is a value alone, but the lines under it are fields of the same item",
            "content/journeys/b.md:7:11: error: malformed YAML: `- Listing page` is a value alone, but the lines under it are fields of the same item",
        ])
        XCTAssertEqual(report.diagnostics.first?.hint, "give the value its field name, as in `- name: Cancelling`, and line the fields under it up with `name:`")
    }

    /// `basis:research` (no space after the colon) is one word to YAML, and the parser stops a line
    /// later: the error is at the colon, with the line to write.
    func testAFieldWithoutASpaceAfterItsColonIsNamed() throws {
        let report = try check([
            "content/personas/sam.md": "---\ntitle: Sam\n---\n",
            "content/journeys/a.md": "---\ntitle: A\nbasis:research\npersonas: [personas/sam]\nstages: [{name: S}]\n---\n",
            "content/journeys/b.md": "---\ntitle: B\npersonas: [personas/sam]\nstages:\n  - name:Search\n    emotion: 1\n---\n",
            // A URL or a time in a value is not one.
            "content/journeys/c.md": "---\ntitle: C\npersonas: [personas/sam]\nsources:\n  - https://example.com/a\nstarts: 12:30\nstages: [{name: S}]\n---\n",
        ])
        XCTAssertEqual(errors(report), [
            "content/journeys/a.md:3:7: error: malformed YAML: `basis:research` needs a space after the colon",
            "content/journeys/b.md:5:10: error: malformed YAML: `name:Search` needs a space after the colon",
        ])
        XCTAssertEqual(report.diagnostics.first { $0.severity == .error }?.hint, "write it as `basis: research`")
    }

    /// ` #` starts a YAML comment: `ends: Our #1 goal` keeps "Our" and drops the rest without a word.
    /// A warning at the `#`, with the value quoted; comments written `# …` (as the starter pages write
    /// them), quoted values and block text are fine.
    func testAValueCutShortByAHashIsAWarning() throws {
        let report = try check([
            "content/notes.md": """
                ---
                title: Notes
                description: Our #1 goal, this quarter
                tags: [a, b] # a comment
                summary: |
                  Block text #1 stays.
                quoted: "Q3 #2 stays"
                status: draft   # draft · validated
                owner: #sales
                ---
                Text.
                """,
        ])
        XCTAssertEqual(report.diagnostics.filter { $0.message.contains("comment") }.map { "\($0.location.line):\($0.location.column) \($0.message)" }, [
            "3:18 `description:` is only `Our`: YAML reads ` #` and the rest of the line as a comment",
            "9:8 `owner:` is empty: YAML reads ` #` and the rest of the line as a comment",
        ])
        XCTAssertEqual(report.diagnostics.first { $0.message.hasPrefix("`description:`") }?.hint,
                       "to keep it, put the whole value in quotes: `description: \"Our #1 goal, this quarter\"`")
    }

    /// Front matter written without its `---` lines is shown as text: the writer is told, once. Prose
    /// that happens to open with a word and a colon is left alone.
    func testFrontMatterWithoutFencesIsAWarning() throws {
        let report = try check([
            "content/notes.md": "title: Notes\ntags: [a]\n\nSome text.\n",
            "content/prose.md": "Summary: eight parents were interviewed.\n",
            "content/fine.md": "---\ntitle: Fine\n---\ntitle: in the body, after real front matter.\n",
        ])
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/notes.md:1:1: warning: `title:` on the first line looks like front matter, but there is no `---` line above it, so it is shown as text",
        ])
        XCTAssertEqual(report.diagnostics.first?.hint, "put a line with just `---` before the fields and another after them")
    }

    func testAPersonaTypeThatIsNeitherPrimaryNorSecondarySaysSo() throws {
        let report = try check(["content/personas/ana.md": "---\ntitle: Ana\ntype: main\n---\n"])
        XCTAssertEqual(errors(report), ["content/personas/ana.md:3:7: error: a persona's `type` is primary or secondary, not `main`"])
        XCTAssertEqual(report.diagnostics.first?.hint, "write `type: primary` or `type: secondary` (or leave it out)")
    }

    func testDuplicateKeysAreAnErrorAtTheRepeatedKey() throws {
        let report = try check(["content/personas/dup.md": "---\ntitle: A\nquote: one\ntitle: B\n---\n"])
        XCTAssertEqual(errors(report), ["content/personas/dup.md:4:1: error: duplicate key `title` in front matter"])
    }

    /// Nine levels of ten aliases: a billion values if expanded. Aliases share the anchored value, so
    /// memory stays flat, and the value budget stops the expansion at 100,000 values.
    static func laughs(asKey: Bool) -> String {
        var lines = ["---", "title: Laughs", "lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for n in 1...9 {
            lines.append("lol\(n): &lol\(n) [" + Array(repeating: "*lol\(n - 1)", count: 10).joined(separator: ", ") + "]")
        }
        // As a mapping key the bomb would be compared with the other keys: it must be stopped before that.
        lines.append(asKey ? "? *lol9\n: boom" : "boom: *lol9")
        return (lines + ["---", "Body."]).joined(separator: "\n")
    }

    func testBillionLaughsIsStoppedByTheValueBudget() throws {
        let site = try TempSite(["content/laughs.md": Self.laughs(asKey: false)])
        let report = run(site, within: 60, "billion laughs")
        let e = report.map(errors) ?? []
        XCTAssertEqual(e.count, 1, "\(e)")
        // lol4 alone stands for 111,111 values.
        XCTAssertTrue(e.first?.hasPrefix("content/laughs.md:7:") ?? false, "\(e)")
        XCTAssertTrue(e.first?.contains("expands to more than 100000 values") ?? false, "\(e)")
    }

    func testBillionLaughsAsAMappingKeyIsStoppedBeforeYamsHashesIt() throws {
        let site = try TempSite(["content/laughs.md": Self.laughs(asKey: true)])
        let report = run(site, within: 60, "billion laughs as a key")
        let e = report.map(errors) ?? []
        XCTAssertEqual(e.count, 1, "\(e)")
        XCTAssertTrue(e.first?.hasPrefix("content/laughs.md:7:") ?? false, "\(e)")
    }

    func testTheExpansionCountSeesThroughAliasesWithoutExpandingThem() {
        XCTAssertNil(YAMLExpansion.firstOverflow("a: &a [1, 2]\nb: *a\nc: [*a, *a]\n", limit: 100))
        // The mapping, its three keys, `[1, 2]` (three values) and three aliases of it: 17 values.
        XCTAssertNil(YAMLExpansion.firstOverflow("a: &a [1, 2]\nb: *a\nc: [*a, *a]\n", limit: 17))
        XCTAssertEqual(YAMLExpansion.firstOverflow("a: &a [1, 2]\nb: *a\nc: [*a, *a]\n", limit: 16),
                       YAMLExpansion.Overflow(line: 3, column: 9, throughAliases: true))
        // Malformed YAML is reported as malformed, not as an overflow.
        XCTAssertNil(YAMLExpansion.firstOverflow("a: [1, 2\n", limit: 10))
    }

    func testAliasesWithinTheBudgetStillWork() throws {
        let site = try TempSite(["content/personas/alias.md": "---\ntitle: A\ngoals: &g [breathe, sleep]\nneeds: *g\n---\n"])
        let report = site.build()
        assertNoDiagnostics(report)
        XCTAssertEqual(site.html("personas/alias/index.html")?.components(separatedBy: "sleep").count, 3)
    }

    func testAVeryLongFrontMatterIsALimitNotAnAliasProblem() throws {
        let keys = (0..<60_000).map { "k\($0): v" }.joined(separator: "\n")
        let report = try check(["content/long.md": "---\n" + keys + "\n---\nBody"])
        let e = errors(report)
        XCTAssertEqual(e.count, 1)
        XCTAssertTrue(e.first?.contains("front matter has more than 100000 values") ?? false, "\(e)")
    }

    func testDeeplyNestedYAMLIsAnErrorNotAStackOverflow() throws {
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        let report = try check(["content/deep.md": "---\ntitle: T\nx: \(deep)\n---\n"])
        let e = errors(report)
        XCTAssertEqual(e.count, 1, "\(e)")
        XCTAssertTrue(e.first?.hasPrefix("content/deep.md:3:") ?? false, "\(e)")
    }

    // MARK: One broken file, one error

    /// Pages referring to a journey, a persona and a page whose files cannot be read, by id and by stage.
    private static let referring: [String: String] = [
        "content/research/visits.md": "---\ntitle: Visits\nmethod: interview\ndate: 2026-01-05\nsupports: [journeys/move#search]\npersonas: [personas/ana]\n---\n"
            + "See [[journeys/move#search/listing]], [[personas/ana]] and [[notes]].\n",
        "content/journeys/other.md": "---\ntitle: Other\npersonas: [personas/ana]\nparent: journeys/move\nstages:\n  - name: One\n---\n",
    ]

    /// A writer breaks one file: the build names that file once, not every link to it as well.
    func testAFileWithUnreadableFrontMatterIsTheOnlyErrorNotEveryLinkToIt() throws {
        let journey = "---\ntitle: Move\npersonas: [personas/sam]\nbasis: hybrid\nbasis: research\nstages:\n  - name: Search\n"
            + "    touchpoints:\n      - {name: Listing, channel: web}\n---\nBody.\n"
        let report = try check(Self.referring.merging([
            "content/journeys/move.md": journey,                                             // a duplicate key
            "content/personas/ana.md": "---\ntitle: Ana\ngoals: [\"Move\n---\nAna.\n",       // an unclosed quote
            "content/notes.md": "---\ntitle: Notes\nNo closing fence.\n",                    // the fence never closes
        ]) { $1 })
        let problems = errors(report)
        XCTAssertEqual(problems.count, 3, "\(problems)")
        XCTAssertTrue(problems.contains { $0.hasPrefix("content/journeys/move.md:5:") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.hasPrefix("content/personas/ana.md:") }, "\(problems)")
        XCTAssertTrue(problems.contains { $0.hasPrefix("content/notes.md:") }, "\(problems)")
    }

    /// Writers link by title (`[[Priya, small business owner]]`); a page whose front matter is broken
    /// has no known title, but its file's name is the title's slug: such links are not reported either,
    /// and no other page is suggested for them.
    func testALinkByTitleToAPageWithBrokenFrontMatterIsNotReportedToo() throws {
        let report = try check([
            "content/personas/priya-small-business-owner.md": "---\ntitle: Priya, small business owner\n\tsegment: smb\n---\nPriya.\n",
            "content/personas/priya-parent.md": "---\ntitle: Priya, parent\n---\nAnother Priya.\n",
            "content/notes.md": "---\ntitle: Notes\n---\nSee [[Priya, small business owner|Priya]] and [[Priya, small business owner]].\n\nAnd [[Priya the parent]].\n",
        ])
        let problems = errors(report)
        XCTAssertEqual(problems.count, 2, "\(problems)")
        XCTAssertTrue(problems.contains { $0.hasPrefix("content/personas/priya-small-business-owner.md:3:") }, "\(problems)")
        // A link that names no page, broken or not, is still reported.
        XCTAssertTrue(problems.contains { $0.contains("broken link [[Priya the parent]]") }, "\(problems)")
    }

    func testAFileThatIsNotUTF8IsTheOnlyErrorNotEveryLinkToIt() throws {
        let site = try TempSite(Self.base.merging(Self.referring) { $1 }.merging([
            "content/journeys/move.md": "---\ntitle: Move\npersonas: [personas/sam]\nstages:\n  - name: Search\n---\n",
            "content/personas/ana.md": "---\ntitle: Ana\n---\n",
        ]) { $1 })
        try site.write("content/notes.md", data: Data("Caf".utf8) + Data([0xE9]) + Data(" notes\n".utf8))
        let problems = errors(site.check())
        XCTAssertEqual(problems.count, 2, "\(problems)")
        XCTAssertTrue(problems.contains { $0.hasPrefix("content/notes.md:1:") }, "\(problems)")
        // The one real broken link stays reported: the touchpoint is not in the readable journey.
        XCTAssertTrue(problems.contains { $0.contains("[[journeys/move#search/listing]]") }, "\(problems)")
    }

    // MARK: Wrong types for every typed field

    /// (file, front matter with `FIELD` where the wrong value goes, field, wrong value). Every typed
    /// field of every entity, given a value of another kind, is an error at that field's line.
    static let wrongTypes: [(String, String, String, String)] = {
        let text = "{a: 1}", list = "{a: 1}", number = "lots", flag = "maybe", mapping = "[a, b]"
        let journey = "title: J\npersonas: [personas/sam]\nFIELD\nstages:\n  - name: S\n    touchpoints:\n      - {name: T, channel: web}\n"
        let journeyNoStages = "title: J\npersonas: [personas/sam]\nFIELD\n"
        let stage = "title: J\npersonas: [personas/sam]\nstages:\n  - name: S\n    FIELD\n"
        let touchpoint = "title: J\npersonas: [personas/sam]\nstages:\n  - name: S\n    touchpoints:\n      - name: T\n        channel: web\n        FIELD\n"
        var cases: [(String, String, String, String)] = []
        for (field, value) in [("title", text), ("description", text), ("summary", text), ("draft", flag), ("glossary", flag),
                               ("tags", list), ("type", mapping)] {
            cases.append(("content/notes.md", "FIELD\n", field, value))
        }
        for (field, value) in [("personas", list), ("owner", text), ("departments", list), ("begins", text), ("ends", text),
                               ("basis", text), ("status", text), ("channels", list), ("kpis", list), ("last_reviewed", text),
                               ("parent", text), ("rankings", mapping)] {
            cases.append(("content/journeys/j.md", journey, field, value))
        }
        cases.append(("content/journeys/j.md", journeyNoStages, "stages", list))
        for (field, value) in [("goal", text), ("emotion", number), ("owner", text), ("touchpoints", list)] {
            cases.append(("content/journeys/j.md", stage, field, value))
        }
        cases.append(("content/journeys/j.md", "title: J\npersonas: [personas/sam]\nstages:\n  - FIELD\n", "name", text))
        for (field, value) in [("mode", text), ("owner", text), ("actors", list), ("moment", text), ("emotion", number),
                               ("kpis", list), ("findings", list)] {
            cases.append(("content/journeys/j.md", touchpoint, field, value))
        }
        for (field, value) in [("type", text), ("segment", text), ("quote", text), ("goals", list), ("needs", list),
                               ("pains", list), ("gains", list)] {
            cases.append(("content/personas/p.md", "title: P\nFIELD\n", field, value))
        }
        let finding = "title: F\nmethod: interview\ndate: 2026-01-02\nFIELD\n"
        for (field, value) in [("participants", number), ("confidence", text), ("supports", list), ("contradicts", list),
                               ("personas", list), ("impact", number)] {
            cases.append(("content/research/f.md", finding, field, value))
        }
        cases.append(("content/research/f.md", "title: F\ndate: 2026-01-02\nFIELD\n", "method", text))
        cases.append(("content/research/f.md", "title: F\nmethod: interview\nFIELD\n", "date", text))
        let term = "term: T\ndefinition: D.\nFIELD\n"
        for (field, value) in [("synonyms", mapping), ("related", list), ("not_to_confuse", list), ("status", text), ("owner", text)] {
            cases.append(("content/glossary/t.md", term, field, value))
        }
        cases.append(("content/glossary/t.md", "definition: D.\nFIELD\n", "term", text))
        cases.append(("content/glossary/t.md", "term: T\nFIELD\n", "definition", text))
        for field in ["lead", "contact"] { cases.append(("content/departments/d.md", "title: D\nFIELD\n", field, text)) }
        return cases
    }()

    func testAWrongTypeInEveryTypedFieldIsAnErrorAtThatField() throws {
        var files: [String: String] = [:]
        var expected: [(String, Int, String)] = []
        // One file per case, all in one site: one check covers them all.
        for (n, (path, template, field, value)) in Self.wrongTypes.enumerated() {
            let file = path.replacingOccurrences(of: ".md", with: "-\(n).md")
            let yaml = template.replacingOccurrences(of: "FIELD", with: "\(field): \(value)")
            files[file] = "---\n" + yaml + "---\nBody.\n"
            let line = 1 + (yaml.split(separator: "\n", omittingEmptySubsequences: false)
                .firstIndex { $0.contains("\(field): \(value)") } ?? -1) + 1
            expected.append((file, line, field))
        }
        let report = try check(files)
        for (file, line, field) in expected {
            let found = report.diagnostics.contains {
                $0.severity == .error && $0.location.path == file && $0.location.line == line && $0.message.contains("`\(field)`")
            }
            let there = headlines(report.diagnostics.filter { $0.location.path == file })
            XCTAssertTrue(found, "no error about `\(field)` at \(file):\(line); got \(there)")
        }
    }

    // MARK: Encodings

    func testInvalidUTF8IsAnErrorAtTheBadByte() throws {
        let site = try TempSite(Self.base)
        try site.write("content/latin1.md", data: Data("Caf".utf8) + Data([0xE9]) + Data(" au lait\n".utf8))
        XCTAssertEqual(errors(site.check()), ["content/latin1.md:1:4: error: invalid UTF-8 byte sequence"])
    }

    func testUTF16WithAndWithoutByteOrderMarkIsAnError() throws {
        let site = try TempSite(Self.base)
        let text = "---\ntitle: Wide\n---\nBody\n"
        try site.write("content/bom.md", data: Data([0xFF, 0xFE]) + text.data(using: .utf16LittleEndian)!)
        try site.write("content/nobom.md", data: text.data(using: .utf16BigEndian)!)
        let e = errors(site.check())
        XCTAssertEqual(e, ["content/bom.md:1:1: error: file is UTF-16; Waymark reads UTF-8",
                           "content/nobom.md:1:1: error: file contains a NUL byte"], "\(e)")
    }

    func testNULBytesAreAnErrorAtTheirPosition() throws {
        let site = try TempSite(Self.base)
        try site.write("content/nul.md", data: Data("# Title\n\nab".utf8) + Data([0]) + Data("cd\n".utf8))
        XCTAssertEqual(errors(site.check()), ["content/nul.md:3:3: error: file contains a NUL byte"])
    }

    // MARK: Extreme but legal input

    func testATwentyMegabyteFileBuilds() throws {
        let paragraph = String(repeating: "Customers describe the same journey in different words. ", count: 18) + "\n\n"
        let count = 20 * 1024 * 1024 / paragraph.utf8.count + 1
        let site = try TempSite(["content/huge.md": "# Huge\n\n" + String(repeating: paragraph, count: count)])
        let report = run(site, within: 120, "a 20 MB file")
        XCTAssertNotNil(report)
        if let report { assertNoDiagnostics(report) }
    }

    func testAFileOverThirtyTwoMegabytesIsRefusedWithoutReadingIt() throws {
        let site = try TempSite(Self.base)
        let url = site.root.appendingPathComponent("content/enormous.md")
        XCTAssertTrue(FileManager.default.createFile(atPath: url.path, contents: nil))
        let handle = try FileHandle(forWritingTo: url)
        try handle.truncate(atOffset: 40 * 1024 * 1024)  // sparse: nothing is written
        try handle.close()
        XCTAssertEqual(errors(site.check()), ["content/enormous.md:1:1: error: file is 40 MB; the limit is 32 MB"])
        // Just over the limit, the size never reads as the limit itself.
        for (size, message) in [(34_177_876, "file is 32.5 MB; the limit is 32 MB"),
                                (32 * 1_048_576 + 1, "file is 33,554,433 bytes; the limit is 33,554,432 bytes")] {
            let handle = try FileHandle(forWritingTo: url)
            try handle.truncate(atOffset: UInt64(size))
            try handle.close()
            XCTAssertEqual(errors(site.check()), ["content/enormous.md:1:1: error: \(message)"])
        }
    }

    func testAFourHundredThousandLineListBuilds() throws {
        var text = "# List\n\n"
        text.reserveCapacity(5_000_000)
        for i in 0..<400_000 { text += "- item \(i)\n" }
        let site = try TempSite(["content/list.md": text])
        let report = run(site, within: 120, "a 400,000-line list")
        XCTAssertNotNil(report)
        if let report { assertNoDiagnostics(report) }
    }

    func testTwentyThousandNestedBlockquotesBuild() throws {
        let site = try TempSite(["content/quotes.md": String(repeating: ">", count: 20_000) + " deep\n"])
        let report = run(site, write: true, within: 60, "20,000 nested blockquotes")
        XCTAssertNotNil(report)
        if let report { assertNoDiagnostics(report) }
        XCTAssertTrue(site.html("quotes/index.html")?.contains("deep") ?? false)
    }

    func testTwentyThousandNestedEmphasisStopsWithALimitNotAStackOverflow() throws {
        let body = String(repeating: "*a ", count: 20_000) + "[[nowhere]]" + String(repeating: " a*", count: 20_000) + "\n"
        let site = try TempSite(["content/emphasis.md": "# E\n\n" + body])
        let report = run(site, write: true, within: 60, "20,000 nested emphasis")
        let e = report.map(errors) ?? []
        XCTAssertEqual(e, ["content/emphasis.md:3:301: error: Markdown nests more than 100 levels deep here (emphasis, links or images inside each other)"])
        // `waymark render` has no scan step to stop it: it renders, leaving the deepest level as text.
        let html = StandaloneRender.html(markdown: body, unsafe: false, headingAnchors: true)
        XCTAssertTrue(html.contains("[[nowhere]]"))
    }

    func testNestedImagesStopWithALimit() throws {
        let body = String(repeating: "![", count: 5_000) + "x" + String(repeating: "](a.png)", count: 5_000) + "\n"
        let report = try check(["content/images.md": body])
        XCTAssertTrue(errors(report).contains { $0.contains("nests more than 100 levels") }, "\(errors(report).prefix(3))")
    }

    func testThousandsOfLinksInOneParagraphStayLinear() throws {
        // 10,000 links in one sentence-less paragraph: each backlink sentence was cut out of the whole
        // paragraph, and each column counted from the start of the line (4,000 links took 27 s).
        let site = try TempSite(["content/b.md": "# B\n", "content/a.md": String(repeating: "word [[b]] ", count: 10_000) + "\n"])
        let report = run(site, within: 60, "10,000 links in one paragraph")
        if let report { assertNoDiagnostics(report) }
    }

    func testThirtyThousandHeadingsWithOneNameGetNumberedAnchors() throws {
        let site = try TempSite(["content/h.md": String(repeating: "## Notes\n\n", count: 30_000) + "[[#notes-29999]]\n"])
        let report = run(site, within: 60, "30,000 headings")
        if let report { assertNoDiagnostics(report) }
    }

    func testAPipeTableThatWouldPadToMillionsOfCellsIsShownAsText() throws {
        let columns = 3_000
        let table = "|" + String(repeating: "a|", count: columns) + "\n|" + String(repeating: "-|", count: columns) + "\n"
            + String(repeating: "x\n", count: 3_000)
        let site = try TempSite(["content/t.md": table])
        let report = run(site, within: 60, "a 3,000 × 3,000 table")
        XCTAssertEqual(report.map { headlines($0.diagnostics) } ?? [],
                       ["content/t.md:1:1: warning: pipe table has more than 100000 cells; it is shown as text"])
    }

    /// Found by fuzzing (AddressSanitizer: heap-use-after-free): cells beyond the header's width were
    /// freed with the table's paragraph while their links and raw HTML were still to be rewritten.
    func testTableCellsBeyondTheHeaderAreDroppedWithTheirLinksAndRawHTML() throws {
        let table = "| a | b |\n|---|---|\n| x | y | <b>raw</b> [link](https://example.com) *[[b]] ![i](https://example.com/i.png)* |\n| z |\n\n<div>after</div>\n"
        let site = try TempSite(["content/b.md": "# B\n", "content/t.md": table])
        let report = site.build()
        XCTAssertEqual(headlines(report.diagnostics), ["content/t.md:3:11: warning: raw HTML is shown as text, here and on line 6"])
        let html = try XCTUnwrap(site.html("t/index.html"))
        XCTAssertFalse(html.contains("raw") || html.contains("example.com"), html)
        XCTAssertTrue(html.contains("&lt;div&gt;after&lt;/div&gt;"), html)
        XCTAssertEqual(html.components(separatedBy: "<td").count - 1, 4, "two body rows of two cells")
    }

    /// A table right under a line of text (`**Scores**` then the header row), as GitHub shows it: the
    /// line stays a paragraph and the rest is a table, its links checked and rendered. A paragraph
    /// with a `|` in a later line that starts no table stays a paragraph.
    func testATableRightUnderALineOfTextIsATable() throws {
        let site = try TempSite(["content/b.md": "# B\n",
                                 "content/t.md": "# T\n\n**Scores**\nby team\n| a | b |\n|---|:-:|\n| 1 | [[b]] |\n\nplain\nx | y\nmore\n"])
        assertNoDiagnostics(site.build())
        let html = try XCTUnwrap(site.html("t/index.html"))
        XCTAssertTrue(html.contains("<p><strong>Scores</strong>\nby team</p>\n<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"Table: a, b\">"), html)
        XCTAssertTrue(html.contains(#"<a href="/b/" class="wikilink wikilink-page">B</a>"#), html)
        XCTAssertTrue(html.contains("<th class=\"align-center\">"), html)
        XCTAssertTrue(html.contains("<p>plain\nx | y\nmore</p>"), html)
        XCTAssertTrue(try XCTUnwrap(site.html("b/index.html")).contains(#"href="/t/""#), "the table's link is a backlink")
    }

    func testManyBrokenLinksWithLongNamesGetNoHintsInsteadOfStalling() throws {
        var files: [String: String] = [:]
        for i in 0..<200 { files["content/p\(i).md"] = "# Page number \(i) " + String(repeating: "x", count: 200) + "\n" }
        files["content/a.md"] = (0..<2_000).map { "[[" + String(repeating: "q", count: 500) + "\($0)]]" }.joined(separator: " ")
        let site = try TempSite(files)
        let report = run(site, within: 60, "2,000 broken links with long names")
        XCTAssertEqual(report?.diagnostics.errorCount, 2_000)
    }

    func testTheBandedEditDistanceAgreesWithTheFullOneUpToItsLimit() {
        var state: UInt64 = 42
        func next(_ n: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(n))
        }
        let letters = Array("abcé-")
        for _ in 0..<3_000 {
            let a = String((0..<next(12)).map { _ in letters[next(letters.count)] })
            let b = String((0..<next(12)).map { _ in letters[next(letters.count)] })
            let limit = next(6)
            let full = editDistance(a, b)
            XCTAssertEqual(Suggestions.distance(Array(a), Array(b), limit: limit), full <= limit ? full : nil, "\(a) \(b) \(limit)")
        }
    }

    // MARK: The site graph

    func testAParentCycleOfThreeJourneysIsOneError() throws {
        func journey(_ parent: String) -> String {
            "---\ntitle: J\npersonas: [personas/sam]\nparent: journeys/\(parent)\nstages: [{name: S}]\n---\n"
        }
        let report = try check(["content/journeys/a.md": journey("b"), "content/journeys/b.md": journey("c"), "content/journeys/c.md": journey("a")])
        XCTAssertEqual(errors(report), ["content/journeys/a.md:4:9: error: journey parents form a cycle: journeys/a → journeys/b → journeys/c → journeys/a"])
    }

    func testIdsThatDifferOnlyInCaseCollide() throws {
        let report = try check(["content/personas/Sam.md": "---\ntitle: Big Sam\n---\n"])
        XCTAssertEqual(errors(report), ["content/personas/sam.md:1:1: error: content/personas/sam.md and content/personas/Sam.md have ids that differ only in case `personas/sam`"])
    }

    func testAFolderIndexAndReadmeCollide() throws {
        let report = try check(["content/guide/index.md": "# Guide\n", "content/guide/README.md": "# Readme\n"])
        XCTAssertEqual(errors(report), ["content/guide/index.md:1:1: error: content/guide/index.md and content/guide/README.md have the same id `guide`"])
    }

    // MARK: File names and the file system

    func testFileNamesWithSpacesAndUnicodeBuildAndLinkAndDotFilesAreSkipped() throws {
        let site = try TempSite([
            "content/meeting notes.md": "# Meeting notes\n\nSee [[café crème]] and [x](<café crème.md>).\n",
            "content/café crème.md": "# Café crème\n",
            "content/.hidden.md": "# Hidden\n\n[[nowhere]]\n",
            "content/.git/config.md": "# Not content\n",
        ])
        let report = site.build()
        assertNoDiagnostics(report)
        XCTAssertNotNil(site.html("meeting notes/index.html"))
        XCTAssertNotNil(site.html("café crème/index.html"))
        XCTAssertNil(site.html(".hidden/index.html"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: site.output.appendingPathComponent(".git").path))
        let html = try XCTUnwrap(site.html("meeting notes/index.html"))
        XCTAssertTrue(html.contains("href=\"/caf%C3%A9%20cr%C3%A8me/\""), html)
    }

    func testSymlinksAreReportedAndNeverFollowedNotEvenInALoop() throws {
        let site = try TempSite(["content/page.md": "# Page\n"])
        let content = site.root.appendingPathComponent("content")
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: content.appendingPathComponent("loop").path, withDestinationPath: ".")
        try fm.createDirectory(at: content.appendingPathComponent("deep"), withIntermediateDirectories: true)
        try fm.createSymbolicLink(atPath: content.appendingPathComponent("deep/up").path, withDestinationPath: "..")
        try fm.createSymbolicLink(atPath: content.appendingPathComponent("etc").path, withDestinationPath: "/etc")
        try fm.createSymbolicLink(atPath: content.appendingPathComponent("passwd.md").path, withDestinationPath: "/etc/passwd")
        try fm.createSymbolicLink(atPath: content.appendingPathComponent("dangling.md").path, withDestinationPath: "/nonexistent/x.md")
        let report = site.build()
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/dangling.md: warning: symbolic link is not followed",
            "content/deep/up: warning: symbolic link is not followed",
            "content/etc: warning: symbolic link is not followed",
            "content/loop: warning: symbolic link is not followed",
            "content/passwd.md: warning: symbolic link is not followed",
        ])
        XCTAssertTrue(report.wrote)
        let written = snapshot(site.output).keys
        XCTAssertFalse(written.contains { $0.hasPrefix("etc") || $0.hasPrefix("passwd") || $0.hasPrefix("loop") }, "\(written.sorted())")
        XCTAssertFalse(snapshot(site.output).values.contains { String(decoding: $0, as: UTF8.self).contains("root:x:0:0") })
    }

    func testAnUnreadableFileIsAnErrorNamingIt() throws {
        let site = try TempSite(Self.base.merging(["content/secret.md": "# Secret\n"]) { $1 })
        let url = site.root.appendingPathComponent("content/secret.md")
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: url.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path) }
        if FileManager.default.isReadableFile(atPath: url.path) {
            throw XCTSkip("running as root (or with CAP_DAC_OVERRIDE): chmod 000 does not stop this process reading the file")
        }
        let e = errors(site.check())
        XCTAssertEqual(e.count, 1)
        XCTAssertTrue(e.first?.hasPrefix("content/secret.md:1:1: error: cannot read file") ?? false, "\(e)")
    }

    /// Files copied as they are, unreadable: every one is reported by `check`, not the first by a failed write.
    func testUnreadableFilesBesideThePagesAreEachAnError() throws {
        let site = try TempSite(Self.base.merging(["content/a.png": "a", "content/b.png": "b"]) { $1 })
        for name in ["a.png", "b.png"] {
            try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: site.root.appendingPathComponent("content/" + name).path)
        }
        defer {
            for name in ["a.png", "b.png"] {
                try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: site.root.appendingPathComponent("content/" + name).path)
            }
        }
        if FileManager.default.isReadableFile(atPath: site.root.appendingPathComponent("content/a.png").path) {
            throw XCTSkip("running as root (or with CAP_DAC_OVERRIDE): chmod 000 does not stop this process reading the file")
        }
        XCTAssertEqual(errors(site.check()), ["content/a.png: error: cannot read file: Permission denied", "content/b.png: error: cannot read file: Permission denied"])
    }

    /// A name that is not text (bytes that are not UTF-8) is an error naming it, not "no such file".
    func testFileNamesThatAreNotUTF8AreErrors() throws {
        let site = try TempSite(Self.base)
        for name: [UInt8] in [Array("bad".utf8) + [0xFF] + Array("name.md".utf8), Array("img".utf8) + [0xFE] + Array(".png".utf8)] {
            let path = Array((site.root.path + "/content/").utf8) + name + [0]
            let file = path.withUnsafeBufferPointer { fopen(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), "w") }
            guard let file else { throw XCTSkip("this file system refuses names that are not UTF-8") }
            fputs("---\ntitle: X\n---\n", file)
            fclose(file)
        }
        XCTAssertEqual(errors(site.check()), ["content/bad\u{FFFD}name.md: error: the name is not valid UTF-8 (\u{FFFD} marks the bytes that are not)",
                                              "content/img\u{FFFD}.png: error: the name is not valid UTF-8 (\u{FFFD} marks the bytes that are not)"])
    }

    func testAConfigurationThatIsAFolderAndContentThatIsAFileAreErrors() throws {
        let site = try TempSite(Self.base)
        try? FileManager.default.removeItem(at: site.root.appendingPathComponent("waymark.yml"))
        try FileManager.default.createDirectory(at: site.root.appendingPathComponent("waymark.yml"), withIntermediateDirectories: true)
        XCTAssertEqual(errors(site.check()), ["waymark.yml: error: waymark.yml: it is a folder, not a file"])
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("waymark.yml"))
        try FileManager.default.removeItem(at: site.root.appendingPathComponent("content"))
        try site.write("content", "not a folder\n")
        XCTAssertEqual(errors(site.check()), ["content/: error: is a file, not a folder"])
    }

    /// `links: warning` reads as a setting and set nothing, under a warning that suggested `links`
    /// for `links`: now an error at the value that shows how to write it.
    func testASettingWrittenAsTheSectionsValueSaysHowToWriteIt() throws {
        let site = try TempSite(Self.base)
        try site.write("waymark.yml", "links: warning\nglossary: off\nmarkdown: {unsafe: true}\n")
        let report = site.check()
        XCTAssertEqual(errors(report), [
            "waymark.yml:1:8: error: `links` holds settings, not a value: `links.broken` is probably meant",
            "waymark.yml:2:11: error: `glossary` holds settings, not a value: `glossary.autolink` is probably meant",
        ])
        XCTAssertTrue(report.diagnostics.contains { $0.hint == "write `links: {broken: warning}` (or `links.broken: warning`); broken is one of error, warning" },
                      DiagnosticFormat.human.render(report.diagnostics))
        XCTAssertFalse(report.diagnostics.contains { $0.message.contains("unknown key") }, DiagnosticFormat.human.render(report.diagnostics))
        // A value the setting does not take is not suggested back (`autolink: false` is an error too).
        try site.write("waymark.yml", "glossary: false\n")
        XCTAssertEqual(site.check().diagnostics.first?.hint, "write `glossary: {autolink: off}` (or `glossary.autolink: off`); autolink is one of first, all, off")
    }

    /// Word's soft return (U+000B) pasted into a summary made the Atom feed ill-formed XML, which
    /// feed readers refuse whole: control characters are written as spaces wherever text is escaped.
    func testAControlCharacterInTextNeverReachesTheFeedOrThePage() throws {
        let site = try TempSite(Self.base.merging([
            "content/research/w.md": "---\ntitle: \"Word\\vpaste\"\nmethod: survey\ndate: 2026-01-01\n---\nSoft\u{0B}return and a bell\u{07}.\n",
        ]) { $1 })
        XCTAssertEqual(site.build().diagnostics.errorCount, 0)
        let feed = try XCTUnwrap(site.html("research/feed.xml"))
        XCTAssertTrue(feed.contains("<summary>Soft return and a bell .</summary>"), feed)
        XCTAssertTrue(feed.contains("<title>Word paste</title>"), feed)
        let page = try XCTUnwrap(site.html("research/w/index.html"))
        for text in [feed, page, try XCTUnwrap(site.html("sitemap.xml"))] {
            XCTAssertFalse(text.utf8.contains { isForbiddenControl($0) }, text)
        }
        XCTAssertEqual(escapeHTML("a\u{0B}b\u{7F}c\td\r\ne"), "a b c\td\r\ne")
        // A title reaches link labels that no template escapes (a wikilink to the page): made clean at load.
        try site.write("content/guides/g.md", "---\ntitle: G\n---\nSee [[research/w]].\n")
        XCTAssertEqual(site.build().diagnostics.errorCount, 0)
        let g = try XCTUnwrap(site.html("guides/g/index.html"))
        XCTAssertTrue(g.contains(">Word paste</a>") && !g.utf8.contains { isForbiddenControl($0) }, g)
        // In the word-at-a-time scan and in the tail after it; tabs, line breaks and non-ASCII text are kept.
        XCTAssertEqual(SourceText.controlsAsSpaces("0123456\u{0B}89abcdéf\tghij\nklmn\u{7F}op\u{1F}"), "0123456 89abcdéf\tghij\nklmn op ")
        XCTAssertEqual(SourceText.controlsAsSpaces("plain\ttext, ü, ☃\n"), "plain\ttext, ü, ☃\n")
    }

    func testAnUnreadableFolderIsAnErrorNamingIt() throws {
        let site = try TempSite(Self.base.merging(["content/locked/page.md": "# Locked\n"]) { $1 })
        let url = site.root.appendingPathComponent("content/locked")
        try FileManager.default.setAttributes([.posixPermissions: 0], ofItemAtPath: url.path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path) }
        if (try? FileManager.default.contentsOfDirectory(atPath: url.path)) != nil {
            throw XCTSkip("running as root (or with CAP_DAC_OVERRIDE): chmod 000 does not stop this process listing the folder")
        }
        XCTAssertTrue(errors(site.check()).first?.hasPrefix("content/locked: error: cannot read folder") ?? false)
    }

    func testTheCommandLineExitsNonzeroAndNamesTheFile() throws {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("waymark")
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw XCTSkip("the waymark executable is not built next to the tests (\(executable.path))")
        }
        let site = try TempSite(["content/bad.md": "---\ntitle: [unclosed\n---\n"])
        let process = Process()
        process.executableURL = executable
        process.arguments = ["check", "--root", site.root.path]
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = Pipe()
        try process.run()
        let text = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 1)
        XCTAssertTrue(text.contains("content/bad.md:3:1: error: malformed YAML"), text)
    }
}

/// Written by the one thread that runs the build, read after it signals.
private final class ReportBox: @unchecked Sendable {
    var report: BuildReport?
}
