import CWaymark
import Foundation

/// The journey page's views: the map grid (stages as columns), the emotion curve, evidence per stage
/// and touchpoint, and the inside-out vs outside-in rankings. Coordinates are computed here so the
/// templates only draw.
extension PageContext {
    static let stageWidth = 180.0, curveLeft = 56.0, curveRowHeight = 160.0

    func journeyMap(_ j: Journey, page: Int, prose: Prose = Prose()) -> TemplateObject {
        var stages: [TemplateValue] = []
        // This journey's handoffs (they come journey by journey, in page order), by the stage the customer
        // arrives in: "Service → IT: Claim form in the app".
        var handoffsByStage: [Int: [TemplateValue]] = [:]
        let all = site.journeys.handoffs
        var lo = 0, hi = all.count
        while lo < hi { let mid = (lo + hi) / 2; if all[mid].journey < page { lo = mid + 1 } else { hi = mid } }
        while lo < all.count, all[lo].journey == page {
            let h = all[lo]
            lo += 1
            guard let t = h.to.touchpoint, h.to.stage < j.stages.count, t < j.stages[h.to.stage].touchpoints.count else { continue }
            let to = j.stages[h.to.stage].touchpoints[t]
            handoffsByStage[h.to.stage, default: []].append(["fromOwner": .text(h.fromOwner), "toOwner": .text(h.toOwner),
                                                             "to": .text(to.name), "toAnchor": .text(to.anchor)])
        }
        // Touchpoints name few owners, many times: resolve each reference once per page.
        var ownerLinks: [String: TemplateObject] = [:]
        func ownerLink(_ ref: Located<String>) -> TemplateObject {
            if let known = ownerLinks[ref.value] { return known }
            let l = link(ref, type: .department)
            ownerLinks[ref.value] = l
            return l
        }
        for (stageIndex, stage) in j.stages.enumerated() {
            var s: TemplateObject = ["name": .text(stage.name), "anchor": .text(stage.anchor)]
            s["handoffs"] = .list(handoffsByStage[stageIndex] ?? [])
            if let g = stage.goal { s["goal"] = prose.value(g) }
            if let e = stage.emotion { s["emotion"] = .int(e); s["emotionLabel"] = .text(Self.emotionLabel(e)) }
            var owners: [TemplateObject] = []
            if let o = stage.owner { owners.append(ownerLink(o)) }
            var channels: [String] = [], actors: [String] = [], kpis: [String] = []
            var moments: [String: [String]] = [:]
            var touchpoints: [TemplateValue] = []
            for tp in stage.touchpoints {
                var t: TemplateObject = ["name": .text(tp.name), "anchor": .text(tp.anchor), "channel": .text(tp.channel)]
                if let m = tp.mode { t["mode"] = .text(m) }
                if let o = tp.owner {
                    let l = ownerLink(o)
                    t["owner"] = .object(l)
                    if !owners.contains(where: { $0["url"]?.string == l["url"]?.string }) { owners.append(l) }
                }
                if !tp.actors.isEmpty { t["actors"] = .texts(tp.actors) }
                // Who the customer deals with here, as department pages count it: the touchpoint's owner,
                // else its outside actors, else the stage's owner.
                if let o = tp.owner ?? (tp.actors.isEmpty ? stage.owner : nil) { t["by"] = .object(ownerLink(o)) }
                if let m = tp.moment {
                    t["moment"] = .text(m)
                    t["momentLabel"] = .text(Self.momentLabels[m] ?? m)
                    moments[m, default: []].append(tp.name)
                }
                if let e = tp.emotion { t["emotion"] = .int(e); t["emotionLabel"] = .text(Self.emotionLabel(e)) }
                if !tp.kpis.isEmpty { t["kpis"] = .texts(tp.kpis) }
                let evidence = evidenceLinks(site.journeys.evidence(journey: page, anchor: tp.anchor))
                if !evidence.isEmpty { t["evidence"] = .list(evidence.map(TemplateValue.object)) }
                touchpoints.append(.object(t))
                if !tp.channel.isEmpty, !channels.contains(tp.channel) { channels.append(tp.channel) }
                for a in tp.actors where !actors.contains(a) { actors.append(a) }
                for k in tp.kpis where !kpis.contains(k) { kpis.append(k) }
            }
            s["touchpoints"] = .list(touchpoints)
            s["hasTouchpoints"] = .bool(!touchpoints.isEmpty)
            s["channels"] = .texts(channels)
            s["owners"] = .list(owners.map(TemplateValue.object))
            s["actors"] = .texts(actors)
            s["kpis"] = .texts(kpis)
            s["pains"] = .texts(moments["pain"] ?? [])
            s["pleasures"] = .texts(moments["pleasure"] ?? [])
            s["truths"] = .texts(moments["truth"] ?? [])
            s["evidence"] = .list(stageEvidence(stage, page: page).map(TemplateValue.object))
            stages.append(.object(s))
        }
        var ctx: TemplateObject = ["stages": .list(stages), "hasStages": .bool(!stages.isEmpty), "hasHandoffs": .bool(!handoffsByStage.isEmpty)]
        if let curve = emotionCurve(j) { ctx["curve"] = .object(curve) }
        ctx["stageCount"] = .int(j.stages.count)
        let whole = evidenceLinks(site.journeys.evidence(journey: page, anchor: ""))
        if !whole.isEmpty { ctx["evidence"] = .list(whole.map(TemplateValue.object)) }
        let rankings = rankingViews(j)
        if !rankings.isEmpty { ctx["rankings"] = .list(rankings) }
        return ctx
    }

