import Foundation

/// A file found under content/.
struct ContentFile: Sendable, Hashable {
    enum Kind: Sendable { case markdown, asset }
    /// Path under content/, with `/` separators (`personas/sam.md`).
    var relativePath: String
    /// The file's absolute path. A string, not a URL: making a URL per file (`appendingPathComponent`
    /// parses it) was two thirds of discovering 10,000 files, and `url.path` a tenth of loading them.
    var path: String
    var kind: Kind

    /// `text` in Unicode's composed form (NFC): `café` typed on one system and saved decomposed
    /// (`e` and a combining accent) on another is one name, and one output path, not two.
    static func nfc(_ text: String) -> String {
        text.utf8.allSatisfy { $0 < 0x80 } ? text : text.precomposedStringWithCanonicalMapping
    }

    init(relativePath: String, path: String, kind: Kind) {
        self.relativePath = relativePath
        self.path = path
        self.kind = kind
    }

    init(relativePath: String, url: URL, kind: Kind) {
        self.init(relativePath: relativePath, path: url.path, kind: kind)
    }

    var url: URL { URL(fileURLWithPath: path, isDirectory: false) }

    /// The path diagnostics show: relative to the site root.
    var displayPath: String { "content/" + relativePath }

    /// The page id: the path without extension; a folder's index.md, README.md or _index.md has the folder's id.
    var pageID: String {
        var parts = relativePath.slashSeparated().map(String.init)
        guard let last = parts.popLast() else { return "" }
        let stem = ContentFile.stripMarkdownExtension(last)
        if ContentFile.isIndexName(stem) { return parts.joined(separator: "/") }
        return (parts + [stem]).joined(separator: "/")
    }

    var isFolderIndex: Bool {
        let last = relativePath.slashSeparated().last.map(String.init) ?? ""
        return ContentFile.isIndexName(ContentFile.stripMarkdownExtension(last))
    }

    static let indexNames: Set<String> = ["index", "readme", "_index"]
    static let markdownExtensions = [".md", ".markdown"]

    static func stripMarkdownExtension(_ name: String) -> String {
        let length = markdownExtensionLength(name)
        guard length > 0 else { return name }
        // In ASCII a character is a byte (the one two-byte character, CR LF, is no part of an extension).
        if isASCII(name.utf8) { return String(decoding: name.utf8.dropLast(length), as: UTF8.self) }
        return String(name.dropLast(length))
    }

    /// How many characters of `name` its Markdown extension (`.md`, `.markdown`, in any case) takes; 0 without one.
    static func markdownExtensionLength(_ name: String) -> Int {
        // Links and file names are nearly always ASCII: compared a byte at a time, nothing is lowercased.
        if isASCII(name.utf8) { return markdownExtensionLength(ascii: name.utf8) }
        let lowered = name.lowercased()
        for ext in markdownExtensions where lowered.hasSuffix(ext) { return ext.count }
        return 0
    }

    /// `markdownExtensionLength(_:)` of an ASCII name given as bytes.
    static func markdownExtensionLength(ascii name: some Collection<UInt8>) -> Int {
        for ext in markdownExtensions where hasSuffixIgnoringASCIICase(name, ext) { return ext.count }
        return 0
    }

    /// Whether a file name without its extension makes a folder's index page (`index`, `README`, `_index`).
    static func isIndexName(_ stem: some StringProtocol) -> Bool {
        if isASCII(stem.utf8) { return isIndexName(ascii: stem.utf8) }
        return indexNames.contains(stem.lowercased())
    }

    /// `isIndexName(_:)` of an ASCII stem given as bytes.
    static func isIndexName(ascii stem: some Collection<UInt8>) -> Bool {
        let count = stem.count
        return indexNames.contains { $0.utf8.count == count && hasSuffixIgnoringASCIICase(stem, $0) }
    }

