import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Watches folders (recursively) and files with inotify and reports changed paths. A blocking read
/// runs on its own thread; new folders are watched as they appear.
final class FileWatcher: @unchecked Sendable {
    /// An editor's or tool's scratch file, not part of the site: hidden files, backups (`page.md~`,
    /// `#page.md#`), swap and temporary files, and files without an extension (`sed -i` writes
    /// `sedX1b2c3` beside the file, vim probes with `4913`). Their changes rebuild nothing.
    static func isScratchFile(_ name: String) -> Bool {
        if name.hasPrefix(".") || name.hasPrefix("#") || name.hasSuffix("~") { return true }
        for suffix in [".swp", ".swx", ".tmp", ".part", "___jb_tmp___", "___jb_old___"] where name.hasSuffix(suffix) { return true }
        return !name.isEmpty && !name.contains(".")
    }

    private let fd: Int32
    private var folders: [Int32: String] = [:]
    private let lock = NSLock()
    private let onChange: @Sendable ([String]) -> Void

    /// `paths` are folders (watched with everything below them) or single files.
    init?(paths: [String], onChange: @escaping @Sendable ([String]) -> Void) {
        fd = inotify_init1(Int32(IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        self.onChange = onChange
        for path in paths { add(path) }
        let thread = Thread { [weak self] in self?.readLoop() }
        thread.name = "waymark-watch"
        thread.start()
    }

    private static let mask = UInt32(IN_MODIFY | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_ATTRIB)

    private func add(_ path: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return }
        if !isDirectory.boolValue {
            // A single file (waymark.yml): watch its folder, which also sees it replaced by an editor.
            let dir = (path as NSString).deletingLastPathComponent
            let wd = inotify_add_watch(fd, dir, Self.mask)
            if wd >= 0 { lock.withLock { folders[wd] = dir } }
            return
        }
        let wd = inotify_add_watch(fd, path, Self.mask)
        if wd >= 0 { lock.withLock { folders[wd] = path } }
        let children = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for child in children where !child.hasPrefix(".") {
            let full = path + "/" + child
            var childIsDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: full, isDirectory: &childIsDirectory), childIsDirectory.boolValue { add(full) }
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
                let folder = lock.withLock { folders[event.wd] } ?? ""
                let path = name.isEmpty ? folder : folder + "/" + name
                if event.mask & UInt32(IN_ISDIR) != 0 && event.mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 { add(path) }
                if event.mask & UInt32(IN_ISDIR) != 0 || !Self.isScratchFile(name) { changed.append(path) }
                offset += MemoryLayout<inotify_event>.size + nameLength
            }
            if !changed.isEmpty { onChange(changed) }
        }
    }
}
