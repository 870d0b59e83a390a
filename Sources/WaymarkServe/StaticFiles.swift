import Foundation

/// Maps a request path onto a file inside the served folder, refusing everything that could leave it:
/// `..` (plain or percent-encoded), encoded slashes and backslashes, NUL, dotfiles, and symbolic
/// links that resolve outside the folder. Pure apart from reading the file system; tested on its own.
public struct StaticFiles: Sendable {
    public let root: URL

    public init(root: URL) {
        self.root = root.resolvingSymlinksInPath().standardizedFileURL
    }

    public enum Resolution: Equatable, Sendable {
        case file(URL)
        /// The path names a folder without its trailing slash: redirect so relative links work.
        case redirect(String)
        case notFound
        case forbidden
    }

    public func resolve(_ rawPath: String) -> Resolution {
        var path = rawPath
        if let q = path.firstIndex(where: { $0 == "?" || $0 == "#" }) { path = String(path[..<q]) }
        let lowered = path.lowercased()
        // Encoded separators would let a segment smuggle a `/` or `\` past the segment checks.
        if lowered.contains("%2f") || lowered.contains("%5c") || lowered.contains("%00") || path.contains("\\") { return .forbidden }
        guard let decoded = path.removingPercentEncoding, decoded.hasPrefix("/"), !decoded.contains("\0") else { return .forbidden }
        let segments = decoded.split(separator: "/", omittingEmptySubsequences: true)
        for segment in segments where segment == ".." || segment == "." || segment.hasPrefix(".") { return .forbidden }
        var candidate = root
        for segment in segments { candidate.appendPathComponent(String(segment)) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory) else { return .notFound }
        if isDirectory.boolValue {
            if !decoded.hasSuffix("/") { return .redirect(path + "/") }
            candidate.appendPathComponent("index.html")
            guard FileManager.default.fileExists(atPath: candidate.path) else { return .notFound }
        } else if decoded.hasSuffix("/") {
            // `/notes.txt/` names a folder; a file is not one (as a web host answers, so the preview does not hide a broken link).
            return .notFound
        }
        // A symbolic link may point anywhere; only what really lies inside the root is served.
        let real = candidate.resolvingSymlinksInPath().standardizedFileURL.path
        guard real.hasPrefix(root.path + "/") else { return .forbidden }
        return .file(URL(fileURLWithPath: real))
    }

    /// Content type by extension; unknown files are bytes.
    public static func contentType(for url: URL) -> String {
        switch url.pathExtension.lowercased() {
        case "html", "htm": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "json": return "application/json"
        case "xml": return "application/xml"
        case "txt", "md": return "text/plain; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        case "ico": return "image/x-icon"
        case "pdf": return "application/pdf"
        case "woff2": return "font/woff2"
        case "woff": return "font/woff"
        default: return "application/octet-stream"
        }
    }
}