    static let momentLabels = ["pain": "Pain point", "pleasure": "Pleasure", "truth": "Moment of truth", "neutral": "Neutral"]

    /// A stage's evidence, its own and its touchpoints', one entry per finding: "supports the stage,
    /// Charity helpline call", "contradicts Welcome call", "mentions GP appointment". A finding that supports a touchpoint
    /// which also cites it is said once ("supports"), and one said several ways says each.
    private func stageEvidence(_ stage: Stage, page: Int) -> [TemplateObject] {
        var order: [Int] = []
        var said: [Int: [(kind: JourneyIndex.Evidence.Kind, at: String?)]] = [:]
        func add(_ list: [JourneyIndex.Evidence], at place: String?) {
            for e in list {
                if said[e.finding] == nil { order.append(e.finding) }
                let ways = said[e.finding] ?? []
                // Citing a touchpoint it supports or contradicts adds nothing; supporting one it cites replaces the citation.
                if e.kind == .cited, ways.contains(where: { $0.at == place && $0.kind != .cited }) { continue }
                said[e.finding, default: []].removeAll { $0.at == place && $0.kind == .cited && e.kind != .cited }
                if !(said[e.finding] ?? []).contains(where: { $0.at == place && $0.kind == e.kind }) { said[e.finding, default: []].append((e.kind, place)) }
            }
        }
        add(site.journeys.evidence(journey: page, anchor: stage.anchor), at: nil)
        for tp in stage.touchpoints { add(site.journeys.evidence(journey: page, anchor: tp.anchor), at: tp.name) }
        return order.map { finding in
            let ways = said[finding] ?? []
            var l = link(finding)
            // The kind colours the entry: a contradiction anywhere shows.
            let kind: JourneyIndex.Evidence.Kind = ways.contains { $0.kind == .contradicts } ? .contradicts : ways.contains { $0.kind == .supports } ? .supports : .cited
            l["kind"] = .text(kind.rawValue)
            var labels: [String] = []
            var parts: [TemplateValue] = []
            for k in [JourneyIndex.Evidence.Kind.supports, .contradicts, .cited] {
                let places = ways.filter { $0.kind == k }
                guard !places.isEmpty else { continue }
                // Each place said, the stage's own as "the stage": a bare "supports" left a reader guessing, and
                // hid the touchpoints a finding also supports.
                let named = places.map { $0.at ?? "the stage" }
                // "cited" alone says little to a reader: "mentions" is what it does.
                let verb = k == .cited ? "mentions" : k.rawValue
                let label = verb + " " + named.joined(separator: ", ")
                labels.append(label)
                parts.append(["kind": .text(k.rawValue), "text": .text(label)])
            }
            l["kindLabel"] = .text(labels.joined(separator: "; "))
            // Each way in its own colour (a finding that mostly supports read as all contradiction).
            l["kinds"] = .list(parts)
            return l
        }
    }

    private func evidenceLinks(_ list: [JourneyIndex.Evidence]) -> [TemplateObject] {
        list.map { e in
            var l = link(e.finding)
            l["kind"] = .text(e.kind.rawValue)
            l["kindLabel"] = .text(["supports": "supports", "contradicts": "contradicts", "cited": "cited"][e.kind.rawValue] ?? "")
            return l
        }
    }

