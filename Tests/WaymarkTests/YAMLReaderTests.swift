import Foundation
import XCTest
@testable import Waymark

/// Front matter read straight from libyaml's events: values, kinds and exact positions, and every
/// problem reported where it is, as it was when Waymark composed YAML with Yams.
final class YAMLReaderTests: XCTestCase {
    private func parse(_ yaml: String, firstLine: Int = 2) -> Result<YAMLValue?, Diagnostic> {
        YAMLDocument.parse(yaml, path: "content/a.md", firstLine: firstLine)
    }

    private func value(_ yaml: String, firstLine: Int = 2, file: StaticString = #filePath, line: UInt = #line) throws -> YAMLValue {
        switch parse(yaml, firstLine: firstLine) {
        case .success(let v?): return v
        case .success(nil): XCTFail("empty document", file: file, line: line)
        case .failure(let d): XCTFail("\(d.location.line):\(d.location.column): \(d.message)", file: file, line: line)
        }
        throw XCTSkip("no value")
    }

    private func error(_ yaml: String, firstLine: Int = 2) -> Diagnostic? {
        if case .failure(let d) = parse(yaml, firstLine: firstLine) { return d }
        return nil
    }

    private func at(_ line: Int, _ column: Int) -> SourceLocation {
        SourceLocation(path: "content/a.md", line: line, column: column)
    }

    private func entries(_ v: YAMLValue) -> [YAMLEntry] {
        if case .mapping(let e, _) = v { return e }
        return []
    }

    private func scalar(_ v: YAMLValue?) -> (String, YAMLValue.ScalarKind)? {
        if case .scalar(let s, let k, _)? = v { return (s, k) }
        return nil
    }

    private func kind(_ text: String) throws -> YAMLValue.ScalarKind? {
        scalar(entries(try value("x: " + text)).first?.value)?.1
    }

    // MARK: Positions

    func testNestedValuesKeepTheirFileLineAndColumn() throws {
        let yaml = """
            title: Asthma
            stages:
              - name: Diagnosis
                touchpoints:
                  - {name: GP, channel: phone}
            """
        let root = try value(yaml, firstLine: 2)
        XCTAssertEqual(root.location, at(2, 1))
        let top = entries(root)
        XCTAssertEqual(top.map(\.key), ["title", "stages"])
        XCTAssertEqual(top[0].keyLocation, at(2, 1))
        XCTAssertEqual(top[0].value.location, at(2, 8))
        guard case .sequence(let stages, let stagesAt) = top[1].value else { return XCTFail("stages is not a list") }
        XCTAssertEqual(stagesAt, at(4, 3))
        let stage = entries(stages[0])
        XCTAssertEqual(stage[0].keyLocation, at(4, 5))
        XCTAssertEqual(stage[0].value.location, at(4, 11))
        guard case .sequence(let touchpoints, _) = stage[1].value else { return XCTFail("touchpoints is not a list") }
        let tp = entries(touchpoints[0])
        XCTAssertEqual(touchpoints[0].location, at(6, 9))
        XCTAssertEqual(tp.map(\.key), ["name", "channel"])
        XCTAssertEqual(tp[1].keyLocation, at(6, 20))
        XCTAssertEqual(tp[1].value.location, at(6, 29))
    }

    func testColumnsCountCharactersNotBytes() throws {
        let e = entries(try value("größe: [ä, ö]\nname: ✓ done\n", firstLine: 1))
        guard case .sequence(let items, _) = e[0].value else { return XCTFail() }
        XCTAssertEqual(items[1].location, at(1, 12))
        XCTAssertEqual(scalar(e[1].value)?.0, "✓ done")
        XCTAssertEqual(e[1].value.location, at(2, 7))
    }

    // MARK: Scalars

