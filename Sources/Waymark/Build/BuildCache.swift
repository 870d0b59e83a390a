import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file's identity on disk: when it matches, the file was not touched since it was last read.
struct FileStamp: Codable, Equatable, Sendable {
    var size: Int64
    var seconds: Int
    var nanoseconds: Int
    var inode: UInt64

    /// The stamp of the file at `path` itself, or with `following`, of what a symbolic link there points to.
    static func of(_ path: String, following: Bool = false) -> FileStamp? {
        var st = stat()
        guard (following ? stat(path, &st) : lstat(path, &st)) == 0 else { return nil }
        return FileStamp(size: Int64(st.st_size), seconds: st.st_mtim.tv_sec, nanoseconds: st.st_mtim.tv_nsec, inode: UInt64(st.st_ino))
    }
}

/// What the previous build knew, kept in `.waymark-cache/` so the next build redoes only what changed:
/// every source file's load result, every page's render fingerprint, and the hash of every output file.
///
/// The file is the format's number, one record per source file (path, stamp, content hash and its load
/// result), then a header (version, output, fingerprints, output hashes) and where it starts. Load results
/// are decoded in parallel, and an unchanged file's record is written back as it was read, not encoded again.
/// The records go first so a build writes them while it links and renders, the header once it is done.
/// A load result is one value in its compact form (PageCompactForms.swift), not a field at a time.
struct BuildCache: Sendable {
    /// Bumped whenever the cache's shape or meaning changes.
    static let format = 22
    static let magic = Array("WAYMARK-CACHE\n".utf8)

    struct Source: Sendable {
        var stamp: FileStamp
        var hash: UInt64
        /// The load result, behind one reference: a source is copied several times per build (in and out
        /// of dictionaries and tuples), and a copy of a page itself retains every one of its fields.
        private var result: Outcome
        var page: LoadedPage? {
            get { result.page }
            set { result = Outcome(newValue, result.diagnostics) }
        }
        var diagnostics: [Diagnostic] {
            get { result.diagnostics }
            set { result = Outcome(result.page, newValue) }
        }
        /// The load result as stored, when it came from the cache: written back without encoding it again.
        var record: Data?
        /// false while `page` and `diagnostics` are still only in `record`: a build that finds nothing
        /// changed never decodes them, and one that does decodes them while loading, in parallel.
        var decoded = true

        init(stamp: FileStamp, hash: UInt64, page: LoadedPage?, diagnostics: [Diagnostic], record: Data?, decoded: Bool = true) {
            self.stamp = stamp
            self.hash = hash
            result = Outcome(page, diagnostics)
            self.record = record
            self.decoded = decoded
        }

        final class Outcome: Sendable {
            let page: LoadedPage?
            let diagnostics: [Diagnostic]
            init(_ page: LoadedPage?, _ diagnostics: [Diagnostic]) {
                self.page = page
                self.diagnostics = diagnostics
            }
        }

        /// With `page` and `diagnostics` decoded from the record; nil when the record cannot be read.
        func decodingRecord(path: String) -> Source? {
            guard !decoded else { return self }
            guard let record else { return nil }
            guard let result = LoadResult.decode(record: record, path: "content/" + path) else { return nil }
            var source = self
            source.result = Outcome(result.page, result.diagnostics)
            source.decoded = true
            return source
        }
    }

    struct Render: Sendable {
        /// nil: a site-wide page, rendered on every build.
        var fingerprint: UInt64?
        /// The glossary entries it auto-linked, as indexes into the cache's `termIDs`.
        var mentions: [Int]
        /// The start of its body as plain text, for the search index.
        var searchText = ""
        /// Every word of its body, folded, for the search index's shards.
        var searchWords = ""
    }