    static func isASCII(_ bytes: some Sequence<UInt8>) -> Bool { bytes.allSatisfy { $0 < 0x80 } }

    /// `suffix` is lowercase ASCII; `bytes` ASCII in any case.
    private static func hasSuffixIgnoringASCIICase(_ bytes: some Collection<UInt8>, _ suffix: String) -> Bool {
        let count = suffix.utf8.count, total = bytes.count
        guard total >= count else { return false }
        return zip(bytes.dropFirst(total - count), suffix.utf8).allSatisfy { ($0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0) == $1 }
    }
}

/// Walks content/ in a stable order: skips dotfiles and ignored paths, never follows symlinks.
/// One `readdir` per folder: the type of each entry comes with its name, so files are never
/// stat'ed one by one (only on file systems that leave the type out).
struct ContentDiscovery {
    var root: URL
    var ignore: [String]

    func discover() -> ([ContentFile], [Diagnostic]) {
        let (files, diagnostics, _) = discoverWithNotes()
        return (files, diagnostics)
    }

    /// The files, the problems, and notes: the editor's scratch files skipped.
    func discoverWithNotes() -> ([ContentFile], [Diagnostic], [String]) {
        var files: [ContentFile] = []
        var notes: [String] = []
        var diagnostics: [Diagnostic] = []
        var scratch: [String] = []
        walk(root.path, relative: "", files: &files, scratch: &scratch, diagnostics: &diagnostics)
        if !scratch.isEmpty {
            let shown = scratch.prefix(5).map { "content/" + $0 }.joined(separator: ", ") + (scratch.count > 5 ? ", … and \(scratch.count - 5) more" : "")
            notes.append("skipped \(scratch.count) editor backup or temporary \(scratch.count == 1 ? "file" : "files"), not published: \(shown)")
        }
        // Usually sorted already: folders and names come in order, only a folder beside a longer
        // name with the same start (`a/x` before `a-b`) moves.
        if zip(files, files.dropFirst()).contains(where: { !($0.relativePath < $1.relativePath) }) {
            files.sort { $0.relativePath < $1.relativePath }
        }
        return (files, diagnostics, notes)
    }

    /// What a folder entry is, as far as the walk cares.
    enum EntryType: Equatable { case directory, regular, symbolicLink, other, unreadable, invalidName }

    private func walk(_ dir: String, relative: String, files: inout [ContentFile], scratch: inout [String], diagnostics: inout [Diagnostic]) {
        let entries: [(name: String, type: EntryType?)]
        if let listed = Self.list(dir) {
            entries = listed
        } else {
            var info = stat()
            if stat(dir, &info) == 0, info.st_mode & S_IFMT != S_IFDIR {
                diagnostics.append(.error(SourceLocation(path: "content/" + relative), "is a file, not a folder",
                                          hint: "the pages go in a folder content/ beside waymark.yml"))
                return
            }
            // Foundation words the error the way writers have always seen it.
            do {
                entries = try FileManager.default.contentsOfDirectory(atPath: dir).map { ($0, nil) }
            } catch {
                diagnostics.append(.error(SourceLocation(path: "content/" + relative), "cannot read folder: \(error.localizedDescription)"))
                return
            }
        }
        let prefix = dir.hasSuffix("/") ? dir : dir + "/"
        for (name, listedType) in entries.sorted(by: { $0.name < $1.name }) where !name.hasPrefix(".") {
            let rel = relative.isEmpty ? name : relative + "/" + name
            if isIgnored(rel, name: name) { continue }
            switch listedType ?? Self.type(ofItemAt: prefix + name) {
            case .unreadable:
                diagnostics.append(.error(SourceLocation(path: "content/" + rel), "cannot read file attributes"))
            case .invalidName:
                diagnostics.append(.error(SourceLocation(path: "content/" + rel), "the name is not valid UTF-8 (� marks the bytes that are not)",
                                          hint: "rename it: a name becomes the page's address and must be text"))
            case .symbolicLink:
                diagnostics.append(.warning(SourceLocation(path: "content/" + rel), "symbolic link is not followed",
                                            hint: "copy the file into content/ instead; links could point outside the knowledge base"))
            case .directory:
                walk(prefix + name, relative: rel, files: &files, scratch: &scratch, diagnostics: &diagnostics)
            case .regular:
                if ScratchFile.matches(name) {
                    scratch.append(rel)
                    continue
                }
                let isMarkdown = ContentFile.markdownExtensionLength(name) > 0
                // A page that cannot be read is reported where it is loaded; a file copied as it is, here,
                // so that `check` finds it too, and every one of them.
                if !isMarkdown, access(prefix + name, R_OK) != 0 {
                    diagnostics.append(.error(SourceLocation(path: "content/" + ContentFile.nfc(rel)),
                                              "cannot read file: \(String(cString: strerror(errno)))",
                                              hint: "check the file's permissions, or move it out of content/"))
                    continue
                }
                // The name as written on disk reads the file; its composed form is its place in the site.
                files.append(ContentFile(relativePath: ContentFile.nfc(rel), path: prefix + name, kind: isMarkdown ? .markdown : .asset))
            case .other:
                diagnostics.append(.warning(SourceLocation(path: "content/" + rel), "not a regular file; skipped"))
            }
        }
    }