    func testScalarKindsAreDecidedAsBefore() throws {
        let cases: [(String, YAMLValue.ScalarKind)] = [
            ("yes", .bool), ("No", .bool), ("YeS", .bool), ("off", .bool), ("\"yes\"", .string), ("'true'", .string), ("!!str yes", .string),
            ("12", .int), ("-3", .int), ("+5", .int), ("1_000", .int), ("0x1F", .int), ("017", .int), ("0b101", .int), ("1:30", .int),
            ("\"12\"", .string), ("'12'", .string), ("09", .float),
            ("1.5", .float), ("1e3", .float), (".5", .float), (".inf", .float), ("-.Inf", .float), (".NaN", .float), ("nan", .float), ("1:30.5", .float),
            ("2026-03-14", .timestamp), ("2026-3-4", .timestamp), ("2026-03-14T10:00:00Z", .timestamp), ("2026-03-14 10:00:00 +01:00", .timestamp),
            ("~", .null), ("null", .null), ("NULL", .null), ("''", .string), ("'null'", .string), ("\"~\"", .string),
            ("Customer segment", .string), ("personas/sam", .string), ("2026-03-14x", .string), ("|\n  yes\n", .string), (">\n  12\n", .string),
            // Base 60 with more places than an Int holds: only read, never computed, so it cannot overflow.
            ("1:2:3:4:5:6:7:8:9:10:11:12:13", .int),
            // Words that start with a letter (settled without parsing them), and the numbers that do.
            ("infinity", .float), ("Infinity", .float), ("n_a_n", .float), ("inflation", .string), ("nancy", .string),
            ("Sales team", .string), ("territory", .string), ("Offline", .string), ("snapshot", .string), ("service", .string),
            ("name", .string), ("owner", .string), ("nUll", .string), ("Null", .null), ("ON", .bool), ("inf", .float), ("snan", .float), ("nan(1)", .float),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(try kind(text), expected, text)
        }
        XCTAssertEqual(scalar(entries(try value("x:\n")).first?.value)?.1, .null, "an empty value is nothing")
    }

    func testBlockAndFlowScalarsAndMultiLineStrings() throws {
        let yaml = """
            literal: |
              line one
                indented
              line three
            folded: >
              folded
              into one
            plain: a plain
              value over lines
            quoted: "with \\"escapes\\" and \\u00e9
              folded"
            single: 'it''s'
            keep: |+
              kept

            strip: |-
              stripped
            """
        let e = entries(try value(yaml))
        let values = Dictionary(uniqueKeysWithValues: e.map { ($0.key, scalar($0.value)?.0 ?? "?") })
        XCTAssertEqual(values["literal"], "line one\n  indented\nline three\n")
        XCTAssertEqual(values["folded"], "folded into one\n")
        XCTAssertEqual(values["plain"], "a plain value over lines")
        XCTAssertEqual(values["quoted"], "with \"escapes\" and é folded")
        XCTAssertEqual(values["single"], "it's")
        XCTAssertEqual(values["keep"], "kept\n\n")
        XCTAssertEqual(values["strip"], "stripped")
        XCTAssertTrue(e.allSatisfy { scalar($0.value)?.1 == .string })
    }

    func testUnicodeKeysAndValues() throws {
        let e = entries(try value("titre: Café crème\n名前: 患者の旅\nemoji: \"🫁 breathe\"\n"))
        XCTAssertEqual(e.map(\.key), ["titre", "名前", "emoji"])
        XCTAssertEqual(e.map { scalar($0.value)?.0 }, ["Café crème", "患者の旅", "🫁 breathe"])
    }

    // MARK: Anchors and aliases

    func testAnAliasIsTheAnchoredValueWithItsPosition() throws {
        let e = entries(try value("goals: &g [breathe, sleep]\nneeds: *g\nname: &n Sam\nalso: *n\n"))
        guard case .sequence(let needs, let needsAt) = e[1].value else { return XCTFail("needs is not a list") }
        XCTAssertEqual(needs.compactMap { scalar($0)?.0 }, ["breathe", "sleep"])
        XCTAssertEqual(needsAt, at(2, 8), "where the anchored list was written, its anchor first")
        XCTAssertEqual(scalar(e[3].value)?.0, "Sam")
    }

    func testALaterAnchorOfTheSameNameWins() throws {
        let e = entries(try value("a: &x one\nb: &x two\nc: *x\n"))
        XCTAssertEqual(scalar(e[2].value)?.0, "two")
    }

