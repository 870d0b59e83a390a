import Foundation

/// How diagnostics are printed: for people, for programs, or as GitHub workflow annotations.
public enum DiagnosticFormat: String, Sendable, CaseIterable {
    case human, json, github

    /// Renders all diagnostics (already sorted) in this format, ending with a newline when non-empty.
    public func render(_ diagnostics: [Diagnostic]) -> String {
        switch self {
        case .human: return diagnostics.map(Self.human).joined()
        case .github: return diagnostics.map(Self.github).joined()
        case .json: return Self.json(diagnostics)
        }
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
        var s = "\(position(d.location)): \(d.severity.rawValue): \(d.message)\n"
        if let hint = d.hint { s += "  hint: \(hint)\n" }
        return s
    }

    /// `::error file=…,line=…,col=…::message` — GitHub turns these into annotations on the diff.
    static func github(_ d: Diagnostic) -> String {
        func property(_ s: String) -> String {
            s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
                .replacingOccurrences(of: "\n", with: "%0A").replacingOccurrences(of: ":", with: "%3A")
                .replacingOccurrences(of: ",", with: "%2C")
        }
        func data(_ s: String) -> String {
            s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
                .replacingOccurrences(of: "\n", with: "%0A")
        }
        var props = ["file=\(property(d.location.path))"]
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
