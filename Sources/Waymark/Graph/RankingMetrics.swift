/// Inside-out vs outside-in: how a department's ranked guess compares with the customers' own ranking.
/// Pure functions over ranked lists of item keys (touchpoint slugs), best first.
struct RankingComparison: Sendable, Equatable {
    /// Shared items / k, with k the longer list's length.
    var overlap: Double
    var shared: Int
    var k: Int
    /// Kendall τ-a over the items both lists contain; nil with fewer than two shared items.
    var kendallTau: Double?
    /// Extrapolated rank-biased overlap (Webber, Moffat & Zobel 2010, eq. 32).
    var rbo: Double

    init(customer: [String], department: [String], p: Double = 0.9) {
        let a = Self.deduplicated(customer), b = Self.deduplicated(department)
        k = max(a.count, b.count)
        shared = Set(a).intersection(b).count
        overlap = k == 0 ? 0 : Double(shared) / Double(k)
        kendallTau = Self.kendallTau(a, b)
        rbo = Self.rboExt(a, b, p: p)
    }

    /// A repeated item counts once, at its first (best) rank.
    static func deduplicated(_ list: [String]) -> [String] {
        var seen: Set<String> = []
        return list.filter { seen.insert($0).inserted }
    }

    /// τ-a on the shared items: (concordant − discordant) / (n(n−1)/2), in the order each list gives them.
    static func kendallTau(_ a: [String], _ b: [String]) -> Double? {
        let rankB = Dictionary(b.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let sharedInA = a.filter { rankB[$0] != nil }
        let n = sharedInA.count
        guard n >= 2 else { return nil }
        var score = 0
        for i in 0..<n {
            for j in (i + 1)..<n {
                // In A, item i precedes item j; concordant when B agrees.
                score += (rankB[sharedInA[i]] ?? 0) < (rankB[sharedInA[j]] ?? 0) ? 1 : -1
            }
        }
        return Double(score) / Double(n * (n - 1) / 2)
    }

    /// RBO_ext for lists of possibly different lengths (eq. 32): S the shorter (length s), L the longer (l).
    static func rboExt(_ a: [String], _ b: [String], p: Double) -> Double {
        let (S, L) = a.count <= b.count ? (a, b) : (b, a)
        let s = S.count, l = L.count
        guard l > 0, s > 0 else { return 0 }
        // X[d]: overlap of the first d items of each list (S counts whole once d > s).
        var X = Array(repeating: 0.0, count: l + 1)
        var seenS: Set<String> = [], seenL: Set<String> = []
        var overlap = 0
        for d in 1...l {
            let x = L[d - 1]
            if d <= s {
                let y = S[d - 1]
                if x == y { overlap += 1 } else {
                    if seenL.contains(y) { overlap += 1 }
                    if seenS.contains(x) { overlap += 1 }
                }
                seenS.insert(y)
            } else if seenS.contains(x) {
                overlap += 1
            }
            seenL.insert(x)
            X[d] = Double(overlap)
        }
        var sum1 = 0.0, sum2 = 0.0
        var pd = 1.0
        for d in 1...l {
            pd *= p
            sum1 += X[d] / Double(d) * pd
            if d > s { sum2 += X[s] * Double(d - s) / Double(s * d) * pd }
        }
        let pl = pd
        return (1 - p) / p * (sum1 + sum2) + ((X[l] - X[s]) / Double(l) + X[s] / Double(s)) * pl
    }
}
