import Foundation
import XCTest
@testable import Waymark

/// Front matter of each entity type: required fields, value checks and typed references,
/// each problem reported at the line and column it was written.
final class EntityTests: XCTestCase {
    /// Pages the entities under test can refer to.
    static let base: [String: String] = [
        "content/personas/sam.md": "---\ntitle: Sam\n---\n",
        "content/departments/it.md": "---\ntitle: IT\n---\n",
        "content/departments/sales.md": "---\ntitle: Sales\n---\n",
    ]

    private func check(_ files: [String: String]) throws -> BuildReport {
        var all = Self.base
        all.merge(files) { _, new in new }
        return try TempSite(all).check()
    }

    // MARK: Journeys

    func testCompleteJourneyHasNoDiagnostics() throws {
        let report = try check(["content/journeys/renewal.md": """
            ---
            title: Renewal
            personas: [personas/sam]
            owner: departments/it
            basis: assumption
            status: draft
            last_reviewed: 2026-01-31
            stages:
              - name: Reminder
                emotion: -1
                touchpoints:
                  - name: Reminder email
                    channel: email
                    mode: online
                    owner: departments/sales
                    moment: truth
                    emotion: 2
              - name: Payment
            ---
            """])
        assertNoDiagnostics(report)
    }

    func testJourneyWithoutStagesIsAnErrorNamingTheFieldAtTheFrontMatter() throws {
        let report = try check(["content/journeys/renewal.md": """
            ---
            title: Renewal
            personas: [personas/sam]
            ---
            Body.
            """])
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/journeys/renewal.md:2:1: error: journey is missing the required field `stages`",
        ])
        XCTAssertEqual(report.diagnostics.first?.hint, "add `stages: [{name: Awareness}]`")
    }

    func testJourneyWithoutPersonasOrTitleNamesEachMissingField() throws {
        let report = try check(["content/journeys/renewal.md": """
            ---
            stages: [{name: Reminder}]
            ---
            """])
        XCTAssertEqual(Set(headlines(report.diagnostics)), [
            "content/journeys/renewal.md:2:1: error: journey is missing the required field `personas`",
            "content/journeys/renewal.md:2:1: error: journey is missing the required field `title`",
        ])
        // No made-up persona in the hint: it would read as one the site should have.
        XCTAssertEqual(report.diagnostics.first { $0.message.hasSuffix("`personas`") }?.hint,
                       "add `personas: [personas/…]` with the ids of the personas who walk it (their files under content/personas/)")
    }

    func testEmotionOutsideMinusTwoToTwoIsAnErrorAtTheValue() throws {
        let report = try check(["content/journeys/renewal.md": """
            ---
            title: Renewal
            personas: [personas/sam]
            stages:
              - name: Reminder
                emotion: 5
            ---
            """])
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/journeys/renewal.md:6:14: error: `emotion` is 5, outside -2…2",
        ])
    }

    func testEmotionThatIsNotANumberIsAnErrorAtTheValue() throws {
        let report = try check(["content/journeys/renewal.md": """
            ---
            title: Renewal
            personas: [personas/sam]
            stages:
              - name: Reminder
                touchpoints:
                  - name: Letter
                    channel: post
                    emotion: happy
            ---
            """])
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/journeys/renewal.md:9:18: error: `emotion` must be a whole number from -2 to 2, not text",
        ])
    }

    /// One error, and only one: the touchpoint stays a link target, so a finding citing it and a
    /// wikilink to it are not reported broken on top.
    func testTouchpointWithoutChannelIsAnErrorNamingTheTouchpoint() throws {
        let report = try check(["content/journeys/renewal.md": """
            ---
            title: Renewal
            personas: [personas/sam]
            stages:
              - name: Reminder
                touchpoints:
                  - name: Reminder letter
                    mode: offline
            ---
            """,
            "content/research/letters.md": "---\ntype: finding\ntitle: Letters\nmethod: survey\ndate: 2026-01-01\nsupports: [journeys/renewal#reminder/reminder-letter]\n---\nSee [[journeys/renewal#reminder/reminder-letter]].\n",
        ])
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/journeys/renewal.md:7:9: error: touchpoint `Reminder letter` is missing the required field `channel`",
        ])
    }

    func testStageWithoutNameIsAnError() throws {
        let report = try check(["content/journeys/renewal.md": """
            ---
            title: Renewal
            personas: [personas/sam]
            stages:
              - goal: Pay on time
            ---
            """])
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/journeys/renewal.md:5:5: error: stage is missing the required field `name`",
        ])
    }

    func testUnknownChoiceValueListsTheAllowedOnes() throws {
        let report = try check(["content/journeys/renewal.md": """
            ---
            title: Renewal
            personas: [personas/sam]
            basis: hunch
            stages: [{name: Reminder}]
            ---
            """])
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/journeys/renewal.md:4:8: error: `basis` is `hunch`; expected one of assumption, research, hybrid",
        ])
        XCTAssertNil(report.diagnostics.first?.hint)
        // A value that holds one of the words gets it to write.
        let moment = try check(["content/journeys/renewal.md": """
            ---
            title: Renewal
            personas: [personas/sam]
            stages: [{name: Reminder, touchpoints: [{name: Letter, channel: post, moment: Moment of truth}]}]
            ---
            """])
        XCTAssertEqual(moment.diagnostics.first?.hint, "write `moment: truth`", "\(moment.diagnostics)")
    }

    func testUnknownPersonaIdIsAnErrorAtTheReferenceWithASuggestion() throws {
        let report = try check(["content/journeys/renewal.md": """
            ---
            title: Renewal
            personas: [personas/sma]
            stages: [{name: Reminder}]
            ---
            """])
        XCTAssertEqual(report.diagnostics, [.error(SourceLocation(path: "content/journeys/renewal.md", line: 3, column: 12),
                                                   "unknown persona `personas/sma`", hint: "did you mean `personas/sam`?")])
    }

    func testUnknownPersonaWithNothingCloseSuggestsCreatingIt() throws {
        let report = try check(["content/journeys/renewal.md": """
            ---
            title: Renewal
            personas:
              - personas/sam
              - personas/robin-grandparent
            stages: [{name: Reminder}]
            ---
            """])
        XCTAssertEqual(report.diagnostics, [.error(SourceLocation(path: "content/journeys/renewal.md", line: 5, column: 5),
                                                   "unknown persona `personas/robin-grandparent`",
                                                   hint: "create content/personas/robin-grandparent.md or fix the id")])
    }

    func testPersonaMayBeNamedByShortName() throws {
        let report = try check(["content/journeys/renewal.md": """
            ---
            title: Renewal
            personas: [sam]
            stages: [{name: Reminder}]
            ---
            """])
        assertNoDiagnostics(report)
    }

    func testReferenceToAPageOfTheWrongTypeSaysWhatItIs() throws {
        let report = try check(["content/journeys/renewal.md": """
            ---
            title: Renewal
            personas: [departments/it]
            stages: [{name: Reminder}]
            ---
            """])
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/journeys/renewal.md:3:12: error: `departments/it` is a department, not a persona",
        ])
    }

    func testCyclicParentsBetweenTwoJourneysAreOneError() throws {
        let journey = { (name: String, parent: String) in """
            ---
            title: \(name)
            personas: [personas/sam]
            parent: \(parent)
            stages: [{name: One}]
            ---
            """ }
        let report = try check([
            "content/journeys/a.md": journey("A", "journeys/b"),
            "content/journeys/b.md": journey("B", "journeys/a"),
        ])
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/journeys/a.md:4:9: error: journey parents form a cycle: journeys/a → journeys/b → journeys/a",
        ])
    }

    func testJourneyThatIsItsOwnParentIsAnError() throws {
        let report = try check(["content/journeys/a.md": """
            ---
            title: A
            personas: [personas/sam]
            parent: journeys/a
            stages: [{name: One}]
            ---
            """])
        XCTAssertEqual(report.diagnostics.errorCount, 1, DiagnosticFormat.human.render(report.diagnostics))
    }

    func testParentChainWithoutACycleIsFine() throws {
        let report = try check([
            "content/journeys/a.md": "---\ntitle: A\npersonas: [sam]\nstages: [{name: One}]\n---\n",
            "content/journeys/b.md": "---\ntitle: B\npersonas: [sam]\nparent: journeys/a\nstages: [{name: One}]\n---\n",
            "content/journeys/c.md": "---\ntitle: C\npersonas: [sam]\nparent: journeys/b\nstages: [{name: One}]\n---\n",
        ])
        assertNoDiagnostics(report)
    }

    // MARK: Findings

    func testFindingWithABadDateIsOneErrorAtTheValue() throws {
        let report = try check(["content/research/diary.md": """
            ---
            title: Diary study
            method: diary study
            date: 2025-13-01
            ---
            """])
        XCTAssertEqual(report.diagnostics, [.error(SourceLocation(path: "content/research/diary.md", line: 4, column: 7),
                                                   "`date` is `2025-13-01`, not a date",
                                                   hint: "write dates as YYYY-MM-DD, e.g. 2026-03-14")])
    }

    /// A date written another way gets the same date as YYYY-MM-DD, both readings when day and month could be either.
    func testADateWrittenAnotherWayGetsItsYYYYMMDDForm() throws {
        XCTAssertEqual(FieldReader.isoDateHint("25/12/2025"), "write it as 2025-12-25")
        XCTAssertEqual(FieldReader.isoDateHint("12/25/2025"), "write it as 2025-12-25")
        XCTAssertEqual(FieldReader.isoDateHint("3.4.2026"), "write it as 2026-04-03 if you mean 3 April, or as 2026-03-04 if you mean March 4")
        XCTAssertEqual(FieldReader.isoDateHint("4/4/2026"), "write it as 2026-04-04")
        XCTAssertEqual(FieldReader.isoDateHint("2026/3/14"), "write it as 2026-03-14")
        XCTAssertNil(FieldReader.isoDateHint("March 2026"))
        XCTAssertNil(FieldReader.isoDateHint("40/40/2026"))
        let report = try check(["content/research/diary.md": "---\ntitle: Diary study\nmethod: diary study\ndate: 14/03/2026\n---\n"])
        XCTAssertEqual(report.diagnostics, [.error(SourceLocation(path: "content/research/diary.md", line: 4, column: 7),
                                                   "`date` is `14/03/2026`, not a date in the form YYYY-MM-DD", hint: "write it as 2026-03-14")])
    }

    /// A day the month does not have would reach the feed as `<updated>2026-02-30…`, which feed readers refuse.
    func testADayTheMonthDoesNotHaveIsNotADate() throws {
        for (date, message, hint) in [("2026-02-30", "February 2026 has 28 days", "2026-02-28"), ("2024-02-30", "February 2024 has 29 days", "2024-02-29"),
                                      ("2025-04-31", "April 2025 has 30 days", "2025-04-30"), ("1900-02-29", "February 1900 has 28 days", "1900-02-28")] {
            let report = try check(["content/research/diary.md": "---\ntitle: Diary study\nmethod: survey\ndate: \(date)\n---\n"])
            XCTAssertEqual(report.diagnostics, [.error(SourceLocation(path: "content/research/diary.md", line: 4, column: 7),
                                                       "`date` is `\(date)`, not a date: \(message)",
                                                       hint: "write dates as YYYY-MM-DD, e.g. \(hint)")], date)
        }
        for date in ["2024-02-29", "2000-02-29", "2026-12-31"] {
            assertNoDiagnostics(try check(["content/research/diary.md": "---\ntitle: Diary study\nmethod: survey\ndate: \(date)\n---\n"]))
        }
    }

    /// Hints and places from a writer's review: a participant count's hint is not an emotion's
    /// ("0 (worst) to … (best)"), and an empty stage list is reported where it is written.
    func testANegativeParticipantCountAndAnEmptyStageListAreReportedWhereWritten() throws {
        let finding = try check(["content/research/diary.md": "---\ntitle: Diary study\nmethod: survey\ndate: 2026-01-05\nparticipants: -1\n---\n"])
        XCTAssertEqual(finding.diagnostics, [.error(SourceLocation(path: "content/research/diary.md", line: 5, column: 15),
                                                    "`participants` is -1, outside 0…10000000", hint: "use a whole number from 0 to 10000000")])
        let journey = try check(["content/personas/sam.md": "---\ntitle: Sam\n---\n",
                                 "content/journeys/empty.md": "---\ntitle: Empty\npersonas: [sam]\n\nstages: []\n---\n"])
        XCTAssertEqual(headlines(journey.diagnostics), ["content/journeys/empty.md:5:9: error: journey has no stages"])
        // A misspelt title is one error at the misspelling, as for every other required field.
        let persona = try check(["content/personas/sam.md": "---\ntitel: Sam\n---\n"])
        XCTAssertEqual(persona.diagnostics, [.error(SourceLocation(path: "content/personas/sam.md", line: 2, column: 1),
                                                    "unknown field `titel` in persona: did you mean `title`, which it needs?", hint: "rename `titel` to `title`")])
    }

    func testFindingWithoutMethodOrDateNamesThem() throws {
        let report = try check(["content/research/diary.md": "---\ntitle: Diary study\n---\n"])
        XCTAssertEqual(Set(headlines(report.diagnostics)), [
            "content/research/diary.md:2:1: error: research finding is missing the required field `method`",
            "content/research/diary.md:2:1: error: research finding is missing the required field `date`",
        ])
    }

    func testFindingSupportsMustNameAStageOrTouchpointThatExists() throws {
        let report = try check([
            "content/journeys/renewal.md": "---\ntitle: Renewal\npersonas: [sam]\nstages: [{name: Reminder}]\n---\n",
            "content/research/diary.md": """
                ---
                title: Diary study
                method: diary study
                date: 2025-11-01
                supports: [journeys/renewal#reminder, journeys/renewal#payment]
                ---
                """,
        ])
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/research/diary.md:5:39: error: unknown stage or touchpoint `#payment` in `journeys/renewal`",
        ])
    }

    // MARK: Glossary

    func testGlossarySynonymUnderAnUnknownDepartmentIsAnError() throws {
        let report = try check(["content/glossary/lead.md": """
            ---
            term: Lead
            definition: A person who might buy.
            synonyms:
              sales: [prospect]
              finanse: [debtor]
            ---
            """])
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/glossary/lead.md:6:3: error: unknown department `finanse`",
        ])
    }

    func testTermWithoutDefinitionIsAnError() throws {
        let report = try check(["content/glossary/lead.md": "---\nterm: Lead\n---\n"])
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/glossary/lead.md:2:1: error: glossary term is missing the required field `definition`",
        ])
    }

    // MARK: Types

    /// A misspelt type is an error that names the type meant; a type of another tool (Foam's
    /// `type: feature`) is a warning, and the page is built as a plain page.
    func testUnknownTypeIsAnErrorWhenMisspeltAndAWarningWhenForeign() throws {
        let misspelt = try check(["content/notes.md": "---\ntitle: Notes\ntype: jorney\n---\n"])
        XCTAssertEqual(headlines(misspelt.diagnostics), ["content/notes.md:3:7: error: unknown page type `jorney`"])
        XCTAssertEqual(misspelt.diagnostics.first?.hint, "did you mean `type: journey`?")
        let site = try TempSite(["content/notes.md": "---\ntitle: Notes\ntype: recipe\n---\nA plain page.\n",
                                 "content/journeys/meeting.md": "---\ntitle: A meeting note\ntype: meeting\n---\nNotes.\n"])
        let foreign = site.build()
        // In a typed folder too: a plain page, not a journey missing its stages.
        XCTAssertEqual(headlines(foreign.diagnostics), ["content/journeys/meeting.md:3:7: warning: unknown page type `meeting`: the page is built as a plain page",
                                                        "content/notes.md:3:7: warning: unknown page type `recipe`: the page is built as a plain page"])
        XCTAssertTrue(try XCTUnwrap(site.html("notes/index.html")).contains("A plain page."))
        // Other tools' common types near one of Waymark's are theirs, not misspellings.
        for name in ["journal", "person", "team", "tag"] {
            let report = try check(["content/n.md": "---\ntitle: N\ntype: \(name)\n---\n"])
            XCTAssertEqual(report.diagnostics.map(\.severity), [.warning], name)
        }
    }

    func testTypeOverridesTheFolder() throws {
        // A persona outside personas/ still needs a title, and journeys may list it.
        let report = try check([
            "content/people/robin.md": "---\ntype: persona\n---\n",
        ])
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/people/robin.md:2:1: error: persona is missing the required field `title`",
        ])
    }

    // MARK: YAML

    func testMalformedYAMLIsAnErrorAtTheBadLine() throws {
        let report = try check(["content/notes.md": """
            ---
            title: Notes
            summary: one: two
            ---
            """])
        XCTAssertEqual(report.diagnostics.count, 1, DiagnosticFormat.human.render(report.diagnostics))
        let d = try XCTUnwrap(report.diagnostics.first)
        XCTAssertEqual(d.severity, .error)
        XCTAssertEqual(d.location.path, "content/notes.md")
        XCTAssertEqual(d.location.line, 3)
        XCTAssertTrue(d.message.hasPrefix("malformed YAML"), d.message)
        XCTAssertNotNil(d.hint)
    }

    func testMalformedYAMLInATypedPageIsReportedOnceNotAlsoAsMissingFields() throws {
        let report = try check(["content/departments/service.md": """
            ---
            title: Service
            lead: [Alex
            ---
            """])
        XCTAssertEqual(report.diagnostics.count, 1, DiagnosticFormat.human.render(report.diagnostics))
        XCTAssertTrue(report.diagnostics.first?.message.hasPrefix("malformed YAML") == true)
    }

    func testDuplicateKeyIsAnErrorAtTheSecondKey() throws {
        let report = try check(["content/personas/robin.md": """
            ---
            title: Robin
            segment: grandparents
            title: Robin again
            ---
            """])
        let duplicate = try XCTUnwrap(report.diagnostics.first { $0.message.contains("duplicate key") }, "\(report.diagnostics)")
        XCTAssertEqual(duplicate.severity, .error)
        XCTAssertEqual(duplicate.message, "duplicate key `title` in front matter")
        XCTAssertEqual(duplicate.location, SourceLocation(path: "content/personas/robin.md", line: 4, column: 1), "the second `title`")
    }

    func testFrontMatterThatIsNotAMappingIsAnError() throws {
        let report = try check(["content/personas/robin.md": "---\n- just\n- a list\n---\n"])
        XCTAssertTrue(headlines(report.diagnostics).contains(
            "content/personas/robin.md:2:1: error: persona must be written as `field: value` lines, not a list"), "\(headlines(report.diagnostics))")
    }

    // MARK: Templates

    func testUnknownFrontMatterKeysAreAvailableToTemplatesAsParams() throws {
        var templates = TempSite.minimalTemplates
        templates["page.mustache"] = "<p class=\"squad\">{{page.params.squad}}</p><p class=\"size\">{{page.params.team_size}}</p>{{#page.params.tools}}<i>{{.}}</i>{{/page.params.tools}}\n"
        var files = Self.base
        files["content/personas/robin.md"] = """
            ---
            title: Robin
            squad: Blue team
            team_size: 4
            tools: [phone, paper diary]
            ---
            """
        let site = try TempSite(files, templates: templates)
        assertNoDiagnostics(site.build())
        let html = try XCTUnwrap(site.html("personas/robin/index.html"))
        XCTAssertEqual(html, "<p class=\"squad\">Blue team</p><p class=\"size\">4</p><i>phone</i><i>paper diary</i>\n")
    }

    func testUnknownFrontMatterKeysAreShownAsFields() throws {
        var files = Self.base
        files["content/personas/robin.md"] = "---\ntitle: Robin\nsquad: Blue team\n---\n"
        let site = try TempSite(files)
        assertNoDiagnostics(site.build())
        let html = try XCTUnwrap(site.html("personas/robin/index.html"))
        XCTAssertTrue(html.contains("<dt>Squad</dt><dd>Blue team</dd>"), html)
    }

    // MARK: Site configuration

    func testUnknownKeyInWaymarkYmlIsAWarningWithSuggestion() throws {
        let report = try check(["waymark.yml": "title: KB\nbaseUrl: /kb/\n"])
        XCTAssertEqual(report.diagnostics, [.warning(SourceLocation(path: "waymark.yml", line: 2, column: 1),
                                                     "unknown key `baseUrl` in waymark.yml is ignored",
                                                     hint: "did you mean `baseURL`?")])
    }
}

