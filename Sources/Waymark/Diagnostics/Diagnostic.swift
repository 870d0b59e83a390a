/// Where a problem is: a file relative to the site root, with a 1-based line and column (0 = unknown).
public struct SourceLocation: Sendable, Hashable, Comparable {
    public var path: String
    public var line: Int
    public var column: Int

    public init(path: String, line: Int = 0, column: Int = 0) {
        self.path = path
        self.line = line
        self.column = column
    }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.path, a.line, a.column) < (b.path, b.line, b.column)
    }
}

/// The one type for every user-facing problem: printed as `path:line:col: error: message` plus a hint.
public struct Diagnostic: Error, Sendable, Hashable, Comparable, Codable {
    public enum Severity: String, Sendable, Hashable, Codable {
        case error, warning
    }

    public var severity: Severity
    public var location: SourceLocation
    public var message: String
    public var hint: String?

    public init(_ severity: Severity, _ location: SourceLocation, _ message: String, hint: String? = nil) {
        self.severity = severity
        self.location = location
        self.message = message
        self.hint = hint
    }

    public static func error(_ location: SourceLocation, _ message: String, hint: String? = nil) -> Diagnostic {
        Diagnostic(.error, location, message, hint: hint)
    }

    public static func warning(_ location: SourceLocation, _ message: String, hint: String? = nil) -> Diagnostic {
        Diagnostic(.warning, location, message, hint: hint)
    }

    /// Sorted by file, then position, then errors before warnings, so output is stable.
    public static func < (a: Diagnostic, b: Diagnostic) -> Bool {
        if a.location != b.location { return a.location < b.location }
        if a.severity != b.severity { return a.severity == .error }
        return a.message < b.message
    }
}

extension Array where Element == Diagnostic {
    public var errorCount: Int { lazy.filter { $0.severity == .error }.count }
    public var warningCount: Int { lazy.filter { $0.severity == .warning }.count }
    public var hasErrors: Bool { contains { $0.severity == .error } }
}

/// In the build cache a location is `[line, column]` when it is in the file being stored (nearly all
/// are), else `[line, column, path]`: a page's facts repeat its path hundreds of times otherwise.
extension SourceLocation: Codable {
    static let pathKey = CodingUserInfoKey(rawValue: "waymark.sourcePath")!

    public init(from decoder: Decoder) throws {
        var c = try decoder.unkeyedContainer()
        line = try c.decode(Int.self)
        column = try c.decode(Int.self)
        if c.isAtEnd {
            guard let path = decoder.userInfo[Self.pathKey] as? String else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "a location without a path")
            }
            self.path = path
        } else {
            path = try c.decode(String.self)
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(line)
        try c.encode(column)
        if encoder.userInfo[Self.pathKey] as? String != path { try c.encode(path) }
    }
}
