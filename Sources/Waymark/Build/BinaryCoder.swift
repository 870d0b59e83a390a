import Foundation

// A compact binary form for Codable values, written straight into one byte buffer (no tree in between),
// for the build cache: Foundation's JSON coders took a tenth of a cold build's CPU time and a third of a one-file rebuild.
//
// A document:
//
//     version byte · the value · key table · checksum (8 bytes)
//
// Every value is a header, then its bytes. The header is a varint (LEB128): 0 for nil, else 1 + the
// number of bytes that follow, so any value can be skipped unread, and a nil is told from an empty
// string. The bytes:
//
// - Bool: one byte, 0 or 1. Integers: 1–8 bytes little-endian, signed ones sign-extended, so small
//   numbers take one byte and a hash eight. Float and Double: their 4 or 8 bytes. String: its UTF-8.
//   `[UInt8]`: its bytes, as one value (a `CompactCodable` value is one of these).
// - Keyed container: (key number as varint, value) entries to the end; a key number indexes the key
//   table, which lists each key once per document (varint count, then each as varint length + UTF-8).
//   Entries are found by key whatever their order; the next lookup is tried first at the entry after
//   the last one found, which is where it nearly always is.
// - Unkeyed container: values to the end.
//
// Values are written in order, so a container cannot be written to after its parent has moved on to
// another value (Codable allows it, no synthesized conformance does it): that throws rather than garbles.
//
// The checksum (`StableHasher` of everything before it) makes any damage a thrown error rather than a
// wrong value; every read is checked against the bytes left, so damage never traps or allocates more than
// the document's size. Coding paths are not tracked (`codingPath` is always empty): keeping them costs a
// copy per value, and an error names the key and the byte offset instead.

/// Encodes `Encodable` values into the binary form described above.
struct BinaryEncoder {
    /// The document format this encoder writes and `BinaryDecoder` reads.
    static let version: UInt8 = 2

    var userInfo: [CodingUserInfoKey: Any] = [:]

    init() {}

    func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let core = BinaryEncodingCore(userInfo: userInfo)
        return try core.document(value)
    }
}

/// Decodes values from documents written by `BinaryEncoder`; damaged bytes throw, never trap.
struct BinaryDecoder {
    var userInfo: [CodingUserInfoKey: Any] = [:]

    init() {}

    func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let core = try BinaryDecodingCore(bytes: bytes, userInfo: userInfo)
        return try core.decodeValue(T.self, core.root)
    }

    func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decode(type, from: [UInt8](data))
    }
}

// MARK: - Encoding

/// The buffer being written and the values still open in it (a container's value stays open until its
/// parent writes again, as Codable has no call that closes a container).
private final class BinaryEncodingCore: Encoder {
    struct Frame {
        /// Where the value's header byte is reserved; the header is patched in when the value closes.
        var header: Int
        var id: Int
        var isNil = false
    }

    // Swift checks exclusive access to a class's stored properties at run time, which cost a fifth of
    // encoding; these are used by one thread and never borrowed across a call that could reach them again.
    @exclusivity(unchecked) var bytes: [UInt8] = []
    @exclusivity(unchecked) private var keyNumbers: [String: Int] = [:]
    @exclusivity(unchecked) private var keys: [String] = []
    /// Key numbers by a cheap hash of the key (its length and end bytes), in front of `keyNumbers`.
    @exclusivity(unchecked) private var recentKeys = [(name: String, number: Int)?](repeating: nil, count: 64)
    @exclusivity(unchecked) private var frames: [Frame] = []
    @exclusivity(unchecked) private var nextID = 0
    /// The open value that `container(keyedBy:)` and the others write into.
    @exclusivity(unchecked) private var valueDepth = 0
    let userInfo: [CodingUserInfoKey: Any]
    var codingPath: [CodingKey] { [] }

    init(userInfo: [CodingUserInfoKey: Any]) {
        self.userInfo = userInfo
        bytes.reserveCapacity(1024)
    }

    func document<T: Encodable>(_ value: T) throws -> [UInt8] {
        bytes.append(BinaryEncoder.version)
        try encodeValue(value)
        writeVarint(UInt64(keys.count))
        for key in keys { writeString(key) }
        var hasher = StableHasher()
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        writeFixed(hasher.value, count: 8)
        return bytes
    }

