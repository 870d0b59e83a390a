/// Turns a page's front matter into its typed entity, with a diagnostic for every problem found.
struct EntityDecoder {
    /// Keys every page may carry; anything else is kept for templates as a parameter.
    static let commonKeys: Set<String> = ["title", "type", "description", "summary", "draft", "tags", "date", "glossary", "aliases"]

    static let emotionRange = -2...2

    /// The fields each type reads besides `commonKeys`, for "did you mean" warnings on misspelt keys.
    /// A test holds these lists to what the decoder reads.
    static let fields: [PageType: [String]] = [
        .journey: ["personas", "stages", "rankings", "owner", "departments", "begins", "ends", "basis", "status", "channels", "kpis",
                   "last_reviewed", "parent"],
        .persona: ["segment", "quote", "goals", "needs", "pains", "gains"],
        .finding: ["method", "participants", "confidence", "supports", "contradicts", "personas", "impact"],
        .term: ["term", "definition", "synonyms", "related", "not_to_confuse", "status", "owner", "no_autolink", "homonyms"],
        .department: ["lead", "contact"],
    ]
    static let stageFields = ["name", "touchpoints", "goal", "emotion", "owner"]
    static let touchpointFields = ["name", "channel", "mode", "owner", "actors", "moment", "emotion", "kpis", "findings"]

    struct Result: Sendable {
        var entity: Entity
        var title: String?
        var description: String?
        var draft: Bool
        var tags: [String]
        /// false when the page says `glossary: false`: no glossary words are auto-linked on it.
        var glossary: Bool
        /// Front-matter keys no entity field claims, for templates.
        var params: [YAMLEntry]
        var diagnostics: [Diagnostic]
    }

    static func decode(_ type: PageType, frontMatter: YAMLValue?, path: String) -> Result {
        let value = frontMatter ?? .mapping([], SourceLocation(path: path, line: 1, column: 1))
        var r = FieldReader(value, subject: type == .page ? "front matter" : type.label.lowercased())
        let title: String?
        if type == .term {
            let termName = r.requiredString("term", example: "Customer segment")
            title = r.string("title")?.value ?? termName?.value
        } else {
            // Required for typed pages, but a first `# Heading` may stand in for it: the loader checks after the body scan.
            title = r.string("title")?.value
        }
        let description = r.string("description")?.value ?? r.string("summary")?.value
        var draft = false
        if let v = r.value("draft") {
            if case .scalar(let s, .bool, _) = v { draft = ["true", "yes", "on"].contains(s.lowercased()) } else {
                r.wrongType("draft", v, expected: "true or false")
            }
        }
        // `tags: interviews, parents` (one text, as Obsidian reads it) is two tags; so is `tags: "#a #b"`.
        var tags = r.strings("tags").map(\.value)
        if tags.count == 1 {
            let one = tags[0]
            let words = one.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if one.contains(",") {
                tags = one.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
            } else if words.count > 1, words.allSatisfy({ $0.hasPrefix("#") }) {
                tags = words.map(String.init)
            }
        }
        tags = tags.map { $0.hasPrefix("#") ? String($0.dropFirst()) : $0 }
        var glossary = true
        if let v = r.value("glossary") {
            if case .scalar(let s, .bool, _) = v { glossary = ["true", "yes", "on"].contains(s.lowercased()) } else {
                r.wrongType("glossary", v, expected: "true or false")
            }
        }
        _ = r.value("type"); _ = r.value("date"); _ = r.value("aliases")

        let entity: Entity
        switch type {
        case .journey: entity = .journey(journey(&r))
        case .persona: entity = .persona(persona(&r))
        case .finding: entity = .finding(finding(&r))
        case .term: entity = .term(term(&r))
        case .department: entity = .department(Department(lead: r.string("lead")?.value, contact: r.string("contact")?.value))
        case .page, .listing, .home, .glossary, .vocabulary, .matrix, .coverage, .tags, .tag: entity = .page
        }
        let params = r.unusedEntries
        r.warnUnknownKeys(known: commonKeys.sorted() + (fields[type] ?? []), allKeys: false)
        return Result(entity: entity, title: title, description: description, draft: draft, tags: tags, glossary: glossary,
                      params: params, diagnostics: r.diagnostics)
    }