    /// The files made from the whole site (feed, graph.json, search index and page, sitemap, robots.txt, 404 page).
    struct SiteFiles: Sendable {
        var key: UInt64
        var paths: [String]
        var diagnostics: [Diagnostic]
        /// The search index, made from other inputs (every page's first words).
        var searchKey: UInt64 = 0
        var searchPaths: [String] = []
        /// The word shards (`SearchWords`): their keys, and the list of pages their numbers count.
        var shardKeys: [String] = []
        var shardPagesKey: UInt64 = 0
    }

    /// The part stored as one document, before the records (in its compact form: decoding it is
    /// serial work at the start of every cached build).
    struct Header: CompactCodable, Sendable {
        var format = BuildCache.format
        var tool: String
        var output: String
        var renders: [String: Render]
        var outputs: [String: UInt64]
        var siteKey: UInt64?
        var linkDiagnostics: [Diagnostic]
        var notes: [String]
        var pageCount: Int
        var siteFiles: SiteFiles?
        var termIDs: [String]
        var history = GitHistory()
        var linkMemo: LinkMemo?
    }

    /// What is stored of a source's load result: its compact form, then a checksum of it (8 bytes,
    /// little-endian), read without the binary coder's frames: ten thousand of them are read per build.
    fileprivate struct LoadResult {
        var page: LoadedPage?
        var diagnostics: [Diagnostic]

        /// `path`: the file's path from the site root; locations in it are stored without it.
        func record(path: String) -> [UInt8] {
            var writer = CompactWriter(path: path)
            write(to: &writer)
            var bytes = writer.bytes
            withUnsafeBytes(of: BuildCache.checksum(bytes).littleEndian) { bytes.append(contentsOf: $0) }
            return bytes
        }

        /// nil when the record is damaged: its checksum differs, or its value does not read to its end.
        static func decode(record: Data, path: String) -> LoadResult? {
            BuildCache.unseal(record, path: path)
        }
    }

    /// The checksum stored after a record's or the header's compact form.
    static func checksum(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { raw in
            var h = StableHasher()
            h.combine(bytes: raw)
            return h.value
        }
    }

