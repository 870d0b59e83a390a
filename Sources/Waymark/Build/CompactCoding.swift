import Foundation

// A hand-written binary form for what the build cache stores of every page. Codable's per-field cost
// (a keyed lookup, generic metadata and retains for each field) was nearly a third of a one-file rebuild's CPU
// time; in this form a value is its fields in a fixed order, with no keys, headers or calls per field.
//
// - Int: zigzag, then a varint (LEB128), so small numbers of either sign take one byte.
// - UInt64 (hashes): 8 bytes, little-endian. Bool: one byte, 0 or 1.
// - String: byte count as a varint, then UTF-8. Optional: 0 for nil, else 1 and the value.
// - Array: count as a varint, then the elements. Enums: a tag byte, then the case's values.
// - SourceLocation: line, column, then its path, or nil when it is the stored file's own path.
//
// Every read is checked against the bytes left and throws on damage: a count larger than the bytes
// left throws before anything is allocated, invalid UTF-8 throws, nesting is limited. The build cache
// still checksums every record, so this matters for deliberately altered bytes (the fuzz target).

/// A value with a compact binary form: `write(to:)` appends its fields, `init(reading:)` reads them back.
protocol CompactForm {
    /// Appends the value's fields, in the order `init(reading:)` reads them.
    func write(to writer: inout CompactWriter)
    /// Reads a value written by `write(to:)`; damaged bytes throw, never trap.
    init(reading reader: inout CompactReader) throws
}

/// A `CompactForm` that Codable carries as one opaque bytes value, so a coder's machinery is entered
/// once for the whole value instead of once per field. Locations in the file named by the coder's
/// `userInfo[SourceLocation.pathKey]` are stored without their path, as their own Codable form does.
protocol CompactCodable: CompactForm, Codable {}

extension CompactCodable {
    func encode(to encoder: Encoder) throws {
        var writer = CompactWriter(path: encoder.userInfo[SourceLocation.pathKey] as? String)
        write(to: &writer)
        var container = encoder.singleValueContainer()
        try container.encode(writer.bytes)
    }

    init(from decoder: Decoder) throws {
        let bytes = try decoder.singleValueContainer().decode([UInt8].self)
        let path = decoder.userInfo[SourceLocation.pathKey] as? String
        self = try bytes.withUnsafeBytes { raw in
            var reader = CompactReader(raw, path: path)
            let value = try Self(reading: &reader)
            try reader.finish()
            return value
        }
    }
}

/// Appends values in the compact form to a byte buffer.
struct CompactWriter {
    private(set) var bytes: [UInt8] = []
    /// The file being stored: locations in it are written without their path.
    let path: String?

    init(path: String? = nil) {
        self.path = path
        bytes.reserveCapacity(512)
    }

    mutating func write<T: CompactForm>(_ value: T) { value.write(to: &self) }

