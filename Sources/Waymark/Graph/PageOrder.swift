/// The order pages are listed in by title, computed once in the link step, so that sorting pages
/// by title (backlinks, listings, tag pages, term usage) compares two integers, not two strings,
/// and lowercases nothing inside a comparison.
struct PageOrder: Sendable {
    /// Each page's place among all pages sorted by lowercased title, then id: "alpha" and "Alpha"
    /// before "Zed", as a reader looks for them, in every list of pages.
    let byListingTitle: [Int]

    init(pages: [LoadedPage]) {
        let ids = pages.map(\.id)
        let keys = pages.map { $0.title.lowercased() }
        byListingTitle = Self.places(inOrder: ids.indices.sorted { (keys[$0], ids[$0]) < (keys[$1], ids[$1]) })
    }

    /// `order` lists items first to last; the result gives each item its place in that list.
    static func places(inOrder order: [Int]) -> [Int] {
        var places = Array(repeating: 0, count: order.count)
        for (place, item) in order.enumerated() { places[item] = place }
        return places
    }
}

extension Array {
    /// Puts the element at `order[k]` in place `k`, for every k (`order` is a permutation of the
    /// indices), by swapping: elements are moved, never copied, which matters for large values such
    /// as pages, whose copies retain every string and array they hold.
    mutating func reorder(_ order: [Int]) {
        precondition(order.count == count, "an order must list every element once")
        var placed = [Bool](repeating: false, count: count)
        withUnsafeMutableBufferPointer { elements in
            for start in elements.indices where !placed[start] {
                // Follow the cycle through `start`: each step fills one place from where its element is.
                var k = start
                while true {
                    placed[k] = true
                    let next = order[k]
                    if next == start { break }
                    precondition(!placed[next], "an order must list every element once")
                    elements.swapAt(k, next)
                    k = next
                }
            }
        }
    }
}
