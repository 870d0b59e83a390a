import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The write step: everything goes to a staging folder beside the output, which then replaces the
/// output in one rename. A failed or killed build leaves the previous output complete.
struct OutputWriter {
    var output: URL

    enum WriteError: Error, CustomStringConvertible {
        case unsafePath(String)
        case io(String, String)
        var description: String {
            switch self {
            case .unsafePath(let p): return "refusing to write `\(p)`: it would land outside the output folder"
            case .io(let p, let m): return "cannot write \(p): \(m)"
            }
        }
    }

    /// A relative path that stays inside the output folder: no `..`, no absolute paths, no empty segments.
    static func isSafe(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.utf8.contains(0) else { return false }
        return path.slashSeparated(omittingEmpty: false).allSatisfy { $0 != ".." && $0 != "." && !$0.isEmpty }
    }

    /// Writes every file into staging, then swaps it in. Folders are made first, in order; the files
    /// are then written on all cores. With `hashing`, returns each file's `contentHash`, computed in
    /// the same pass (the build cache keeps them). The previous output, swapped out, is handed to
    /// `discardPrevious` (by default removed at once; the build removes it while it saves its cache).
    /// `staged`: the staging folder some files were already written to (their content is `.written`).
    @discardableResult
    func write(_ files: [OutputFile], staged: Staging? = nil, hashing: Bool = false,
               discardPrevious: (URL) -> Void = { OutputWriter.remove($0) }) throws -> [UInt64] {
        let stagingFolder = try staged ?? makeStaging()
        let staging = stagingFolder.url
        do {
            var made: Set<String> = [staging.path]
            var targets: [String] = []
            targets.reserveCapacity(files.count)
            for file in files {
                guard Self.isSafe(file.path) else { throw WriteError.unsafePath(file.path) }
                let target = staging.path + "/" + file.path
                if case .written = file.content {
                    targets.append(target)
                    continue
                }
                try Self.makeDirectory(String(target[..<(target.lastIndex(of: "/") ?? target.endIndex)]), made: &made)
                targets.append(target)
            }
            // Largest first, so that one big file (graph.json, the search index) is not left to one
            // core at the end while the others are idle.
            let order = files.indices.sorted { Self.size(of: files[$0]) > Self.size(of: files[$1]) }
            let written = parallelMap(order) { [targets] i -> Result<UInt64, WriteError> in
                do {
                    switch files[i].content {
                    case .bytes(let data): try Self.writeFile(targets[i], data)
                    case .copy(let url): try Self.copyFile(url.path, to: targets[i])
                    case .written: break
                    }
                } catch let error as WriteError {
                    return .failure(error)
                } catch {
                    return .failure(.io(targets[i], "\(error)"))
                }
                return .success(hashing ? Self.contentHash(files[i]) : 0)
            }
            var hashes = [UInt64](repeating: 0, count: files.count)
            for (i, result) in zip(order, written) { hashes[i] = try result.get() }
            if let previous = try swap(staging: staging) { discardPrevious(previous) }
            stagingFolder.placed = true
            return hashes
        } catch {
            if let e = error as? WriteError { throw e }
            throw WriteError.io(output.path, error.localizedDescription)
        }
    }

    /// The staging folder beside the output, made empty (and any left by killed builds removed).
    func makeStaging() throws -> Staging {
        let parent = output.deletingLastPathComponent()
        let name = output.lastPathComponent
        let staging = parent.appendingPathComponent(".\(name).staging-\(getpid())")
        try? FileManager.default.removeItem(at: staging)
        Self.removeLeftovers(of: name, in: parent)
        do {
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        } catch {
            throw WriteError.io(staging.path, error.localizedDescription)
        }
        return Staging(url: staging)
    }

    /// A staging folder being filled. Rendered pages are written into it as they are made, so each
    /// page's bytes are freed at once instead of being held until every page is done (at 10,000 pages,
    /// 300 MB of memory, all of it fresh pages the system hands over one fault at a time). Unless the
    /// build puts it in place, it is removed when dropped: a failed build leaves the output as it was.
    final class Staging: @unchecked Sendable {
        let url: URL
        /// Set once it has replaced the output (only ever on the thread that swaps it in).
        fileprivate(set) var placed = false

        init(url: URL) { self.url = url }

