import XCTest
@testable import Waymark

/// Ranking metrics against values computed independently: scipy.stats.kendalltau for τ, and a direct
/// Python transcription of Webber, Moffat & Zobel (2010) eq. 32 for RBO_ext (p = 0.9):
///
///     def rbo_ext(S, L, p=0.9):
///         if len(S) > len(L): S, L = L, S
///         s, l = len(S), len(L)
///         X = lambda d: len(set(S[:d]) & set(L[:d]))
///         sum1 = sum(X(d) / d * p**d for d in range(1, l + 1))
///         sum2 = sum(X(s) * (d - s) / (s * d) * p**d for d in range(s + 1, l + 1))
///         return (1 - p) / p * (sum1 + sum2) + ((X(l) - X(s)) / l + X(s) / s) * p**l
final class RankingMetricsTests: XCTestCase {
    func letters(_ s: String) -> [String] { s.map(String.init) }

    func testTwoTenItemListsSharingSixItems() {
        let r = RankingComparison(customer: letters("abcdefghij"), department: letters("fkalbmcnde"))
        XCTAssertEqual(r.shared, 6)
        XCTAssertEqual(r.overlap, 0.6, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(r.kendallTau), 0.3333333333333333, accuracy: 1e-12)
        XCTAssertEqual(r.rbo, 0.4116435405428572, accuracy: 1e-12)
    }

    func testIdenticalListsScoreOne() {
        let r = RankingComparison(customer: letters("abcdefghij"), department: letters("abcdefghij"))
        XCTAssertEqual(r.overlap, 1)
        XCTAssertEqual(try XCTUnwrap(r.kendallTau), 1, accuracy: 1e-12)
        XCTAssertEqual(r.rbo, 1, accuracy: 1e-12)
    }

    func testDisjointListsScoreZeroAndHaveNoTau() {
        let r = RankingComparison(customer: letters("abcdefghij"), department: letters("klmnopqrst"))
        XCTAssertEqual(r.overlap, 0)
        XCTAssertNil(r.kendallTau)
        XCTAssertEqual(r.rbo, 0, accuracy: 1e-12)
    }

    func testListsOfDifferentLengths() {
        let r = RankingComparison(customer: letters("abcdefghij"), department: letters("cadbx"))
        XCTAssertEqual(r.k, 10)
        XCTAssertEqual(r.overlap, 0.4, accuracy: 1e-12)
        XCTAssertEqual(try XCTUnwrap(r.kendallTau), 0, accuracy: 1e-12)
        XCTAssertEqual(r.rbo, 0.69678, accuracy: 1e-12)
        // Symmetric in which list is longer.
        XCTAssertEqual(RankingComparison(customer: letters("cadbx"), department: letters("abcdefghij")).rbo, r.rbo, accuracy: 1e-12)
    }

    func testReversedOrderGivesTauMinusOne() {
        let r = RankingComparison(customer: letters("abcde"), department: letters("edcba"))
        XCTAssertEqual(try XCTUnwrap(r.kendallTau), -1, accuracy: 1e-12)
    }
}
