/// Evidence coverage: journeys still resting on assumptions, touchpoints no research supports,
/// and everything research contradicts.
extension PageContext {
    func coverage() -> TemplateObject {
        var assumptions: [TemplateValue] = []
        var unsupported: [TemplateValue] = []
        var contradicted: [TemplateValue] = []
        var touchpointCount = 0, supportedCount = 0
        let journeys = site.pages.indices.filter { site.pages[$0].type == .journey }
            .sorted { site.pages[$0].title.lowercased() < site.pages[$1].title.lowercased() }
        for i in journeys {
            guard case .journey(let j) = site.pages[i].entity else { continue }
            if j.basis == nil || j.basis == "assumption" {
                var row = link(i)
                row["basis"] = .text(j.basis ?? "not stated")
                assumptions.append(.object(row))
            }
            var missing: [TemplateValue] = []
            for stage in j.stages {
                for tp in stage.touchpoints {
                    touchpointCount += 1
                    let evidence = site.journeys.evidence(journey: i, anchor: tp.anchor)
                    if evidence.contains(where: { $0.kind != .contradicts }) { supportedCount += 1 } else {
                        missing.append(["title": .text("\(stage.name) › \(tp.name)"), "url": .text(site.url(of: i) + "#" + tp.anchor)])
                    }
                }
            }
            if !missing.isEmpty {
                var row = link(i)
                row["touchpoints"] = .list(missing)
                row["count"] = .int(missing.count)
                unsupported.append(.object(row))
            }
            var anchors: [(String, String)] = [("", j.stages.isEmpty ? "" : "the whole journey")]
            for stage in j.stages {
                anchors.append((stage.anchor, stage.name))
                for tp in stage.touchpoints { anchors.append((tp.anchor, "\(stage.name) › \(tp.name)")) }
            }
            for (anchor, name) in anchors {
                for e in site.journeys.evidence(journey: i, anchor: anchor) where e.kind == .contradicts {
                    contradicted.append([
                        "journey": .object(link(i)), "what": .text(name.isEmpty ? "the whole journey" : name),
                        "url": .text(site.url(of: i) + (anchor.isEmpty ? "" : "#" + anchor)), "finding": .object(link(e.finding)),
                    ])
                }
            }
        }
        return [
            "assumptions": .list(assumptions), "hasAssumptions": .bool(!assumptions.isEmpty),
            "unsupported": .list(unsupported), "hasUnsupported": .bool(!unsupported.isEmpty),
            "contradicted": .list(contradicted), "hasContradicted": .bool(!contradicted.isEmpty),
            "touchpointCount": .int(touchpointCount), "supportedCount": .int(supportedCount),
        ]
    }
}
