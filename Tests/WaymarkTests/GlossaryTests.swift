import Foundation
import XCTest
@testable import Waymark

/// The cross-department glossary: which words become links, where, and what the checks say.
final class GlossaryTests: XCTestCase {
    /// Terms with overlapping words: "segment" is inside "industry segment", "journey" inside "customer journey".
    static let terms: [String: String] = [
        "content/departments/marketing.md": "---\ntitle: Marketing\n---\n",
        "content/departments/it.md": "---\ntitle: IT\n---\n",
        "content/departments/product.md": "---\ntitle: Product\n---\n",
        "content/departments/sales.md": "---\ntitle: Sales\n---\n",
        "content/glossary/persona.md": """
            ---
            term: Persona
            definition: A research-based portrait of one kind of customer.
            synonyms:
              marketing: [target group]
              product: [industry segment]
            ---
            """,
        "content/glossary/segment.md": """
            ---
            term: Segment
            definition: A slice of the market by size or sector.
            ---
            """,
        "content/glossary/customer-journey.md": """
            ---
            term: Customer journey
            definition: The whole path a customer takes to reach a goal.
            synonyms:
              sales: [sales cycle]
            ---
            """,
        "content/glossary/journey.md": """
            ---
            term: Journey
            definition: Short for a mapped journey page.
            ---
            """,
    ]