        /// Writes `file` into the folder; its content is then `.written`. A file that cannot be written
        /// here is returned as it was: the write step tries it again and reports what goes wrong.
        func write(_ file: OutputFile) -> OutputFile {
            guard case .bytes(let data) = file.content, OutputWriter.isSafe(file.path) else { return file }
            let target = url.path + "/" + file.path
            guard let slash = target.lastIndex(of: "/"), (try? OutputWriter.makeDirectories(String(target[..<slash]))) != nil,
                  (try? OutputWriter.writeFile(target, data)) != nil else { return file }
            return OutputFile(path: file.path, content: .written(hash: StableHasher.hash(bytes: data), size: data.count))
        }

        /// Writes a file made in pieces straight into the folder (`produce` hands each piece to its
        /// argument, in order, `size` bytes in all), so that it is never whole in memory. nil when it
        /// cannot be written here: the caller then makes it whole, and the write step tries it again
        /// and reports what goes wrong.
        func write(path: String, size: Int, produce: ((UnsafeRawBufferPointer) -> Void) -> Void) -> OutputFile? {
            guard OutputWriter.isSafe(path) else { return nil }
            let target = url.path + "/" + path
            guard let slash = target.lastIndex(of: "/"), (try? OutputWriter.makeDirectories(String(target[..<slash]))) != nil,
                  var writer = try? ChunkedFileWriter(path: target) else { return nil }
            var hasher = StableHasher.Pieces(total: size)
            produce { piece in
                hasher.combine(piece)
                writer.append(piece)
            }
            guard (try? writer.finish()) != nil, writer.written == size, let hash = hasher.value else {
                unlink(target)
                return nil
            }
            return OutputFile(path: path, content: .written(hash: hash, size: size))
        }

        deinit {
            if !placed { OutputWriter.remove(url) }
        }
    }

    /// mkdir -p for files written from many threads at once: no memo, and a folder another thread made first is fine.
    fileprivate static func makeDirectories(_ path: String) throws {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        guard errno == ENOENT, let slash = path.lastIndex(of: "/") else { throw WriteError.io(path, String(cString: strerror(errno))) }
        try makeDirectories(String(path[..<slash]))
        if mkdir(path, 0o755) != 0 && errno != EEXIST { throw WriteError.io(path, String(cString: strerror(errno))) }
    }

    /// Bytes to write, for ordering the work; a copy counts as small.
    private static func size(of file: OutputFile) -> Int {
        if case .bytes(let data) = file.content { return data.count }
        return 0
    }

    /// The hash the build cache keeps for a file: of its bytes, or for a copy, of its source's path and stamp.
    static func contentHash(_ file: OutputFile) -> UInt64 {
        switch file.content {
        case .bytes(let data): return StableHasher.hash(bytes: data)
        case .written(let hash, _): return hash
        case .copy(let url):
            var h = StableHasher()
            h.combine(url.path)
            if let s = FileStamp.of(url.path) { h.combine(Int(s.size)); h.combine(s.seconds); h.combine(s.nanoseconds); h.combine(s.inode) }
            return h.value
        }
    }