    /// −2…+2 mapped to the SVG's height; a point per stage and per touchpoint that has an emotion.
    /// `row` is the curve as a row of the map (x as a share of the stage columns), `description` its
    /// text alternative.
    private func emotionCurve(_ j: Journey) -> TemplateObject? {
        func y(_ e: Int) -> Double { 20 + Double(2 - e) * 30 }
        var dots: [(x: Double, y: Double, stage: Bool, truth: Bool, label: String)] = []
        var bars: [(x1: Double, x2: Double, y: Double, label: String)] = []
        var description: [String] = []
        for (s, stage) in j.stages.enumerated() {
            let left = Self.curveLeft + Double(s) * Self.stageWidth
            if let e = stage.emotion {
                description.append("\(stage.name) \(Self.signed(e))")
                if stage.touchpoints.contains(where: { $0.emotion != nil }) {
                    // The line joins the touchpoints; the stage's own emotion is a bar across the stage
                    // (a dot on the line jumped straight up or down to its middle touchpoint).
                    bars.append((left + 12, left + Self.stageWidth - 12, y(e), "\(stage.name): \(Self.emotionLabel(e))"))
                } else {
                    dots.append((left + Self.stageWidth / 2, y(e), true, false, "\(stage.name): \(Self.emotionLabel(e))"))
                }
            }
            let n = Double(stage.touchpoints.count)
            for (t, tp) in stage.touchpoints.enumerated() {
                guard let e = tp.emotion else { continue }
                dots.append((left + Self.stageWidth * Double(t + 1) / (n + 1), y(e), false, tp.moment == "truth",
                             "\(stage.name) › \(tp.name): \(Self.emotionLabel(e))\(tp.moment == "truth" ? ", moment of truth" : "")"))
            }
        }
        guard !dots.isEmpty || !bars.isEmpty else { return nil }
        // The same curve as a row of the map: x as a share of the stage columns (which the grid makes
        // equal), so each stage's part of the curve sits under its column at any width.
        let count = Double(max(j.stages.count, 1))
        func share(_ x: Double) -> String { Self.fmt((x - Self.curveLeft) / Self.stageWidth / count * 100) + "%" }
        let rowDots = dots.sorted { $0.x < $1.x }
        var segments: [TemplateValue] = []
        for (a, b) in zip(rowDots, rowDots.dropFirst()) {
            segments.append(["x1": .text(share(a.x)), "y1": .text(Self.fmt(a.y)), "x2": .text(share(b.x)), "y2": .text(Self.fmt(b.y))])
        }
        let row: TemplateObject = [
            "height": .text(Self.fmt(Self.curveRowHeight)), "stageCount": .int(j.stages.count),
            "zeroY": .text(Self.fmt(y(0))),
            "axis": .list((-2...2).reversed().map { ["y": .text(Self.fmt(y($0))), "label": .text(Self.signed($0)), "ty": .text(Self.fmt(y($0) + 4))] }),
            "edges": .list((1..<max(j.stages.count, 1)).map { ["x": .text(Self.fmt(Double($0) / count * 100) + "%")] }),
            "segments": .list(segments),
            "dots": .list(rowDots.map { d -> TemplateValue in
                ["x": .text(share(d.x)), "y": .text(Self.fmt(d.y)), "r": d.stage ? "6" : "4",
                 "kind": d.stage ? "stage" : "touchpoint", "truth": .bool(d.truth), "label": .text(d.label)]
            }),
            "bars": .list(bars.map { ["x1": .text(share($0.x1)), "x2": .text(share($0.x2)), "y": .text(Self.fmt($0.y)), "label": .text($0.label)] }),
        ]
        let truths = j.stages.flatMap { s in s.touchpoints.filter { $0.moment == "truth" }.map { "\(s.name) › \($0.name)" } }
        var text: String
        if description.isEmpty {
            // Only touchpoints have an emotion: the text alternative names them (it read "…(delight): .").
            let touchpoints = j.stages.flatMap { s in s.touchpoints.compactMap { tp in tp.emotion.map { "\(s.name) › \(tp.name) \(Self.signed($0))" } } }
            text = "Emotion by touchpoint, from −2 (distress) to +2 (delight): " + touchpoints.joined(separator: ", ") + "."
        } else {
            text = "Emotion by stage, from −2 (distress) to +2 (delight): " + description.joined(separator: ", ") + "."
        }
        if !truths.isEmpty { text += " Moments of truth: " + truths.joined(separator: "; ") + "." }
        return ["row": .object(row), "description": .text(text)]
    }

    /// The rankings' agreement in words, for readers who do not read RBO: how close a department's
    /// list is to the customers', the top counting most.
    static func agreement(rbo: Double) -> String {
        rbo >= 0.7 ? "Close to customers" : rbo >= 0.4 ? "Partly agrees" : "Differs from customers"
    }

