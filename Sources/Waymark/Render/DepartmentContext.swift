/// A department's page: what it owns across all journeys, its KPIs, its words and its handoffs.
extension PageContext {
    /// Per department page, the handoffs with a touchpoint it owns and its words for glossary terms:
    /// one pass over all handoffs and all terms, instead of one per department page.
    static func departmentIndex(_ site: Site) -> ([Int: [JourneyIndex.Handoff]], [Int: [(words: String, entry: Int)]]) {
        var handoffs: [Int: [JourneyIndex.Handoff]] = [:]
        // Each owner as written is resolved once; a handoff's touchpoints are read in place (a copy of
        // the page, to read its journey, retains every field it holds).
        var departmentOf: [String: Int?] = [:]
        func department(_ owner: String) -> Int? {
            if let known = departmentOf[owner] { return known }
            var found: Int?
            if case .page(let p, _) = site.index.resolve(reference: owner, type: .department) { found = p }
            departmentOf[owner] = found
            return found
        }
        site.pages.withUnsafeBufferPointer { pages in
            for h in site.journeys.handoffs {
                var touched: [Int] = []
                for place in [h.from, h.to] {
                    guard case .journey(let j) = pages[place.journey].entity, let t = place.touchpoint,
                          let o = j.stages[place.stage].touchpoints[t].owner
                              ?? (j.stages[place.stage].touchpoints[t].actors.isEmpty ? j.stages[place.stage].owner : nil),  // else its stage's
                          let p = department(o.value), !touched.contains(p) else { continue }
                    touched.append(p)
                }
                for d in touched { handoffs[d, default: []].append(h) }
            }
        }
        // Each word on its own (Sales' "lead" and "SQL" for one term are two words, each found under its letter).
        var words: [Int: [(words: String, entry: Int)]] = [:]
        for (e, entry) in site.glossary.entries.enumerated() {
            for w in entry.words {
                guard let d = w.department else { continue }
                words[d, default: []].append((w.text, e))
            }
        }
        return (handoffs, words)
    }