    private static func journey(_ r: inout FieldReader) -> Journey {
        let personas = r.strings("personas")
        if personas.isEmpty, r.entries.first(where: { $0.key == "personas" }) == nil {
            // No made-up id: a hint naming a persona the site does not have reads as one it should.
            r.missing("personas", example: "[personas/…]", then: " with the ids of the personas who walk it (their files under content/personas/)")
        }
        var stages: [Stage] = []
        if let items = r.list("stages") {
            var stageSlugs = SlugAllocator()
            for item in items {
                if let stage = self.stage(item, reader: &r, slugs: &stageSlugs) { stages.append(stage) }
            }
            if items.isEmpty {
                // At `stages: []` itself, not at the start of the front matter.
                let at = r.entries.first(where: { $0.key == "stages" })?.value.location ?? r.location
                r.report(.error(at, "journey has no stages", hint: "list at least one stage under `stages:` with a `name:`"))
            }
        } else if r.entries.first(where: { $0.key == "stages" }) == nil {
            r.missing("stages", example: "[{name: Awareness}]")
        }
        var rankings: [Ranking] = []
        if let lists = r.mapping("rankings") {
            for entry in lists {
                var sub = FieldReader(entries: [entry], location: entry.keyLocation, subject: "ranking")
                let items = sub.strings(entry.key)
                r.absorb(sub)
                rankings.append(Ranking(list: Located(value: entry.key, location: entry.keyLocation), items: items))
            }
        }
        return Journey(
            personas: personas,
            owner: r.string("owner"),
            departments: r.strings("departments"),
            begins: r.string("begins")?.value,
            ends: r.string("ends")?.value,
            basis: r.choice("basis", ["assumption", "research", "hybrid"]),
            status: r.choice("status", ["draft", "validated", "retired"]),
            channels: r.strings("channels").map(\.value),
            kpis: r.strings("kpis").map(\.value),
            lastReviewed: r.date("last_reviewed")?.value,
            parent: r.string("parent"),
            rankings: rankings,
            stages: stages
        )
    }

