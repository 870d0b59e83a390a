import Foundation

/// A file found under content/.
struct ContentFile: Sendable, Hashable, Codable {
    enum Kind: Sendable, Codable { case markdown, asset }
    /// Path under content/, with `/` separators (`personas/sam.md`).
    var relativePath: String
    var url: URL
    var kind: Kind

    /// The path diagnostics show: relative to the site root.
    var displayPath: String { "content/" + relativePath }

    /// The page id: the path without extension; a folder's index.md, README.md or _index.md has the folder's id.
    var pageID: String {
        var parts = relativePath.split(separator: "/").map(String.init)
        guard let last = parts.popLast() else { return "" }
        let stem = ContentFile.stripMarkdownExtension(last)
        if ContentFile.indexNames.contains(stem.lowercased()) { return parts.joined(separator: "/") }
        return (parts + [stem]).joined(separator: "/")
    }

    var isFolderIndex: Bool {
        let last = relativePath.split(separator: "/").last.map(String.init) ?? ""
        return ContentFile.indexNames.contains(ContentFile.stripMarkdownExtension(last).lowercased())
    }

    static let indexNames: Set<String> = ["index", "readme", "_index"]
    static let markdownExtensions = [".md", ".markdown"]

    static func stripMarkdownExtension(_ name: String) -> String {
        for ext in markdownExtensions where name.lowercased().hasSuffix(ext) {
            return String(name.dropLast(ext.count))
        }
        return name
    }
}

/// Walks content/ in a stable order: skips dotfiles and ignored paths, never follows symlinks.
struct ContentDiscovery {
    var root: URL
    var ignore: [String]

    func discover() -> ([ContentFile], [Diagnostic]) {
        var files: [ContentFile] = []
        var diagnostics: [Diagnostic] = []
        walk(root, relative: "", files: &files, diagnostics: &diagnostics)
        return (files.sorted { $0.relativePath < $1.relativePath }, diagnostics)
    }

    private func walk(_ dir: URL, relative: String, files: inout [ContentFile], diagnostics: inout [Diagnostic]) {
        let fm = FileManager.default
        let names: [String]
        do {
            names = try fm.contentsOfDirectory(atPath: dir.path).sorted()
        } catch {
            diagnostics.append(.error(SourceLocation(path: "content/" + relative), "cannot read folder: \(error.localizedDescription)"))
            return
        }
        for name in names where !name.hasPrefix(".") {
            let rel = relative.isEmpty ? name : relative + "/" + name
            if isIgnored(rel) { continue }
            let url = dir.appendingPathComponent(name)
            guard let attrs = try? fm.attributesOfItem(atPath: url.path), let type = attrs[.type] as? FileAttributeType else {
                diagnostics.append(.error(SourceLocation(path: "content/" + rel), "cannot read file attributes"))
                continue
            }
            switch type {
            case .typeSymbolicLink:
                diagnostics.append(.warning(SourceLocation(path: "content/" + rel), "symbolic link is not followed",
                                            hint: "copy the file into content/ instead; links could point outside the knowledge base"))
            case .typeDirectory:
                walk(url, relative: rel, files: &files, diagnostics: &diagnostics)
            case .typeRegular:
                let isMarkdown = ContentFile.markdownExtensions.contains { name.lowercased().hasSuffix($0) }
                files.append(ContentFile(relativePath: rel, url: url, kind: isMarkdown ? .markdown : .asset))
            default:
                diagnostics.append(.warning(SourceLocation(path: "content/" + rel), "not a regular file; skipped"))
            }
        }
    }

    private func isIgnored(_ path: String) -> Bool {
        ignore.contains { pattern in
            fnmatch(pattern, path, 0) == 0 || fnmatch(pattern, (path as NSString).lastPathComponent, 0) == 0
        }
    }
}