    /// An incremental write into the existing output: files whose bytes did not change are not touched,
    /// each changed file is written beside its place and renamed over it (a killed build never leaves half
    /// a page), and files the previous build wrote that this one did not are removed with their empty folders.
    /// `kept` are outputs of pages not rendered because they are current. Returns every output's hash,
    /// how many files were written, and how many removed.
    func update(_ files: [OutputFile], kept: [String], previous: [String: UInt64]) throws -> (hashes: [String: UInt64], written: Int, removed: Int) {
        // What a killed full build left beside the output (its staging folder) goes here too.
        Self.removeLeftovers(of: output.lastPathComponent, in: output.deletingLastPathComponent())
        let hashes = parallelMap(files) { Self.contentHash($0) }
        var result: [String: UInt64] = [:]
        for path in kept { if let h = previous[path] { result[path] = h } }
        for file in files {
            guard Self.isSafe(file.path) else { throw WriteError.unsafePath(file.path) }
            result[file.path] = 0
        }
        // Files of the last build that this one does not make go first, with the folders they leave
        // empty: a page may now need a folder where a file was (`guides/notes` → `guides/notes/`), or
        // a file where a folder was.
        var removed = 0
        // Folders checked to be real folders below the output: a symbolic link put in the output (a shared
        // web root, a restored archive) is never written or removed through.
        var real: Set<String> = [output.path]
        for path in Set(previous.keys).subtracting(result.keys).sorted() where Self.isSafe(path) {
            let target = output.path + "/" + path
            guard Self.isRealFolder(String(target[..<(target.lastIndex(of: "/") ?? target.endIndex)]), below: output.path, checked: &real) else { continue }
            if unlink(target) == 0 { removed += 1 }
            // Remove folders left empty, up to the output folder itself.
            var dir = String(target[..<(target.lastIndex(of: "/") ?? target.endIndex)])
            while dir.count > output.path.count, rmdir(dir) == 0 {
                dir = String(dir[..<(dir.lastIndex(of: "/") ?? dir.endIndex)])
            }
        }
        var made: Set<String> = [output.path]
        // Which files changed, and their folders, in order; then the changed files on all cores.
        var changed: [(file: Int, target: String, temporary: String)] = []
        for (k, (file, hash)) in zip(files, hashes).enumerated() {
            result[file.path] = hash
            let target = output.path + "/" + file.path
            if previous[file.path] == hash, access(target, F_OK) == 0 { continue }
            let dir = String(target[..<(target.lastIndex(of: "/") ?? target.endIndex)])
            try Self.replaceLinkedFolders(dir, below: output.path, checked: &real)
            try Self.makeDirectory(dir, made: &made)
            // Not named after the file: a name near the system's limit of 255 bytes left no room for a suffix.
            changed.append((k, target, dir + "/.waymark-\(getpid())-\(k)"))
        }
        let failures = parallelMap(changed) { change -> WriteError? in
            do {
                switch files[change.file].content {
                case .bytes(let data): try Self.writeFile(change.temporary, data)
                case .copy(let url): try Self.copyFile(url.path, to: change.temporary)
                case .written: throw WriteError.io(change.target, "written to a staging folder, not into the output")
                }
            } catch {
                unlink(change.temporary)
                return error as? WriteError ?? .io(change.target, "\(error)")
            }
            guard rename(change.temporary, change.target) == 0 else {
                let message = String(cString: strerror(errno))
                unlink(change.temporary)
                return .io(change.target, message)
            }
            return nil
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
        return (result, changed.count, removed)
    }

    /// Staging and swapped-out folders of builds that were killed (their process is gone): a killed
    /// build cannot tidy up, so the next one does. Folders of builds still running are left alone.
    /// A build killed between the two renames of the fallback swap left the previous output only
    /// as `.<name>.old-<pid>`: that is put back, not removed.
    static func removeLeftovers(of name: String, in parent: URL) {
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: parent.path) else { return }
        for entry in entries.sorted() {
            for prefix in [".\(name).staging-", ".\(name).old-"] where entry.hasPrefix(prefix) {
                guard let pid = pid_t(entry.dropFirst(prefix.count)), pid > 0, pid != getpid(),
                      kill(pid, 0) != 0 && errno == ESRCH else { continue }
                let url = parent.appendingPathComponent(entry)
                let output = parent.appendingPathComponent(name)
                if prefix.hasSuffix(".old-"), !fm.fileExists(atPath: output.path), (try? fm.moveItem(at: url, to: output)) != nil { continue }
                try? fm.removeItem(at: url)
            }
        }
    }

    /// Whether every folder from `base` down to `dir` is a real folder (or missing), not a symbolic link.
    private static func isRealFolder(_ dir: String, below base: String, checked: inout Set<String>) -> Bool {
        if checked.contains(dir) || dir.count <= base.count { return true }
        guard let slash = dir.lastIndex(of: "/"), isRealFolder(String(dir[..<slash]), below: base, checked: &checked) else { return false }
        var info = stat()
        if lstat(dir, &info) == 0, info.st_mode & S_IFMT == S_IFLNK { return false }
        checked.insert(dir)
        return true
    }

    /// Replaces each symbolic link between `base` and `dir` with a real folder (made by the caller), so
    /// that a file written there stays in the output.
    private static func replaceLinkedFolders(_ dir: String, below base: String, checked: inout Set<String>) throws {
        if checked.contains(dir) || dir.count <= base.count { return }
        if let slash = dir.lastIndex(of: "/") { try replaceLinkedFolders(String(dir[..<slash]), below: base, checked: &checked) }
        var info = stat()
        if lstat(dir, &info) == 0, info.st_mode & S_IFMT == S_IFLNK, unlink(dir) != 0 {
            throw WriteError.io(dir, String(cString: strerror(errno)))
        }
        checked.insert(dir)
    }