    func departmentView(_ d: Int) -> TemplateObject {
        let index = site.journeys
        let links = self.links
        var owned: [TemplateValue] = []
        var kpis: [String] = []
        var journeys: [Int] = []
        // A department may own thousands of touchpoints: membership through sets, order through the arrays.
        var seenKPIs = Set<String>(), seenJourneys = Set<Int>()
        // A journey's places come one after another: its payload, link and address are taken once per
        // run of them, and its stages and touchpoints are read in place (a copy of a journey, a stage or
        // a touchpoint retains everything it holds).
        var runPage = -1, runJourney: Journey?, runLink: TemplateValue?, runURL = ""
        // The KPIs of the journeys it owns first (a journey's own measures, "Pilot-to-contract rate"),
        // then those of the touchpoints it owns.
        for b in site.backlinks[d] where b.relation == .owned {
            guard case .journey(let j) = site.pages[b.source].entity, let o = j.owner,
                  case .page(let owner, _) = site.index.resolve(reference: o.value, type: .department), owner == d else { continue }
            for k in j.kpis where seenKPIs.insert(k).inserted { kpis.append(k) }
        }
        for place in index.owned[d] ?? [] {
            if runPage != place.journey {
                runPage = place.journey
                if case .journey(let j) = site.pages[place.journey].entity { runJourney = j } else { runJourney = nil }
                runLink = links[place.journey]
                runURL = site.url(of: place.journey)
            }
            guard runJourney != nil, let journeyLink = runLink else { continue }
            if seenJourneys.insert(place.journey).inserted { journeys.append(place.journey) }
            guard let t = place.touchpoint else { continue }
            runJourney?.stages.withUnsafeBufferPointer { stages in
                stages[place.stage].touchpoints.withUnsafeBufferPointer { touchpoints in
                    var row: TemplateObject = ["journey": journeyLink, "stage": .text(stages[place.stage].name), "touchpoint": .text(touchpoints[t].name),
                                               "url": .text(runURL + "#" + touchpoints[t].anchor), "channel": .text(touchpoints[t].channel)]
                    if !touchpoints[t].kpis.isEmpty { row["kpis"] = .text(touchpoints[t].kpis.joined(separator: "; ")) }
                    if let m = touchpoints[t].moment { row["moment"] = .text(Self.momentLabels[m] ?? m) }
                    owned.append(.object(row))
                    for k in touchpoints[t].kpis where seenKPIs.insert(k).inserted { kpis.append(k) }
                }
            }
        }
        // Journeys it owns or takes part in, from the journeys' own fields.
        for b in site.backlinks[d] where (b.relation == .owned || b.relation == .takesPart) && site.pages[b.source].type == .journey
            && seenJourneys.insert(b.source).inserted {
            journeys.append(b.source)
        }
        // Handoffs too come journey by journey: each journey's payload and link are taken once.
        var handoffPage = -1, handoffJourney: Journey?, handoffLink: TemplateValue?, handoffURL = ""
        let handoffs = (departmentHandoffs[d] ?? []).map { h -> TemplateValue in
            if handoffPage != h.journey {
                handoffPage = h.journey
                if case .journey(let j) = site.pages[h.journey].entity { handoffJourney = j } else { handoffJourney = nil }
                handoffLink = links[h.journey]
                handoffURL = site.url(of: h.journey)
            }
            func name(_ p: JourneyIndex.Place) -> String {
                guard let t = p.touchpoint else { return "" }
                return handoffJourney?.stages[p.stage].touchpoints[t].name ?? ""
            }
            // Each side links to its touchpoint on the journey's map.
            func url(_ p: JourneyIndex.Place) -> String {
                guard let t = p.touchpoint, let anchor = handoffJourney?.stages[p.stage].touchpoints[t].anchor else { return "" }
                return handoffURL + "#" + anchor
            }
            var item: TemplateObject = ["journey": handoffLink ?? links[h.journey], "from": .text(name(h.from)), "to": .text(name(h.to)),
                                        "fromURL": .text(url(h.from)), "toURL": .text(url(h.to)),
                                        "fromOwner": .text(h.fromOwner), "toOwner": .text(h.toOwner)]
            // Across a stage's end: the next stage named, so a reader sees the step is a later one.
            if h.from.stage != h.to.stage, let stage = handoffJourney?.stages[h.to.stage].name { item["nextStage"] = .text(stage) }
            return .object(item)
        }
        // The same, one group per journey (they come journey by journey), for a list a reader can scan.
        var handoffGroups: [TemplateValue] = []
        var groupJourney = -1, groupItems: [TemplateValue] = []
        for (h, item) in zip(departmentHandoffs[d] ?? [], handoffs) {
            if h.journey != groupJourney, !groupItems.isEmpty {
                handoffGroups.append(["journey": links[groupJourney], "items": .list(groupItems), "count": .int(groupItems.count)])
                groupItems = []
            }
            groupJourney = h.journey
            groupItems.append(item)
        }
        if !groupItems.isEmpty {
            handoffGroups.append(["journey": links[groupJourney], "items": .list(groupItems), "count": .int(groupItems.count)])
        }
        let vocabulary = (departmentWords[d] ?? []).map { (v: $0, key: $0.words.lowercased()) }  // lowercased once, not per comparison
            .sorted { $0.key < $1.key }.map(\.v)
            .map { v -> TemplateValue in ["words": .text(v.words), "term": links[site.glossary.entries[v.entry].page]] }
        let name = site.pages[d].id.slashSeparated().last.map(String.init) ?? ""
        var ctx: TemplateObject = [
            "owned": .list(owned), "hasOwned": .bool(!owned.isEmpty), "kpis": .texts(kpis), "hasKPIs": .bool(!kpis.isEmpty),
            "journeys": .list(journeys.map { links[$0] }), "hasJourneys": .bool(!journeys.isEmpty),
            "handoffs": .list(handoffs), "hasHandoffs": .bool(!handoffs.isEmpty), "handoffsByJourney": .list(handoffGroups),
            "vocabulary": .list(vocabulary), "hasVocabulary": .bool(!vocabulary.isEmpty),
        ]
        if let v = site.index.page(id: "glossary/vocabulary/" + name) { ctx["vocabularyPage"] = .object(link(v)) }
        return ctx
    }
}