    /// A value's compact form followed by its checksum, read where it lies; nil when it is damaged
    /// (the checksum differs, or the value does not read to its end).
    static func unseal<T: CompactForm>(_ sealed: Data, path: String?) -> T? {
        sealed.withUnsafeBytes { raw -> T? in
            guard raw.count >= 8 else { return nil }
            let body = UnsafeRawBufferPointer(rebasing: raw[..<(raw.count - 8)])
            var h = StableHasher()
            h.combine(bytes: body)
            guard UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: raw.count - 8, as: UInt64.self)) == h.value else { return nil }
            var reader = CompactReader(body, path: path)
            guard let value = try? T(reading: &reader), (try? reader.finish()) != nil else { return nil }
            return value
        }
    }

    /// The Waymark build that wrote it: another version's cache is never trusted.
    var tool: String
    /// The output folder it describes.
    var output: String
    /// Markdown sources by path under content/.
    var sources: [String: Source] = [:]
    /// Pages by output path.
    var renders: [String: Render] = [:]
    /// Every file in the output folder → hash of its bytes (for copies: of the source's stamp).
    var outputs: [String: UInt64] = [:]
    /// Everything the build depended on (see `BuildPipeline.siteKey`): when it is the same, nothing changed.
    var siteKey: UInt64?
    /// What the build found after the load step, and its notes, for a build with nothing changed to report again.
    var linkDiagnostics: [Diagnostic] = []
    var notes: [String] = []
    var pageCount = 0
    var siteFiles: SiteFiles?
    /// Page ids of the glossary's terms, by entry: what `Render.mentions` index (each id is stored once, not per page).
    var termIDs: [String] = []
    /// The dates and authors from git, with the commit they were read at: the next build asks git
    /// only for newer commits.
    var history = GitHistory()
    /// Where each page's body links led (see `LinkMemo`).
    var linkMemo: LinkMemo?

    init(tool: String, output: String, sources: [String: Source] = [:], renders: [String: Render] = [:], outputs: [String: UInt64] = [:]) {
        self.tool = tool
        self.output = output
        self.sources = sources
        self.renders = renders
        self.outputs = outputs
    }

    /// This Waymark: its version and its executable's stamp, so a rebuilt binary never reads an older one's cache.
    static let toolIdentity: String = {
        var id = "\(waymarkVersion) cache \(format)"
        if let stamp = FileStamp.of("/proc/self/exe", following: true) {
            id += " exe \(stamp.size)-\(stamp.seconds).\(stamp.nanoseconds)"
        }
        return id
    }()

    enum Loaded: Sendable {
        case none
        case loaded(BuildCache)
        /// The cache exists but cannot be used; the note says why.
        case discarded(String)
    }

    /// Reads the cache for `output`. A damaged cache, another version's or another output's is discarded, never trusted.
    static func load(from file: URL, output: String) -> Loaded {
        guard let data = try? Data(contentsOf: file, options: .alwaysMapped) else { return .none }
        let damaged = Loaded.discarded("the build cache \(file.lastPathComponent) could not be read (damaged or from another Waymark); building from scratch")
        // The header comes last, its offset in the last eight bytes: it is read first.
        var trailer = RecordReader(data: data)
        trailer.offset = max(data.startIndex, data.endIndex - 8)
        var reader = RecordReader(data: data)
        guard reader.bytes(magic.count) == Data(magic), let written = reader.integer() else { return damaged }
        guard written == UInt64(format) else { return .discarded("the build cache was written by another Waymark build; building from scratch") }
        guard data.count >= magic.count + 24, let headerStart = trailer.integer(), headerStart <= UInt64(data.count - 8),
              headerStart >= UInt64(magic.count + 8) else { return damaged }
        var headerReader = RecordReader(data: data[..<(data.endIndex - 8)])
        headerReader.offset = data.startIndex + Int(headerStart)
        guard let headerData = headerReader.block(), headerReader.offset == data.endIndex - 8,
              let header: Header = unseal(headerData, path: nil) else { return damaged }
        guard header.format == format, header.tool == toolIdentity else {
            return .discarded("the build cache was written by another Waymark build; building from scratch")
        }
        // Another output folder's (`--output`), or the knowledge base was moved or copied: said, not silent.
        guard header.output == output else {
            return .discarded("the build cache was written for another output folder (\(header.output)); building from scratch")
        }
        reader = RecordReader(data: data[..<(data.startIndex + Int(headerStart))])
        reader.offset = data.startIndex + magic.count + 8
        guard let count = reader.integer() else { return damaged }
        var records: [(path: String, stamp: FileStamp, hash: UInt64, record: Data)] = []
        for _ in 0..<count {
            guard let path = reader.text(),
                  let size = reader.integer(), let seconds = reader.integer(), let nanoseconds = reader.integer(),
                  let inode = reader.integer(), let hash = reader.integer(), let record = reader.block() else { return damaged }
            records.append((path, FileStamp(size: Int64(bitPattern: size), seconds: Int(Int64(bitPattern: seconds)),
                                            nanoseconds: Int(Int64(bitPattern: nanoseconds)), inode: inode), hash, record))
        }
        guard reader.offset == reader.data.endIndex else { return damaged }
        var cache = BuildCache(tool: header.tool, output: header.output, renders: header.renders, outputs: header.outputs)
        cache.siteKey = header.siteKey
        cache.linkDiagnostics = header.linkDiagnostics
        cache.notes = header.notes
        cache.pageCount = header.pageCount
        cache.siteFiles = header.siteFiles
        cache.termIDs = header.termIDs
        cache.history = header.history
        cache.linkMemo = header.linkMemo
        cache.sources.reserveCapacity(records.count)
        for r in records {
            cache.sources[r.path] = Source(stamp: r.stamp, hash: r.hash, page: nil, diagnostics: [], record: r.record, decoded: false)
        }
        return .loaded(cache)
    }

    /// Writes the cache beside its previous version and renames it into place, so a killed build leaves
    /// the old one whole. Returns its size in bytes.
    @discardableResult
    func save(to file: URL) throws -> Int {
        var pending = try PendingSave(file: file, sources: sources)
        return try pending.finish(header())
    }

    /// The part written after the records, from what the build found after loading.
    func header() -> Header {
        Header(tool: tool, output: output, renders: renders, outputs: outputs, siteKey: siteKey, linkDiagnostics: linkDiagnostics,
               notes: notes, pageCount: pageCount, siteFiles: siteFiles, termIDs: termIDs, history: history, linkMemo: linkMemo)
    }

    /// A cache being written: the records, which need only the load step's results, are written first
    /// (a build does so while it links and renders), the header when the build is done. The file is
    /// the magic, the records, the header and the header's offset, so the header is read first.
    struct PendingSave {
        let file: URL
        let temporary: URL
        var writer: ChunkedFileWriter
        /// Where the header starts: it follows the records.
        var recordsEnd = 0

        init(file: URL, sources: [String: Source]) throws {
            self.file = file
            let dir = file.deletingLastPathComponent()
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            temporary = dir.appendingPathComponent(".\(file.lastPathComponent).\(getpid())")
            // A killed build's half-written cache, tens of megabytes each, which CI would upload with the folder.
            let prefix = ".\(file.lastPathComponent)."
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [] where entry.hasPrefix(prefix) {
                if let pid = pid_t(entry.dropFirst(prefix.count)), pid > 0, pid != getpid(), kill(pid, 0) != 0 && errno == ESRCH {
                    unlink(dir.appendingPathComponent(entry).path)
                }
            }
            // Written through one buffer of a few megabytes, flushed as it fills: a buffer the size of the
            // cache would be tens of megabytes of fresh memory for the system to hand over page by page.
            writer = try ChunkedFileWriter(path: temporary.path)
            let paths = sources.keys.sorted()
            // Only load results not read from the cache are encoded (an empty array allocates nothing).
            let encoded = parallelMap(paths) { path -> [UInt8] in
                guard let source = sources[path], source.record == nil else { return [] }
                return LoadResult(page: source.page, diagnostics: source.diagnostics).record(path: "content/" + path)
            }
            writer.append(BuildCache.magic)
            writer.append(integer: UInt64(BuildCache.format))
            writer.append(integer: UInt64(paths.count))
            for (path, record) in zip(paths, encoded) {
                guard let source = sources[path] else { continue }
                writer.append(block: Array(path.utf8))
                for n in [UInt64(bitPattern: source.stamp.size), UInt64(bitPattern: Int64(source.stamp.seconds)),
                          UInt64(bitPattern: Int64(source.stamp.nanoseconds)), source.stamp.inode, source.hash] {
                    writer.append(integer: n)
                }
                if let kept = source.record {
                    writer.append(integer: UInt64(kept.count))
                    kept.withUnsafeBytes { writer.append($0) }
                } else {
                    writer.append(block: record)
                }
            }
            recordsEnd = writer.written
        }

        /// Appends the header, closes the file and renames it into place. Returns the cache's size in bytes.
        mutating func finish(_ header: Header) throws -> Int {
            do {
                // Its compact form and a checksum of it, like a record (no coder's frame around it: at
                // 10,000 pages the header is megabytes, and every copy of it is fresh memory).
                var compact = CompactWriter()
                header.write(to: &compact)
                writer.append(integer: UInt64(compact.bytes.count + 8))
                writer.append(compact.bytes)
                writer.append(integer: BuildCache.checksum(compact.bytes))
                writer.append(integer: UInt64(recordsEnd))
                try writer.finish()
            } catch {
                abandon()
                throw error
            }
            guard rename(temporary.path, file.path) == 0 else {
                let message = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                throw OutputWriter.WriteError.io(file.path, message)
            }
            // The JSON cache that earlier builds kept beside it (build.json for build.bin) is never read again;
            // it is removed rather than left to take up tens of megabytes, in CI caches too.
            if file.pathExtension == "bin" {
                try? FileManager.default.removeItem(at: file.deletingPathExtension().appendingPathExtension("json"))
            }
            return writer.written
        }

        /// Removes what was written (the build failed, or wrote nothing).
        mutating func abandon() {
            writer.abandon()
            try? FileManager.default.removeItem(at: temporary)
        }
    }
}

