/// Whole-site facts about journeys, computed once in the link step: which research backs or contradicts
/// each stage and touchpoint, what each department owns, and where a journey changes hands.
struct JourneyIndex: Sendable {
    struct Evidence: Sendable, Hashable {
        enum Kind: String, Sendable { case supports, contradicts, cited }
        var finding: Int
        var kind: Kind
    }

    /// A touchpoint located in its journey.
    struct Place: Sendable, Hashable {
        var journey: Int
        var stage: Int
        /// nil for the stage itself.
        var touchpoint: Int?
    }

    /// A department (or an outside organisation) handing the customer on to another.
    struct Handoff: Sendable, Hashable {
        var journey: Int
        var from: Place
        var to: Place
        var fromOwner: String
        var toOwner: String
    }

    /// Journey page → anchor ("" for the journey as a whole) → evidence.
    private(set) var evidence: [Int: [String: [Evidence]]] = [:]
    /// Department page → places it owns.
    private(set) var owned: [Int: [Place]] = [:]
    private(set) var handoffs: [Handoff] = []

    init(index: SiteIndex) {
        // Each page is read on its own, on all cores; what they say is merged in page order, as one pass would.
        let found = parallelMap(runs(of: index.pages.count)) { run in run.map { PageFacts(page: $0, index: index) } }
        for facts in found.joined() {
            for (journey, anchor, e) in facts.evidence { evidence[journey, default: [:]][anchor, default: []].append(e) }
            for (department, place) in facts.owned { owned[department, default: []].append(place) }
            handoffs += facts.handoffs
        }
        // Sorted by finding and kind, without repeats. Most places have one piece of evidence: those are left as they are.
        let lists = evidence.flatMap { j, anchors in anchors.filter { $0.value.count > 1 }.map { (j, $0.key, $0.value) } }
        for (j, anchor, list) in lists {
            let sorted = list.sorted { ($0.finding, $0.kind.rawValue) < ($1.finding, $1.kind.rawValue) }
            evidence[j]?[anchor] = sorted.enumerated().filter { $0.offset == 0 || $0.element != sorted[$0.offset - 1] }.map(\.element)
        }
    }

    /// What one page says about journeys: evidence a finding gives, or a journey's owners, citations and handoffs.
    private struct PageFacts: Sendable {
        var evidence: [(journey: Int, anchor: String, Evidence)] = []
        var owned: [(department: Int, Place)] = []
        var handoffs: [Handoff] = []

        init(page i: Int, index: SiteIndex) {
            switch index.pages[i].entity {
            case .finding(let f):
                for (refs, kind) in [(f.supports, Evidence.Kind.supports), (f.contradicts, .contradicts)] {
                    for r in refs {
                        guard case .page(let j, let anchor) = index.resolve(reference: r.value, type: .journey),
                              index.pages[j].type == .journey else { continue }
                        evidence.append((j, anchor ?? "", Evidence(finding: i, kind: kind)))
                    }
                }
            case .journey(let j):
                indexJourney(j, page: i, index: index)
            default:
                break
            }
        }

        private mutating func indexJourney(_ j: Journey, page i: Int, index: SiteIndex) {
            func department(_ ref: Located<String>?) -> Int? {
                guard let ref, case .page(let d, _) = index.resolve(reference: ref.value, type: .department),
                      index.pages[d].type == .department else { return nil }
                return d
            }
            var previous: (place: Place, owner: String)?
            // Stages and touchpoints are read in place: copying one retains everything it holds.
            for s in j.stages.indices {
                let stageOwner = department(j.stages[s].owner)
                if let d = stageOwner { owned.append((d, Place(journey: i, stage: s, touchpoint: nil))) }
                for t in j.stages[s].touchpoints.indices {
                    let place = Place(journey: i, stage: s, touchpoint: t)
                    // A touchpoint that names no owner and no outside actors is its stage's owner's (a
                    // department's page lists it); one with actors only is theirs (an A&E visit).
                    let tp = j.stages[s].touchpoints[t]
                    let d = tp.owner == nil ? (tp.actors.isEmpty ? stageOwner : nil) : department(tp.owner)
                    if let d { owned.append((d, place)) }
                    for f in j.stages[s].touchpoints[t].findings {
                        if case .page(let fp, _) = index.resolve(reference: f.value, type: .finding), index.pages[fp].type == .finding {
                            evidence.append((i, j.stages[s].touchpoints[t].anchor, Evidence(finding: fp, kind: .cited)))
                        }
                    }
                    // Who the customer deals with here: the owning department, else the outside organisations.
                    let owner = d.map { index.pages[$0].title } ?? j.stages[s].touchpoints[t].actors.joined(separator: ", ")
                    if let prev = previous, !owner.isEmpty, !prev.owner.isEmpty, prev.owner != owner {
                        handoffs.append(Handoff(journey: i, from: prev.place, to: place, fromOwner: prev.owner, toOwner: owner))
                    }
                    if !owner.isEmpty { previous = (place, owner) }
                }
            }
        }
    }

    func evidence(journey: Int, anchor: String) -> [Evidence] { evidence[journey]?[anchor] ?? [] }

    /// Whether research backs the place: a finding supports it, or the place cites a finding that does
    /// not contradict it (citing the finding that contradicts a touchpoint is not support).
    static func isBacked(by evidence: [Evidence]) -> Bool {
        evidence.contains { e in
            e.kind == .supports || (e.kind == .cited && !evidence.contains { $0.finding == e.finding && $0.kind == .contradicts })
        }
    }

    var evidenceByJourney: [Int: [String: [Evidence]]] { evidence }
}
