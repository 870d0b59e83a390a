import Foundation
import XCTest
@testable import Waymark

/// Journey views on a fixture: coverage, handoffs, evidence on the map, rankings, the feed and graph.json.
final class JourneyViewsTests: XCTestCase {
    static let files: [String: String] = [
        "content/departments/sales.md": "---\ntitle: Sales\n---\n",
        "content/departments/service.md": "---\ntitle: Service\n---\n",
        "content/personas/sam.md": "---\ntitle: Sam\n---\n",
        "content/journeys/onboarding.md": """
            ---
            title: Onboarding
            personas: [personas/sam]
            basis: research
            stages:
              - name: Sign-up
                emotion: 1
                touchpoints:
                  - name: Contract call
                    channel: phone
                    owner: departments/sales
                    moment: truth
                    emotion: 2
                  - name: Welcome email
                    channel: email
                    owner: departments/service
              - name: First use
                emotion: -1
                touchpoints:
                  - name: GP visit
                    channel: in person
                    actors: [GP practice]
                    moment: pain
                  - name: Help call
                    channel: phone
                    owner: departments/service
            rankings:
              customer: [Help call, Contract call, Welcome email]
              sales: [Contract call, Pricing page, Help call]
            ---
            """,
        "content/journeys/renewal.md": """
            ---
            title: Renewal
            personas: [personas/sam]
            basis: assumption
            stages:
              - name: Notice
                touchpoints:
                  - name: Renewal letter
                    channel: letter
            ---
            """,
        "content/research/calls.md": """
            ---
            title: Call review
            method: call review
            date: 2026-02-01
            supports: [journeys/onboarding#sign-up/contract-call]
            contradicts: [journeys/onboarding#first-use]
            ---
            We listened to 120 calls.
            """,
        "content/research/older.md": """
            ---
            title: Older survey
            method: survey
            date: 2025-05-01
            supports: [journeys/onboarding#first-use/help-call]
            ---
            """,
    ]

    func build() throws -> TempSite {
        let site = try TempSite(Self.files, templates: nil)
        let report = site.build()
        XCTAssertEqual(report.diagnostics.errorCount, 0, DiagnosticFormat.human.render(report.diagnostics))
        return site
    }