    func testAnAliasedScalarMayBeAKey() throws {
        let e = entries(try value("k: &k title\n*k : Sam\n"))
        XCTAssertEqual(e.map(\.key), ["k", "title"])
    }

    func testAnUndefinedAliasIsAnErrorAtTheAlias() {
        let d = error("a: 1\nb: *nowhere\n")
        XCTAssertEqual(d?.location, at(3, 4))
        XCTAssertEqual(d?.message, "malformed YAML: found undefined alias")
        XCTAssertNotNil(d?.hint)
    }

    func testAnAnchorCannotReferToItself() {
        XCTAssertEqual(error("a: &a [1, *a]\n")?.message, "malformed YAML: found undefined alias")
    }

    func testTheAliasBudgetCountsKeysAndExpandedAliases() {
        let yaml = "a: &a [1, 2]\nb: *a\nc: [*a, *a]\n"
        XCTAssertNotNil(try? parse(yaml).get())
        XCTAssertNil(YAMLExpansion.firstOverflow(yaml, limit: 17))
        XCTAssertEqual(YAMLExpansion.firstOverflow(yaml, limit: 16), YAMLExpansion.Overflow(line: 3, column: 9, throughAliases: true))
        // Without aliases it is only long.
        XCTAssertEqual(YAMLExpansion.firstOverflow("[1, 2, 3]", limit: 3), YAMLExpansion.Overflow(line: 1, column: 8, throughAliases: false))
    }

