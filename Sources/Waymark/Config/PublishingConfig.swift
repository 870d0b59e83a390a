import Foundation

/// Where the site is published: checks of `baseURL` and `editURL`, and the URLs derived from them.
extension SiteConfig {
    /// `https://intranet.example` when `baseURL` names a host, else nil (the site is linked by paths only).
    public var origin: String? {
        guard let schemeEnd = baseURL.schemeSeparatorRange else { return nil }
        let rest = baseURL[schemeEnd.upperBound...]
        let host = rest.prefix { $0 != "/" }
        return host.isEmpty ? nil : String(baseURL[..<schemeEnd.upperBound]) + host
    }

    /// The absolute URL of a site path (`/kb/journeys/asthma/`), or nil without a host in `baseURL`.
    func absoluteURL(_ path: String) -> String? {
        origin.map { $0 + path }
    }

    /// A problem with a `baseURL` value (from waymark.yml or `--base-url`), or nil when it is usable.
    /// Accepted: an absolute path (`/`, `/kb/`) or an http(s) URL with a host and an optional path.
    static func baseURLProblem(_ value: String, at location: SourceLocation) -> Diagnostic? {
        let hint = "use an http(s) URL such as `https://intranet.example/kb/`, or a path such as `/` or `/kb/`"
        if value.isEmpty || value.contains(where: { $0.isWhitespace || $0.isNewline }) {
            return .error(location, "`baseURL` must not be empty or contain spaces", hint: hint)
        }
        if value.contains("?") || value.contains("#") {
            return .error(location, "`baseURL` `\(value)` has a query or fragment", hint: hint)
        }
        if value.contains("\\") || value.contains("\"") || value.contains("<") || value.contains(">") {
            return .error(location, "`baseURL` `\(value)` contains characters a URL cannot hold", hint: hint)
        }
        if value.hasPrefix("/") {
            if value.hasPrefix("//") { return .error(location, "`baseURL` `\(value)` has no scheme", hint: hint) }
            return nil
        }
        guard let schemeEnd = value.range(of: "://") else {
            return .error(location, "`baseURL` `\(value)` is neither a URL nor an absolute path", hint: hint)
        }
        let scheme = value[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else {
            return .error(location, "`baseURL` must be an http or https URL, not `\(scheme):`", hint: hint)
        }
        let host = value[schemeEnd.upperBound...].prefix { $0 != "/" }
        guard !host.isEmpty, URLComponents(string: value)?.host?.isEmpty == false else {
            return .error(location, "`baseURL` `\(value)` has no host", hint: hint)
        }
        return nil
    }

    /// A problem with an `editURL` pattern, or nil when it is usable.
    static func editURLProblem(_ value: String, at location: SourceLocation) -> Diagnostic? {
        let hint = "use an http(s) URL with `{path}` where the file's path goes, e.g. `https://git.example/kb/edit/main/{path}`"
        guard value.contains("{path}") else {
            return .error(location, "`editURL` has no `{path}`, so every page would link to the same place", hint: hint)
        }
        let sample = value.replacingOccurrences(of: "{path}", with: "content/page.md")
        guard let url = URLComponents(string: sample), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", url.host?.isEmpty == false else {
            return .error(location, "`editURL` `\(value)` is not an http(s) URL", hint: hint)
        }
        return nil
    }

    /// The "edit this page" link of a source file (`content/journeys/asthma.md`), its segments percent-encoded.
    func editLink(forSourcePath path: String) -> String? {
        guard let pattern = editURL else { return nil }
        let encoded = path.slashSeparated(omittingEmpty: false).map { percentEncodePathSegment(String($0)) }.joined(separator: "/")
        return pattern.replacingOccurrences(of: "{path}", with: encoded)
    }
}

extension String {
    /// Where the first `://` is, found without Foundation's `range(of:)`: `basePath` and `origin`
    /// are read for every URL a build writes, and Foundation's search went through NSString.
    var schemeSeparatorRange: Range<String.Index>? {
        let u = utf8
        var i = u.startIndex
        while i != u.endIndex {
            if u[i] == UInt8(ascii: ":") {
                let j = u.index(after: i)
                if j != u.endIndex, u[j] == UInt8(ascii: "/") {
                    let k = u.index(after: j)
                    if k != u.endIndex, u[k] == UInt8(ascii: "/") { return i..<u.index(after: k) }
                }
            }
            i = u.index(after: i)
        }
        return nil
    }
}
