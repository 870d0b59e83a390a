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
struct BuildCache: Codable, Sendable {
    /// Bumped whenever the cache's shape or meaning changes.
    static let format = 1

    struct Source: Codable, Sendable {
        var stamp: FileStamp
        var hash: UInt64
        var page: LoadedPage?
        var diagnostics: [Diagnostic]
    }

    struct Render: Codable, Sendable {
        /// nil: a site-wide page, rendered on every build.
        var fingerprint: UInt64?
        /// Ids of the term pages it auto-linked.
        var mentions: [String]
    }

    var format = BuildCache.format
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

    /// This Waymark: its version and its executable's stamp, so a rebuilt binary never reads an older one's cache.
    static let toolIdentity: String = {
        var id = "\(waymarkVersion) cache \(format)"
        if let stamp = FileStamp.of("/proc/self/exe", following: true) {
            id += " exe \(stamp.size)-\(stamp.seconds).\(stamp.nanoseconds)"
        }
        return id
    }()

    enum LoadResult {
        case none
        case loaded(BuildCache)
        /// The cache exists but cannot be used; the note says why.
        case discarded(String)
    }

    /// Reads the cache for `output`. A damaged cache, another version's or another output's is discarded, never trusted.
    static func load(from file: URL, output: String) -> LoadResult {
        guard let data = try? Data(contentsOf: file) else { return .none }
        guard let cache = try? JSONDecoder().decode(BuildCache.self, from: data) else {
            return .discarded("the build cache \(file.lastPathComponent) could not be read (damaged or from another Waymark); building from scratch")
        }
        guard cache.format == format, cache.tool == toolIdentity else {
            return .discarded("the build cache was written by another Waymark build; building from scratch")
        }
        guard cache.output == output else { return .none }
        return .loaded(cache)
    }

    /// Writes the cache beside its previous version and renames it into place, so a killed build leaves the old one whole.
    func save(to file: URL) throws {
        let dir = file.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        let data = try encoder.encode(self)
        let temporary = dir.appendingPathComponent(".\(file.lastPathComponent).\(getpid())")
        try data.write(to: temporary)
        guard rename(temporary.path, file.path) == 0 else {
            let message = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw OutputWriter.WriteError.io(file.path, message)
        }
    }
}