extension BuildCache {
    /// A `PendingSave` started on another thread, so the records are written while the build goes on.
    /// Dropped without `finish`, it waits for that thread and removes what was written.
    final class BackgroundSave: @unchecked Sendable {
        private let group = DispatchGroup()
        // Set on the other thread, read only after `group` is done.
        private var pending: PendingSave?
        private var failure: (any Error)?

        init(file: URL, sources: [String: Source]) {
            DispatchQueue.global().async(group: group) { [self] in
                do { pending = try PendingSave(file: file, sources: sources) } catch { failure = error }
            }
        }

        /// Writes the header and puts the cache in place; its size in bytes.
        func finish(_ header: Header) throws -> Int {
            group.wait()
            if let failure { throw failure }
            guard var save = pending.take() else { throw OutputWriter.WriteError.io("build cache", "saved twice") }
            return try save.finish(header)
        }

        deinit {
            group.wait()
            if var save = pending.take() { save.abandon() }
        }
    }
}

/// A file written through a buffer of fixed size: bytes are appended and go to the file each time the buffer fills.
/// 256 KB: each page of a buffer is fresh memory the system hands over one fault at a time (a 4 MB
/// buffer was a thousand of them, 3 % of a one-file rebuild at 1,000 pages), and a few hundred
/// writes of 256 KB cost no more than a few dozen of 4 MB.
struct ChunkedFileWriter {
    private let path: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private static let capacity = 256 << 10
    /// Bytes appended so far.
    private(set) var written = 0
    /// The first failure, reported by `finish()`.
    private var failure: String?