    func text(_ html: String) -> String {
        html.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
            .replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression)
    }

    /// A touchpoint citing the finding that contradicts it ("here is the research about it") is not backed.
    func testCitingTheFindingThatContradictsATouchpointIsNotSupport() throws {
        let s = try TempSite([
            "content/personas/dana.md": "---\ntitle: Dana\n---\n",
            "content/journeys/claim.md": "---\ntitle: Claim\npersonas: [personas/dana]\nstages:\n  - name: Report\n    touchpoints:\n      - name: App form\n        channel: app\n"
                + "        findings: [research/roadside]\n      - name: Hotline\n        channel: phone\n        findings: [research/calls]\n---\n",
            "content/research/roadside.md": "---\ntitle: Roadside\nmethod: interviews\ndate: 2026-01-02\ncontradicts: [journeys/claim#report/app-form]\n---\n",
            "content/research/calls.md": "---\ntitle: Calls\nmethod: call review\ndate: 2026-01-03\n---\n",
        ], templates: nil)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let coverage = text(try XCTUnwrap(s.html("coverage/index.html")))
        XCTAssertTrue(coverage.contains("1 of 2 touchpoints (50%) are backed by research"), coverage)
        XCTAssertTrue(coverage.contains("Report › App form"), coverage)
    }

    /// A finding cited at several touchpoints of one journey says each under "Cited at touchpoints",
    /// not only the first; a department listed in `departments:` takes part, it does not own.
    func testBacklinksSayEveryPlaceAPageMakesTheRelation() throws {
        let s = try TempSite([
            "content/personas/dana.md": "---\ntitle: Dana\n---\n",
            "content/departments/sales.md": "---\ntitle: Sales\n---\n",
            "content/journeys/claim.md": "---\ntitle: Claim\npersonas: [personas/dana]\ndepartments: [departments/sales]\nstages:\n  - name: Report\n    touchpoints:\n"
                + "      - name: App form\n        channel: app\n        findings: [research/calls]\n"
                + "      - name: Hotline\n        channel: phone\n        findings: [research/calls]\n---\n",
            "content/research/calls.md": "---\ntitle: Calls\nmethod: call review\ndate: 2026-01-03\n---\n",
        ], templates: nil)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let calls = text(try XCTUnwrap(s.html("research/calls/index.html")))
        XCTAssertTrue(calls.contains("Cited at touchpoints Claim Journey Report › App form; Report › Hotline"), calls)
        let sales = text(try XCTUnwrap(s.html("departments/sales/index.html")))
        XCTAssertTrue(sales.contains("Journeys it takes part in Claim"), sales)
        XCTAssertFalse(sales.contains("Owned by this department"), sales)
    }

    /// A ranked item one or two typing mistakes from a touchpoint's name is a warning with the name to
    /// write; an item far from every touchpoint is allowed (shown as not on the map).
    func testARankedItemNearATouchpointsNameIsAWarning() throws {
        let s = try TempSite([
            "content/personas/dana.md": "---\ntitle: Dana\n---\n",
            "content/departments/it.md": "---\ntitle: IT\n---\n",
            "content/journeys/claim.md": "---\ntitle: Claim\npersonas: [personas/dana]\nstages:\n  - name: Status\n    touchpoints:\n"
                + "      - name: Claim tracker page\n        channel: web\n"
                + "rankings:\n  customer: [Claim tracker page, Phone queue]\n  it: [Claim tracker pag]\n---\n",
        ], templates: nil)
        let report = s.check()
        XCTAssertEqual(headlines(report.diagnostics.filter { $0.severity == .warning }), [
            "content/journeys/claim.md:11:8: warning: ranked item `Claim tracker pag` is not a touchpoint of this journey: did you mean `Claim tracker page`?",
        ])
    }

    /// The journeys listing says of each what a reader picks by: owner, status, basis.
    func testTheJourneysListingShowsOwnerStatusAndBasis() throws {
        let s = try TempSite([
            "content/personas/dana.md": "---\ntitle: Dana\n---\n",
            "content/departments/sales.md": "---\ntitle: Sales\n---\n",
            "content/journeys/onboarding.md": "---\ntitle: Onboarding\npersonas: [personas/dana]\nowner: departments/sales\nstatus: draft\nbasis: assumption\n"
                + "stages:\n  - name: Pilot\n---\n",
        ], templates: nil)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let list = text(try XCTUnwrap(s.html("journeys/index.html")))
        XCTAssertTrue(list.contains("Onboarding Journey owner: Sales · status: draft · basis: assumption"), list)
    }

    /// "KPIs it owns" has the KPIs of the journeys the department owns, then its touchpoints'.
    func testADepartmentOwnsTheKPIsOfItsJourneys() throws {
        let s = try TempSite([
            "content/personas/dana.md": "---\ntitle: Dana\n---\n",
            "content/departments/sales.md": "---\ntitle: Sales\n---\n",
            "content/journeys/onboarding.md": "---\ntitle: Onboarding\npersonas: [personas/dana]\nowner: departments/sales\nkpis: [Pilot-to-contract rate]\n"
                + "stages:\n  - name: Pilot\n    touchpoints:\n      - name: Discovery call\n        channel: phone\n        owner: departments/sales\n"
                + "        kpis: [Calls booked in 5 days]\n---\n",
        ], templates: nil)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let sales = text(try XCTUnwrap(s.html("departments/sales/index.html")))
        XCTAssertTrue(sales.contains("KPIs it owns Pilot-to-contract rate Calls booked in 5 days "), sales)
    }

    /// How recent and how sure: research about a persona is listed newest first with its date, method and
    /// confidence; the home page's Research card is newest first with date and method.
    func testResearchIsShownNewestFirstWithItsDate() throws {
        let s = try TempSite([
            "content/index.md": "---\ntitle: Home\n---\nHome.\n",
            "content/personas/dana.md": "---\ntitle: Dana\n---\n",
            "content/research/a-old.md": "---\ntitle: Alpha study\nmethod: interviews\ndate: 2024-01-02\nconfidence: low\npersonas: [personas/dana]\n---\n",
            "content/research/z-new.md": "---\ntitle: Zulu survey\nmethod: survey\ndate: 2026-04-22\nconfidence: high\npersonas: [personas/dana]\n---\n",
        ], templates: nil)
        XCTAssertEqual(s.build().diagnostics.errorCount, 0)
        let dana = text(try XCTUnwrap(s.html("personas/dana/index.html")))
        XCTAssertTrue(dana.contains("Research about this persona Zulu survey Research finding 2026-04-22 · survey · confidence: high "
                                    + "Alpha study Research finding 2024-01-02 · interviews · confidence: low"), dana)
        let home = text(try XCTUnwrap(s.html("index.html")))
        XCTAssertTrue(home.contains("Zulu survey 2026-04-22 · survey Alpha study 2024-01-02 · interviews"), home)
    }

    func testCoverageListsAssumptionsUnsupportedTouchpointsAndContradictions() throws {
        let s = try build()
        let coverage = text(try XCTUnwrap(s.html("coverage/index.html")))
        XCTAssertTrue(coverage.contains("2 of 5 touchpoints (40%) are backed by research"), coverage)
        XCTAssertTrue(coverage.contains("Onboarding (2 of 4 touchpoints)"), coverage)
        XCTAssertEqual([PageContext.percent(0, of: 0), PageContext.percent(1, of: 300), PageContext.percent(299, of: 300), PageContext.percent(3, of: 3)],
                       ["0%", "1%", "99%", "100%"])
        XCTAssertTrue(coverage.contains("Renewal (basis: assumption)"), coverage)
        XCTAssertFalse(coverage.contains("Onboarding (basis:"), coverage)
        XCTAssertTrue(coverage.contains("Onboarding › First use , contradicted by Call review"), coverage)
        for missing in ["Sign-up › Welcome email", "First use › GP visit", "Notice › Renewal letter"] {
            XCTAssertTrue(coverage.contains(missing), missing)
        }
        XCTAssertFalse(coverage.contains("Sign-up › Contract call"), coverage)
        XCTAssertFalse(coverage.contains("First use › Help call"), coverage)
        // One row per journey, the least backed first, with its bar as wide as its share.
        XCTAssertTrue(coverage.contains("By journey The least backed first. A touchpoint is backed when a finding supports it, or it cites one that does not contradict it. "
                                        + "Journey Basis Backed by research Contradictions "
                                        + "Renewal assumption 0 of 1 touchpoints (0%) 0 "
                                        + "Onboarding research 2 of 4 touchpoints (50%) 1 "), coverage)
        let html = try XCTUnwrap(s.html("coverage/index.html"))
        XCTAssertTrue(html.contains(#"<rect class="coverage-bar__fill" width="50" height="8" rx="2"/>"#), html)
        XCTAssertTrue(html.contains(#"<rect class="coverage-bar__fill" width="0" height="8" rx="2"/>"#), html)
    }

    /// A journey whose emotions are all on touchpoints: the curve's text alternative names them.
    func testACurveOfTouchpointEmotionsOnlyIsDescribedByThem() throws {
        let site = try TempSite([
            "content/personas/sam.md": "---\ntitle: Sam\n---\n",
            "content/journeys/move.md": "---\ntitle: Moving\npersonas: [sam]\nstages:\n  - name: Search\n    touchpoints:\n"
                + "      - {name: Listing site, channel: web, emotion: 1}\n      - {name: Agent call, channel: phone, emotion: -2}\n---\n",
        ], templates: nil)
        XCTAssertEqual(site.build().diagnostics.errorCount, 0)
        let html = try XCTUnwrap(site.html("journeys/move/index.html"))
        XCTAssertTrue(html.contains("Emotion by touchpoint, from −2 (distress) to +2 (delight): Search › Listing site +1, Search › Agent call −2."), html)
        // With the stage's own emotion too, the line still joins only the touchpoints (a stage dot in it
        // jumped straight up or down to the middle touchpoint), and the stage is a bar across it.
        try site.write("content/journeys/move.md", "---\ntitle: Moving\npersonas: [sam]\nstages:\n  - name: Search\n    emotion: -1\n    touchpoints:\n"
                       + "      - {name: Listing site, channel: web, emotion: 1}\n      - {name: Agent call, channel: phone, emotion: -2}\n---\n")
        XCTAssertEqual(site.build().diagnostics.errorCount, 0)
        let again = try XCTUnwrap(site.html("journeys/move/index.html"))
        // The curve is a row of the map: x as a share of the stage columns, so it lies under them.
        XCTAssertTrue(again.contains(#"<line class="curve-stage" x1="6.7%" x2="93.3%" y1="110.0" y2="110.0"><title>Search: −1 negative</title></line>"#), again)
        XCTAssertTrue(again.contains(#"<line class="curve-line" x1="33.3%" y1="50.0" x2="66.7%" y2="140.0"/>"#), again)
        XCTAssertTrue(again.contains(#"<table class="journey-grid" style="--stages: 1">"#) && again.contains(#"<td class="grid-curve__plot" colspan="1">"#), again)
    }

    func testHandoffsAreConsecutiveTouchpointsChangingHands() throws {
        let s = try build()
        let service = text(try XCTUnwrap(s.html("departments/service/index.html")))
        // Journey by journey: the journey once, then each handoff in it.
        XCTAssertTrue(service.contains("Handoffs Where the customer moves between this department and another, or an outside organisation: "
                                       + "two touchpoints written one after the other on a journey, with different owners. "
                                       + "Onboarding Contract call (Sales) → Welcome email (Service) Welcome email (Service) → First use: GP visit (GP practice) "
                                       + "GP visit (GP practice) → Help call (Service)"), service)
        // Each side links to its touchpoint on the map.
        let html = try XCTUnwrap(s.html("departments/service/index.html"))
        XCTAssertTrue(html.contains(#"<a href="/journeys/onboarding/#sign-up/welcome-email">Welcome email</a>"#), html)
        let sales = text(try XCTUnwrap(s.html("departments/sales/index.html")))
        XCTAssertTrue(sales.contains("Contract call Onboarding › Sign-up phone Moment of truth"), sales)
    }

    /// A stage's owner owns the stage's touchpoints that name no owner of their own: the department's
    /// page lists them, and handoffs count them as the department's.
    func testAStageOwnerOwnsItsTouchpointsWithoutAnOwner() throws {
        var files = Self.files
        files["content/journeys/install.md"] = """
            ---
            title: Install
            personas: [personas/sam]
            stages:
              - name: Booking
                touchpoints:
                  - name: Booking call
                    channel: phone
                    owner: departments/sales
              - name: Installation
                owner: departments/service
                touchpoints:
                  - name: Router set-up
                    channel: in person
                  - name: Street works
                    channel: in person
                    actors: [City council]
                  - name: Payment form
                    channel: web
                    owner: departments/sales
            ---
            """
        let s = try TempSite(files, templates: nil)
        assertNoDiagnostics(s.build())
        let service = text(try XCTUnwrap(s.html("departments/service/index.html")))
        XCTAssertTrue(service.contains("Router set-up Install › Installation in person"), service)
        XCTAssertFalse(service.contains("Payment form Install"), service)
        // A touchpoint with outside actors only is theirs, not the stage owner's.
        XCTAssertFalse(service.contains("Street works Install"), service)
        XCTAssertTrue(service.contains("Install Booking call (Sales) → Installation: Router set-up (Service) Router set-up (Service) → Street works (City council)"), service)
    }

    func testJourneyMapShowsEvidenceCurveAndRankings() throws {
        let s = try build()
        let html = try XCTUnwrap(s.html("journeys/onboarding/index.html"))
        XCTAssertTrue(html.contains(#"<th scope="col" id="sign-up""#), html)
        XCTAssertTrue(html.contains(#"id="first-use/help-call""#), html)
        // Each touchpoint says who the customer deals with there, its channel and emotion, not only its stage.
        let map = text(html)
        XCTAssertTrue(map.contains("Contract call Moment of truth Sales · phone · +2 very positive"), map)
        XCTAssertTrue(map.contains("GP visit Pain point GP practice · in person"), map)
        // Its handoffs in a row of their own, in the stage the customer arrives in.
        XCTAssertTrue(map.contains("Handoffs Sales → Service: Welcome email Service → GP practice: GP visit GP practice → Service: Help call"), map)
        XCTAssertTrue(html.contains(#"<tr class="grid-curve">"#) && html.contains(#"<line class="curve-line""#), html)
        XCTAssertTrue(html.contains("Emotion by stage, from −2 (distress) to +2 (delight): Sign-up +1, First use −1. Moments of truth: Sign-up › Contract call."), html)
        XCTAssertTrue(text(html).contains("Call review contradicts"), html)
        // Customers [help, contract, welcome] vs Sales [contract, pricing (not on the map), help]:
        // 2 shared of 3, τ −1 (order reversed), RBO_ext computed as in RankingMetricsTests.
        let expected = RankingComparison(customer: ["help-call", "contract-call", "welcome-email"],
                                         department: ["contract-call", "pricing-page", "help-call"])
        XCTAssertTrue(text(html).contains("Sales \(PageContext.agreement(rbo: expected.rbo)) 2 of 3 0.67 −1.00 \(String(format: "%.2f", expected.rbo))"), text(html))
        XCTAssertEqual([0.9, 0.7, 0.5, 0.4, 0.2].map { PageContext.agreement(rbo: $0) },
                       ["Close to customers", "Close to customers", "Partly agrees", "Partly agrees", "Differs from customers"])
        XCTAssertTrue(html.contains(#"slope-item--off-map" x="350" y="65.0">2. Pricing page"#), html)
        // The drawing is hidden from screen readers; the same lists are a table (a phone shows it instead).
        XCTAssertTrue(html.contains(#"<svg width="560" height="102.0" viewBox="0 0 560 102.0" aria-hidden="true" focusable="false">"#), html)
        XCTAssertTrue(html.contains(#"<tr><th scope="row">2</th><td>Contract call</td><td>Pricing page <em>(not on this map)</em></td></tr>"#), html)
    }

    func testFeedListsFindingsNewestFirstAndGraphHasTypedEdges() throws {
        let s = try build()
        let feed = try XCTUnwrap(s.html("research/feed.xml"))
        let calls = try XCTUnwrap(feed.range(of: "Call review")), older = try XCTUnwrap(feed.range(of: "Older survey"))
        XCTAssertLessThan(calls.lowerBound, older.lowerBound)
        XCTAssertTrue(feed.contains("<updated>2026-02-01T00:00:00Z</updated>"))
        let data = try XCTUnwrap(s.html("graph.json")).data(using: .utf8) ?? Data()
        let graph = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: [[String: String]]])
        let edges = Set((graph["edges"] ?? []).map { "\($0["source"] ?? "") -\($0["type"] ?? "")-> \($0["target"] ?? "")" })
        for edge in ["research/calls -supports-> journeys/onboarding#sign-up/contract-call",
                     "research/calls -contradicts-> journeys/onboarding#first-use",
                     "journeys/onboarding -persona-> personas/sam",
                     "journeys/onboarding#sign-up -has_touchpoint-> journeys/onboarding#sign-up/contract-call",
                     "journeys/onboarding#sign-up/contract-call -owned_by-> departments/sales"] {
            XCTAssertTrue(edges.contains(edge), edge)
        }
        let types = Set((graph["nodes"] ?? []).compactMap { $0["type"] })
        XCTAssertTrue(types.isSuperset(of: ["journey", "stage", "touchpoint", "persona", "finding", "department"]), "\(types)")
    }
}

/// A stage's evidence cell on the journey map names each finding once, with how and where it bears on the stage.
final class StageEvidenceTests: XCTestCase {
    func testEachFindingOnceWithWhatItSaysAndWhere() throws {
        let site = try TempSite([
            "content/personas/sam.md": "---\ntitle: Sam\n---\n",
            "content/journeys/move.md": """
                ---
                title: Move
                personas: [personas/sam]
                stages:
                  - name: Search
                    touchpoints:
                      - {name: Listing, channel: web}
                      - {name: Viewing, channel: visit, findings: [research/visits, research/calls]}
                ---
                """,
            "content/research/visits.md": "---\ntitle: Visits\nmethod: interview\ndate: 2026-01-05\nsupports: [journeys/move#search]\ncontradicts: [journeys/move#search/listing]\n---\n",
            "content/research/calls.md": "---\ntitle: Calls\nmethod: log\ndate: 2026-01-06\nsupports: [journeys/move#search/viewing]\n---\n",
        ], templates: nil)
        XCTAssertEqual(site.build().diagnostics.errorCount, 0)
        let html = try XCTUnwrap(site.html("journeys/move/index.html"))
        let row = String(html[try XCTUnwrap(html.range(of: "<th scope=\"row\">Evidence</th>"), html).lowerBound...].prefix { _ in true })
        let cell = try XCTUnwrap(row.components(separatedBy: "</tr>").first)
        XCTAssertEqual(cell.components(separatedBy: "href=\"/research/visits/\"").count - 1, 1, cell)
        // Each way in its own colour, so a finding that mostly supports does not read as all contradiction.
        XCTAssertTrue(cell.contains("<li class=\"evidence evidence--contradicts\"><a href=\"/research/visits/\">Visits</a> "
            + "<span class=\"evidence-kind evidence-kind--supports\">supports the stage</span> <span class=\"evidence-kind evidence-kind--contradicts\">contradicts Listing</span> "
            + "<span class=\"evidence-kind evidence-kind--cited\">mentions Viewing</span></li>"), cell)
        // Supporting a touchpoint that also cites it is said once.
        XCTAssertTrue(cell.contains("<a href=\"/research/calls/\">Calls</a> <span class=\"evidence-kind evidence-kind--supports\">supports Viewing</span>"), cell)
    }
}

/// The research folder's listing is a table of findings, newest first, with method, date,
/// participants and confidence; other folders stay lists.
final class ResearchIndexTests: XCTestCase {
    func testResearchFolderIsATableNewestFirst() throws {
        let site = try TempSite([
            "content/research/old.md": "---\ntitle: Old survey\nmethod: online survey\ndate: 2024-03-01\nparticipants: 1200\nconfidence: low\n---\nWhat we asked.\n",
            "content/research/new.md": "---\ntitle: New interviews\nmethod: interviews\ndate: 2026-01-15\nparticipants: 9\nconfidence: high\n---\nWhat they said.\n",
            "content/research/mid.md": "---\ntitle: Mid diary\nmethod: diary study\ndate: 2025-06-30\n---\nWhat they wrote.\n",
            "content/notes/a.md": "# A\n\nA note.\n",
        ], templates: nil)
        assertNoErrors(site.build())
        let research = try XCTUnwrap(site.html("research/index.html"))
        XCTAssertTrue(research.contains(#"<table class="research-table" role="table">"#), research)
        let rows = ["New interviews", "Mid diary", "Old survey"].map { research.range(of: ">\($0)</a>")?.lowerBound }
        XCTAssertEqual(rows.compactMap { $0 }.count, 3)
        XCTAssertEqual(rows.compactMap { $0 }, rows.compactMap { $0 }.sorted(), "newest first")
        XCTAssertTrue(research.contains(#"<td role="cell" class="research-table__number" data-label="Participants">1,200</td>"#))
        XCTAssertTrue(research.contains(#"<td role="cell" data-label="Method">online survey</td>"#))
        XCTAssertTrue(research.contains(#"<td role="cell" class="research-table__date" data-label="Date">2026-01-15</td>"#))
        XCTAssertTrue(research.contains(#"<span class="research-table__summary">What they said.</span>"#))
        let notes = try XCTUnwrap(site.html("notes/index.html"))
        XCTAssertFalse(notes.contains("research-table"))
        XCTAssertTrue(notes.contains(#"<ul class="item-list">"#))
    }
}
