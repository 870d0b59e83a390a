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
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\0") else { return false }
        return path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { $0 != ".." && $0 != "." && !$0.isEmpty }
    }

    func write(_ files: [OutputFile]) throws {
        let fm = FileManager.default
        let parent = output.deletingLastPathComponent()
        let name = output.lastPathComponent
        let staging = parent.appendingPathComponent(".\(name).staging-\(getpid())")
        try? fm.removeItem(at: staging)
        do {
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            var made: Set<String> = [staging.path]
            for file in files.sorted(by: { $0.path < $1.path }) {
                guard Self.isSafe(file.path) else { throw WriteError.unsafePath(file.path) }
                let target = staging.path + "/" + file.path
                try Self.makeDirectory(String(target[..<(target.lastIndex(of: "/") ?? target.endIndex)]), made: &made)
                switch file.content {
                case .bytes(let data): try Self.writeFile(target, data)
                case .copy(let url): try fm.copyItem(at: url, to: URL(fileURLWithPath: target))
                }
            }
            try swap(staging: staging)
        } catch {
            try? fm.removeItem(at: staging)
            if let e = error as? WriteError { throw e }
            throw WriteError.io(output.path, error.localizedDescription)
        }
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
    private static func writeFile(_ path: String, _ data: Data) throws {
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

    private typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32

    /// glibc's renameat2, looked up at run time: Swift's Glibc module does not export it.
    private static let renameExchange: RenameAt2? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: RenameAt2.self)
    }()

    /// Exchanges staging and output atomically where the kernel allows (renameat2), else two renames.
    private func swap(staging: URL) throws {
        let fm = FileManager.default
        if !fm.fileExists(atPath: output.path) {
            try fm.moveItem(at: staging, to: output)
            return
        }
        if let exchange = Self.renameExchange, exchange(AT_FDCWD, staging.path, AT_FDCWD, output.path, 2 /* RENAME_EXCHANGE */) == 0 {
            try fm.removeItem(at: staging)  // now holds the previous output
            return
        }
        let old = output.deletingLastPathComponent().appendingPathComponent(".\(output.lastPathComponent).old-\(getpid())")
        try fm.moveItem(at: output, to: old)
        try fm.moveItem(at: staging, to: output)
        try? fm.removeItem(at: old)
    }
}