    /// The folder's entries with their types (nil where the file system does not say); nil when the
    /// folder cannot be opened. Names are decoded as Foundation decodes them.
    static func list(_ path: String) -> [(name: String, type: EntryType?)]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var entries: [(name: String, type: EntryType?)] = []
        while let entry = readdir(dir) {
            guard entry.pointee.d_ino != 0 else { continue }
            let (name, valid) = withUnsafeBytes(of: &entry.pointee.d_name) { raw -> (String, Bool) in
                let c = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
                if let name = String(validatingCString: c) { return (name, true) }
                return (String(cString: c), false)  // repaired, with U+FFFD, for the message
            }
            if name == "." || name == ".." { continue }
            let type: EntryType?
            switch valid ? entry.pointee.d_type : UInt8.max {
            case UInt8.max: type = .invalidName
            case UInt8(DT_DIR): type = .directory
            case UInt8(DT_REG): type = .regular
            case UInt8(DT_LNK): type = .symbolicLink
            case UInt8(DT_UNKNOWN): type = nil
            default: type = .other
            }
            entries.append((name, type))
        }
        return entries
    }

    /// `lstat`, as Foundation's attributes of an item: a symbolic link is itself, not what it points to.
    static func type(ofItemAt path: String) -> EntryType {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .unreadable }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .regular
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }

    private func isIgnored(_ path: String, name: String) -> Bool {
        ignore.contains { pattern in
            fnmatch(pattern, path, 0) == 0 || fnmatch(pattern, name, 0) == 0
        }
    }
}

/// Names of editors' and tools' scratch files.
public enum ScratchFile {
    /// An editor's or tool's scratch file, not part of the site: hidden files, backups (`page.md~`,
    /// `#page.md#`), swap and temporary files, `sed -i`'s `sedX1b2c3` and vim's probe `4913`. A build
    /// skips them (with a note: a backup published would show a page's source), and the preview's
    /// watcher rebuilds nothing for them. Other names without an extension (`notes`, `CODEOWNERS`)
    /// are files of the site, copied as they are.
    public static func matches(_ name: String) -> Bool {
        if name.hasPrefix(".") || name.hasPrefix("#") || name.hasSuffix("~") { return true }
        for suffix in [".swp", ".swx", ".tmp", ".part", "___jb_tmp___", "___jb_old___"] where name.hasSuffix(suffix) { return true }
        if !name.isEmpty, name.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) { return true }
        return name.utf8.count == 9 && name.hasPrefix("sed") && name.utf8.dropFirst(3).allSatisfy { ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
    }
}