    // Containers created by this encoder write into the value being encoded.
    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedBinaryEncodingContainer(core: self, depth: valueDepth, id: frameID(valueDepth)))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer {
        UnkeyedBinaryEncodingContainer(core: self, depth: valueDepth, id: frameID(valueDepth))
    }

    func singleValueContainer() -> SingleValueEncodingContainer {
        SingleValueBinaryEncodingContainer(core: self, depth: valueDepth, id: frameID(valueDepth))
    }

    /// -1 (which no frame has) when the encoder is used after its value was finished: every write then throws.
    func frameID(_ depth: Int) -> Int { depth < frames.count ? frames[depth].id : -1 }

    // MARK: Values

    /// Writes a value with its header. Plain values are written directly (the common ones without a
    /// trip through their `encode(to:)`); others open a frame and encode into it.
    func encodeValue<T: Encodable>(_ value: T) throws {
        // Each bit cast is to the type just compared equal (a dynamic cast costs more than the write).
        if T.self == String.self { return writeValue(unsafeBitCast(value, to: String.self)) }
        if T.self == Int.self { return writeValue(signed: Int64(unsafeBitCast(value, to: Int.self))) }
        if T.self == UInt64.self { return writeValue(unsigned: unsafeBitCast(value, to: UInt64.self)) }
        if T.self == Bool.self { return writeValue(unsafeBitCast(value, to: Bool.self)) }
        if T.self == [UInt8].self { return writeValue(unsafeBitCast(value, to: [UInt8].self)) }
        let depth = beginValue()
        try encode(value, intoOpenValueAt: depth)
        close(downTo: depth)
    }

    /// Encodes into the open value at `depth` itself (a single value container's value, a super encoder's).
    func encode<T: Encodable>(_ value: T, intoOpenValueAt depth: Int) throws {
        if T.self == String.self { return writeContent(unsafeBitCast(value, to: String.self)) }
        if T.self == Int.self { return writeContent(signed: Int64(unsafeBitCast(value, to: Int.self))) }
        if T.self == [UInt8].self { return bytes.append(contentsOf: unsafeBitCast(value, to: [UInt8].self)) }
        let saved = valueDepth
        valueDepth = depth
        defer { valueDepth = saved }
        try value.encode(to: self)
    }

    /// Reserves a value's header byte; the value stays open until `close(downTo:)` reaches it.
    func beginValue() -> Int {
        bytes.append(0)
        nextID += 1
        frames.append(Frame(header: bytes.count - 1, id: nextID))
        return frames.count - 1
    }

    /// Called before a container at `depth` writes: closes the values opened after its own (its earlier
    /// nested containers), and checks that its value is still open.
    func prepare(_ depth: Int, _ id: Int) throws {
        if frames.count > depth + 1 { close(downTo: depth + 1) }
        guard depth < frames.count, frames[depth].id == id else {
            throw EncodingError.invalidValue(id, EncodingError.Context(codingPath: [],
                debugDescription: "BinaryEncoder: a container was written to after its parent had moved on to other values"))
        }
    }

    func markNil(_ depth: Int) { frames[depth].isNil = true }

    /// Closes every open value at `depth` and deeper, innermost first, patching in their headers.
    func close(downTo depth: Int) {
        while frames.count > depth, let frame = frames.popLast() {
            let start = frame.header + 1
            let length = bytes.count - start
            if frame.isNil && length == 0 {
                bytes[frame.header] = 0
                continue
            }
            let header = UInt64(length) + 1
            if header < 0x80 {
                bytes[frame.header] = UInt8(header)
                continue
            }
            // Rare (values over 126 bytes): make room for a longer header.
            let size = Self.varintSize(header)
            bytes.insert(contentsOf: repeatElement(0, count: size - 1), at: start)
            var v = header
            for i in 0..<size {
                bytes[frame.header + i] = UInt8(v & 0x7F) | (i < size - 1 ? 0x80 : 0)
                v >>= 7
            }
        }
    }

    // MARK: Bytes

    func writeKey(_ name: String) {
        // Most keys are a type's few field names, found here without the dictionary's hashing of the whole string.
        let utf8 = name.utf8
        let slot = (utf8.count &* 31 &+ Int(utf8.first ?? 0) &* 7 &+ Int(utf8.last ?? 0)) & (recentKeys.count - 1)
        if let recent = recentKeys[slot], recent.name == name { return writeVarint(UInt64(recent.number)) }
        let number: Int
        if let known = keyNumbers[name] {
            number = known
        } else {
            number = keys.count
            keyNumbers[name] = number
            keys.append(name)
        }
        recentKeys[slot] = (name, number)
        writeVarint(UInt64(number))
    }

    func writeNilValue() { bytes.append(0) }

    func writeValue(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            writeVarint(UInt64(utf8.count) + 1)
            bytes.append(contentsOf: utf8)
        }
    }

    /// Bytes as one value, not a list of numbers.
    func writeValue(_ raw: [UInt8]) {
        writeVarint(UInt64(raw.count) + 1)
        bytes.append(contentsOf: raw)
    }

    /// A key-table entry: length, then UTF-8 (the same bytes as a string value).
    private func writeString(_ s: String) { writeValue(s) }

    func writeValue(_ b: Bool) {
        bytes.append(2)
        bytes.append(b ? 1 : 0)
    }

    func writeValue(signed n: Int64) {
        let size = Self.byteCount(signed: n)
        bytes.append(UInt8(size + 1))
        writeFixed(UInt64(bitPattern: n), count: size)
    }

    func writeValue(unsigned n: UInt64) {
        let size = Self.byteCount(unsigned: n)
        bytes.append(UInt8(size + 1))
        writeFixed(n, count: size)
    }

    func writeValue(_ d: Double) {
        bytes.append(9)
        writeFixed(d.bitPattern, count: 8)
    }

    func writeValue(_ f: Float) {
        bytes.append(5)
        writeFixed(UInt64(f.bitPattern), count: 4)
    }

    // Contents without a header, for a single value container (its value's header is patched in on closing).
    func writeContent(_ s: String) {
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
    }

    func writeContent(_ b: Bool) { bytes.append(b ? 1 : 0) }
    func writeContent(signed n: Int64) { writeFixed(UInt64(bitPattern: n), count: Self.byteCount(signed: n)) }
    func writeContent(unsigned n: UInt64) { writeFixed(n, count: Self.byteCount(unsigned: n)) }
    func writeContent(_ d: Double) { writeFixed(d.bitPattern, count: 8) }
    func writeContent(_ f: Float) { writeFixed(UInt64(f.bitPattern), count: 4) }

    func writeVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private func writeFixed(_ value: UInt64, count: Int) {
        var v = value
        for _ in 0..<count {
            bytes.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
    }

    static func varintSize(_ v: UInt64) -> Int { max(1, (64 - v.leadingZeroBitCount + 6) / 7) }

    /// Bytes for `n` in two's complement with its sign bit kept: 0…127 and -128…-1 take one.
    static func byteCount(signed n: Int64) -> Int { max(1, (64 - (n ^ (n >> 63)).leadingZeroBitCount + 8) / 8) }

    static func byteCount(unsigned n: UInt64) -> Int { max(1, (64 - n.leadingZeroBitCount + 7) / 8) }
}

