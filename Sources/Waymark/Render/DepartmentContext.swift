/// A department's page: what it owns across all journeys, its KPIs, its words and its handoffs.
extension PageContext {
    func departmentView(_ d: Int) -> [String: Any] {
        let index = site.journeys
        var owned: [[String: Any]] = []
        var kpis: [String] = []
        var journeys: [Int] = []
        for place in index.owned[d] ?? [] {
            guard case .journey(let j) = site.pages[place.journey].entity else { continue }
            let stage = j.stages[place.stage]
            if !journeys.contains(place.journey) { journeys.append(place.journey) }
            if let t = place.touchpoint {
                let tp = stage.touchpoints[t]
                var row: [String: Any] = ["journey": link(place.journey), "stage": stage.name, "touchpoint": tp.name,
                                          "url": site.url(of: place.journey) + "#" + tp.anchor, "channel": tp.channel]
                if !tp.kpis.isEmpty { row["kpis"] = tp.kpis.joined(separator: "; ") }
                if let m = tp.moment { row["moment"] = Self.momentLabels[m] ?? m }
                owned.append(row)
                for k in tp.kpis where !kpis.contains(k) { kpis.append(k) }
            }
        }
        // Journeys it owns or takes part in, from the journeys' own fields.
        for b in site.backlinks[d] where b.relation == .owned && site.pages[b.source].type == .journey && !journeys.contains(b.source) {
            journeys.append(b.source)
        }
        let handoffs = index.handoffs.filter { h in
            [h.from, h.to].contains { place in
                guard case .journey(let j) = site.pages[place.journey].entity, let t = place.touchpoint,
                      let o = j.stages[place.stage].touchpoints[t].owner,
                      case .page(let p, _) = site.index.resolve(reference: o.value, type: .department) else { return false }
                return p == d
            }
        }.map { h -> [String: Any] in
            func name(_ p: JourneyIndex.Place) -> String {
                guard case .journey(let j) = site.pages[p.journey].entity, let t = p.touchpoint else { return "" }
                return j.stages[p.stage].touchpoints[t].name
            }
            return ["journey": link(h.journey), "from": name(h.from), "to": name(h.to), "fromOwner": h.fromOwner, "toOwner": h.toOwner]
        }
        var vocabulary: [[String: Any]] = []
        for e in site.glossary.entries.indices {
            let words = site.glossary.entries[e].words.filter { $0.department == d }.map(\.text)
            guard !words.isEmpty else { continue }
            vocabulary.append(["words": words.joined(separator: ", "), "term": link(site.glossary.entries[e].page)])
        }
        vocabulary.sort { ($0["words"] as? String ?? "").lowercased() < ($1["words"] as? String ?? "").lowercased() }
        let name = site.pages[d].id.split(separator: "/").last.map(String.init) ?? ""
        var ctx: [String: Any] = [
            "owned": owned, "hasOwned": !owned.isEmpty, "kpis": kpis, "hasKPIs": !kpis.isEmpty,
            "journeys": journeys.map { link($0) }, "hasJourneys": !journeys.isEmpty,
            "handoffs": handoffs, "hasHandoffs": !handoffs.isEmpty,
            "vocabulary": vocabulary, "hasVocabulary": !vocabulary.isEmpty,
        ]
        if let v = site.index.page(id: "glossary/vocabulary/" + name) { ctx["vocabularyPage"] = link(v) }
        return ctx
    }
}