    mutating func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func writeFixed(_ value: UInt64) {
        var v = value
        for _ in 0..<8 {
            bytes.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    mutating func writeByte(_ byte: UInt8) { bytes.append(byte) }

    mutating func writeUTF8(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            writeVarint(UInt64(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }
}

/// Reads values in the compact form; every read is bounds-checked and throws on damaged bytes.
/// It reads the bytes where they lie (a cached page's record in the mapped cache file, copied into
/// an array first, was a tenth of loading a cached site), so it lives inside their `withUnsafeBytes`.
struct CompactReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var offset = 0
    /// How deeply `nested` calls are open, against `maxDepth`.
    private var depth = 0
    /// The file being read: locations stored without a path are in it.
    let path: String?

    /// Deeper than anything Waymark writes (front matter nests at most 1,000 levels, libyaml's limit),
    /// shallow enough that damaged bytes cannot exhaust a thread's stack.
    static let maxDepth = 1_100

    /// `bytes` must stay valid while the reader is used.
    init(_ bytes: UnsafeRawBufferPointer, path: String?) {
        self.bytes = bytes.bindMemory(to: UInt8.self)
        self.path = path
    }

    mutating func read<T: CompactForm>() throws -> T { try T(reading: &self) }

    /// Throws unless every byte was read: a value that ends early is damaged too.
    func finish() throws {
        guard offset == bytes.count else { throw damaged("\(bytes.count - offset) bytes follow the value") }
    }

    func damaged(_ what: String) -> DecodingError {
        .dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: "compact form: damaged (\(what), at byte \(offset))"))
    }

    mutating func readByte() throws -> UInt8 {
        guard offset < bytes.count else { throw damaged("the value is cut short") }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readVarint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count {
            let byte = bytes[offset]
            offset += 1
            // The tenth byte holds the 64th bit only.
            guard shift < 63 || byte <= 1 else { break }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        throw damaged("a number is cut short or too long")
    }

    mutating func readFixed() throws -> UInt64 {
        guard bytes.count - offset >= 8 else { throw damaged("the value is cut short") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return v
    }

    /// A count of things that each take at least one byte: more than the bytes left is damage,
    /// found before anything is allocated for them.
    mutating func readCount() throws -> Int {
        let count = try readVarint()
        guard count <= UInt64(bytes.count - offset) else { throw damaged("a count of \(count) is more than the bytes left") }
        return Int(count)
    }

    mutating func readUTF8() throws -> String {
        let count = try readCount()
        if count == 0 { return "" }
        let utf8 = UnsafeBufferPointer(rebasing: bytes[offset..<(offset + count)])
        // Decoding replaces invalid UTF-8, so the bytes come back different; `String(validating:)` would
        // say so directly, but it is not specialized for UTF-8 and took more than twice as long.
        var s = String(decoding: utf8, as: UTF8.self)
        let same = s.withUTF8 { decoded in
            guard decoded.count == utf8.count, let a = decoded.baseAddress, let b = utf8.baseAddress else { return false }
            return memcmp(a, b, utf8.count) == 0
        }
        guard same else { throw damaged("a string is not UTF-8") }
        offset += count
        return s
    }

    /// Reads a value that may hold others of its kind (a YAML value), refusing nesting past `maxDepth`.
    mutating func nested<T>(_ read: (inout CompactReader) throws -> T) throws -> T {
        guard depth < Self.maxDepth else { throw damaged("values nest more than \(Self.maxDepth) levels deep") }
        depth += 1
        defer { depth -= 1 }
        return try read(&self)
    }
}

// MARK: - Plain values

extension Int: CompactForm {
    func write(to writer: inout CompactWriter) {
        let n = Int64(self)
        writer.writeVarint(UInt64(bitPattern: (n << 1) ^ (n >> 63)))
    }

    init(reading reader: inout CompactReader) throws {
        let v = try reader.readVarint()
        self = Int(Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1))))
    }
}

extension UInt64: CompactForm {
    func write(to writer: inout CompactWriter) { writer.writeFixed(self) }
    init(reading reader: inout CompactReader) throws { self = try reader.readFixed() }
}

extension Bool: CompactForm {
    func write(to writer: inout CompactWriter) { writer.writeByte(self ? 1 : 0) }

    init(reading reader: inout CompactReader) throws {
        switch try reader.readByte() {
        case 0: self = false
        case 1: self = true
        default: throw reader.damaged("a Bool is neither 0 nor 1")
        }
    }
}

extension String: CompactForm {
    func write(to writer: inout CompactWriter) { writer.writeUTF8(self) }
    init(reading reader: inout CompactReader) throws { self = try reader.readUTF8() }
}

extension Optional: CompactForm where Wrapped: CompactForm {
    func write(to writer: inout CompactWriter) {
        switch self {
        case nil: writer.writeByte(0)
        case let value?:
            writer.writeByte(1)
            value.write(to: &writer)
        }
    }

    init(reading reader: inout CompactReader) throws {
        switch try reader.readByte() {
        case 0: self = nil
        case 1: self = try Wrapped(reading: &reader)
        default: throw reader.damaged("an optional's marker is neither 0 nor 1")
        }
    }
}

extension Array: CompactForm where Element: CompactForm {
    func write(to writer: inout CompactWriter) {
        writer.writeVarint(UInt64(count))
        for element in self { element.write(to: &writer) }
    }

    init(reading reader: inout CompactReader) throws {
        // Every element takes at least one byte, so the count is checked against the bytes left.
        let count = try reader.readCount()
        self = []
        reserveCapacity(count)
        for _ in 0..<count { append(try Element(reading: &reader)) }
    }
}

extension Dictionary: CompactForm where Key: CompactForm, Value: CompactForm {
    func write(to writer: inout CompactWriter) {
        writer.writeVarint(UInt64(count))
        for (key, value) in self {
            key.write(to: &writer)
            value.write(to: &writer)
        }
    }

    init(reading reader: inout CompactReader) throws {
        // Every entry takes at least two bytes; the count is checked against the bytes left.
        let count = try reader.readCount()
        self.init(minimumCapacity: count)
        for _ in 0..<count {
            let key = try Key(reading: &reader)
            guard self.updateValue(try Value(reading: &reader), forKey: key) == nil else {
                throw reader.damaged("a key appears twice")
            }
        }
    }
}
