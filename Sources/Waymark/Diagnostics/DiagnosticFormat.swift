import Foundation

/// How diagnostics are printed: for people, for programs, or as GitHub workflow annotations.
public enum DiagnosticFormat: String, Sendable, CaseIterable {
    case human, json, github

    /// Renders all diagnostics (already sorted) in this format, ending with a newline when non-empty.
    /// `githubPathPrefix` goes before each file's path in GitHub annotations (see `githubPathPrefix(root:)`).
    /// `humanPathPrefix` goes before each file's path in the human format: the site's root as given
    /// on the command line (`--root docs/kb` → `docs/kb/content/…`), so a terminal or editor opened
    /// where the command ran finds the file (see `humanPathPrefix(root:)`).
    /// For people, warnings come first and errors last, each in file order: in a terminal the errors
    /// end next to the summary, not thousands of lines up among warnings.
    public func render(_ diagnostics: [Diagnostic], githubPathPrefix: String = "", humanPathPrefix: String = "") -> String {
        switch self {
        case .human:
            let diagnostics = Self.errorsLast(diagnostics)
            guard !humanPathPrefix.isEmpty else { return diagnostics.map(Self.human).joined() }
            return diagnostics.map { d in
                var d = d
                if Self.namesAFile(d.location.path) { d.location.path = humanPathPrefix + d.location.path }
                return Self.human(d)
            }.joined()
        case .github: return diagnostics.map { Self.github($0, pathPrefix: githubPathPrefix) }.joined()
        case .json: return Self.json(diagnostics)
        }
    }

    /// `diagnostics` with every warning before every error, each group in its own order.
    static func errorsLast(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        guard diagnostics.contains(where: { $0.severity == .error }), diagnostics.contains(where: { $0.severity == .warning }) else { return diagnostics }
        return diagnostics.filter { $0.severity != .error } + diagnostics.filter { $0.severity == .error }
    }

    /// GitHub attaches an annotation to a file by its path in the repository, while a diagnostic names
    /// its file relative to the site's root. For a knowledge base in a subfolder (`docs/kb`) the
    /// annotations need that folder in front: the root's path relative to the workflow's checkout
    /// (`$GITHUB_WORKSPACE`), or else to the current folder. Empty when the root is neither inside.
    public static func githubPathPrefix(root: URL, workspace: String? = ProcessInfo.processInfo.environment["GITHUB_WORKSPACE"],
                                        currentDirectory: String = FileManager.default.currentDirectoryPath) -> String {
        let site = root.standardizedFileURL.resolvingSymlinksInPath().path
        let base = URL(fileURLWithPath: workspace.flatMap { $0.isEmpty ? nil : $0 } ?? currentDirectory)
            .standardizedFileURL.resolvingSymlinksInPath().path
        guard site != base else { return "" }
        let top = base.hasSuffix("/") ? base : base + "/"
        guard site.hasPrefix(top) else { return "" }
        return String(site.dropFirst(top.count)) + "/"
    }

    /// The prefix for `--root` as written: none for the current folder, else the root with a `/`.
    public static func humanPathPrefix(root: String) -> String {
        let trimmed = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        if trimmed.isEmpty || trimmed == "." || trimmed == "./" { return "" }
        return trimmed.hasSuffix("/") ? trimmed : trimmed + "/"
    }

    /// Whether a location's path is a file under the site's root, not an option (`--output`), a
    /// command (`waymark new`) or an absolute path.
    static func namesAFile(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("-") && !path.hasPrefix("/") && !path.hasPrefix("waymark ")
    }

    static func position(_ l: SourceLocation) -> String {
        var s = l.path
        if l.line > 0 {
            s += ":\(l.line)"
            if l.column > 0 { s += ":\(l.column)" }
        }
        return s
    }

    static func human(_ d: Diagnostic) -> String {
        var location = d.location
        location.path = visible(location.path)
        var s = "\(position(location)): \(d.severity.rawValue): \(visible(d.message))\n"
        if let hint = d.hint { s += "  hint: \(visible(hint))\n" }
        return s
    }

    /// `text` with control characters written out (`\n`, `\u{1B}`), so a file name cannot move the
    /// terminal's cursor, colour it or start a line that looks like another diagnostic.
    /// `keepingLineBreaks`: line breaks stay (GitHub's format encodes them, `%0A`).
    static func visible(_ text: String, keepingLineBreaks: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n" where keepingLineBreaks, "\r" where keepingLineBreaks: out.unicodeScalars.append(scalar)
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where isControl(scalar): out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isControl(_ s: Unicode.Scalar) -> Bool { s.value < 0x20 || (0x7F...0x9F).contains(s.value) }

    /// `::error file=…,line=…,col=…::message` — GitHub turns these into annotations on the diff.
    static func github(_ d: Diagnostic, pathPrefix: String = "") -> String {
        // Control characters written out as the human format writes them: an escape sequence would
        // colour the log or make a link in it (line breaks are encoded below).
        func property(_ s: String) -> String {
            visible(s, keepingLineBreaks: true).replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
                .replacingOccurrences(of: "\n", with: "%0A").replacingOccurrences(of: ":", with: "%3A")
                .replacingOccurrences(of: ",", with: "%2C")
        }
        func data(_ s: String) -> String {
            visible(s, keepingLineBreaks: true).replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
                .replacingOccurrences(of: "\n", with: "%0A")
        }
        // Not before what is no file: `--base-url` names the option it came from.
        let path = d.location.path.hasPrefix("-") || d.location.path.hasPrefix("/") ? d.location.path : pathPrefix + d.location.path
        var props = ["file=\(property(path))"]
        if d.location.line > 0 { props.append("line=\(d.location.line)") }
        if d.location.column > 0 { props.append("col=\(d.location.column)") }
        var message = d.message
        if let hint = d.hint { message += "\n" + "hint: " + hint }
        return "::\(d.severity.rawValue) \(props.joined(separator: ","))::\(data(message))\n"
    }

    static func json(_ diagnostics: [Diagnostic]) -> String {
        struct Row: Encodable {
            var severity: String, path: String, line: Int, column: Int, message: String, hint: String?
        }
        let rows = diagnostics.map {
            Row(severity: $0.severity.rawValue, path: $0.location.path, line: $0.location.line,
                column: $0.location.column, message: $0.message, hint: $0.hint)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(["diagnostics": rows]) else { return "{\"diagnostics\": []}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