/// A misspelt field name is not silently dropped: the writer is told which field Waymark reads.
final class UnknownFieldTests: XCTestCase {
    private func warnings(_ files: [String: String]) throws -> [String] {
        headlines(try TempSite(EntityTests.base.merging(files) { $1 }).check().diagnostics.filter { $0.severity == .warning })
    }

    func testAMisspeltFieldGetsADidYouMean() throws {
        let found = try warnings([
            "content/journeys/renewal.md": """
                ---
                title: Renewal
                personas: [personas/sam]
                kpi: [Renewals]
                stages:
                  - name: Notice
                    goals: Knows the date
                    touchpoints:
                      - {name: Letter, chanel: post, colour: blue}
                ---
                """,
            "content/personas/ana.md": "---\ntitel: Ana\nquote: Fine\nteam: Ops\n---\n",
        ])
        XCTAssertEqual(found, [
            "content/journeys/renewal.md:4:1: warning: unknown field `kpi` in journey: did you mean `kpis`?",
            "content/journeys/renewal.md:7:5: warning: unknown field `goals` in stage `Notice` is ignored",
            "content/journeys/renewal.md:9:38: warning: unknown field `colour` in touchpoint `Letter` is ignored",
        ])
        // A misspelt *required* field is one error at the misspelling, not "missing" and "unknown" both.
        let misspelt = try TempSite(EntityTests.base.merging([
            "content/journeys/renewal.md": "---\ntitle: R\npersona: [personas/sam]\nstages:\n  - Notice\n  - name: Letter\n    touchpoints:\n"
                + "      - {name: Letter, chanel: post}\n---\n",
        ]) { $1 }).check()
        XCTAssertEqual(headlines(misspelt.diagnostics), [
            "content/journeys/renewal.md:3:1: error: unknown field `persona` in journey: did you mean `personas`, which it needs?",
            "content/journeys/renewal.md:5:5: error: stage must be written as `field: value` lines, not text",
            "content/journeys/renewal.md:8:24: error: unknown field `chanel` in touchpoint `Letter`: did you mean `channel`, which it needs?",
        ])
        XCTAssertEqual(misspelt.diagnostics.map(\.hint), ["rename `persona` to `personas`", "write it as `- name: Notice`", "rename `chanel` to `channel`"])
        let report = try TempSite(EntityTests.base.merging([
            "content/personas/ana.md": "---\ntitel: Ana\n---\n",
            "content/journeys/renewal.md": "---\ntitle: R\npersonas: [personas/sam]\nstages:\n  - {name: Notice, goals: Knows, mood: 1}\n---\n",
        ]) { $1 }).check()
        func hint(_ word: String) -> String? { report.diagnostics.first { $0.message.contains("`\(word)`") }?.hint }
        // The title is required: its misspelling is the one error (see the test of it in EntityTests).
        XCTAssertEqual(hint("titel"), "rename `titel` to `title`")
        XCTAssertEqual(hint("goals"), "did you mean `goal`?")
        XCTAssertEqual(hint("mood"), "the fields are: name, touchpoints, goal, emotion, owner")
    }