    init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputWriter.WriteError.io(path, String(cString: strerror(errno))) }
        buffer.reserveCapacity(Self.capacity)
    }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        written += bytes.count
        if buffer.count + bytes.count > Self.capacity { flush() }
        if bytes.count >= Self.capacity {
            write(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

    mutating func append(integer: UInt64) { withUnsafeBytes(of: integer.littleEndian) { append($0) } }

    mutating func append(block: [UInt8]) {
        append(integer: UInt64(block.count))
        append(block)
    }

    private mutating func flush() {
        if failure == nil { failure = buffer.withUnsafeBytes { Self.write($0, to: fd) } }
        buffer.removeAll(keepingCapacity: true)
    }

    private mutating func write(_ bytes: UnsafeRawBufferPointer) {
        if failure == nil { failure = Self.write(bytes, to: fd) }
    }

    /// Writes all of `bytes`; the error's description if that fails.
    private static func write(_ bytes: UnsafeRawBufferPointer, to fd: Int32) -> String? {
        guard var at = bytes.baseAddress else { return nil }
        var left = bytes.count
        while left > 0 {
            let n = Glibc.write(fd, at, left)
            if n < 0 {
                if errno == EINTR { continue }
                return String(cString: strerror(errno))
            }
            at += n
            left -= n
        }
        return nil
    }

    /// Writes what is buffered and closes the file; throws the first failure.
    mutating func finish() throws {
        flush()
        if close(fd) != 0, failure == nil { failure = String(cString: strerror(errno)) }
        fd = -1
        if let failure { throw OutputWriter.WriteError.io(path, failure) }
    }

    /// Closes the file without reporting anything, after a failure elsewhere.
    mutating func abandon() {
        if fd >= 0 { close(fd) }
        fd = -1
    }
}

extension BuildCache.Header {
    func write(to w: inout CompactWriter) {
        w.write(format)
        w.write(tool)
        w.write(output)
        w.write(renders)
        w.write(outputs)
        w.write(siteKey)
        w.write(linkDiagnostics)
        w.write(notes)
        w.write(pageCount)
        w.write(siteFiles)
        w.write(termIDs)
        w.write(history.head)
        w.write(history.changes)
        w.write(Int(truncatingIfNeeded: history.context))
        w.write(linkMemo)
    }

    init(reading r: inout CompactReader) throws {
        format = try r.read()
        tool = try r.read()
        output = try r.read()
        renders = try r.read()
        outputs = try r.read()
        siteKey = try r.read()
        linkDiagnostics = try r.read()
        notes = try r.read()
        pageCount = try r.read()
        siteFiles = try r.read()
        termIDs = try r.read()
        history.head = try r.read()
        history.changes = try r.read()
        history.context = UInt64(truncatingIfNeeded: try r.read() as Int)
        linkMemo = try r.read()
    }
}

extension GitHistory.Change: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(date)
        w.write(author)
    }

    init(reading r: inout CompactReader) throws {
        date = try r.read()
        author = try r.read()
    }
}

