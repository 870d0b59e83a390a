import Foundation

/// When each content file last changed and who changed it, from one `git log` over content/ per build.
/// Outside a repository, or without git, it is simply empty: dates are a nicety, never a requirement.
struct GitHistory: Sendable {
    struct Change: Sendable, Equatable {
        /// Strict ISO 8601 author date, with the author's offset (`2026-11-20T10:00:00+01:00`).
        var date: String
        /// The author's name, through .mailmap.
        var author: String

        /// `2026-11-20`: the day in the author's time zone.
        var day: String { String(date.prefix(10)) }
    }

    /// Source path relative to the site root (`content/journeys/asthma.md`) → its latest change.
    var changes: [String: Change] = [:]

    func change(of path: String) -> Change? { changes[path] }

    /// A hash of every path's latest change, for the build cache: a new commit changes it.
    var fingerprint: UInt64 {
        var h = StableHasher()
        for (path, change) in changes.sorted(by: { $0.key < $1.key }) {
            h.combine(path)
            h.combine(change.date)
            h.combine(change.author)
        }
        return h.value
    }

    /// The commit the history was read at, so that the next build reads only the commits after it.
    var head: String?
    /// What else decides the dates and names besides the commits: the repository's `.mailmap` and,
    /// in a shallow clone, where its history is cut (a deeper fetch moves no HEAD but changes dates).
    var context: UInt64 = 0

    /// The arguments of the one `git log` (before the revision range and the path).
    private static let logArguments = ["-c", "core.quotepath=off", "log", "-z", "--no-color",
                                       "--format=%x1e%aI%x1f%aN", "--name-only", "--relative"]

    /// Runs `git log` in `root`. Paths come back relative to `root` (`--relative`), so a knowledge base
    /// in a subfolder of a larger repository works too. With `previous` (the history the last build
    /// read, from the build cache), a repository whose HEAD has not moved is not asked again, and one
    /// whose HEAD moved on by commits without merges is asked only for those commits: `git log` walks
    /// such a chain first and then the history from the old HEAD exactly as before, so the result is
    /// the one a full read gives. Anything else (a rebase, a merge, a shallow clone) reads it all:
    /// over thousands of commits that takes seconds, and it would otherwise be paid on every build.
    static func load(root: URL, previous: GitHistory? = nil) -> GitHistory {
        guard mayBeInRepository(root) else { return GitHistory() }
        // One git run for the commit and what else the dates depend on.
        guard let answer = git(["rev-parse", "--is-shallow-repository", "--show-toplevel", "--git-path", "shallow", "HEAD^{commit}"], in: root),
              case let lines = String(decoding: answer, as: UTF8.self).split(separator: "\n").map(String.init), lines.count == 4,
              case let head = lines[3], !head.isEmpty else {
            return GitHistory()
        }
        let context = contextKey(shallow: lines[0] == "true", top: lines[1], shallowFile: lines[2], root: root)
        if let previous, let old = previous.head, previous.context == context {
            if old == head { return previous }
            if git(["merge-base", "--is-ancestor", old, head], in: root) != nil,
               let merges = git(["rev-list", "--merges", "--count", old + ".." + head], in: root),
               String(decoding: merges, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) == "0",
               let data = git(logArguments + [old + ".." + head, "--", "content"], in: root) {
                var history = parse(data)
                for (path, change) in previous.changes where history.changes[path] == nil { history.changes[path] = change }
                history.head = head
                history.context = context
                return history
            }
        }
        guard let data = git(logArguments + [head, "--", "content"], in: root) else { return GitHistory() }
        var history = parse(data)
        history.head = head
        history.context = context
        return history
    }

    /// A hash of the `.mailmap` at the repository's top and, when the clone is shallow, of the list of
    /// commits where its history is cut (`shallowFile`, relative to `root` unless absolute).
    static func contextKey(shallow: Bool, top: String, shallowFile: String, root: URL) -> UInt64 {
        var h = StableHasher()
        let mailmap = FileManager.default.contents(atPath: top + "/.mailmap")
        h.combine(mailmap.map { String(decoding: $0, as: UTF8.self) } ?? "")
        h.combine(shallow ? 1 : 0)
        if shallow {
            let path = shallowFile.hasPrefix("/") ? shallowFile : root.path + "/" + shallowFile
            h.combine(FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? "")
        }
        return h.value
    }

    /// Whether git could find a repository from `root`, as git looks for one: `GIT_DIR` is set, or
    /// `root` or a folder above it has a `.git` (a folder, or a file in a worktree or submodule).
    /// Outside one, git is not started at all: starting it is most of a small site's git cost.
    static func mayBeInRepository(_ root: URL) -> Bool {
        if getenv("GIT_DIR") != nil { return true }
        var dir = Substring(root.standardizedFileURL.path)
        while true {
            if access(String(dir) + (dir.hasSuffix("/") ? ".git" : "/.git"), F_OK) == 0 { return true }
            guard let slash = dir.lastIndex(of: "/"), dir != "/" else { return false }
            dir = slash == dir.startIndex ? "/" : dir[..<slash]
        }
    }

    /// `git -C root args…`: its output, or nil when it cannot run or fails.
    private static func git(_ arguments: [String], in root: URL) -> Data? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", root.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["GIT_TERMINAL_PROMPT"] = "0"
        environment["GIT_OPTIONAL_LOCKS"] = "0"
        environment["LC_ALL"] = "C"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        // Read before waiting: a long history fills the pipe, and git would block on it.
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? data : nil
    }

    /// Parses `git log -z --format=%x1e%aI%x1f%aN --name-only`: newest commit first, so a path's
    /// first appearance is its latest change.
    static func parse(_ data: Data) -> GitHistory {
        var history = GitHistory()
        for record in data.split(separator: 0x1E) {
            let fields = record.split(separator: 0, omittingEmptySubsequences: false)
            guard let header = fields.first else { continue }
            let parts = header.split(separator: 0x1F, maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { continue }
            let change = Change(date: String(decoding: parts[0], as: UTF8.self), author: String(decoding: parts[1], as: UTF8.self))
            guard change.date.count >= 10 else { continue }
            for name in fields.dropFirst() {
                var path = String(decoding: name, as: UTF8.self)
                while path.hasPrefix("\n") { path.removeFirst() }
                if !path.isEmpty, history.changes[path] == nil { history.changes[path] = change }
            }
        }
        return history
    }
}
