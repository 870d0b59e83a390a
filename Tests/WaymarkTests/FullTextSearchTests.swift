import Foundation
import XCTest
@testable import Waymark

/// Full-text search: every word of every page in shards under search/words/, found by the search
/// page's own script. The script's searching runs here in Node, on a built site's index and shards.
final class FullTextSearchTests: XCTestCase {
    static let filler = (1...120).map { "word\($0)" }.joined(separator: " ")
    static let otherFiller = (1...120).map { "line\($0)" }.joined(separator: " ")

    static let files = [
        "content/notes/long.md": "# Long note\n\n\(filler)\n\n## Later\n\nThe onboarding **champion** owns the Cafés list, with `configCode`.\n",
        "content/notes/short.md": "# Short note\n\nA champion, early on.\n",
        "content/notes/other.md": "# Other\n\nNothing of the kind: champagne only.\n",
        "content/personas/priya.md": "---\ntitle: Priya\ngoals: [Hit the practice's QOF targets]\n---\nPriya runs reviews.\n",
        "content/notes/contact.md": "# Contact\n\n\(otherFiller)\n\nAnswered by e-mail within a day.\n",
        "content/notes/inbox.md": "# Inbox\n\n\(otherFiller)\n\nThe shared email inbox and the follow up call.\n",
    ]