extension BuildCache.Render: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(fingerprint)
        w.write(mentions)
        w.write(searchText)
        w.write(searchWords)
    }

    init(reading r: inout CompactReader) throws {
        fingerprint = try r.read()
        mentions = try r.read()
        searchText = try r.read()
        searchWords = try r.read()
    }
}

extension BuildCache.SiteFiles: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(key)
        w.write(paths)
        w.write(diagnostics)
        w.write(searchKey)
        w.write(searchPaths)
        w.write(shardKeys)
        w.write(shardPagesKey)
    }

    init(reading r: inout CompactReader) throws {
        key = try r.read()
        paths = try r.read()
        diagnostics = try r.read()
        searchKey = try r.read()
        searchPaths = try r.read()
        shardKeys = try r.read()
        shardPagesKey = try r.read()
    }
}

extension BuildCache.LoadResult: CompactForm {
    func write(to w: inout CompactWriter) {
        w.write(page)
        w.write(diagnostics)
    }

    init(reading r: inout CompactReader) throws {
        page = try r.read()
        diagnostics = try r.read()
    }
}

/// Little-endian integers and length-prefixed blocks; every read is bounds-checked (a cache file is input too).
struct RecordReader {
    let data: Data
    var offset: Int

    init(data: Data) {
        self.data = data
        offset = data.startIndex
    }

    mutating func bytes(_ n: Int) -> Data? {
        guard n >= 0, n <= data.endIndex - offset else { return nil }
        defer { offset += n }
        return data[offset..<(offset + n)]
    }

    /// Read where it lies: a slice of the mapped file per integer (an object to allocate, and an
    /// iterator that copies) was a third of reading a 10,000-page cache.
    mutating func integer() -> UInt64? {
        guard offset >= data.startIndex, data.endIndex - offset >= 8 else { return nil }
        let at = offset - data.startIndex
        defer { offset += 8 }
        return UInt64(littleEndian: data.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt64.self) })
    }

    /// A block read as UTF-8 text, in place.
    mutating func text() -> String? {
        guard let n = integer(), n <= UInt64(data.endIndex - offset) else { return nil }
        let start = offset - data.startIndex, count = Int(n)
        defer { offset += count }
        return data.withUnsafeBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0[start..<(start + count)]), as: UTF8.self) }
    }

    mutating func block() -> Data? {
        guard let n = integer(), n <= UInt64(Int.max) else { return nil }
        return bytes(Int(n))
    }

    static func append(integer: UInt64, to out: inout [UInt8]) {
        withUnsafeBytes(of: integer.littleEndian) { out.append(contentsOf: $0) }
    }

    static func append(block: Data, to out: inout [UInt8]) {
        append(integer: UInt64(block.count), to: &out)
        block.withUnsafeBytes { out.append(contentsOf: $0) }
    }

    static func append(block: [UInt8], to out: inout [UInt8]) {
        append(integer: UInt64(block.count), to: &out)
        out.append(contentsOf: block)
    }
}
