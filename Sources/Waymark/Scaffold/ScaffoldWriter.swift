import Foundation

/// Writes a set of new files under one folder, all or nothing: if any of them (or a folder on the
/// way) is already there, it writes none and reports each conflict. It never follows a symbolic
/// link, so nothing lands outside the folder.
struct ScaffoldWriter {
    /// The folder every path is relative to.
    var base: URL
    /// How paths are shown in diagnostics (`""` or `"kb/"`), so messages name what the user typed.
    var displayPrefix: String

    /// Every reason the files cannot be written, one diagnostic per path.
    func conflicts(_ paths: [String], hint: String) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var reported: Set<String> = []
        for path in paths {
            guard Self.isSafeRelativePath(path) else {
                diagnostics.append(.error(SourceLocation(path: displayPrefix + path), "refusing to write outside \(base.path)"))
                continue
            }
            let parts = path.slashSeparated().map(String.init)
            var prefix = ""
            for (i, part) in parts.enumerated() {
                prefix = prefix.isEmpty ? part : prefix + "/" + part
                let isLast = i == parts.count - 1
                guard let kind = Self.kind(base.appendingPathComponent(prefix).path) else { break }
                if reported.contains(prefix) { break }
                if kind == .symbolicLink {
                    reported.insert(prefix)
                    diagnostics.append(.error(SourceLocation(path: displayPrefix + prefix), "is a symbolic link; Waymark does not write through links",
                                              hint: "replace it with a real folder, or \(hint)"))
                    break
                }
                if isLast {
                    reported.insert(prefix)
                    diagnostics.append(.error(SourceLocation(path: displayPrefix + prefix), "\(kind == .directory ? "a folder" : "a file") with this name already exists",
                                              hint: hint))
                } else if kind != .directory {
                    reported.insert(prefix)
                    diagnostics.append(.error(SourceLocation(path: displayPrefix + prefix), "exists and is not a folder", hint: hint))
                    break
                }
            }
        }
        return diagnostics
    }

    /// Writes `files` (path → text) if none conflicts; otherwise writes nothing and returns the conflicts.
    func write(_ files: [(path: String, text: String)], hint: String, executable: Set<String> = []) -> [Diagnostic] {
        let found = conflicts(files.map(\.path), hint: hint)
        guard found.isEmpty else { return found }
        let newFolders = missingFolders(for: files.map(\.path))
        var written: [URL] = []
        for file in files {
            let url = base.appendingPathComponent(file.path)
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                // .withoutOverwriting is O_EXCL: a file that appeared since the check is not replaced.
                try Data(file.text.utf8).write(to: url, options: .withoutOverwriting)
                written.append(url)
                if executable.contains(file.path) {
                    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
                }
            } catch {
                // All or nothing: take back what this call wrote, so a retry starts clean.
                for url in written { try? FileManager.default.removeItem(at: url) }
                for folder in newFolders.reversed() { rmdir(folder.path) }
                return [.error(SourceLocation(path: displayPrefix + file.path), "cannot write: \(Self.describe(error))",
                               hint: "check that the folder is writable and the disk is not full")]
            }
        }
        return []
    }

    /// The folders writing `paths` will create (the base and its missing parents included), shallowest first.
    private func missingFolders(for paths: [String]) -> [URL] {
        var missing: [URL] = []
        var ancestor = base.standardizedFileURL
        while Self.kind(ancestor.path) == nil, ancestor.path != "/" {
            missing.insert(ancestor, at: 0)
            ancestor = ancestor.deletingLastPathComponent()
        }
        var seen: Set<String> = []
        for path in paths {
            var prefix = base
            for part in path.slashSeparated().dropLast() {
                prefix = prefix.appendingPathComponent(String(part))
                if Self.kind(prefix.path) == nil, seen.insert(prefix.path).inserted { missing.append(prefix) }
            }
        }
        return missing
    }

    enum Kind { case file, directory, symbolicLink }

    /// What is at `path`, without following a symbolic link; nil when nothing is.
    static func kind(_ path: String) -> Kind? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFLNK: return .symbolicLink
        default: return .file
        }
    }

    /// A relative path with no `..`, `.` or empty segments, and no leading `/`.
    static func isSafeRelativePath(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/") else { return false }
        return path.slashSeparated(omittingEmpty: false).allSatisfy { !$0.isEmpty && $0 != "." && $0 != ".." && !$0.contains("\0") }
    }

    static func describe(_ error: Error) -> String {
        if let e = error as? CocoaError, let underlying = e.userInfo[NSUnderlyingErrorKey] as? NSError {
            return underlying.localizedDescription
        }
        return (error as NSError).localizedDescription
    }
}