    func testWordsAreFoldedAsTheSearchPageFoldsThem() {
        XCTAssertEqual(SearchWords.words(ofText: "Café, CAFÉ cafe\u{301}s customer’s İstanbul 中文 x—y 2025 Straße"),
                       "cafe cafes customer s istanbul 中文 x y 2025 straße", "each word once, where it first appears")
        XCTAssertEqual(SearchWords.words(ofHTML: Array(#"""
            <h2 id="a">Heading &amp; more</h2><p>See <a href="/g/">un<em>usual</em></a> caf&#xE9; &#39;x&#39; &lt;b&gt;</p>
            <script>hidden()</script><p>Shown<br>again</p>
            """#.utf8)), "heading more see unusual cafe x b shown again")
        for tag in SearchWords.Words.inlineTags {
            XCTAssertEqual(SearchWords.words(ofHTML: Array("<p>un<\(tag) class=\"x\">us</\(tag)>ual</p>".utf8)), "unusual", "<\(tag)> is inline")
            XCTAssertEqual(SearchWords.words(ofHTML: Array("<p>un<\(tag.uppercased())>us</\(tag.uppercased())>ual</p>".utf8)), "unusual")
        }
        for tag in ["p", "li", "div", "br", "td", "h2", "section", "pre", "table", "emx", "spans", "", "!-- note --"] {
            XCTAssertEqual(SearchWords.words(ofHTML: Array("<p>one<\(tag)>two</p>".utf8)), "one two", "<\(tag)> ends a word")
        }
        XCTAssertEqual(SearchWords.words(ofText: ""), "")
        let many = (1...3000).map { "w\($0)" }
        XCTAssertEqual(SearchWords.words(ofText: (many + many.reversed()).joined(separator: " ")), many.joined(separator: " "),
                       "thousands of words, each once")
        XCTAssertEqual(SearchWords.words(ofText: "— … ?"), "")
        // Words joined by hyphens are also one word, after their last part; other dashes join nothing.
        XCTAssertEqual(SearchWords.words(ofText: "e-mail, check\u{2011}in state-of-the-art x - y --z e- -f a–b"),
                       "e mail email check in checkin state of the art stateoftheart x y z f a b")
        XCTAssertEqual(SearchWords.words(ofHTML: Array("<p>E-<em>mail</em> e-</p><p>mail</p>".utf8)), "e mail email")
        XCTAssertEqual(SearchWords.shardKey(of: "champion"), "ch")
        XCTAssertEqual(SearchWords.shardKey(of: "a"), "a")
        XCTAssertEqual(SearchWords.fileName(ofKey: "ch"), "ch")
        XCTAssertEqual(SearchWords.fileName(ofKey: "中文"), "_004e2d_006587")
        XCTAssertEqual(SearchWords.fileName(ofKey: "1é"), "1_0000e9")
    }

    func testShardNumbersAreWrittenAsDecimals() {
        var json = JSONText()
        for n in [0, 9, 10, 99, 100, 12_345, 9_999_999, -5] { json.decimal(n); json.append(",") }
        XCTAssertEqual(String(decoding: json.bytes, as: UTF8.self), "0,9,10,99,100,12345,9999999,-5,")
    }

    /// Swift and the search page's script split and fold the same text into the same words, or a
    /// word in a shard could never be found.
    func testSwiftAndTheSearchScriptAgreeOnWords() throws {
        let samples = ["Café CAFÉ cafe\u{301}s naïve Ångström", "customer’s don't e-mail foo_bar a-b-c x - y e- -f", "check\u{2011}in a\u{2010}b", "İstanbul ǅemal ΣΊΣΥΦΟΣ σοφός",
                       "中文 日本語のテキスト 한국어", "١٢٣ ½ ² Ⅻ x²", "emoji 😀 sign ✓", "ﬁne ﬂow", "देवनागरी हिन्दी", "tab\tand\u{00A0}nbsp"]
        let script = """
            const s = require(process.argv[1]);
            const samples = JSON.parse(process.argv[2]);
            console.log(JSON.stringify(samples.map(t => s.indexWords(s.fold(t)).map(w => [w, s.shardFile(s.shardKey(w))]))));
            """
        let output = try node(script, [Self.searchScript.path, String(decoding: try JSONEncoder().encode(samples), as: UTF8.self)])
        let fromScript = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[[String]]])
        for (sample, expected) in zip(samples, fromScript) {
            let words = SearchWords.allWords(in: sample).map { [$0, SearchWords.fileName(ofKey: SearchWords.shardKey(of: Substring($0)))] }
            XCTAssertEqual(words, expected, sample)
        }
    }

    func testEveryWordOfEveryPageIsInItsShard() throws {
        let site = try TempSite(Self.files, templates: nil)
        assertNoErrors(site.build())
        let index = try XCTUnwrap(LinkAudit.searchIndexJSON(Data(contentsOf: site.output.appendingPathComponent(SearchIndex.path))))
        let pages = try XCTUnwrap(index["pages"] as? [[Any]]).map { $0[1] as? String ?? "" }
        let list = try XCTUnwrap(site.html(SearchWords.listPath))
        XCTAssertTrue(list.hasPrefix("window.WaymarkSearchWords = {"), list)
        let words = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(list.drop { $0 != "{" }.dropLast(2).utf8)) as? [String: Any])
        let shards = try XCTUnwrap(words["shards"] as? [String])
        XCTAssertTrue(shards.contains("ch") && shards.contains("qo"), "\(shards)")
        XCTAssertFalse((words["version"] as? String ?? "").isEmpty)
        let ch = try XCTUnwrap(site.html("search/words/ch.js"))
        XCTAssertTrue(ch.hasPrefix(#"(window.WaymarkSearchShards = window.WaymarkSearchShards || {})["ch"] = {"#), ch)
        // champion: short note and long note, by their places in the index; gaps after the first.
        let long = try XCTUnwrap(pages.firstIndex(of: "notes/long/")), short = try XCTUnwrap(pages.firstIndex(of: "notes/short/"))
        XCTAssertTrue(ch.contains(#""champion":[\#(min(long, short)),\#(abs(long - short))]"#), ch)
        XCTAssertTrue(ch.contains(#""champagne":["#))
        XCTAssertTrue(try XCTUnwrap(site.html("search/words/ca.js")).contains(#""cafes":["#), "accents folded")
        XCTAssertTrue(try XCTUnwrap(site.html("search/words/co.js")).contains(#""configcode":["#), "code is text too")
        XCTAssertTrue(try XCTUnwrap(site.html("search/words/qo.js")).contains(#""qof":["#), "a persona's goals are searched")
        XCTAssertTrue(try XCTUnwrap(site.html("search/words/wo.js")).contains(#""word120":["#), "past the index's 80 words")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: site.output.appendingPathComponent("search/words").path)),
                       Set(shards.map { SearchWords.fileName(ofKey: Substring($0)) + ".js" } + ["index.js"]), "the list names every shard, and only those")
        XCTAssertTrue(try XCTUnwrap(site.html("search/index.html")).contains(#"<script src="/search/words/index.js" defer></script>"#))
    }

    /// The search page's script over the built index and every shard: a word past the first 80 words
    /// finds its page, ranked below pages that show it early, with the word to jump to.
    func testTheSearchPageFindsWordsFurtherDown() throws {
        let site = try TempSite(Self.files, templates: nil)
        assertNoErrors(site.build())
        let results = try search(site.output, ["champion", "champ", "word120", "qof", "cafe", "onboarding champion", "zebra"])
        XCTAssertEqual(results["champion"]?.map(\.url), ["notes/short/", "notes/long/"], "the early mention first")
        XCTAssertEqual(results["champion"]?.last?.further, ["champion"])
        XCTAssertEqual(results["champion"]?.first?.further, [], "found in the index's text: no jump needed")
        XCTAssertEqual(Set(results["champ"]?.map(\.url) ?? []), ["notes/short/", "notes/long/", "notes/other/"], "the start of a word, while typing")
        XCTAssertEqual(results["word120"]?.map(\.url), ["notes/long/"])
        XCTAssertEqual(results["qof"]?.map(\.url), ["personas/priya/"])
        XCTAssertEqual(results["cafe"]?.map(\.url), ["notes/long/"])
        XCTAssertEqual(results["cafe"]?.first?.further, ["cafes"])
        XCTAssertEqual(results["onboarding champion"]?.map(\.url), ["notes/long/"], "every word must match")
        XCTAssertEqual(results["zebra"]?.count, 0)
        // Either spelling of a word written with a hyphen finds the other, further down a page too.
        let mail = try search(site.output, ["email", "e-mail", "e\u{2010}mail", "follow-up", "followup"])
        XCTAssertEqual(Set(mail["email"]?.map(\.url) ?? []), ["notes/contact/", "notes/inbox/"])
        XCTAssertEqual(Set(mail["e-mail"]?.map(\.url) ?? []), ["notes/contact/", "notes/inbox/"])
        XCTAssertEqual(Set(mail["e\u{2010}mail"]?.map(\.url) ?? []), ["notes/contact/", "notes/inbox/"])
        XCTAssertEqual(mail["follow-up"]?.map(\.url), ["notes/inbox/"], "its parts, written apart, still match")
        XCTAssertEqual(mail["followup"]?.count, 0, "nobody wrote it with a hyphen")
    }

    /// A journey's begins, ends, basis and status are searched like its stage goals: the page shows them.
    func testAJourneysBeginningAndEndAreSearched() throws {
        let site = try TempSite([
            "content/personas/sam.md": "---\ntitle: Sam\n---\n",
            "content/journeys/asthma.md": "---\ntitle: Asthma\npersonas: [personas/sam]\nbegins: A night-time cough or wheeze.\nends: The first review.\nbasis: hybrid\nstages:\n  - name: Diagnosis\n---\n",
        ], templates: nil)
        assertNoErrors(site.build())
        XCTAssertTrue(try XCTUnwrap(site.html("search/words/wh.js")).contains(#""wheeze":["#))
        XCTAssertTrue(try XCTUnwrap(site.html("search/words/hy.js")).contains(#""hybrid":["#))
    }

    /// A query that finds nothing gets the nearest words the site has: a typo ("champoin"), a missing
    /// letter ("qualifed" in a title's word), two edits in a long word; a word no page is near gets none.
    func testANoResultQuerySuggestsTheNearestWords() throws {
        let site = try TempSite(Self.files, templates: nil)
        assertNoErrors(site.build())
        let script = """
            global.window = {};
            const path = require("path"), out = process.argv[1];
            require(path.join(out, "search/index.js"));
            const s = require(path.join(out, "assets/search.js"));
            require(path.join(out, "search/words/index.js"));
            const docs = s.prepare(window.WaymarkSearchIndex);
            for (const key of window.WaymarkSearchWords.shards) require(path.join(out, "search/words", s.shardFile(key) + ".js"));
            const result = {};
            for (const q of JSON.parse(process.argv[2])) result[q] = s.suggest(docs, q, window.WaymarkSearchShards || {});
            console.log(JSON.stringify(result));
            """
        let queries = ["champoin", "chmapion onboarding", "onbaordnig", "champion", "zebra", "qo"]
        let output = try node(script, [site.output.path, String(decoding: try JSONEncoder().encode(queries), as: UTF8.self)])
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], output)
        XCTAssertEqual(json["champoin"] as? String, "champion")
        XCTAssertEqual(json["chmapion onboarding"] as? String, "champion onboarding", "each word on its own; a right word stays")
        XCTAssertEqual(json["onbaordnig"] as? String, "onboarding", "two edits in a long word")
        XCTAssertTrue(json["champion"] is NSNull, "a word the site has needs no suggestion")
        XCTAssertTrue(json["zebra"] is NSNull, "nothing near")
        XCTAssertTrue(json["qo"] is NSNull, "too short to guess")
    }

    /// With the build cache: a changed word remakes the search files, and a word no page has any
    /// more leaves no shard behind.
    func testShardsFollowEditsAndLeaveNothingStale() throws {
        let site = try TempSite(Self.files, templates: nil)
        var options = site.options()
        options.cacheFile = site.root.appendingPathComponent(".waymark-cache/build.bin")
        assertNoErrors(BuildPipeline.run(options))
        XCTAssertNotNil(site.html("search/words/qo.js"))
        try site.write("content/personas/priya.md", "---\ntitle: Priya\ngoals: [Hit the targets]\n---\nPriya runs reviews; zebra.\n")
        let report = BuildPipeline.run(options)
        assertNoErrors(report)
        XCTAssertTrue(report.incremental)
        XCTAssertNil(site.html("search/words/qo.js"), "no word starts with qo any more")
        XCTAssertEqual(try search(site.output, ["zebra", "qof"])["zebra"]?.map(\.url), ["personas/priya/"])
        XCTAssertEqual(try search(site.output, ["qof"])["qof"]?.count, 0)
    }

    // MARK: Node

    static let searchScript = ExampleSiteTests.repositoryRoot.appendingPathComponent("templates/assets/search.js")

    struct Hit: Equatable {
        var url: String
        var further: [String]
    }

    /// Each query's results from assets/search.js in Node, with every shard of the built site loaded.
    private func search(_ output: URL, _ queries: [String]) throws -> [String: [Hit]] {
        let script = """
            global.window = {};
            const path = require("path"), out = process.argv[1];
            require(path.join(out, "search/index.js"));
            const s = require(path.join(out, "assets/search.js"));
            require(path.join(out, "search/words/index.js"));
            const data = window.WaymarkSearchIndex, docs = s.prepare(data);
            for (const key of window.WaymarkSearchWords.shards) require(path.join(out, "search/words", s.shardFile(key) + ".js"));
            const result = {};
            for (const q of JSON.parse(process.argv[2])) {
              const r = s.search(docs, q, window.WaymarkSearchShards || {});
              result[q] = r.partial ? [] : r.results.map(x => ({ url: x.doc.url, further: x.further }));
            }
            console.log(JSON.stringify(result));
            """
        let output = try node(script, [output.path, String(decoding: try JSONEncoder().encode(queries), as: UTF8.self)])
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: [[String: Any]]], output)
        return json.mapValues { $0.map { Hit(url: $0["url"] as? String ?? "", further: $0["further"] as? [String] ?? []) } }
    }
}
