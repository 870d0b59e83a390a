import Foundation
import Waymark
#if canImport(Glibc)
import Glibc
#endif

/// Watches folders (recursively) and files with inotify and reports changed paths. A blocking read
/// runs on its own thread; new folders are watched as they appear.
final class FileWatcher: @unchecked Sendable {
    /// An editor's or tool's scratch file, not part of the site (`ScratchFile.matches`):
    /// its changes rebuild nothing.
    static func isScratchFile(_ name: String) -> Bool { ScratchFile.matches(name) }

    private let fd: Int32
    private var folders: [Int32: String] = [:]
    /// Folders watched only for some of their entries (the site's root, for `waymark.yml`, `content/`
    /// and `templates/`): the names that count. Anything else there (`.git/`, `.waymark-cache/`,
    /// `NOTES.md`) rebuilds nothing and is not watched.
    private var only: [Int32: Set<String>] = [:]
    private let lock = NSLock()
    private let onChange: @Sendable ([String]) -> Void

    /// `paths` are folders (watched with everything below them) or single files, existing or not: a
    /// folder that appears later (`templates/`) is watched from then on.
    init?(paths: [String], onChange: @escaping @Sendable ([String]) -> Void) {
        fd = inotify_init1(Int32(IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        self.onChange = onChange
        // Each path's folder, for the path's name only: it sees a file replaced by an editor, and a
        // missing folder created.
        for (dir, names) in Dictionary(grouping: paths, by: { ($0 as NSString).deletingLastPathComponent }) {
            let wd = inotify_add_watch(fd, dir, Self.mask)
            if wd >= 0 { lock.withLock { folders[wd] = dir; only[wd] = Set(names.map { ($0 as NSString).lastPathComponent }) } }
        }
        for path in paths { add(path) }
        let thread = Thread { [weak self] in self?.readLoop() }
        thread.name = "waymark-watch"
        thread.start()
    }

    private static let mask = UInt32(IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_ATTRIB)

    /// Watches the folder `path` and every folder below it (hidden ones aside); a file is watched
    /// through its folder already.
    private func add(_ path: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return }
        let wd = inotify_add_watch(fd, path, Self.mask)
        if wd >= 0 { lock.withLock { folders[wd] = path; only[wd] = nil } }
        let children = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for child in children where !child.hasPrefix(".") {
            let full = path + "/" + child
            var childIsDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &childIsDirectory), childIsDirectory.boolValue { add(full) }
        }
    }

    /// Stops watching `path` and the folders below it.
    private func forget(_ path: String) {
        lock.withLock {
            for (wd, folder) in folders where folder == path || folder.hasPrefix(path + "/") {
                inotify_rm_watch(fd, wd)
                folders[wd] = nil
                only[wd] = nil
            }
        }
    }

    private func readLoop() {
        let size = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer, size)
            if n < 0 { if errno == EINTR { continue }; return }
            if n == 0 { return }
            var offset = 0
            var changed: [String] = []
            while offset + MemoryLayout<inotify_event>.size <= n {
                let event = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                let nameLength = Int(event.len)
                var name = ""
                if nameLength > 0 {
                    let namePointer = buffer.advanced(by: offset + MemoryLayout<inotify_event>.size).assumingMemoryBound(to: CChar.self)
                    name = String(cString: namePointer)
                }
                offset += MemoryLayout<inotify_event>.size + nameLength
                let (watched, names) = lock.withLock { (folders[event.wd], only[event.wd]) }
                // A watch already forgotten (its folder moved or deleted, as its parent's event said).
                guard let folder = watched else { continue }
                if let names, !names.contains(name) { continue }
                let path = name.isEmpty ? folder : folder + "/" + name
                let isFolder = event.mask & UInt32(IN_ISDIR) != 0
                if isFolder && name.hasPrefix(".") { continue }
                if isFolder && event.mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 { add(path) }
                // A folder moved away (out of content/, say) is no longer watched; its old path's changes end here.
                if isFolder && event.mask & UInt32(IN_MOVED_FROM) != 0 { forget(path) }
                if isFolder || !Self.isScratchFile(name) { changed.append(path) }
            }
            if !changed.isEmpty { onChange(changed) }
        }
    }
}
