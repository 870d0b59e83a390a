/// Where each page's body links led in the previous build, for a build in which nothing a link
/// resolves against changed: a page whose source is the same then leads to the same pages, and
/// its links are not resolved again (at 10,000 pages that was a tenth of a one-file rebuild).
///
/// What resolving a body link reads of the site is in `environment`: every page's id, file, whether
/// it is generated, and its face (title, type, front matter, headings; see `RebuildPlan.face`),
/// and the assets. When any of it differs, every link is resolved again. A page's own links are in
/// its source (`LoadedPage.sourceHash`). Pages whose links found a problem are not remembered: their
/// diagnostics are made again on every build.
struct LinkMemo: Sendable, Equatable {
    /// The digest of what link resolution reads of the whole site (`environment(pages:faces:assets:)`).
    var environment: UInt64
    /// By page index (the same pages in the same order while `environment` is the same).
    var pages: [Entry?]

    struct Entry: Sendable, Equatable {
        /// The page's source when its links were resolved.
        var sourceHash: UInt64
        /// For each body link, in order: 0 when it leads to no page (an image, an asset, another
        /// site); else the target page's index plus one, times two, plus one when its sentence
        /// names a page by an unlabelled wikilink (whose title the backlink shows, looked up again).
        var links: [UInt32]

        static func code(target: Int, titled: Bool) -> UInt32 { UInt32(target + 1) << 1 | (titled ? 1 : 0) }
        static func target(_ code: UInt32) -> Int? { code == 0 ? nil : Int(code >> 1) - 1 }
        static func titled(_ code: UInt32) -> Bool { code & 1 == 1 }
    }

    /// The entry for page `i` when its source is still `sourceHash` and it has `linkCount` links.
    func entry(_ i: Int, sourceHash: UInt64, linkCount: Int) -> Entry? {
        guard i < pages.count, let entry = pages[i], entry.sourceHash == sourceHash, entry.links.count == linkCount else { return nil }
        return entry
    }

    /// What resolving body links reads of the site: ids, files and faces of the pages in order, and the assets.
    static func environment(pages: [LoadedPage], faces: [UInt64], assets: Set<String>) -> UInt64 {
        let parts = parallelMap(runs(of: pages.count)) { run in
            pages.withUnsafeBufferPointer { pages -> UInt64 in
                var h = StableHasher()
                for i in run {
                    h.combine(pages[i].id)
                    h.combine(pages[i].file.relativePath)
                    h.combine(pages[i].isGenerated)
                    h.combine(faces[i])
                }
                return h.value
            }
        }
        var h = StableHasher()
        h.combine(pages.count)
        for part in parts { h.combine(part) }
        h.combine(assets.count)
        for asset in assets.sorted() { h.combine(asset) }
        return h.value
    }
}

extension LinkMemo: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(environment)
        w.writeVarint(UInt64(pages.count))
        for entry in pages {
            guard let entry else {
                w.writeByte(0)
                continue
            }
            w.writeByte(1)
            w.write(entry.sourceHash)
            w.writeVarint(UInt64(entry.links.count))
            for code in entry.links { w.writeVarint(UInt64(code)) }
        }
    }

    init(reading r: inout CompactReader) throws {
        environment = try r.read()
        let count = try r.readCount()
        pages = []
        pages.reserveCapacity(count)
        for _ in 0..<count {
            guard try r.readByte() == 1 else {
                pages.append(nil)
                continue
            }
            let sourceHash: UInt64 = try r.read()
            let linkCount = try r.readCount()
            var links: [UInt32] = []
            links.reserveCapacity(linkCount)
            for _ in 0..<linkCount {
                let code = try r.readVarint()
                guard code <= UInt64(UInt32.max) else { throw r.damaged("a link's target is out of range") }
                links.append(UInt32(code))
            }
            pages.append(Entry(sourceHash: sourceHash, links: links))
        }
    }
}