    private static func stage(_ item: YAMLValue, reader r: inout FieldReader, slugs: inout SlugAllocator) -> Stage? {
        var s = FieldReader(item, subject: "stage")
        guard let name = s.requiredString("name", example: "Diagnosis") else {
            r.absorb(s)
            return nil
        }
        s = FieldReader(item, subject: "stage `\(name.value)`")
        _ = s.string("name")
        let anchor = slugs.allocate(name.value)
        if let taken = sameAnchor(anchor, name.value) {
            s.report(.warning(name.location, "another stage of this journey is named “\(name.value)”, so links to `#\(taken)` lead there, not here",
                              hint: "give each stage its own name; this one's anchor is `#\(anchor)` for now"))
        }
        var touchpoints: [Touchpoint] = []
        if let items = s.list("touchpoints") {
            var touchpointSlugs = SlugAllocator()
            for tp in items {
                var t = FieldReader(tp, subject: "touchpoint")
                let tpName = t.requiredString("name", example: "GP appointment")
                if let tpName { t = FieldReader(tp, subject: "touchpoint `\(tpName.value)`"); _ = t.string("name") }
                let channel = t.requiredString("channel", example: "phone")
                let tpAnchor = touchpointSlugs.allocate(tpName?.value ?? "touchpoint")
                if let tpName, let taken = sameAnchor(tpAnchor, tpName.value) {
                    t.report(.warning(tpName.location,
                                      "another touchpoint of stage `\(name.value)` is named “\(tpName.value)”, so links to `#\(anchor)/\(taken)` lead there, not here",
                                      hint: "give each touchpoint of a stage its own name; this one's anchor is `#\(anchor)/\(tpAnchor)` for now"))
                }
                let touchpoint = Touchpoint(
                    name: tpName?.value ?? "",
                    anchor: anchor + "/" + tpAnchor,
                    channel: channel?.value ?? "",
                    mode: t.choice("mode", ["online", "offline", "hybrid"]),
                    owner: t.string("owner"),
                    actors: t.strings("actors").map(\.value),
                    moment: t.choice("moment", ["pain", "pleasure", "truth", "neutral"]),
                    emotion: t.int("emotion", in: emotionRange, scale: ("worst", "best")),
                    kpis: t.strings("kpis").map(\.value),
                    findings: t.strings("findings"),
                    location: tp.location
                )
                t.warnUnknownKeys(known: touchpointFields, allKeys: true)
                s.absorb(t)
                // Kept without its channel (the error above says so): links to it are not reported
                // broken on top of that, in this file or others. Without a name it has no anchor to keep.
                if tpName != nil { touchpoints.append(touchpoint) }
            }
        }
        let stage = Stage(
            name: name.value,
            anchor: anchor,
            goal: s.string("goal")?.value,
            emotion: s.int("emotion", in: emotionRange, scale: ("worst", "best")),
            owner: s.string("owner"),
            touchpoints: touchpoints,
            location: item.location
        )
        s.warnUnknownKeys(known: stageFields, allKeys: true)
        r.absorb(s)
        return stage
    }

    /// The anchor `name` would have had, when an earlier stage or touchpoint took it (names that differ
    /// only in case or punctuation have the same anchor): `allocated` then has a number added.
    private static func sameAnchor(_ allocated: String, _ name: String) -> String? {
        let base = slugify(name)
        return !base.isEmpty && allocated != base ? base : nil
    }

    private static func persona(_ r: inout FieldReader) -> Persona {
        Persona(
            kind: r.string("type").map { $0.value.lowercased() }.flatMap { ["primary", "secondary"].contains($0) ? $0 : nil },
            segment: r.string("segment")?.value,
            quote: r.string("quote")?.value,
            goals: r.strings("goals").map(\.value),
            needs: r.strings("needs").map(\.value),
            pains: r.strings("pains").map(\.value),
            gains: r.strings("gains").map(\.value)
        )
    }

    private static func finding(_ r: inout FieldReader) -> Finding {
        Finding(
            method: r.requiredString("method", example: "interview")?.value ?? "",
            date: {
                if r.entries.first(where: { $0.key == "date" }).map({ !$0.value.isNull }) != true {
                    r.missing("date", example: "2026-03-14")
                    _ = r.value("date")
                    return ""
                }
                return r.date("date")?.value ?? ""
            }(),
            participants: r.int("participants", in: 0...10_000_000),
            confidence: r.choice("confidence", ["low", "medium", "high"]),
            supports: r.strings("supports"),
            contradicts: r.strings("contradicts"),
            personas: r.strings("personas"),
            impact: r.int("impact", in: emotionRange)
        )
    }

    /// English words too common to stand alone as a synonym (after lowercasing and `singular`).
    static let commonWords: Set<String> = ["a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "by", "for", "with",
                                           "from", "as", "is", "are", "was", "be", "it", "this", "that", "we", "you", "they",
                                           "he", "she", "i", "our", "your", "their", "not", "no", "yes", "if", "so", "do"]

