import Foundation
import XCTest
@testable import Waymark

/// How diagnostics are printed for people, for programs and for GitHub annotations.
final class DiagnosticFormatTests: XCTestCase {
    let broken = Diagnostic.error(SourceLocation(path: "content/guides/start.md", line: 4, column: 6),
                                  "broken link [[personas/sma]]: no such page or file",
                                  hint: "did you mean [[personas/sam]]?")
    let warning = Diagnostic.warning(SourceLocation(path: "waymark.yml", line: 2, column: 1),
                                     "unknown key `titel` in waymark.yml is ignored")

    // MARK: human

    func testHumanIsPathLineColumnSeverityMessageThenIndentedHint() {
        XCTAssertEqual(DiagnosticFormat.human.render([broken]), """
            content/guides/start.md:4:6: error: broken link [[personas/sma]]: no such page or file
              hint: did you mean [[personas/sam]]?

            """)
    }

    func testHumanPrintsEveryDiagnosticAndWarningsWithoutHintHaveOneLine() {
        XCTAssertEqual(DiagnosticFormat.human.render([warning, broken]), """
            waymark.yml:2:1: warning: unknown key `titel` in waymark.yml is ignored
            content/guides/start.md:4:6: error: broken link [[personas/sma]]: no such page or file
              hint: did you mean [[personas/sam]]?

            """)
    }

    /// In a terminal the last lines are the ones seen: errors go after every warning, next to the
    /// summary, each group in file order. Programs (JSON, GitHub annotations) get file order.
    func testHumanPrintsWarningsFirstAndErrorsLastEachInFileOrder() {
        func at(_ path: String, _ line: Int) -> SourceLocation { SourceLocation(path: path, line: line, column: 1) }
        let sorted = [Diagnostic.error(at("content/a.md", 1), "e1"), .warning(at("content/a.md", 2), "w1"),
                      .warning(at("content/b.md", 1), "w2"), .error(at("content/c.md", 3), "e2"),
                      .warning(at("content/d.md", 1), "w3")]
        let lines = DiagnosticFormat.human.render(sorted).split(separator: "\n").map { $0.split(separator: " ").last.map(String.init) ?? "" }
        XCTAssertEqual(lines, ["w1", "w2", "w3", "e1", "e2"])
        XCTAssertEqual(DiagnosticFormat.human.render(sorted.filter { $0.severity == .warning }).split(separator: "\n").count, 3)
        let github = DiagnosticFormat.github.render(sorted).split(separator: "\n").map { $0.split(separator: ":").last.map(String.init) ?? "" }
        XCTAssertEqual(github, ["e1", "w1", "w2", "e2", "w3"])
    }

    func testHumanLeavesOutUnknownLineAndColumn() {
        let noLine = Diagnostic.error(SourceLocation(path: "content/"), "no content/ folder")
        let noColumn = Diagnostic.warning(SourceLocation(path: "content/a.md", line: 7), "something")
        XCTAssertEqual(DiagnosticFormat.human.render([noColumn, noLine]),
                       "content/a.md:7: warning: something\ncontent/: error: no content/ folder\n")
    }

    /// A file name with a line break or a terminal escape cannot fake a diagnostic or colour the terminal.
    func testHumanWritesOutControlCharactersInNamesAndMessages() {
        let d = Diagnostic.error(SourceLocation(path: "content/a\nb.md: error: fake\u{1B}[31m", line: 2, column: 1),
                                 "cannot read \u{7}x", hint: "rename\tit")
        XCTAssertEqual(DiagnosticFormat.human.render([d]),
                       "content/a\\nb.md: error: fake\\u{1B}[31m:2:1: error: cannot read \\u{7}x\n  hint: rename\\tit\n")
        XCTAssertEqual(DiagnosticFormat.visible("café ✓ plain"), "café ✓ plain")
    }

    func testNothingToReportPrintsNothing() {
        XCTAssertEqual(DiagnosticFormat.human.render([]), "")
        XCTAssertEqual(DiagnosticFormat.github.render([]), "")
    }

    // MARK: github

    func testGitHubIsAWorkflowCommandWithFileLineAndColumnAndTheHintOnASecondLine() {
        XCTAssertEqual(DiagnosticFormat.github.render([broken, warning]), """
            ::error file=content/guides/start.md,line=4,col=6::broken link [[personas/sma]]: no such page or file%0Ahint: did you mean [[personas/sam]]?
            ::warning file=waymark.yml,line=2,col=1::unknown key `titel` in waymark.yml is ignored

            """)
    }

    func testGitHubEscapesCommasColonsAndNewlinesInPropertiesAndNewlinesAndPercentInTheMessage() {
        let d = Diagnostic.error(SourceLocation(path: "content/a,b:c%.md", line: 1, column: 2), "50% done\r\nsecond line")
        XCTAssertEqual(DiagnosticFormat.github.render([d]),
                       "::error file=content/a%2Cb%3Ac%25.md,line=1,col=2::50%25 done%0D%0Asecond line\n")
    }