    /// Per department: the metrics against the customers' list and a slope chart.
    private func rankingViews(_ j: Journey) -> [TemplateValue] {
        guard let customer = j.rankings.first(where: { $0.list.value == "customer" }) else { return [] }
        var slugs: Set<String> = []
        var names: [String: String] = [:]
        for stage in j.stages { for tp in stage.touchpoints { slugs.insert(slugify(tp.name)); names[slugify(tp.name)] = tp.name } }
        let customerKeys = customer.items.map { slugify($0.value) }
        return j.rankings.filter { $0.list.value != "customer" }.map { ranking in
            let keys = ranking.items.map { slugify($0.value) }
            let r = RankingComparison(customer: customerKeys, department: keys)
            var ctx: TemplateObject = [
                "department": .object(link(ranking.list, type: .department)),
                "overlap": .text(Self.cFormat("%.2f", r.overlap)), "shared": .int(r.shared), "k": .int(r.k),
                "tau": .text(r.kendallTau.map { Self.cFormat("%+.2f", $0).replacingOccurrences(of: "-", with: "−") } ?? "n/a"),
                "rbo": .text(Self.cFormat("%.2f", r.rbo)), "verdict": .text(Self.agreement(rbo: r.rbo)),
            ]
            // Slope chart: customers' list on the left, the department's on the right, shared items joined.
            let rowHeight = 22.0, top = 28.0
            let height = top + rowHeight * Double(max(customerKeys.count, keys.count)) + 8
            func rowY(_ k: Int) -> Double { top + rowHeight * Double(k) + rowHeight / 2 }
            func item(_ raw: Located<String>, _ rank: Int, _ key: String) -> TemplateValue {
                ["y": .text(Self.fmt(rowY(rank) + 4)), "text": .text("\(rank + 1). \(names[key] ?? raw.value)"), "offMap": .bool(!slugs.contains(key))]
            }
            // The same two lists as table rows, rank by rank: what a screen reader reads, and a phone shows.
            let rows: [TemplateValue] = (0..<max(customerKeys.count, keys.count)).map { k in
                var row: TemplateObject = ["rank": .int(k + 1)]
                if k < customerKeys.count {
                    row["customer"] = .text(names[customerKeys[k]] ?? customer.items[k].value)
                    row["customerOffMap"] = .bool(!slugs.contains(customerKeys[k]))
                }
                if k < keys.count {
                    row["department"] = .text(names[keys[k]] ?? ranking.items[k].value)
                    row["departmentOffMap"] = .bool(!slugs.contains(keys[k]))
                }
                return .object(row)
            }
            ctx["chart"] = [
                "rows": .list(rows),
                "height": .text(Self.fmt(height)),
                "left": .list(customer.items.enumerated().map { item($1, $0, customerKeys[$0]) }),
                "right": .list(ranking.items.enumerated().map { item($1, $0, keys[$0]) }),
                "lines": .list(customerKeys.enumerated().compactMap { (i, key) -> TemplateValue? in
                    guard let k = keys.firstIndex(of: key) else { return nil }
                    return ["y1": .text(Self.fmt(rowY(i))), "y2": .text(Self.fmt(rowY(k))), "up": .bool(k < i)]
                }),
            ]
            return .object(ctx)
        }
    }

    /// One decimal, as printf's `%.1f` (C locale) writes it; String(format:) was a tenth of the render step.
    /// `v` as printf's `%.1f` prints it. Worked out here when the digit is certain: `v` times ten,
    /// within 1e-7 of the exact product below 1e9, is then not within a millionth of halfway between
    /// two tenths. Otherwise (a tie, a huge number, NaN) printf decides, at about 2,000 instructions.
    static func fmt(_ v: Double) -> String {
        let scaled = v * 10
        guard abs(scaled) < 1e9 else { return cFormat("%.1f", v) }
        let rounded = scaled.rounded()
        guard 0.5 - abs(scaled - rounded) > 1e-6 else { return cFormat("%.1f", v) }
        let tenths = Int(abs(rounded))
        // A negative number printf rounds to zero keeps its sign, as does -0.0.
        return (v.sign == .minus ? "-" : "") + String(tenths / 10) + "." + String(tenths % 10)
    }

    /// `v` printed with a printf `format` taking one double, such as `%.2f`.
    static func cFormat(_ format: StaticString, _ v: Double) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
            guard let base = buffer.baseAddress else { return "" }
            // A StaticString literal is NUL-terminated.
            let n = format.withUTF8Buffer { f in
                f.withMemoryRebound(to: CChar.self) { waymark_format_double(base, 64, $0.baseAddress, v) }
            }
            guard n >= 0, n < 64 else { return String(format: String(describing: format), v) }
            return String(decoding: UnsafeRawBufferPointer(start: base, count: Int(n)), as: UTF8.self)
        }
    }
    static func signed(_ e: Int) -> String { e > 0 ? "+\(e)" : e < 0 ? "−\(-e)" : "0" }
}