    private static func term(_ r: inout FieldReader) -> GlossaryTerm {
        var synonyms: [GlossaryTerm.Synonyms] = []
        var tooCommon: [Located<String>] = []
        if let entries = r.mapping("synonyms") {
            for entry in entries {
                var sub = FieldReader(entries: [entry], location: entry.keyLocation, subject: "synonyms")
                var words: [String] = []
                var locations: [SourceLocation] = []
                var seen: Set<String> = []
                let listed = sub.strings(entry.key)
                if listed.isEmpty, case .sequence = entry.value {
                    // `sales: []`: a department with no word would show as an empty row.
                    sub.report(.warning(entry.keyLocation, "`\(entry.key):` lists no word: the department is left out of this term's synonyms",
                                        hint: "write the words \(entry.key) uses, as in `\(entry.key): [lost account]`, or remove the line"))
                    r.absorb(sub)
                    continue
                }
                for word in listed {
                    // The same word twice ("walk-through", "Walk-through") is shown once.
                    let key = word.value.lowercased()
                    guard key.isEmpty || seen.insert(key).inserted else {
                        sub.report(.warning(word.location, "synonym `\(word.value)` is listed twice for \(entry.key): it is shown once",
                                            hint: "remove the second one"))
                        continue
                    }
                    let isAcronym = word.value.count > 1 && word.value.allSatisfy { $0.isUppercase || $0.isNumber }
                    // A synonym is auto-linked wherever it is written: one with no word links nothing, and
                    // `a` or `the` would link it on every page.
                    let tokens = TermMatcher.tokens(in: word.value)
                    if tokens.isEmpty {
                        sub.report(.error(word.location, "synonym `\(word.value)` has no word in it",
                                          hint: "write the word \(entry.key) uses for this term, or remove the line"))
                    } else if tokens.count == 1, !isAcronym, tokens[0].word.count == 1 || Self.commonWords.contains(tokens[0].word) {
                        // Shown in the vocabulary and the card like any synonym, but never auto-linked.
                        sub.report(.warning(word.location, "synonym `\(word.value)` is too common a word to auto-link: it is shown, not linked",
                                            hint: "it would link “\(word.value)” in nearly every sentence; write the phrase \(entry.key) uses instead"))
                        words.append(word.value)
                        locations.append(word.location)
                        tooCommon.append(word)
                    } else {
                        words.append(word.value)
                        locations.append(word.location)
                    }
                }
                r.absorb(sub)
                synonyms.append(.init(department: Located(value: entry.key, location: entry.keyLocation), words: words, wordLocations: locations))
            }
        }
        let term = r.string("term")
        // Each word left unlinked must be one of the term's: a misspelt one would silently link.
        let ownWords = Set(([term?.value].compactMap { $0 } + synonyms.flatMap(\.words)).map(TermMatcher.normalisedPhrase))
        let noAutolink = r.strings("no_autolink")
        for word in noAutolink where !ownWords.contains(TermMatcher.normalisedPhrase(word.value)) {
            r.report(.warning(word.location, "`no_autolink` names `\(word.value)`, which is not this term's name or one of its synonyms",
                              hint: "list words of this term only; its name is `term:`, its synonyms are under `synonyms:`"))
        }
        // Words this term shares with another on purpose (a known homonym): each must be one of its own.
        let homonyms = r.strings("homonyms")
        for word in homonyms where !ownWords.contains(TermMatcher.normalisedPhrase(word.value)) {
            r.report(.warning(word.location, "`homonyms` names `\(word.value)`, which is not this term's name or one of its synonyms",
                              hint: "list words of this term that another term uses too, on purpose"))
        }
        let definition = r.requiredString("definition", example: "One sentence everyone agrees on.")
        if let d = definition { GlossaryTerm.checkDefinition(d.value, at: d.location, into: &r) }
        var result = GlossaryTerm(
            term: term?.value ?? "",
            termLocation: term?.location ?? r.location,
            definition: definition?.value ?? "",
            synonyms: synonyms,
            related: r.strings("related"),
            notToConfuse: r.strings("not_to_confuse"),
            status: r.choice("status", ["proposed", "agreed"]),
            owner: r.string("owner")
        )
        result.noAutolink = noAutolink + tooCommon
        result.homonyms = homonyms
        return result
    }
}