    /// An escape sequence a writer typed (colour, a terminal hyperlink, a bell) is written out, as the human format does.
    func testGitHubWritesOutControlCharacters() {
        let d = Diagnostic.error(SourceLocation(path: "content/x\u{1B}.md", line: 3, column: 50), "unknown persona `esc\u{1B}[31mRED\u{7}`")
        XCTAssertEqual(DiagnosticFormat.github.render([d]),
                       "::error file=content/x\\u{1B}.md,line=3,col=50::unknown persona `esc\\u{1B}[31mRED\\u{7}`\n")
    }

    func testGitHubLeavesOutUnknownLineAndColumn() {
        let d = Diagnostic.error(SourceLocation(path: "content/"), "no content/ folder")
        XCTAssertEqual(DiagnosticFormat.github.render([d]), "::error file=content/::no content/ folder\n")
    }

    func testGitHubOutputIsOneLinePerDiagnostic() {
        let d = Diagnostic.error(SourceLocation(path: "a\nb.md", line: 1, column: 1), "one\ntwo", hint: "three\nfour")
        let out = DiagnosticFormat.github.render([d])
        XCTAssertEqual(out.filter { $0 == "\n" }.count, 1, out)
    }

    // MARK: json

    func testJSONParsesAndCarriesEveryField() throws {
        let text = DiagnosticFormat.json.render([broken, warning])
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let rows = try XCTUnwrap(object["diagnostics"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 2)
        XCTAssertEqual(rows[0]["severity"] as? String, "error")
        XCTAssertEqual(rows[0]["path"] as? String, "content/guides/start.md")
        XCTAssertEqual(rows[0]["line"] as? Int, 4)
        XCTAssertEqual(rows[0]["column"] as? Int, 6)
        XCTAssertEqual(rows[0]["message"] as? String, "broken link [[personas/sma]]: no such page or file")
        XCTAssertEqual(rows[0]["hint"] as? String, "did you mean [[personas/sam]]?")
        XCTAssertEqual(rows[1]["severity"] as? String, "warning")
        XCTAssertEqual(rows[1]["path"] as? String, "waymark.yml")
        XCTAssertTrue(rows[1]["hint"] == nil || rows[1]["hint"] is NSNull)
        XCTAssertTrue(text.hasSuffix("\n"))
    }

    func testJSONOfNothingIsAnEmptyList() throws {
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(DiagnosticFormat.json.render([]).utf8)) as? [String: Any])
        XCTAssertEqual((object["diagnostics"] as? [Any])?.count, 0)
    }

    func testJSONEscapesQuotesAndNewlines() throws {
        let d = Diagnostic.error(SourceLocation(path: "content/\"q\".md", line: 1, column: 1), "line one\nline \"two\"")
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(DiagnosticFormat.json.render([d]).utf8)) as? [String: Any])
        let row = try XCTUnwrap((object["diagnostics"] as? [[String: Any]])?.first)
        XCTAssertEqual(row["path"] as? String, "content/\"q\".md")
        XCTAssertEqual(row["message"] as? String, "line one\nline \"two\"")
    }

    // MARK: order

    func testDiagnosticsSortByFileThenPositionThenErrorsFirst() {
        let a = Diagnostic.warning(SourceLocation(path: "content/b.md", line: 2, column: 1), "w")
        let b = Diagnostic.error(SourceLocation(path: "content/b.md", line: 2, column: 1), "e")
        let c = Diagnostic.error(SourceLocation(path: "content/b.md", line: 10, column: 1), "later")
        let d = Diagnostic.error(SourceLocation(path: "content/a.md", line: 99, column: 1), "first file")
        XCTAssertEqual([a, b, c, d].sorted(), [d, b, a, c])
    }

    /// `--root docs/kb` prints `docs/kb/content/…`; the current folder prints paths as they are; `/` gives one slash.
    func testHumanPathsAreFromWhereTheCommandRuns() {
        XCTAssertEqual(["docs/kb", "docs/kb/", ".", "./", "", "/", "/tmp/site"].map(DiagnosticFormat.humanPathPrefix(root:)),
                       ["docs/kb/", "docs/kb/", "", "", "", "/", "/tmp/site/"])
        let d = Diagnostic.error(SourceLocation(path: "content/a.md", line: 2, column: 3), "x")
        XCTAssertEqual(DiagnosticFormat.human.render([d, .error(SourceLocation(path: "--output"), "y")], humanPathPrefix: "docs/kb/"),
                       "docs/kb/content/a.md:2:3: error: x\n--output: error: y\n")
    }

}