    func testABombIsStoppedAtTheAnchorThatGoesOverTheLimitEvenAfterADuplicateKey() {
        // Yams composed nothing before the count, so the bomb was reported even after a duplicate key.
        var lines = ["a: {x: 1, x: 2}", "lol0: &lol0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
        for n in 1...9 { lines.append("lol\(n): &lol\(n) [" + Array(repeating: "*lol\(n - 1)", count: 10).joined(separator: ", ") + "]") }
        let d = error(lines.joined(separator: "\n"))
        XCTAssertEqual(d?.location.line, 7)
        XCTAssertEqual(d?.message, "front matter expands to more than 100000 values")
    }

    // MARK: Keys

    func testDuplicateKeysAreReportedAtTheSecondOccurrence() {
        XCTAssertEqual(error("title: A\nquote: one\ntitle: B\n")?.location, at(4, 1))
        XCTAssertEqual(error("title: A\nquote: one\ntitle: B\n")?.message, "duplicate key `title` in front matter")
        // Nested, in a flow mapping, and written once plain and once quoted.
        XCTAssertEqual(error("stages:\n  - name: a\n    goal: b\n    name: c\n")?.location, at(5, 5))
        XCTAssertEqual(error("x: {a: 1, b: 2, a: 3}\n")?.location, at(2, 17))
        XCTAssertEqual(error("a: 1\n\"a\": 2\n")?.location, at(3, 1))
        // Several: all named, sorted, at the first one's repetition.
        let d = error("b: 1\na: 1\nb: 2\na: 2\nb: 3\n")
        XCTAssertEqual(d?.message, "duplicate key `a`, `b` in front matter")
        XCTAssertEqual(d?.location, at(5, 1))
        XCTAssertEqual(d?.hint, "each key may appear once; merge the values or remove one")
    }

    func testKeysOfDifferentTypesAreDifferentKeys() throws {
        XCTAssertEqual(entries(try value("1: a\n\"1\": b\nyes: c\n'yes': d\n")).map(\.key), ["1", "1", "yes", "yes"])
    }

    func testDuplicatesInALongMappingAreFound() {
        let keys = (0..<200).map { "k\($0): v" } + ["k150: again"]
        XCTAssertEqual(error(keys.joined(separator: "\n"))?.location, at(202, 1))
    }

    func testAKeyThatIsNotTextIsAnError() {
        let d = error("? [a, b]\n: c\n")
        XCTAssertEqual(d?.message, "a front-matter key must be text, not a list")
        XCTAssertEqual(d?.location, at(2, 3))
    }

    func testMergeKeysAreOrdinaryKeysAsBefore() throws {
        let e = entries(try value("base: &b {owner: it}\n<<: *b\n"))
        XCTAssertEqual(e.map(\.key), ["base", "<<"])
    }

    // MARK: Problems

    func testSyntaxErrorsNameTheProblemAndTheContextLine() {
        let d = error("title: Fine\ntags: [one, two\nowner: x\n")
        XCTAssertEqual(d?.location.line, 4)
        XCTAssertEqual(d?.message.hasPrefix("malformed YAML: "), true)
        XCTAssertEqual(d?.message.contains("at line 3)"), true, d?.message ?? "")
        XCTAssertEqual(d?.hint, YAMLReader.hint)
    }

    func testASecondDocumentIsAnError() {
        let d = error("a: 1\n--- \nb: 2\n", firstLine: 1)
        XCTAssertEqual(d?.message, "malformed YAML: but found another document (expected a single document in the stream at line 1)")
        XCTAssertEqual(d?.location, at(2, 1))
    }

    func testDeepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000)
        XCTAssertEqual(error("x: " + deep)?.location.line, 2)
    }

    func testEmptyAndCommentOnlyFrontMatterIsNothing() throws {
        XCTAssertNil(try parse("").get())
        XCTAssertNil(try parse("# just a comment\n").get())
    }

    // MARK: Implicit tags (for telling keys apart) agree with YAML 1.1's patterns

    func testImplicitTagsMatchTheRegularExpressionsTheyReplace() throws {
        let rules: [(YAMLScalar.Tag, String)] = [
            (.bool, "^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$"),
            (.int, "^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$"),
            (.float, "^(?:[-+]?(?:[0-9][0-9_]*)(?:\\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$"),
            (.merge, "^(?:<<)$"),
            (.null, "^(?:~|null|Null|NULL|)$"),
            (.timestamp, "^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \\t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$"),
            (.value, "^(?:=)$"),
        ]
        let compiled = try rules.map { ($0.0, try NSRegularExpression(pattern: $0.1)) }
        func expected(_ s: String) -> YAMLScalar.Tag {
            for (tag, regex) in compiled where regex.firstMatch(in: s, range: NSRange(location: 0, length: s.utf16.count)) != nil { return tag }
            return .str
        }
        var samples = ["", "~", "null", "Null", "nULL", "<<", "=", "yes", "YES", "yEs", "0", "00", "0o7", "0o", "0b", "0b12", "0x", "0xfF_", "+0x1",
                       "-0b1", "1_000", "_1", "1:2", "1:60", "1:59:59", "1:5:", "1.", ".5", "._", ".5e+3", ".5e3", "1e3", "1e", "1.5E-10", "+.inf", ".nan",
                       "-.nan", "1:30.5", "1:30", "2026-03-14", "2026-3-14", "2026-03-14T10:00:00", "2026-3-4 1:00:00.5 +1:00", "2026-03-14 10:00:00Z",
                       "2026-03-14t10:00:00 \t-05", "2026-03-14 10:00:00 ", "title", "personas/sam", "Sam"]
        // And random strings over the characters these patterns care about.
        var state: UInt64 = 7
        let alphabet = Array("0123456789_:.-+eExXoObBTtZ <>=~nula")
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            var s = ""
            for _ in 0..<Int((state >> 60) % 12) {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                s.append(alphabet[Int((state >> 33) % UInt64(alphabet.count))])
            }
            samples.append(s)
        }
        samples.append(contentsOf: (0..<2_000).map { "\(2000 + $0 % 30)-\($0 % 13)-\($0 % 32 < 10 ? "0" : "")\($0 % 32) \($0 % 24):\($0 % 60):\($0 % 61)" })
        for s in samples {
            XCTAssertEqual(YAMLScalar.Tag.implicit(Array(s.utf8)), expected(s), "\"\(s)\"")
        }
    }

    // MARK: Through a build

    func testAKeyThatIsNotTextFailsTheBuildAtTheKey() throws {
        let report = try TempSite(["content/a.md": "---\ntitle: A\n? {x: 1}\n: y\n---\n"]).check()
        XCTAssertEqual(headlines(report.diagnostics), ["content/a.md:3:3: error: a front-matter key must be text, not a mapping"])
    }
}
