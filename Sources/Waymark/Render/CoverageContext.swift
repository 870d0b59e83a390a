/// Evidence coverage: journeys still resting on assumptions, touchpoints no research supports,
/// and everything research contradicts.
extension PageContext {
    func coverage() -> TemplateObject {
        var assumptions: [TemplateValue] = []
        var unsupported: [TemplateValue] = []
        var contradicted: [TemplateValue] = []
        // One row per journey: how much of it research backs, and how often research contradicts it.
        var byJourney: [(row: TemplateObject, share: Double, title: String)] = []
        var touchpointCount = 0, supportedCount = 0
        let journeys = sortedByTitle(type: .journey)
        let links = self.links
        for i in journeys {
            guard case .journey(let j) = site.pages[i].entity else { continue }
            if j.basis == nil || j.basis == "assumption" {
                var row = link(i)
                row["basis"] = .text(j.basis ?? "not stated")
                assumptions.append(.object(row))
            }
            let url = site.url(of: i)
            // What research contradicts, in the order of the journey: the whole, then each stage and its
            // touchpoints. A name is made only for what is contradicted.
            func contradictions(_ evidence: [JourneyIndex.Evidence], anchor: String, name: () -> String) {
                for e in evidence where e.kind == .contradicts {
                    let what = name()
                    contradicted.append([
                        "journey": links[i], "what": .text(what.isEmpty ? "the whole journey" : what),
                        "url": .text(url + (anchor.isEmpty ? "" : "#" + anchor)), "finding": links[e.finding],
                    ])
                }
            }
            contradictions(site.journeys.evidence(journey: i, anchor: ""), anchor: "") { j.stages.isEmpty ? "" : "the whole journey" }
            var missing: [TemplateValue] = []
            let journeyTouchpoints = j.stages.reduce(0) { $0 + $1.touchpoints.count }
            let contradictedBefore = contradicted.count
            // Stages and touchpoints read in place: copying one retains everything it holds.
            for s in j.stages.indices {
                contradictions(site.journeys.evidence(journey: i, anchor: j.stages[s].anchor), anchor: j.stages[s].anchor) { j.stages[s].name }
                for t in j.stages[s].touchpoints.indices {
                    touchpointCount += 1
                    let anchor = j.stages[s].touchpoints[t].anchor
                    let evidence = site.journeys.evidence(journey: i, anchor: anchor)
                    let name = { "\(j.stages[s].name) › \(j.stages[s].touchpoints[t].name)" }
                    if JourneyIndex.isBacked(by: evidence) { supportedCount += 1 } else {
                        missing.append(["title": .text(name()), "url": .text(url + "#" + anchor)])
                    }
                    contradictions(evidence, anchor: anchor, name: name)
                }
            }
            let backed = journeyTouchpoints - missing.count
            var summary = link(i)
            summary["basis"] = .text(j.basis ?? "not stated")
            summary["touchpoints"] = .int(journeyTouchpoints)
            summary["backed"] = .int(backed)
            summary["percent"] = .text(Self.percent(backed, of: journeyTouchpoints))
            // The bar's width out of 100, as the percentage shown: never full while something is missing.
            summary["barWidth"] = .text(journeyTouchpoints == 0 ? "0" : String(Self.percent(backed, of: journeyTouchpoints).dropLast()))
            summary["contradicted"] = .int(contradicted.count - contradictedBefore)
            summary["isContradicted"] = .bool(contradicted.count > contradictedBefore)
            byJourney.append((summary, journeyTouchpoints == 0 ? 1 : Double(backed) / Double(journeyTouchpoints), site.pages[i].title.lowercased()))
            if !missing.isEmpty {
                var row = link(i)
                row["touchpoints"] = .list(missing)
                row["count"] = .int(missing.count)
                row["total"] = .int(journeyTouchpoints)
                unsupported.append(.object(row))
            }
        }
        // The least backed first: what most needs validating leads.
        let journeyRows = byJourney.enumerated()
            .sorted { a, b in a.element.share != b.element.share ? a.element.share < b.element.share : a.offset < b.offset }
            .map { TemplateValue.object($0.element.row) }
        return [
            "journeys": .list(journeyRows), "hasJourneys": .bool(!journeyRows.isEmpty),
            "assumptions": .list(assumptions), "hasAssumptions": .bool(!assumptions.isEmpty),
            "unsupported": .list(unsupported), "hasUnsupported": .bool(!unsupported.isEmpty),
            "contradicted": .list(contradicted), "hasContradicted": .bool(!contradicted.isEmpty),
            "touchpointCount": .int(touchpointCount), "supportedCount": .int(supportedCount),
            "supportedPercent": .text(Self.percent(supportedCount, of: touchpointCount)), "hasTouchpoints": .bool(touchpointCount > 0),
        ]
    }

    /// `part` of `whole` as a whole percentage, rounded down, "0%" of nothing: "40%". Never 100% while
    /// something is missing, never 0% once something is there.
    static func percent(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "0%" }
        var p = part * 100 / whole
        if p == 0 && part > 0 { p = 1 }
        return "\(p)%"
    }
}