    /// Every auto-link on a page: (linked text, term URL), in document order.
    func autolinks(_ html: String) -> [String] {
        let pattern = #"<a href="([^"]+)" class="term-link">([^<]*)</a>"#
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: html, range: NSRange(html.startIndex..., in: html)).map { m in
            let ns = html as NSString
            return ns.substring(with: m.range(at: 2)) + " → " + ns.substring(with: m.range(at: 1))
        }
    }

    func site(_ body: String, config: String = "", frontMatter: String = "title: Notes") throws -> TempSite {
        var files = Self.terms
        files["content/notes.md"] = "---\n\(frontMatter)\n---\n" + body
        if !config.isEmpty { files["waymark.yml"] = config }
        return try TempSite(files)
    }

    func testLongestMatchFirstPluralsAndFirstMentionOnly() throws {
        let s = try site("""
            Our Industry Segments differ. Each segment has a target group, and target groups change.
            The customer journeys we map, and every journey after that, and the sales cycle.

            """)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let html = try XCTUnwrap(s.html("notes/index.html"))
        XCTAssertEqual(autolinks(html), [
            "Industry Segments → /glossary/persona/",
            "segment → /glossary/segment/",
            "customer journeys → /glossary/customer-journey/",
            "journey → /glossary/journey/",
        ])
    }

    /// "sign-ups" is the plural of "sign-up": after a hyphen a three-letter word has its singular too,
    /// which alone it does not ("its" is not "it", "bus" not "bu").
    func testAHyphenatedPluralOfAShortWordIsMatched() throws {
        var files = Self.terms
        files["content/glossary/sign-up.md"] = "---\nterm: Sign-up\ndefinition: Creating an account.\n---\n"
        files["content/glossary/it.md"] = "---\nterm: IT department\ndefinition: The IT team.\nsynonyms:\n  it: [IT]\n---\n"
        files["content/notes.md"] = "---\ntitle: Notes\n---\nIts sign-ups grew.\n"
        let s = try TempSite(files)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        XCTAssertEqual(autolinks(try XCTUnwrap(s.html("notes/index.html"))), ["sign-ups → /glossary/sign-up/"])
        XCTAssertEqual(TermMatcher.normalisedPhrase("check-ins"), "check in")
        XCTAssertEqual(TermMatcher.normalisedPhrase("its bus"), "its bus")
    }

    func testAPhraseDoesNotRunAcrossASentenceBoundary() throws {
        let s = try site("We asked the customer. Journey maps came later, then the customer journey.\n")
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let html = try XCTUnwrap(s.html("notes/index.html"))
        XCTAssertEqual(autolinks(html), ["Journey → /glossary/journey/", "customer journey → /glossary/customer-journey/"])
    }

    /// A hard-wrapped paragraph (as git-friendly Markdown is written) keeps a phrase whose words are on
    /// two lines: the link spans the line break. A line of a pipe table is read on its own; a blank line
    /// or a sentence's end still breaks a phrase. A term page's "used in" list counts the wrapped phrase.
    func testAPhraseWrappedOntoTheNextLineIsOnePhrase() throws {
        let s = try site("""
            We follow the whole customer
            journey, as each target
            group sees it. And the customer.
            Journey maps came later.

            | a | industry |
            |---|---|
            | segment | b |

            """)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let html = try XCTUnwrap(s.html("notes/index.html"))
        XCTAssertEqual(autolinks(html), ["customer\njourney → /glossary/customer-journey/", "target\ngroup → /glossary/persona/",
                                         "Journey → /glossary/journey/", "segment → /glossary/segment/"])
        XCTAssertTrue(html.contains("<table"), html)
        // A term page's mentions of other terms are read from its text (it is never auto-linked to itself
        // there): Persona is used by Segment's wrapped mention, so it is not among the unused terms.
        try s.write("content/notes.md", "---\ntitle: Notes\n---\nNothing here.\n")
        try s.write("content/glossary/segment.md", "---\nterm: Segment\ndefinition: A slice.\n---\nNot the same as a target\ngroup.\n")
        XCTAssertEqual(s.build().notes.filter { $0.contains("glossary") },
                       ["3 glossary terms are not used on any page: glossary/customer-journey, glossary/journey, glossary/segment"])
    }

    func testNeverInsideCodeHeadingsLinksOrRawHTML() throws {
        let s = try site("""
            # Target group research

            Inline `target group` stays code, and so does this:

                target group in a code block

            A link [about the target group](https://example.com) is left alone, so is [[glossary/segment|a segment]].
            <span>target group</span> is raw HTML shown as text.

            """)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let html = try XCTUnwrap(s.html("notes/index.html"))
        // Only the raw-HTML line's words are ordinary text (shown escaped), so that is the one mention linked.
        XCTAssertEqual(autolinks(html), ["target group → /glossary/persona/"])
        XCTAssertTrue(html.contains("<code>target group</code>"), html)
        XCTAssertTrue(html.contains("Target group research"), html)
        XCTAssertTrue(html.contains("&lt;span&gt;"), html)
    }

    func testAllModeLinksEveryMentionAndOffModeNone() throws {
        let body = "A segment, another segment, and a third segment.\n"
        let all = try site(body, config: "glossary:\n  autolink: all\n")
        XCTAssertEqual(all.build().diagnostics.errorCount, 0)
        XCTAssertEqual(autolinks(try XCTUnwrap(all.html("notes/index.html"))).count, 3)
        let off = try site(body, config: "glossary:\n  autolink: off\n")
        XCTAssertEqual(off.build().diagnostics.errorCount, 0)
        XCTAssertEqual(autolinks(try XCTUnwrap(off.html("notes/index.html"))), [])
    }

    /// A persona's quote, goals and pains, a journey's begins and a stage's goal are sentences a reader
    /// reads before the body: linked there, in that order, and a term linked there is not linked again
    /// in the body with `first`. The page counts as using the term.
    func testFrontMatterSentencesAreAutoLinkedBeforeTheBody() throws {
        var files = Self.terms
        files["content/personas/kim.md"] = """
            ---
            title: Kim
            quote: "I am not a target group."
            goals: [Find the right segment & stay there]
            pains:
              - Every segment asks again
              - The sales cycle delays
            ---
            Kim's segment is small; the customer journey is long.

            """
        files["content/journeys/signup.md"] = """
            ---
            title: Sign-up
            personas: [personas/kim]
            begins: A target group hears of us
            stages:
              - name: Discover
                goal: Reach the industry segment
                touchpoints: [{name: Advert, channel: web}]
            ---
            The segment decides.

            """
        let s = try TempSite(files, templates: nil)  // the default theme: quote and fields above the body
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let persona = try XCTUnwrap(s.html("personas/kim/index.html"))
        XCTAssertEqual(autolinks(persona), [
            "target group → /glossary/persona/",
            "segment → /glossary/segment/",
            "sales cycle → /glossary/customer-journey/",
        ])
        XCTAssertTrue(persona.contains(#"<dd class="field__item">Find the right <a href="/glossary/segment/" class="term-link">segment</a> &amp; stay there</dd>"#), persona)
        XCTAssertTrue(persona.contains("<dd class=\"field__item\">Every segment asks again</dd>"), persona)
        let journey = try XCTUnwrap(s.html("journeys/signup/index.html"))
        XCTAssertEqual(autolinks(journey), [
            "segment → /glossary/segment/",  // the body's lead, shown under the title
            "target group → /glossary/persona/",
        ])
        XCTAssertTrue(journey.contains(#">A <a href="/glossary/persona/" class="term-link">target group</a> hears of us</dd>"#), journey)
        // "industry segment" means Persona, linked already in "Begins"; the body's "segment" is Segment.
        XCTAssertTrue(journey.contains("Reach the industry segment"), journey)
        let usedIn = try XCTUnwrap(s.html("glossary/customer-journey/index.html"))
        XCTAssertTrue(usedIn.contains("/personas/kim/"), "the persona uses the term in its pains: \(usedIn)")
        // Off: no links, the sentences as text.
        try s.write("waymark.yml", "glossary:\n  autolink: off\n")
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        XCTAssertEqual(autolinks(try XCTUnwrap(s.html("personas/kim/index.html"))), [])
    }

    /// A term's definition names other terms: linked on its page, before the body (with `first` not
    /// again below), never to the term itself; the page counts under the other term's "Used in".
    func testATermsDefinitionLinksOtherTermsButNeverItself() throws {
        var files = Self.terms
        files["content/glossary/segment.md"] = """
            ---
            term: Segment
            definition: A slice of the market, where each segment is one target group & more.
            ---
            A persona lives in a segment.

            """
        let s = try TempSite(files, templates: nil)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let html = try XCTUnwrap(s.html("glossary/segment/index.html"))
        XCTAssertTrue(html.contains(#"<span class="term-definition__label">Definition</span> A slice of the market, where each segment is one <a href="/glossary/persona/" class="term-link">target group</a> &amp; more.</p>"#), html)
        XCTAssertEqual(autolinks(html), ["target group → /glossary/persona/"])
        XCTAssertTrue(try XCTUnwrap(s.html("glossary/persona/index.html")).contains(#"<a href="/glossary/segment/">Segment</a>"#),
                      "the segment's page uses the persona term")
        // The glossary index and the vocabularies show definitions as text: every term's definition linked
        // there would be a page of links.
        XCTAssertFalse(try XCTUnwrap(s.html("glossary/index.html")).contains("one <a href"), "the index")
    }

    func testTextAroundALinkIsEscapedAsCmarkEscapesIt() throws {
        let s = try site("Fish & chips < the target group > \"quoted\" it's here.\n\n| a | target group |\n|---|---|\n| x | y |\n")
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let html = try XCTUnwrap(s.html("notes/index.html"))
        XCTAssertTrue(html.contains(#"<p>Fish &amp; chips &lt; the <a href="/glossary/persona/" class="term-link">target group</a> &gt; &quot;quoted&quot; it's here.</p>"#), html)
        XCTAssertTrue(html.contains("<table"), "a pipe table is still built when its text has a term: \(html)")
    }

    func testAPageCanOptOutAndATermNeverLinksToItself() throws {
        let s = try site("A segment.\n", frontMatter: "title: Notes\nglossary: false")
        try s.write("content/glossary/segment.md", "---\nterm: Segment\ndefinition: A slice of the market.\n---\nA segment is not a persona.\n")
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        XCTAssertEqual(autolinks(try XCTUnwrap(s.html("notes/index.html"))), [])
        XCTAssertEqual(autolinks(try XCTUnwrap(s.html("glossary/segment/index.html"))), ["persona → /glossary/persona/"])
    }

    /// The card script in a DOM (jsdom, Debian's node-jsdom): a tap on a term opens its card and keeps
    /// the page; Enter on a focused term follows the link, also after a tap elsewhere on the page (it
    /// opened the card instead: the tap's "touch" stayed set for the keyboard's click).
    func testATapOpensTheCardAndEnterFollowsTheLinkEvenAfterATap() throws {
        guard FileManager.default.fileExists(atPath: "/usr/share/nodejs/jsdom") else {
            throw XCTSkip("jsdom is not installed (apt-get install node-jsdom; scripts/test installs it)")
        }
        var files = Self.terms
        files["content/notes.md"] = "---\ntitle: Notes\n---\nMeet the target group.\n"
        let s = try TempSite(files, templates: nil)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let script = """
            const { JSDOM } = require("/usr/share/nodejs/jsdom");
            const fs = require("fs");
            const [page, cards, cardScript] = process.argv.slice(1).map(f => fs.readFileSync(f, "utf8"));
            function run(steps) {
              const dom = new JSDOM(page, { url: "http://localhost/notes/", runScripts: "outside-only" });
              const w = dom.window, d = w.document;
              w.eval(cards);
              // As the page loads it: the script finds the site's root from its own address.
              Object.defineProperty(d, "currentScript", { configurable: true, value: { src: "http://localhost/assets/term-cards.js" } });
              w.eval(cardScript);
              const link = d.querySelector("a.term-link");
              let prevented = null;
              for (const step of steps) {
                if (step === "tap-page" || step === "tap-term") {
                  const down = new w.Event("pointerdown", { bubbles: true });
                  Object.defineProperty(down, "pointerType", { value: "touch" });
                  (step === "tap-term" ? link : d.body).dispatchEvent(down);
                  const click = new w.MouseEvent("click", { bubbles: true, cancelable: true, detail: 1 });
                  (step === "tap-term" ? link : d.body).dispatchEvent(click);
                  if (step === "tap-term") prevented = click.defaultPrevented;
                } else if (step === "enter") {
                  link.focus();
                  const click = new w.MouseEvent("click", { bubbles: true, cancelable: true, detail: 0 });
                  link.dispatchEvent(click);
                  prevented = click.defaultPrevented;
                }
              }
              return { follows: prevented === false, open: !!d.querySelector(".term--open") };
            }
            console.log(JSON.stringify([run(["tap-term"]), run(["enter"]), run(["tap-page", "enter"])]));
            """
        let output = try node(script, [s.output.appendingPathComponent("notes/index.html").path, s.output.appendingPathComponent("glossary/cards.js").path,
                                       s.output.appendingPathComponent("assets/term-cards.js").path])
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines),
                       #"[{"follows":false,"open":true},{"follows":true,"open":false},{"follows":true,"open":false}]"#)
    }

    func testHoverCardCarriesDefinitionAndDepartmentWordsAccessibly() throws {
        var files = Self.terms
        files["content/notes.md"] = "---\ntitle: Notes\n---\nMeet the target group.\n"
        let s = try TempSite(files, templates: nil)  // the default theme
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let html = try XCTUnwrap(s.html("notes/index.html"))
        XCTAssertTrue(html.contains(#"<a href="/glossary/persona/" class="term-link">target group</a>"#), html)
        // The card is drawn in the browser from one file for the whole site, loaded by pages with term links.
        XCTAssertTrue(html.contains(#"<script src="/glossary/cards.js" defer></script>"#), html)
        XCTAssertTrue(html.contains(#"<script src="/assets/term-cards.js" defer></script>"#), html)
        XCTAssertFalse(html.contains("A research-based portrait"), "the definition is not repeated in the page")
        let cards = try XCTUnwrap(s.html("glossary/cards.js"))
        XCTAssertTrue(cards.hasPrefix("window.WaymarkTermCards = {\n"), cards)
        XCTAssertTrue(cards.contains(#""glossary/persona/":["Persona","A research-based portrait of one kind of customer.","Marketing calls this “target group”; Product calls it “industry segment”."]"#), cards)
        let script = try XCTUnwrap(s.html("assets/term-cards.js"))
        XCTAssertTrue(script.contains("aria-describedby") && script.contains(#"setAttribute("role", "tooltip")"#), "cards are tied to their links")
        XCTAssertFalse(script.contains("innerHTML"), "nothing from the card file is parsed as HTML")
        // A page without term links does not load the cards.
        let persona = try XCTUnwrap(s.html("glossary/persona/index.html"))
        XCTAssertFalse(persona.contains("cards.js"), persona)
    }

    func testCardsAreKeyedByAddressBelowTheSiteRoot() throws {
        var files = Self.terms
        files["content/notes.md"] = "---\ntitle: Notes\n---\nMeet the target group.\n"
        files["waymark.yml"] = "title: KB\nbaseURL: https://example.org/kb/\n"
        let s = try TempSite(files, templates: nil)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let html = try XCTUnwrap(s.html("notes/index.html"))
        XCTAssertTrue(html.contains(#"<a href="/kb/glossary/persona/" class="term-link">target group</a>"#), html)
        XCTAssertTrue(html.contains(#"<script src="/kb/glossary/cards.js" defer></script>"#), html)
        // The script resolves keys against the root it finds from its own address, /kb/.
        XCTAssertTrue(try XCTUnwrap(s.html("glossary/cards.js")).contains(#""glossary/persona/":["Persona","#))
    }

    func testCardFileEscapesWhatWritersType() throws {
        var files = Self.terms
        files["content/glossary/quote.md"] = "---\nterm: Quote \"this\"\ndefinition: \"A back\\\\slash and </script> here.\"\n---\n"
        files["content/notes.md"] = "---\ntitle: Notes\n---\nA quote this time.\n"
        let s = try TempSite(files)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let cards = try XCTUnwrap(s.html("glossary/cards.js"))
        XCTAssertTrue(cards.contains(#""glossary/quote/":["Quote \"this\"","A back\\slash and </script> here.",""]"#), cards)
    }

    func testNoCardFileWhenAutolinkIsOff() throws {
        let s = try site("Meet the target group.\n", config: "glossary:\n  autolink: off\n")
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        XCTAssertNil(s.html("glossary/cards.js"))
        XCTAssertFalse(try XCTUnwrap(s.html("notes/index.html")).contains("term-cards.js"))
    }

    func testHomonymIsAWarningNamingTheWordBothTermsAndDepartments() throws {
        var files = Self.terms
        files["content/glossary/lead.md"] = "---\nterm: Lead\ndefinition: A contact who showed interest.\n---\n"
        files["content/glossary/opportunity.md"] = "---\nterm: Opportunity\ndefinition: A qualified deal.\nsynonyms:\n  sales: [lead]\n---\n"
        let s = try TempSite(files)
        let report = s.check()
        XCTAssertEqual(headlines(report.diagnostics.filter { $0.severity == .warning }), [
            "content/glossary/opportunity.md:5:11: warning: “Lead” means different things: “Lead” (its name) and “Opportunity” (what Sales calls it)",
        ])
    }

    /// The A–Z lists every term's departments in one order (by title), not each term's written order.
    func testTheGlossaryIndexListsDepartmentsInOneOrder() throws {
        var files = Self.terms
        files["content/glossary/deal.md"] = "---\nterm: Deal\ndefinition: A sale.\nsynonyms:\n  sales: [opportunity]\n  it: [crm record]\n---\n"
        let site = try TempSite(files, templates: nil)
        XCTAssertFalse(site.build().diagnostics.hasErrors)
        let index = try XCTUnwrap(site.html("glossary/index.html"))
        XCTAssertTrue(index.contains("synonym-line\">IT: crm record · Sales: opportunity</dd>"), index)
    }

    /// A homonym's warning names each term once, with every department that uses the word for it.
    func testAHomonymWarningNamesEachTermOnceWithItsDepartments() throws {
        var files = Self.terms
        files["content/glossary/contract.md"] = "---\nterm: Policy (contract)\ndefinition: An insurance contract.\nsynonyms:\n  sales: [policy]\n  marketing: [policy]\n---\n"
        files["content/glossary/rule.md"] = "---\nterm: Policy (internal rule)\ndefinition: An internal rule.\nsynonyms:\n  it: [policy]\n---\n"
        let report = try TempSite(files).check()
        XCTAssertEqual(report.diagnostics.filter { $0.severity == .warning }.map(\.message), [
            "“policy” means different things: “Policy (contract)” (what Sales and Marketing call it) and “Policy (internal rule)” (what IT calls it)",
        ])
    }

    /// A homonym meant on purpose is said so with `homonyms:` in one of its terms: no warning (so a
    /// `--strict` run can pass), the callouts and cards still show it. A word listed there that no other
    /// term uses, or that is not the term's own, is a warning.
    func testAKnownHomonymIsNotAWarning() throws {
        var files = Self.terms
        files["content/glossary/lead.md"] = "---\nterm: Lead\ndefinition: A contact who showed interest.\nhomonyms: [lead, segment]\n---\n"
        files["content/glossary/opportunity.md"] = "---\nterm: Opportunity\ndefinition: A qualified deal.\nsynonyms:\n  sales: [lead, deal]\nhomonyms: [deal]\n---\n"
        let s = try TempSite(files, templates: nil)
        let report = s.build()
        XCTAssertEqual(headlines(report.diagnostics.filter { $0.severity == .warning }), [
            "content/glossary/lead.md:4:18: warning: `homonyms` names `segment`, which is not this term's name or one of its synonyms",
            "content/glossary/opportunity.md:6:12: warning: `homonyms` names `deal`, which no other term uses",
        ])
        XCTAssertTrue(try XCTUnwrap(s.html("glossary/lead/index.html")).contains("has more than one meaning"), "still shown")
    }

    /// The A–Z files each department's word under its own letter, pointing to the shared term ("SQL:
    /// Sales's word for Deal"), as a printed index's "see" entries; a word that is a term's name is not repeated.
    func testTheGlossaryIndexFilesDepartmentWordsAsSeeEntries() throws {
        var files = Self.terms
        files["content/glossary/deal.md"] = "---\nterm: Deal\ndefinition: A sale.\nsynonyms:\n  sales: [SQL, persona]\n  it: [crm record]\n---\n"
        let site = try TempSite(files, templates: nil)
        XCTAssertFalse(site.build().diagnostics.hasErrors)
        let index = try XCTUnwrap(site.html("glossary/index.html"))
        XCTAssertTrue(index.contains("<dt>SQL</dt>\n        <dd>Sales's word for <a href=\"/glossary/deal/\">Deal</a></dd>"), index)
        XCTAssertTrue(index.contains("<dt>crm record</dt>\n        <dd>IT's word for <a href=\"/glossary/deal/\">Deal</a></dd>"), index)
        XCTAssertFalse(index.contains("<dt>persona</dt>"), "Persona is a term of its own: \(index)")
        // Under its own letter: S comes after D.
        let s = try XCTUnwrap(index.range(of: "<h2 id=\"letter-s\">S</h2>")), sql = try XCTUnwrap(index.range(of: "<dt>SQL</dt>"))
        XCTAssertLessThan(s.lowerBound, sql.lowerBound)
    }

    /// "Not to confuse with" goes both ways: the term named by another's `not_to_confuse` names it back.
    func testNotToConfuseIsShownOnBothTerms() throws {
        var files = Self.terms
        files["content/glossary/lead.md"] = "---\nterm: Lead\ndefinition: A contact who showed interest.\n---\n"
        files["content/glossary/opportunity.md"] = "---\nterm: Opportunity\ndefinition: A qualified deal.\nnot_to_confuse: [glossary/lead]\n---\n"
        let site = try TempSite(files, templates: nil)
        XCTAssertFalse(site.build().diagnostics.hasErrors)
        for (page, other) in [("glossary/lead/index.html", "/glossary/opportunity/"), ("glossary/opportunity/index.html", "/glossary/lead/")] {
            let html = try XCTUnwrap(site.html(page))
            let field = try XCTUnwrap(html.range(of: "<dt>Not to confuse with</dt>"), page)
            XCTAssertTrue(html[field.upperBound...].prefix(200).contains("href=\"\(other)\""), page)
        }
    }

    /// A copied term file defines the same term twice: one warning naming both files, not a homonym
    /// warning for each of the words they share. A real homonym beside them is still reported.
    func testTwoPagesDefiningOneTermAreOneWarningNamingBoth() throws {
        var files = Self.terms
        let churn = "---\nterm: Churn\ndefinition: Customers who leave.\nsynonyms:\n  sales: [lost account, attrition]\n---\n"
        files["content/glossary/churn.md"] = churn
        files["content/glossary/churn-rate.md"] = churn
        files["content/glossary/lead.md"] = "---\nterm: Lead\ndefinition: A contact who showed interest.\n---\n"
        files["content/glossary/opportunity.md"] = "---\nterm: Opportunity\ndefinition: A qualified deal.\nsynonyms:\n  sales: [lead]\n---\n"
        files["content/notes.md"] = "---\ntitle: Notes\n---\nChurn is up.\n"
        let site = try TempSite(files)
        let report = site.build()
        XCTAssertEqual(headlines(report.diagnostics.filter { $0.severity == .warning }), [
            "content/glossary/churn.md:1:1: warning: 2 pages define the term “Churn”: content/glossary/churn-rate.md, content/glossary/churn.md; until one is left, “Churn” is linked to neither",
            "content/glossary/opportunity.md:5:11: warning: “Lead” means different things: “Lead” (its name) and “Opportunity” (what Sales calls it)",
        ])
        XCTAssertEqual(autolinks(try XCTUnwrap(site.html("notes/index.html"))), [], "as the warning says")
    }

    /// A homonym links to the term whose name it is, except on the page of a term that claims the word
    /// itself: there "lead" means that term ("When Sales says lead, it means this").
    func testOnATermsOwnPageItsHomonymIsNotLinkedToTheOtherTerm() throws {
        var files = Self.terms
        files["content/glossary/lead.md"] = "---\nterm: Lead\ndefinition: A contact who showed interest.\n---\nNot yet a deal.\n"
        files["content/glossary/opportunity.md"] = "---\nterm: Opportunity\ndefinition: A qualified deal.\nsynonyms:\n  sales: [lead]\n---\n"
            + "When Sales says lead, it means this: a qualified deal, not a persona.\n"
        files["content/notes.md"] = "A lead came in.\n"
        let s = try TempSite(files)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let opportunity = try XCTUnwrap(s.html("glossary/opportunity/index.html"))
        XCTAssertFalse(opportunity.contains("href=\"/glossary/lead/\" class=\"term-link\""), opportunity)
        XCTAssertTrue(opportunity.contains("href=\"/glossary/persona/\" class=\"term-link\""), opportunity)
        XCTAssertTrue(try XCTUnwrap(s.html("notes/index.html")).contains("href=\"/glossary/lead/\" class=\"term-link\""))
        // The term page of Lead does not list Opportunity as a page using it.
        XCTAssertFalse(try XCTUnwrap(s.html("glossary/lead/index.html")).contains("href=\"/glossary/opportunity/\">Opportunity</a></li>"))
    }

    /// On a department's pages (its own, and a journey or term it owns) a homonym it claims means its
    /// sense: "lead" on Sales' pages links to Opportunity, elsewhere to Lead. "Used in" agrees.
    func testOnADepartmentsPagesAHomonymItClaimsMeansItsSense() throws {
        var files = Self.terms
        files["content/glossary/lead.md"] = "---\nterm: Lead\ndefinition: A contact who showed interest.\n---\n"
        files["content/glossary/opportunity.md"] = "---\nterm: Opportunity\ndefinition: A qualified deal.\nsynonyms:\n  sales: [lead]\n---\n"
        files["content/departments/sales.md"] = "---\ntitle: Sales\n---\nA lead for us is a deal we can win.\n"
        files["content/glossary/pipeline.md"] = "---\nterm: Pipeline\ndefinition: Deals in progress.\nowner: departments/sales\n---\nEvery lead in it.\n"
        files["content/notes.md"] = "A lead came in.\n"
        let s = try TempSite(files, templates: nil)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        func usedIn(_ page: String) throws -> String {
            let html = try XCTUnwrap(s.html(page))
            guard let start = html.range(of: "id=\"wm-used-in-title\"") else { return "" }
            return String(html[start.upperBound...].prefix { _ in true }.components(separatedBy: "</section>")[0])
        }
        let sales = try XCTUnwrap(s.html("departments/sales/index.html"))
        XCTAssertTrue(sales.contains("href=\"/glossary/opportunity/\" class=\"term-link\">lead</a>"), sales)
        XCTAssertFalse(sales.contains("href=\"/glossary/lead/\" class=\"term-link\""), sales)
        XCTAssertTrue(try XCTUnwrap(s.html("notes/index.html")).contains("href=\"/glossary/lead/\" class=\"term-link\">lead</a>"))
        // A term page is not auto-linked while rendering: its mentions come from its words, in its owner's sense.
        let opportunity = try usedIn("glossary/opportunity/index.html")
        XCTAssertTrue(opportunity.contains("href=\"/departments/sales/\"") && opportunity.contains("href=\"/glossary/pipeline/\""), opportunity)
        let lead = try usedIn("glossary/lead/index.html")
        XCTAssertTrue(lead.contains("href=\"/notes/\""), lead)
        XCTAssertFalse(lead.contains("href=\"/departments/sales/\"") || lead.contains("href=\"/glossary/pipeline/\""), lead)
    }

    /// One department using a word for two terms is said as that (not "means different things" between
    /// departments), at the second word itself; on that department's pages the word links to neither term.
    func testADepartmentUsingAWordForTwoTermsIsItsOwnWarning() throws {
        var files = Self.terms
        files["content/glossary/deal.md"] = "---\nterm: Deal\ndefinition: A sale we expect.\nsynonyms:\n  sales: [opportunity, pipeline item]\n---\n"
        files["content/glossary/lead.md"] = "---\nterm: Lead\ndefinition: A contact who showed interest.\nsynonyms:\n  sales: [hot contact, opportunity]\n---\n"
        files["content/departments/sales.md"] = "---\ntitle: Sales\n---\nEvery opportunity counts.\n"
        files["content/notes.md"] = "An opportunity came in.\n"
        let s = try TempSite(files, templates: nil)
        let report = s.build()
        XCTAssertEqual(headlines(report.diagnostics.filter { $0.severity == .warning }), [
            "content/glossary/lead.md:5:24: warning: Sales uses “opportunity” for 2 terms: “Deal” and “Lead”",
        ])
        XCTAssertTrue(try XCTUnwrap(report.diagnostics.first { $0.severity == .warning }?.hint).contains("on Sales's pages it links to the term whose name it is, or nowhere"))
        XCTAssertFalse(try XCTUnwrap(s.html("departments/sales/index.html")).contains("class=\"term-link\">opportunity</a>"))
        XCTAssertFalse(try XCTUnwrap(s.html("notes/index.html")).contains("class=\"term-link\">opportunity</a>"))
    }

    /// A department's vocabulary marks its word that names another term too, with that term and whose word it is there.
    func testAVocabularyMarksAHomonym() throws {
        var files = Self.terms
        files["content/glossary/lead.md"] = "---\nterm: Lead\ndefinition: A contact who showed interest.\n---\n"
        files["content/glossary/opportunity.md"] = "---\nterm: Opportunity\ndefinition: A qualified deal.\nsynonyms:\n  sales: [lead, deal]\n---\n"
        let s = try TempSite(files, templates: nil)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let sales = try XCTUnwrap(s.html("glossary/vocabulary/sales/index.html"))
        XCTAssertEqual(sales.components(separatedBy: "class=\"also-means\"").count - 1, 1, sales)
        XCTAssertTrue(sales.contains("“lead” also names <a href=\"/glossary/lead/\">Lead</a> (its name)"), sales)
        // And each term's hover card warns where the word is read.
        let cards = try XCTUnwrap(s.html("glossary/cards.js"))
        XCTAssertTrue(cards.contains("\"Careful: “lead” is also the term Lead.\"]"), cards)
        XCTAssertTrue(cards.contains("\"Careful: to Sales, “Lead” means Opportunity.\"]"), cards)
    }

    /// In `first` mode, a term the page links to itself is not auto-linked too, before or after the
    /// writer's link; the page still uses the term.
    func testATermThePageLinksItselfIsNotAutoLinked() throws {
        var files = Self.terms
        files["content/notes.md"] = "Each persona matters.\n\nSee [[glossary/persona]] and every target group.\n"
        files["content/other.md"] = "Each persona matters.\n"
        let s = try TempSite(files)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let notes = try XCTUnwrap(s.html("notes/index.html"))
        XCTAssertFalse(notes.contains("class=\"term-link\""), notes)
        XCTAssertTrue(try XCTUnwrap(s.html("other/index.html")).contains("href=\"/glossary/persona/\" class=\"term-link\">persona</a>"))
        XCTAssertTrue(try XCTUnwrap(s.html("glossary/persona/index.html")).contains("href=\"/notes/\">"))
    }

    /// The home page's Glossary card (default theme) counts and shows terms, not the matrix and
    /// vocabulary views beside them.
    func testTheHomeCardOfTheGlossaryCountsItsTerms() throws {
        let s = try TempSite(Self.terms, templates: nil)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let home = try XCTUnwrap(s.html("index.html"))
        let start = try XCTUnwrap(home.range(of: "section-card__title\"><a href=\"/glossary/\">Glossary</a>"))
        let card = String(home[start.lowerBound...].prefix { _ in true }.components(separatedBy: "</li>\n  </ul>")[0])
        let terms = Self.terms.keys.filter { $0.hasPrefix("content/glossary/") }.count
        XCTAssertTrue(card.contains("</span>\(terms)<span class=\"visually-hidden\">)"), card)
        XCTAssertFalse(card.contains("glossary/matrix") || card.contains("glossary/vocabulary"), card)
    }

    /// What a definition is (one plain sentence) and what a term's lists mean (other terms) are said
    /// where a writer steps outside them; a card shows a long definition's start.
    func testDefinitionMarkupLengthAndSelfReferencesAreWarnings() throws {
        var files = Self.terms
        let long = (1...80).map { "word\($0)" }.joined(separator: " ")
        files["content/glossary/churn.md"] = """
            ---
            term: Churn
            definition: Customers who leave, see [[journeys/nope]] and **this**.
            related: [glossary/churn, glossary/segment]
            not_to_confuse: [glossary/segment]
            ---
            """
        files["content/glossary/retention.md"] = "---\nterm: Retention\ndefinition: \(long)\n---\n"
        files["content/notes.md"] = "---\ntitle: Notes\n---\nRetention matters.\n"
        let s = try TempSite(files)
        let report = s.build()
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/glossary/churn.md:3:13: warning: `definition:` is plain text: `[[` is shown as written, not as Markdown, and links in it are not checked",
            "content/glossary/churn.md:4:11: warning: `related` names this term itself",
            "content/glossary/churn.md:5:18: warning: `glossary/segment` is both related to this term and not to be confused with it",
            "content/glossary/retention.md:3:13: warning: `definition:` has 80 words: hover cards show the first 50",
        ])
        let cards = try XCTUnwrap(s.html("glossary/cards.js"))
        XCTAssertTrue(cards.contains("word50 …"), cards)
        XCTAssertFalse(cards.contains("word51"), cards)
    }

    /// A department listed with no word, or a word listed twice (in another case), would show as an
    /// empty row or twice: warnings, and each is left out.
    func testAnEmptyOrRepeatedSynonymIsAWarningAndShownOnce() throws {
        var files = Self.terms
        files["content/glossary/walkthrough.md"] = "---\nterm: Walkthrough\ndefinition: A guided tour.\nsynonyms:\n  sales: []\n  product: [walk-through, Walk-through]\n---\n"
        let s = try TempSite(files)
        let report = s.build()
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/glossary/walkthrough.md:5:3: warning: `sales:` lists no word: the department is left out of this term's synonyms",
            "content/glossary/walkthrough.md:6:27: warning: synonym `Walk-through` is listed twice for product: it is shown once",
        ])
        let cards = try XCTUnwrap(s.html("glossary/cards.js"))
        XCTAssertFalse(cards.contains("Walk-through"), cards)
    }

    /// A person's name where a department goes is told what an owner is, not to create a department page for them.
    func testAPersonAsATermsOwnerIsToldOwnersAreDepartments() throws {
        var files = Self.terms
        files["content/glossary/churn.md"] = "---\nterm: Churn\ndefinition: Customers who leave.\nowner: Hannah Reid\n---\n"
        let diagnostics = try TempSite(files).check().diagnostics
        XCTAssertEqual(headlines(diagnostics), ["content/glossary/churn.md:4:8: error: unknown department `Hannah Reid`"])
        XCTAssertEqual(diagnostics.first?.hint,
                       "an owner is a department (a page under content/departments/), not a person: write its id, as in `owner: departments/it`")
    }

    func testSynonymUnderUnknownDepartmentAndBrokenRelatedAreErrors() throws {
        var files = Self.terms
        files["content/glossary/churn.md"] = "---\nterm: Churn\ndefinition: Customers who leave.\nsynonyms:\n  finanse: [attrition]\nrelated: [glossary/retention]\n---\n"
        let s = try TempSite(files)
        XCTAssertEqual(headlines(s.check().diagnostics), [
            "content/glossary/churn.md:5:3: error: unknown department `finanse`",
            "content/glossary/churn.md:6:11: error: unknown glossary term `glossary/retention`",
        ])
    }

    /// A synonym with no word links nothing, and `a` or `the` would link it in every sentence: an
    /// error and a warning, and neither is auto-linked.
    func testASynonymWithNoWordOrTooCommonAWordIsReportedAndNotLinked() throws {
        var files = Self.terms
        files["content/glossary/churn.md"] = "---\nterm: Churn\ndefinition: Customers who leave.\nsynonyms:\n  marketing: [\"\", \"--\", a, The, attrition]\n---\n"
        files["content/guides/notes.md"] = "A customer and the attrition.\n"
        let s = try TempSite(files)
        let report = s.build()
        XCTAssertEqual(headlines(report.diagnostics.filter { $0.location.path.hasSuffix("churn.md") }), [
            "content/glossary/churn.md:5:15: error: synonym `` has no word in it",
            "content/glossary/churn.md:5:19: error: synonym `--` has no word in it",
            "content/glossary/churn.md:5:25: warning: synonym `a` is too common a word to auto-link: it is shown, not linked",
            "content/glossary/churn.md:5:28: warning: synonym `The` is too common a word to auto-link: it is shown, not linked",
        ])
        // Without the errors the site builds: the common words are not linked, the real synonym is.
        try s.write("content/glossary/churn.md", "---\nterm: Churn\ndefinition: Customers who leave.\nsynonyms:\n  marketing: [a, The, attrition]\n---\n")
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let notes = try XCTUnwrap(s.html("guides/notes/index.html"))
        XCTAssertTrue(notes.contains(">attrition</a>"), notes)
        XCTAssertFalse(notes.contains(">A</a>") || notes.contains(">the</a>"), notes)
        // Shown all the same, in the card and the vocabulary; an acronym (IT) is no common word.
        XCTAssertTrue(try XCTUnwrap(s.html("glossary/cards.js")).contains("Marketing calls this “a” or “The” or “attrition”"))
        try s.write("content/glossary/churn.md", "---\nterm: Churn\ndefinition: Customers who leave.\nsynonyms:\n  marketing: [IT]\n---\n")
        XCTAssertEqual(s.build().diagnostics.filter { $0.location.path.hasSuffix("churn.md") }.count, 0)
    }

    func testUnusedTermsAreListedAndUsageIsGroupedByType() throws {
        let s = try site("Every segment matters.\n")
        let report = s.build()
        XCTAssertEqual(report.notes.filter { $0.contains("glossary") }, ["3 glossary terms are not used on any page: glossary/customer-journey, glossary/journey, glossary/persona"])
        let segment = try XCTUnwrap(s.html("glossary/segment/index.html"))
        XCTAssertFalse(segment.isEmpty)
    }

    /// A term page lists every page that uses it, grouped by type in navigation order and by title
    /// within a group: the first 20 of a group in sight, the rest behind "Show N more".
    func testATermPageListsEveryPageThatUsesItTheRestBehindShowMore() throws {
        var files = Self.terms
        for i in 1...25 { files["content/notes/note-\(String(format: "%02d", i)).md"] = "---\ntitle: Note \(String(format: "%02d", i))\n---\nOur segment grew.\n" }
        for name in ["Ana", "Ben"] { files["content/personas/\(name.lowercased()).md"] = "---\ntitle: \(name)\n---\nEvery segment counts.\n" }
        files["content/notes/apple.md"] = "---\ntitle: apple note\n---\nA segment of one.\n"  // sorted as a reader sorts: before "Note 01"
        files["content/notes/note-26.md"] = "---\ntitle: \"Note 26 <b>\\\"&'\"\n---\nOur segment grew.\n"  // listed behind Show more, escaped
        let s = try TempSite(files, templates: nil)  // the default theme
        let report = s.build()
        XCTAssertFalse(report.diagnostics.hasErrors, DiagnosticFormat.human.render(report.diagnostics))
        let html = try XCTUnwrap(s.html("glossary/segment/index.html"))
        let usedIn = try XCTUnwrap(html.range(of: "Used in")).upperBound
        let section = html[usedIn...].components(separatedBy: "</section>")[0]
        let groups = section.components(separatedBy: "<h3>").dropFirst().map { String($0.prefix(while: { $0 != "<" })) }
        XCTAssertEqual(groups, ["Personas", "Pages"])
        let titles = section.components(separatedBy: "<li><a href=").dropFirst().map { item in
            String(item.drop(while: { $0 != ">" }).dropFirst().prefix(while: { $0 != "<" }))
        }
        XCTAssertEqual(titles, ["Ana", "Ben", "apple note"] + (1...25).map { String(format: "Note %02d", $0) } + ["Note 26 &lt;b&gt;&quot;&amp;&#39;"],
                       "every page, once, by title, escaped")
        let pages = try XCTUnwrap(section.components(separatedBy: "<h3>Pages</h3>").last)
        let (shown, rest) = (try XCTUnwrap(pages.components(separatedBy: "<details").first), try XCTUnwrap(pages.components(separatedBy: "<details").last))
        XCTAssertEqual(shown.components(separatedBy: "<li>").count - 1, 20, "the first 20 in sight")
        XCTAssertTrue(rest.contains("<summary><span class=\"used-in-more__show\">Show </span>7 more</summary>"), rest)
        XCTAssertTrue(rest.contains(">Note 20</a>") && rest.contains(">Note 25</a>") && !rest.contains(">Note 19</a>"), rest)
        let personas = try XCTUnwrap(section.components(separatedBy: "<h3>Pages</h3>").first)
        XCTAssertFalse(personas.contains("<details"), "a group of 20 or fewer has nothing behind Show more")
    }

    /// The A–Z files a term under its letter as a dictionary does: "Ärztenetz" among the A's, not after
    /// Z; a term that starts with a digit under "#", whose anchor is a real id.
    func testTheAToZFilesAccentedLettersUnderTheirLetter() throws {
        var files = Self.terms
        for (file, name) in [("aerztenetz", "Ärztenetz"), ("apple", "Apple"), ("zebra", "Zebra"), ("one-click", "1-click signup")] {
            files["content/glossary/\(file).md"] = "---\nterm: \(name)\ndefinition: A word.\n---\n"
        }
        let s = try TempSite(files, templates: nil)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let index = try XCTUnwrap(s.html("glossary/index.html"))
        let letters = try NSRegularExpression(pattern: #"<h2 id="(letter-[^"]*)"[^>]*>([^<]*)</h2>"#)
        let found = letters.matches(in: index, range: NSRange(index.startIndex..., in: index)).map { m in
            (index as NSString).substring(with: m.range(at: 1)) + " " + (index as NSString).substring(with: m.range(at: 2))
        }
        // I and T: the departments' words "industry segment" and "target group", filed as see entries.
        XCTAssertEqual(found, ["letter-other #", "letter-a A", "letter-c C", "letter-i I", "letter-j J", "letter-p P", "letter-s S", "letter-t T",
                               "letter-z Z"], index)
        let a = try XCTUnwrap(index.range(of: ">Apple<")), ae = try XCTUnwrap(index.range(of: ">Ärztenetz<")), c = try XCTUnwrap(index.range(of: ">Customer journey<"))
        XCTAssertTrue(a.lowerBound < ae.lowerBound && ae.lowerBound < c.lowerBound, "Ärztenetz between Apple and Customer journey")
    }

    /// A term still proposed says so where readers meet it: its hover card, the matrix and the vocabularies.
    func testAProposedTermIsMarkedInCardsMatrixAndVocabularies() throws {
        var files = Self.terms
        files["content/glossary/churn.md"] = "---\nterm: Churn\ndefinition: Customers who leave.\nstatus: proposed\nsynonyms:\n  marketing: [attrition]\n---\n"
        files["content/notes.md"] = "---\ntitle: Notes\n---\nChurn is up.\n"
        let s = try TempSite(files, templates: nil)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        XCTAssertTrue(try XCTUnwrap(s.html("glossary/cards.js")).contains(#"["Churn (proposed)","#))
        let badge = #"<span class="badge" data-status="proposed">proposed</span>"#
        XCTAssertTrue(try XCTUnwrap(s.html("glossary/matrix/index.html")).contains(#">Churn</a> "# + badge))
        XCTAssertTrue(try XCTUnwrap(s.html("glossary/vocabulary/marketing/index.html")).contains(#">Churn</a> "# + badge))
        XCTAssertFalse(try XCTUnwrap(s.html("glossary/vocabulary/marketing/index.html")).contains(#">Persona</a> <span"#), "only proposed terms")
    }

    /// A homonym's callout says whose word it is on each side: "Here “Lead” is what Sales calls this
    /// term. It also names Lead (its name)".
    func testAHomonymsCalloutNamesEachSidesDepartment() throws {
        var files = Self.terms
        files["content/glossary/lead.md"] = "---\nterm: Lead\ndefinition: A contact who showed interest.\n---\n"
        files["content/glossary/opportunity.md"] = "---\nterm: Opportunity\ndefinition: A qualified deal.\nsynonyms:\n  sales: [lead]\n---\n"
        let s = try TempSite(files, templates: nil)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        XCTAssertTrue(try XCTUnwrap(s.html("glossary/opportunity/index.html")).contains(
            #"<p>Here “Lead” is what Sales calls this term. It also names <a href="/glossary/lead/">Lead</a> (its name): check which one a colleague means.</p>"#))
        XCTAssertTrue(try XCTUnwrap(s.html("glossary/lead/index.html")).contains(
            #"<p>Here “Lead” is this term&#39;s name. It also names <a href="/glossary/opportunity/">Opportunity</a> (what Sales calls it)"#))
    }

    func testGlossaryViewsExist() throws {
        let s = try site("Hello.\n")
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        for path in ["glossary/index.html", "glossary/matrix/index.html", "glossary/vocabulary/marketing/index.html",
                     "glossary/vocabulary/sales/index.html"] {
            XCTAssertNotNil(s.html(path), path)
        }
    }

    /// `no_autolink` keeps a word in the term's views and card but links it nowhere (an everyday word
    /// such as "feature"); a word that is not the term's is a warning, as it would link all the same.
    func testNoAutolinkLeavesAWordUnlinkedButShown() throws {
        var files = Self.terms
        files["content/glossary/touchpoint.md"] = "---\nterm: Touchpoint\ndefinition: A moment of contact.\nsynonyms:\n  product: [feature]\n  it: [channel event]\nno_autolink: [feature, featur]\n---\n"
        files["content/guides/notes.md"] = "The feature list, and every channel event.\n"
        let s = try TempSite(files, templates: nil)
        let report = s.build()
        XCTAssertEqual(headlines(report.diagnostics.filter { $0.severity == .warning }),
                       ["content/glossary/touchpoint.md:7:24: warning: `no_autolink` names `featur`, which is not this term's name or one of its synonyms"])
        let notes = try XCTUnwrap(s.html("guides/notes/index.html"))
        XCTAssertEqual(autolinks(notes), ["channel event → /glossary/touchpoint/"], notes)
        XCTAssertTrue(try XCTUnwrap(s.html("glossary/vocabulary/product/index.html")).contains(">feature</th>"))
        XCTAssertTrue(try XCTUnwrap(s.html("glossary/cards.js")).contains("Product calls this “feature”"))
    }

    /// A department's vocabulary is A–Z by its own words, which its people look up (not by the shared term).
    func testAVocabularyIsInTheOrderOfTheDepartmentsOwnWords() throws {
        var files = Self.terms
        files["content/glossary/churn.md"] = "---\nterm: Churn\ndefinition: Customers who leave.\nsynonyms:\n  marketing: [attrition]\n---\n"
        files["content/glossary/lead.md"] = "---\nterm: Lead\ndefinition: Someone who may buy.\nsynonyms:\n  marketing: [Prospect, MQL]\n---\n"
        let s = try TempSite(files, templates: nil)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let html = try XCTUnwrap(s.html("glossary/vocabulary/marketing/index.html"))
        let said = html.components(separatedBy: #"<th scope="row" role="rowheader">"#).dropFirst().map { $0.prefix { $0 != "<" } }
        // Each of a department's words is a row of its own, under its letter: "MQL" under M, not with "Prospect".
        XCTAssertEqual(said, ["attrition", "MQL", "Prospect", "target group"], html)
        let department = try XCTUnwrap(s.html("departments/marketing/index.html"))
        XCTAssertFalse(department.contains("Prospect, MQL"), department)
    }

    /// The automaton (fail links, the per-node child filter, reused buffers) finds exactly what a
    /// word-by-word search for the longest pattern at each position finds, on phrases that overlap in
    /// every way: shared prefixes, suffixes, patterns inside patterns, over 64 distinct words, with
    /// words joined by spaces and hyphens or separated by punctuation in both patterns and text.
    func testMatcherAgreesWithNaiveLongestMatch() {
        var rng = SplitMix(seed: 42)
        let vocabulary = (0..<90).map { "w\($0)" } + ["segment", "segments", "policy", "policies"]
        let separators = [" ", " ", " ", " ", "-", ", ", "&", "’s ", ". ", "\n"]
        func phrase(_ maxWords: Int) -> String {
            var text = vocabulary[rng.next(vocabulary.count)]
            for _ in 0..<rng.next(maxWords) {
                text += separators[rng.next(rng.next(3) == 0 ? separators.count : 4)] + vocabulary[rng.next(vocabulary.count)]
            }
            return text
        }
        let patterns = (0..<400).map { _ in phrase(4) }
        let matcher = TermMatcher(patterns: patterns)
        let patternWords = patterns.map { TermMatcher.tokens(in: $0) }
        var scratch = TermMatcher.Scratch()
        var reused: [TermMatcher.Match] = []
        for _ in 0..<300 {
            let text = (0..<(1 + rng.next(40))).map { _ in
                rng.next(6) == 0 ? vocabulary[rng.next(vocabulary.count)].uppercased() + "," : phrase(3)
            }.joined(separator: " ")
            let words = TermMatcher.tokens(in: text)
            var expected: [TermMatcher.Match] = []
            var i = 0
            while i < words.count {
                // The longest pattern starting at word i; among equal phrases, the first given. Past its
                // first word, a pattern's word matches a word of the text with the same separation before it.
                var best: (length: Int, pattern: Int)?
                for (p, w) in patternWords.enumerated() where !w.isEmpty && i + w.count <= words.count
                    && (best == nil || w.count > best!.length)
                    && zip(w, words[i...]).enumerated().allSatisfy({ k, pair in
                        pair.0.word == pair.1.word && (k == 0 || pair.0.broken == pair.1.broken)
                    }) {
                    best = (w.count, p)
                }
                if let best {
                    expected.append(TermMatcher.Match(range: words[i].range.lowerBound..<words[i + best.length - 1].range.upperBound,
                                                      pattern: best.pattern))
                    i += best.length
                } else {
                    i += 1
                }
            }
            XCTAssertEqual(matcher.matches(in: text), expected, text)
            var copy = text
            copy.withUTF8 { matcher.matches(inUTF8: $0, scratch: &scratch, into: &reused) }
            XCTAssertEqual(reused, expected, text)
        }
    }

    /// A small deterministic generator, so a failure can be replayed.
    private struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    func testMatcherUnit() {
        let m = TermMatcher(patterns: ["segment", "industry segment", "policy", "process"])
        let text = "Industry-segments, policies and processes; a segmentation is not a segment."
        XCTAssertEqual(m.matches(in: text).map { String(text.utf8.dropFirst($0.range.lowerBound).prefix($0.range.count))! }
                       .map { String($0) }, ["Industry-segments", "policies", "processes", "segment"])
    }

    /// Text written decomposed (NFD: "e" and a combining accent, as some editors and macOS copy it)
    /// matches a term written composed, and the other way round.
    func testDecomposedTextMatchesComposedTerms() {
        let m = TermMatcher(patterns: ["café visit", "nai\u{308}ve user"])
        let text = "A cafe\u{301} visit by a naïve user; a cafe visit."
        let found = m.matches(in: text).map { String(decoding: Array(text.utf8)[$0.range], as: UTF8.self) }
        XCTAssertEqual(found, ["cafe\u{301} visit", "naïve user"])
    }

    /// Punctuation ends a phrase: a sentence or clause boundary, a slash or a line break between two
    /// words keeps them apart, unless the term has punctuation there too.
    func testPunctuationBetweenWordsBreaksAPhrase() {
        let m = TermMatcher(patterns: ["customer journey", "journey", "R&D", "customer’s voice", "sign-up form"])
        func found(_ text: String) -> [String] {
            m.matches(in: text).map { String(decoding: Array(text.utf8)[$0.range], as: UTF8.self) }
        }
        XCTAssertEqual(found("We met the customer. Journey maps came later."), ["Journey"])
        XCTAssertEqual(found("the customer, journey and map"), ["journey"])
        XCTAssertEqual(found("customer\njourney"), ["journey"])
        XCTAssertEqual(found("customer/journey"), ["journey"])
        XCTAssertEqual(found("a customer journey, a customer-journey, a customer\u{00A0}journey"),
                       ["customer journey", "customer-journey", "customer\u{00A0}journey"])
        XCTAssertEqual(found("R&D and R & D, not R D"), ["R&D", "R & D"])
        XCTAssertEqual(found("the customer’s voice, the customer's voice, the customer voice"),
                       ["customer’s voice", "customer's voice"])
        XCTAssertEqual(found("the sign up form and the sign-up form"), ["sign up form", "sign-up form"])
        XCTAssertEqual(TermMatcher.normalisedPhrase("Sign-up Forms"), "sign up form")
        XCTAssertEqual(TermMatcher.normalisedPhrase("R & D"), "r&d")
    }

    /// The fast hashed tokenizer and the String one normalise words identically (lowercase, singular),
    /// wherever a word falls against the scanner's 64-byte windows and the end of the text.
    /// The ASCII fast path of `tokens(in:)` gives what the general one gives, on every prefix and
    /// suffix of text full of the cases that differ (plurals, hyphens, tabs, punctuation, digits).
    func testTheASCIITokenizerAgreesWithTheGeneralOne() throws {
        let sample = "Policies, PROCESSES, boxes, buses, analysis; crises and segments: 42 journeys ties TIES yes Ss "
            + "cats 3s x1s dishes churches quizzes R&D, R & D customer's sign-ups check-INS x-its a-xes bus -ups add-ons "
            + "tab\there\nnew line (end). a--b a - b _x_ ~y~ @home #tag 1,000 v2.0 ..."
        for shift in 0...sample.count {
            for text in [String(sample.prefix(shift)), String(sample.suffix(shift))] {
                let fast = try XCTUnwrap(TermMatcher.asciiTokens(in: text))
                let general = TermMatcher.unicodeTokens(in: text)
                XCTAssertEqual(fast.map(\.word), general.map(\.word), text)
                XCTAssertEqual(fast.map(\.range), general.map(\.range), text)
                XCTAssertEqual(fast.map(\.broken), general.map(\.broken), text)
            }
        }
        XCTAssertNil(TermMatcher.asciiTokens(in: "café"), "not ASCII: the general path")
    }

    func testHashedAndStringTokenizersAgree() {
        let sample = "Policies, PROCESSES, boxes, buses, analysis, Straße’s café — crises and segments; 42 journeys "
            + "ties TIES yes Ss cats CAFÉS naïve ÉCOLES İstanbul ÄPFELs don’t a–b 3s x1s dishes churches quizzes ΣΟΦΊΑΣ "
            + "Internationalisations customer\u{00A0}journey onboarding-experiences R&D, 1234567 abcdefgh abcdefghs "
            + "abcdefgies abcdefghies abcdefghijklmnopies supercalifragilisticexpialidocious sign-ups check-INS x-its a-xes "
            + "bus -ups add-ons é-ons naïve-ins cafe\u{301}s NAI\u{308}VE \u{301}x e\u{301}\u{327}t\n(end)."
        // The hash of a normalised word: its length times one constant; then for each eight bytes
        // (little-endian, the last zero-padded) the halves swapped, the bytes mixed in, times another.
        func spec(_ word: String) -> UInt64 {
            let bytes = Array(word.utf8)
            var h = UInt64(bytes.count) &* 0xC2B2_AE3D_27D4_EB4F
            for start in stride(from: 0, to: bytes.count, by: 8) {
                var piece: UInt64 = 0
                for (j, b) in bytes[start..<min(start + 8, bytes.count)].enumerated() { piece |= UInt64(b) << UInt64(8 * j) }
                h = ((h >> 32 | h << 32) ^ piece) &* 0x9E37_79B9_7F4A_7C15
            }
            return h
        }
        for shift in 0..<70 {
            for text in [String(repeating: "x", count: shift) + " " + sample, String(repeating: ".", count: shift) + sample,
                         String(sample.prefix(shift)), String(sample.suffix(shift)), String(repeating: "ab", count: shift) + "’" + sample] {
                let expected = TermMatcher.tokens(in: text)
                let hashed = TermMatcher.hashedTokens(in: text)
                XCTAssertEqual(hashed.map(\.hash), expected.map { spec($0.word) }, text)
                XCTAssertEqual(hashed.map(\.range), expected.map(\.range), text)
                XCTAssertEqual(hashed.map(\.broken), expected.map(\.broken), text)
            }
        }
    }
}