    /// Fields of the writer's own, for templates, stay quiet unless they are a near miss of a field
    /// the page lacks: `team` next to `term` on a term page that has its `term`.
    func testTemplateFieldsThatAreNoNearMissStayQuiet() throws {
        XCTAssertEqual(try warnings([
            "content/glossary/churn.md": "---\nterm: Churn\ndefinition: Customers who leave.\nteam: Retention\n---\n",
            "content/guides/style.md": "---\ntitle: Style\nauthor: Ana\nreviewed_by: Sam\n---\n",
        ]), [])
    }

    /// The lists behind the hints name only fields the decoder reads: a front matter with every one of
    /// them leaves nothing for templates, and a stage or touchpoint with all of theirs gets no warning.
    func testTheKnownFieldListsAreWhatTheDecoderReads() {
        for (type, fields) in EntityDecoder.fields {
            let entries = (EntityDecoder.commonKeys.sorted() + fields).map {
                YAMLEntry(key: $0, keyLocation: SourceLocation(path: "a.md"), value: .scalar("", .null, SourceLocation(path: "a.md")))
            }
            let decoded = EntityDecoder.decode(type, frontMatter: .mapping(entries, SourceLocation(path: "a.md")), path: "a.md")
            XCTAssertEqual(decoded.params.map(\.key), [], "\(type)")
        }
        let stage = "{" + EntityDecoder.stageFields.map { $0 == "name" ? "name: S" : $0 == "touchpoints" ? "touchpoints: [{"
            + EntityDecoder.touchpointFields.map { $0 == "name" ? "name: T" : $0 == "channel" ? "channel: web" : "\($0): null" }.joined(separator: ", ")
            + "}]" : "\($0): null" }.joined(separator: ", ") + "}"
        let yaml = "personas: [personas/sam]\nstages: [\(stage)]"
        guard case .success(let value?) = YAMLDocument.parse(yaml, path: "a.md", firstLine: 1) else { return XCTFail("the YAML does not parse") }
        let decoded = EntityDecoder.decode(.journey, frontMatter: value, path: "a.md")
        XCTAssertEqual(decoded.diagnostics.map(\.message).filter { $0.contains("unknown field") }, [])
    }
}

/// Stages and touchpoints are linked by their names' anchors: two with one name would share one.
final class DuplicateNameTests: XCTestCase {
    func testTwoStagesOrTouchpointsWithOneNameGetAWarning() throws {
        let report = try TempSite(EntityTests.base.merging(["content/journeys/dup.md": """
            ---
            title: Dup journey
            personas: [personas/sam]
            stages:
              - name: Awareness
                touchpoints:
                  - {name: Web search, channel: web}
                  - {name: Web Search, channel: web}
              - name: Awareness
              - name: Decision
                touchpoints:
                  - {name: Web search, channel: web}
            ---
            """]) { $1 }).check()
        XCTAssertEqual(headlines(report.diagnostics), [
            "content/journeys/dup.md:8:16: warning: another touchpoint of stage `Awareness` is named “Web Search”, so links to `#awareness/web-search` lead there, not here",
            "content/journeys/dup.md:9:11: warning: another stage of this journey is named “Awareness”, so links to `#awareness` lead there, not here",
        ])
        XCTAssertEqual(report.diagnostics.last?.hint, "give each stage its own name; this one's anchor is `#awareness-1` for now")
    }
}