/// The Encoder of a value written by `superEncoder()`: its containers write into that value.
private final class NestedBinaryEncoder: Encoder {
    let core: BinaryEncodingCore
    let depth: Int
    let id: Int
    var codingPath: [CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { core.userInfo }

    init(core: BinaryEncodingCore, depth: Int, id: Int) {
        self.core = core
        self.depth = depth
        self.id = id
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedBinaryEncodingContainer(core: core, depth: depth, id: id))
    }

    func unkeyedContainer() -> UnkeyedEncodingContainer { UnkeyedBinaryEncodingContainer(core: core, depth: depth, id: id) }

    func singleValueContainer() -> SingleValueEncodingContainer { SingleValueBinaryEncodingContainer(core: core, depth: depth, id: id) }
}

private struct KeyedBinaryEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let core: BinaryEncodingCore
    /// The open value this container writes into.
    let depth: Int
    let id: Int
    var codingPath: [CodingKey] { [] }

    private func begin(_ key: Key) throws {
        try core.prepare(depth, id)
        core.writeKey(key.stringValue)
    }

    mutating func encodeNil(forKey key: Key) throws { try begin(key); core.writeNilValue() }
    mutating func encode(_ value: Bool, forKey key: Key) throws { try begin(key); core.writeValue(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { try begin(key); core.writeValue(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { try begin(key); core.writeValue(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { try begin(key); core.writeValue(value) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try begin(key); core.writeValue(signed: Int64(value)) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try begin(key); core.writeValue(signed: Int64(value)) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try begin(key); core.writeValue(signed: Int64(value)) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try begin(key); core.writeValue(signed: Int64(value)) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try begin(key); core.writeValue(signed: value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try begin(key); core.writeValue(unsigned: UInt64(value)) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try begin(key); core.writeValue(unsigned: UInt64(value)) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try begin(key); core.writeValue(unsigned: UInt64(value)) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try begin(key); core.writeValue(unsigned: UInt64(value)) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try begin(key); core.writeValue(unsigned: value) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try begin(key)
        try core.encodeValue(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let (depth, id) = nestedValue(key)
        return KeyedEncodingContainer(KeyedBinaryEncodingContainer<NestedKey>(core: core, depth: depth, id: id))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> UnkeyedEncodingContainer {
        let (depth, id) = nestedValue(key)
        return UnkeyedBinaryEncodingContainer(core: core, depth: depth, id: id)
    }

    mutating func superEncoder() -> Encoder { superEncoder(key: "super") }

    mutating func superEncoder(forKey key: Key) -> Encoder { superEncoder(key: key.stringValue) }

    private func superEncoder(key: String) -> Encoder {
        let (depth, id) = nestedValue(key)
        return NestedBinaryEncoder(core: core, depth: depth, id: id)
    }

    private func nestedValue(_ key: Key) -> (depth: Int, id: Int) { nestedValue(key.stringValue) }

    /// Opens a value under `key` for a nested container. These calls cannot throw, so a container used
    /// out of turn gets a value that throws on its first write.
    private func nestedValue(_ key: String) -> (depth: Int, id: Int) {
        guard (try? core.prepare(depth, id)) != nil else { return (0, -1) }
        core.writeKey(key)
        let nested = core.beginValue()
        return (nested, core.frameID(nested))
    }
}

private struct UnkeyedBinaryEncodingContainer: UnkeyedEncodingContainer {
    let core: BinaryEncodingCore
    let depth: Int
    let id: Int
    private(set) var count = 0
    var codingPath: [CodingKey] { [] }

    init(core: BinaryEncodingCore, depth: Int, id: Int) {
        self.core = core
        self.depth = depth
        self.id = id
    }

    private mutating func begin() throws {
        try core.prepare(depth, id)
        count += 1
    }

    mutating func encodeNil() throws { try begin(); core.writeNilValue() }
    mutating func encode(_ value: Bool) throws { try begin(); core.writeValue(value) }
    mutating func encode(_ value: String) throws { try begin(); core.writeValue(value) }
    mutating func encode(_ value: Double) throws { try begin(); core.writeValue(value) }
    mutating func encode(_ value: Float) throws { try begin(); core.writeValue(value) }
    mutating func encode(_ value: Int) throws { try begin(); core.writeValue(signed: Int64(value)) }
    mutating func encode(_ value: Int8) throws { try begin(); core.writeValue(signed: Int64(value)) }
    mutating func encode(_ value: Int16) throws { try begin(); core.writeValue(signed: Int64(value)) }
    mutating func encode(_ value: Int32) throws { try begin(); core.writeValue(signed: Int64(value)) }
    mutating func encode(_ value: Int64) throws { try begin(); core.writeValue(signed: value) }
    mutating func encode(_ value: UInt) throws { try begin(); core.writeValue(unsigned: UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { try begin(); core.writeValue(unsigned: UInt64(value)) }
    mutating func encode(_ value: UInt16) throws { try begin(); core.writeValue(unsigned: UInt64(value)) }
    mutating func encode(_ value: UInt32) throws { try begin(); core.writeValue(unsigned: UInt64(value)) }
    mutating func encode(_ value: UInt64) throws { try begin(); core.writeValue(unsigned: value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try begin()
        try core.encodeValue(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let (depth, id) = nestedValue()
        return KeyedEncodingContainer(KeyedBinaryEncodingContainer<NestedKey>(core: core, depth: depth, id: id))
    }

    mutating func nestedUnkeyedContainer() -> UnkeyedEncodingContainer {
        let (depth, id) = nestedValue()
        return UnkeyedBinaryEncodingContainer(core: core, depth: depth, id: id)
    }

    mutating func superEncoder() -> Encoder {
        let (depth, id) = nestedValue()
        return NestedBinaryEncoder(core: core, depth: depth, id: id)
    }

    private mutating func nestedValue() -> (depth: Int, id: Int) {
        guard (try? begin()) != nil else { return (0, -1) }
        let nested = core.beginValue()
        return (nested, core.frameID(nested))
    }
}

private struct SingleValueBinaryEncodingContainer: SingleValueEncodingContainer {
    let core: BinaryEncodingCore
    let depth: Int
    let id: Int
    var codingPath: [CodingKey] { [] }

    mutating func encodeNil() throws { try core.prepare(depth, id); core.markNil(depth) }
    mutating func encode(_ value: Bool) throws { try core.prepare(depth, id); core.writeContent(value) }
    mutating func encode(_ value: String) throws { try core.prepare(depth, id); core.writeContent(value) }
    mutating func encode(_ value: Double) throws { try core.prepare(depth, id); core.writeContent(value) }
    mutating func encode(_ value: Float) throws { try core.prepare(depth, id); core.writeContent(value) }
    mutating func encode(_ value: Int) throws { try core.prepare(depth, id); core.writeContent(signed: Int64(value)) }
    mutating func encode(_ value: Int8) throws { try core.prepare(depth, id); core.writeContent(signed: Int64(value)) }
    mutating func encode(_ value: Int16) throws { try core.prepare(depth, id); core.writeContent(signed: Int64(value)) }
    mutating func encode(_ value: Int32) throws { try core.prepare(depth, id); core.writeContent(signed: Int64(value)) }
    mutating func encode(_ value: Int64) throws { try core.prepare(depth, id); core.writeContent(signed: value) }
    mutating func encode(_ value: UInt) throws { try core.prepare(depth, id); core.writeContent(unsigned: UInt64(value)) }
    mutating func encode(_ value: UInt8) throws { try core.prepare(depth, id); core.writeContent(unsigned: UInt64(value)) }
    mutating func encode(_ value: UInt16) throws { try core.prepare(depth, id); core.writeContent(unsigned: UInt64(value)) }
    mutating func encode(_ value: UInt32) throws { try core.prepare(depth, id); core.writeContent(unsigned: UInt64(value)) }
    mutating func encode(_ value: UInt64) throws { try core.prepare(depth, id); core.writeContent(unsigned: value) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try core.prepare(depth, id)
        try core.encode(value, intoOpenValueAt: depth)
    }
}

// MARK: - Decoding

/// The document being read; as a `Decoder` it stands for the value being decoded (`current`), which
/// `decodeValue` sets around each nested value's `init(from:)`.
private final class BinaryDecodingCore: Decoder {
    /// A value's bytes, `start..<end`; nil is written as `end < start`.
    struct Frame {
        let start: Int
        let end: Int
        var isNil: Bool { end < start }
        static func none(at offset: Int) -> Frame { Frame(start: offset, end: offset - 1) }
    }

    let bytes: [UInt8]
    // Unchecked for speed, as in the encoder: one thread, never borrowed across a call.
    @exclusivity(unchecked) private(set) var keys: [String] = []
    @exclusivity(unchecked) private(set) var root = Frame(start: 0, end: 0)
    @exclusivity(unchecked) private var current = Frame(start: 0, end: 0)
    let userInfo: [CodingUserInfoKey: Any]
    var codingPath: [CodingKey] { [] }

    init(bytes: [UInt8], userInfo: [CodingUserInfoKey: Any]) throws {
        self.bytes = bytes
        self.userInfo = userInfo
        // version, root header, key count, checksum
        guard bytes.count >= 11 else { throw Self.damaged("it is \(bytes.count) bytes long", at: 0) }
        let body = bytes.count - 8
        var hasher = StableHasher()
        bytes.withUnsafeBytes { hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: $0[0..<body])) }
        var stored: UInt64 = 0
        for i in 0..<8 { stored |= UInt64(bytes[body + i]) << (8 * UInt64(i)) }
        guard stored == hasher.value else { throw Self.damaged("its checksum does not match", at: body) }
        guard bytes[0] == BinaryEncoder.version else {
            throw Self.damaged("it is in format \(bytes[0]), not \(BinaryEncoder.version)", at: 0)
        }
        var p = 1
        root = try frame(at: &p, end: body)
        current = root
        let count = try varint(at: &p, end: body)
        // Every key takes at least one byte, so a damaged count cannot reserve more than the document's size.
        guard count <= UInt64(body - p) else { throw Self.damaged("the key table is cut short", at: p) }
        keys.reserveCapacity(Int(count))
        for _ in 0..<count {
            let key = try frame(at: &p, end: body)
            guard !key.isNil else { throw Self.damaged("a key is missing", at: p) }
            keys.append(string(key))
        }
        guard p == body else { throw Self.damaged("bytes follow the key table", at: p) }
    }

    static func damaged(_ what: String, at offset: Int) -> DecodingError {
        .dataCorrupted(DecodingError.Context(codingPath: [], debugDescription: "BinaryDecoder: damaged document (\(what), at byte \(offset))"))
    }

    // MARK: Values

    /// Decodes a value from `frame`; the common plain types are read directly, without a trip through their `init(from:)`.
    func decodeValue<T: Decodable>(_ type: T.Type, _ frame: Frame) throws -> T {
        // Each bit cast is from the type just compared equal: `as? T` would look up `Optional<T>` and cast at run time.
        if T.self == String.self { return unsafeBitCast(try string(requiring: frame), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try integer(frame) as Int, to: T.self) }
        if T.self == UInt64.self { return unsafeBitCast(try integer(frame) as UInt64, to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try bool(frame), to: T.self) }
        if T.self == [UInt8].self { return unsafeBitCast(try raw(frame), to: T.self) }
        let saved = current
        current = frame
        defer { current = saved }
        return try T(from: self)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        try keyedContainer(current)
    }

    func unkeyedContainer() throws -> UnkeyedDecodingContainer { try unkeyedContainer(current) }

    func singleValueContainer() throws -> SingleValueDecodingContainer { SingleValueBinaryDecodingContainer(core: self, frame: current) }

    func keyedContainer<Key: CodingKey>(_ frame: Frame) throws -> KeyedDecodingContainer<Key> {
        guard !frame.isNil else { throw Self.notFound(KeyedDecodingContainer<Key>.self, at: frame) }
        return KeyedDecodingContainer(KeyedBinaryDecodingContainer<Key>(core: self, frame: frame))
    }

    func unkeyedContainer(_ frame: Frame) throws -> UnkeyedDecodingContainer {
        guard !frame.isNil else { throw Self.notFound(UnkeyedDecodingContainer.self, at: frame) }
        return UnkeyedBinaryDecodingContainer(core: self, frame: frame)
    }

    static func notFound(_ type: Any.Type, at frame: Frame) -> DecodingError {
        .valueNotFound(type, DecodingError.Context(codingPath: [], debugDescription: "BinaryDecoder: nil where a \(type) was expected (at byte \(frame.start))"))
    }

    static func mismatch(_ type: Any.Type, at frame: Frame) -> DecodingError {
        .typeMismatch(type, DecodingError.Context(codingPath: [],
            debugDescription: "BinaryDecoder: \(frame.end - frame.start) bytes cannot be a \(type) (at byte \(frame.start))"))
    }

    // MARK: Bytes

    /// Reads a value's header at `p` and moves past the value; throws when it overruns `end`.
    func frame(at p: inout Int, end: Int) throws -> Frame {
        let header = try varint(at: &p, end: end)
        if header == 0 { return .none(at: p) }
        guard header - 1 <= UInt64(end - p) else { throw Self.damaged("a value runs past its container", at: p) }
        let start = p
        p += Int(header - 1)
        return Frame(start: start, end: p)
    }

    func varint(at p: inout Int, end: Int) throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while p < end {
            let byte = bytes[p]
            p += 1
            guard shift < 63 || byte <= 1 else { break }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        throw Self.damaged("a number is cut short or too long", at: p)
    }

    func string(_ frame: Frame) -> String {
        String(decoding: bytes[frame.start..<frame.end], as: UTF8.self)
    }

    func string(requiring frame: Frame) throws -> String {
        guard !frame.isNil else { throw Self.notFound(String.self, at: frame) }
        return string(frame)
    }

    func raw(_ frame: Frame) throws -> [UInt8] {
        guard !frame.isNil else { throw Self.notFound([UInt8].self, at: frame) }
        return Array(bytes[frame.start..<frame.end])
    }

    func bool(_ frame: Frame) throws -> Bool {
        guard !frame.isNil else { throw Self.notFound(Bool.self, at: frame) }
        guard frame.end - frame.start == 1, bytes[frame.start] <= 1 else { throw Self.mismatch(Bool.self, at: frame) }
        return bytes[frame.start] == 1
    }

    /// 1–8 bytes, little-endian; sign-extended for signed types. Throws when the value does not fit `I`.
    func integer<I: FixedWidthInteger>(_ frame: Frame) throws -> I {
        guard !frame.isNil else { throw Self.notFound(I.self, at: frame) }
        let count = frame.end - frame.start
        guard count >= 1, count <= 8 else { throw Self.mismatch(I.self, at: frame) }
        let raw = fixed(frame.start, count: count)
        let value: I?
        if I.isSigned {
            let shift = UInt64(64 - 8 * count)
            value = I(exactly: Int64(bitPattern: raw << shift) >> shift)
        } else {
            value = I(exactly: raw)
        }
        guard let value else { throw Self.mismatch(I.self, at: frame) }
        return value
    }

    func double(_ frame: Frame) throws -> Double {
        guard !frame.isNil else { throw Self.notFound(Double.self, at: frame) }
        guard frame.end - frame.start == 8 else { throw Self.mismatch(Double.self, at: frame) }
        return Double(bitPattern: fixed(frame.start, count: 8))
    }

    func float(_ frame: Frame) throws -> Float {
        guard !frame.isNil else { throw Self.notFound(Float.self, at: frame) }
        guard frame.end - frame.start == 4 else { throw Self.mismatch(Float.self, at: frame) }
        return Float(bitPattern: UInt32(fixed(frame.start, count: 4)))
    }

    private func fixed(_ start: Int, count: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<count { v |= UInt64(bytes[start + i]) << (8 * UInt64(i)) }
        return v
    }
}

/// The Decoder of a value read by `superDecoder()`.
private final class NestedBinaryDecoder: Decoder {
    let core: BinaryDecodingCore
    let frame: BinaryDecodingCore.Frame
    var codingPath: [CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { core.userInfo }

    init(core: BinaryDecodingCore, frame: BinaryDecodingCore.Frame) {
        self.core = core
        self.frame = frame
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> { try core.keyedContainer(frame) }
    func unkeyedContainer() throws -> UnkeyedDecodingContainer { try core.unkeyedContainer(frame) }
    func singleValueContainer() throws -> SingleValueDecodingContainer { SingleValueBinaryDecodingContainer(core: core, frame: frame) }
}

/// A class, not a struct: lookups are non-mutating, and the cursor moves.
private final class KeyedBinaryDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    typealias Frame = BinaryDecodingCore.Frame
    let core: BinaryDecodingCore
    let start: Int
    let end: Int
    /// Where the entry after the last one found starts: the next lookup tries it first.
    @exclusivity(unchecked) private var cursor: Int
    var codingPath: [CodingKey] { [] }

    init(core: BinaryDecodingCore, frame: Frame) {
        self.core = core
        start = frame.start
        end = frame.end
        cursor = frame.start
    }

    /// The key number at `p`, and the value after it; moves `p` past both.
    private func entry(at p: inout Int) throws -> (key: Int, value: Frame) {
        let number = try core.varint(at: &p, end: end)
        guard number < UInt64(core.keys.count) else { throw BinaryDecodingCore.damaged("key \(number) is not in the key table", at: p) }
        return (Int(number), try core.frame(at: &p, end: end))
    }

    private func find(_ key: Key) throws -> Frame? { try find(key.stringValue) }

    private func find(_ name: String) throws -> Frame? {
        var p = cursor
        if p < end {
            let e = try entry(at: &p)
            if core.keys[e.key] == name {
                cursor = p
                return e.value
            }
        }
        p = start
        while p < end {
            let e = try entry(at: &p)
            if core.keys[e.key] == name {
                cursor = p
                return e.value
            }
        }
        return nil
    }

    private func require(_ key: Key) throws -> Frame {
        guard let frame = try find(key) else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(codingPath: [],
                debugDescription: "BinaryDecoder: no value for the key \"\(key.stringValue)\" (in the container at byte \(start))"))
        }
        return frame
    }

    /// The value under `key`, or nil when there is none or it is nil: one lookup, not the three of the default `decodeIfPresent`.
    private func present(_ key: Key) throws -> Frame? {
        guard let frame = try find(key), !frame.isNil else { return nil }
        return frame
    }

    var allKeys: [Key] {
        var keys: [Key] = []
        var p = start
        while p < end, let e = try? entry(at: &p) {
            if let key = Key(stringValue: core.keys[e.key]) { keys.append(key) }
        }
        return keys
    }

    func contains(_ key: Key) -> Bool { ((try? find(key)) ?? nil) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { try require(key).isNil }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try core.bool(require(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try core.string(requiring: require(key)) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try core.double(require(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try core.float(require(key)) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try core.integer(require(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try core.integer(require(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try core.integer(require(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try core.integer(require(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try core.integer(require(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try core.integer(require(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try core.integer(require(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try core.integer(require(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try core.integer(require(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try core.integer(require(key)) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try core.decodeValue(T.self, require(key)) }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try present(key).map { try core.bool($0) } }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try present(key).map { core.string($0) } }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try present(key).map { try core.double($0) } }
    func decodeIfPresent(_ type: Float.Type, forKey key: Key) throws -> Float? { try present(key).map { try core.float($0) } }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try present(key).map { try core.integer($0) } }
    func decodeIfPresent(_ type: Int8.Type, forKey key: Key) throws -> Int8? { try present(key).map { try core.integer($0) } }
    func decodeIfPresent(_ type: Int16.Type, forKey key: Key) throws -> Int16? { try present(key).map { try core.integer($0) } }
    func decodeIfPresent(_ type: Int32.Type, forKey key: Key) throws -> Int32? { try present(key).map { try core.integer($0) } }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try present(key).map { try core.integer($0) } }
    func decodeIfPresent(_ type: UInt.Type, forKey key: Key) throws -> UInt? { try present(key).map { try core.integer($0) } }
    func decodeIfPresent(_ type: UInt8.Type, forKey key: Key) throws -> UInt8? { try present(key).map { try core.integer($0) } }
    func decodeIfPresent(_ type: UInt16.Type, forKey key: Key) throws -> UInt16? { try present(key).map { try core.integer($0) } }
    func decodeIfPresent(_ type: UInt32.Type, forKey key: Key) throws -> UInt32? { try present(key).map { try core.integer($0) } }
    func decodeIfPresent(_ type: UInt64.Type, forKey key: Key) throws -> UInt64? { try present(key).map { try core.integer($0) } }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        try present(key).map { try core.decodeValue(T.self, $0) }
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try core.keyedContainer(require(key))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> UnkeyedDecodingContainer { try core.unkeyedContainer(require(key)) }

    func superDecoder() throws -> Decoder { NestedBinaryDecoder(core: core, frame: try find("super") ?? .none(at: start)) }

    func superDecoder(forKey key: Key) throws -> Decoder { NestedBinaryDecoder(core: core, frame: try find(key) ?? .none(at: start)) }
}

private struct UnkeyedBinaryDecodingContainer: UnkeyedDecodingContainer {
    typealias Frame = BinaryDecodingCore.Frame
    let core: BinaryDecodingCore
    private var cursor: Int
    private let end: Int
    private(set) var currentIndex = 0
    var codingPath: [CodingKey] { [] }

    init(core: BinaryDecodingCore, frame: Frame) {
        self.core = core
        cursor = frame.start
        end = frame.end
    }

    var isAtEnd: Bool { cursor >= end }

    /// Counted by skipping the values (nearly free: each header says how far); nil when the bytes are damaged.
    var count: Int? {
        var p = cursor, n = currentIndex
        while p < end {
            guard (try? core.frame(at: &p, end: end)) != nil else { return nil }
            n += 1
        }
        return n
    }

    private mutating func next(_ type: Any.Type) throws -> Frame {
        guard cursor < end else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(codingPath: [],
                debugDescription: "BinaryDecoder: the list has only \(currentIndex) values (at byte \(cursor))"))
        }
        let frame = try core.frame(at: &cursor, end: end)
        currentIndex += 1
        return frame
    }

    mutating func decodeNil() throws -> Bool {
        var p = cursor
        guard p < end, try core.frame(at: &p, end: end).isNil else { return false }
        cursor = p
        currentIndex += 1
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try core.bool(next(type)) }
    mutating func decode(_ type: String.Type) throws -> String { try core.string(requiring: next(type)) }
    mutating func decode(_ type: Double.Type) throws -> Double { try core.double(next(type)) }
    mutating func decode(_ type: Float.Type) throws -> Float { try core.float(next(type)) }
    mutating func decode(_ type: Int.Type) throws -> Int { try core.integer(next(type)) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try core.integer(next(type)) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try core.integer(next(type)) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try core.integer(next(type)) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try core.integer(next(type)) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try core.integer(next(type)) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try core.integer(next(type)) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try core.integer(next(type)) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try core.integer(next(type)) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try core.integer(next(type)) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try core.decodeValue(T.self, next(type)) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try core.keyedContainer(next(KeyedDecodingContainer<NestedKey>.self))
    }

    mutating func nestedUnkeyedContainer() throws -> UnkeyedDecodingContainer {
        try core.unkeyedContainer(next(UnkeyedDecodingContainer.self))
    }

    mutating func superDecoder() throws -> Decoder {
        NestedBinaryDecoder(core: core, frame: try next(Decoder.self))
    }
}

private struct SingleValueBinaryDecodingContainer: SingleValueDecodingContainer {
    typealias Frame = BinaryDecodingCore.Frame
    let core: BinaryDecodingCore
    let frame: Frame
    var codingPath: [CodingKey] { [] }

    func decodeNil() -> Bool { frame.isNil }
    func decode(_ type: Bool.Type) throws -> Bool { try core.bool(frame) }
    func decode(_ type: String.Type) throws -> String { try core.string(requiring: frame) }
    func decode(_ type: Double.Type) throws -> Double { try core.double(frame) }
    func decode(_ type: Float.Type) throws -> Float { try core.float(frame) }
    func decode(_ type: Int.Type) throws -> Int { try core.integer(frame) }
    func decode(_ type: Int8.Type) throws -> Int8 { try core.integer(frame) }
    func decode(_ type: Int16.Type) throws -> Int16 { try core.integer(frame) }
    func decode(_ type: Int32.Type) throws -> Int32 { try core.integer(frame) }
    func decode(_ type: Int64.Type) throws -> Int64 { try core.integer(frame) }
    func decode(_ type: UInt.Type) throws -> UInt { try core.integer(frame) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try core.integer(frame) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try core.integer(frame) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try core.integer(frame) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try core.integer(frame) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try core.decodeValue(T.self, frame) }
}