    /// mkdir -p with a memo: thousands of page folders cost one system call each, not a FileManager walk.
    private static func makeDirectory(_ path: String, made: inout Set<String>) throws {
        guard !made.contains(path) else { return }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            guard errno == ENOENT, let slash = path.lastIndex(of: "/") else { throw WriteError.io(path, String(cString: strerror(errno))) }
            try makeDirectory(String(path[..<slash]), made: &made)
            if mkdir(path, 0o755) != 0 && errno != EEXIST { throw WriteError.io(path, String(cString: strerror(errno))) }
        }
        made.insert(path)
    }

    /// Writes bytes with plain POSIX calls; a short write (a full disk) is an error, never a truncated page.
    fileprivate static func writeFile(_ path: String, _ data: [UInt8]) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError.io(path, String(cString: strerror(errno))) }
        var failure: String?
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            guard let base = buffer.baseAddress else { return }
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, base + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += n
            }
        }
        if close(fd) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
        if let failure { throw WriteError.io(path, failure) }
    }

    /// Copies a source file in chunks with POSIX calls, so a full disk is reported like any other
    /// write. `O_NOFOLLOW`: a file swapped for a symbolic link after discovery is refused, not followed.
    private static func copyFile(_ source: String, to target: String) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard input >= 0 else { throw WriteError.io(target, "cannot read \(source): \(String(cString: strerror(errno)))") }
        defer { close(input) }
        let output = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw WriteError.io(target, String(cString: strerror(errno))) }
        var failure: String?
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        buffer.withUnsafeMutableBytes { (chunk: UnsafeMutableRawBufferPointer) in
            guard let base = chunk.baseAddress else { return }
            while failure == nil {
                let n = read(input, base, chunk.count)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = "cannot read \(source): \(String(cString: strerror(errno)))"
                    return
                }
                if n == 0 { return }
                var offset = 0
                while offset < n {
                    let w = Glibc.write(output, base + offset, n - offset)
                    if w < 0 {
                        if errno == EINTR { continue }
                        failure = String(cString: strerror(errno))
                        return
                    }
                    offset += w
                }
            }
        }
        if close(output) != 0 && failure == nil { failure = String(cString: strerror(errno)) }
        if let failure { throw WriteError.io(target, failure) }
    }

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    /// glibc's renameat2, looked up at run time: Swift's Glibc module does not export it.
    private static let renameExchange: RenameAt2? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: RenameAt2.self)
    }()

    /// Exchanges staging and output atomically where the kernel allows (renameat2), else two renames.
    /// Returns the folder now holding the previous output, if there was one: the new output is in
    /// place either way, and a build that dies before removing it leaves it for the next build's
    /// `removeLeftovers` (its name carries this process's id).
    private func swap(staging: URL) throws -> URL? {
        let fm = FileManager.default
        if !fm.fileExists(atPath: output.path) {
            try fm.moveItem(at: staging, to: output)
            return nil
        }
        if let exchange = Self.renameExchange, exchange(AT_FDCWD, staging.path, AT_FDCWD, output.path, 2 /* RENAME_EXCHANGE */) == 0 {
            return staging
        }
        let old = output.deletingLastPathComponent().appendingPathComponent(".\(output.lastPathComponent).old-\(getpid())")
        try fm.moveItem(at: output, to: old)
        try fm.moveItem(at: staging, to: output)
        return old
    }

    /// Removes a swapped-out output folder; failures are ignored (the next build tidies up).
    static func remove(_ folder: URL) {
        try? FileManager.default.removeItem(at: folder)
    }
}

/// The output folder, opened once, for asking whether the previous build's files are still there: a
/// path relative to an open folder is looked up from it, not from `/` through every parent again,
/// and needs no joined string. A folder that cannot be opened has no files.
final class OutputFolder: Sendable {
    private let fd: Int32

    init(_ path: String) {
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    }

    deinit {
        if fd >= 0 { close(fd) }
    }

    /// Whether `relativePath` (such as `journeys/asthma/index.html`) exists in the folder.
    func contains(_ relativePath: String) -> Bool {
        fd >= 0 && faccessat(fd, relativePath, F_OK, 0) == 0
    }
}

/// One writing build of a knowledge base at a time: an exclusive `flock` on the site's folder, held for
/// the build. Two builds side by side (a hook's and one typed, two CI jobs in one workspace) would
/// each update the output and save a cache describing what they wrote, the last to finish recording
/// files it never wrote. The second waits for the first. The folder itself is locked, so no lock
/// file is left in the knowledge base.
final class BuildLock {
    private let fd: Int32

    /// Waits for the lock, calling `waiting` first if another build holds it; nil if the folder cannot be opened.
    init?(folder: String, waiting: () -> Void) {
        fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            waiting()
            while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        }
    }

    deinit { close(fd) }
}
