import Foundation

/// A 64-bit hash that is the same in every process and on every run (Swift's `Hasher` is seeded per
/// process), for the build cache: FNV-1a over bytes, with lengths mixed in so `["ab","c"]` ≠ `["a","bc"]`.
struct StableHasher {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    init() {}

    /// Eight bytes a step (FNV-1a's multiply, then a rotate so high bits reach low ones), then the rest
    /// byte by byte: output files run to hundreds of megabytes, and every one is hashed.
    mutating func combine(bytes: UnsafeRawBufferPointer) {
        var h = value
        let words = bytes.count / 8
        for w in 0..<words {
            let word = bytes.loadUnaligned(fromByteOffset: w * 8, as: UInt64.self).littleEndian
            h = (h ^ word) &* 0x0000_0100_0000_01B3
            h = (h << 29) | (h >> 35)
        }
        for byte in bytes[(words * 8)...] {
            h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        value = h
        combine(bytes.count)
    }

    mutating func combine(_ n: Int) {
        var h = value
        var v = UInt64(bitPattern: Int64(n))
        for _ in 0..<8 {
            h = (h ^ (v & 0xFF)) &* 0x0000_0100_0000_01B3
            v >>= 8
        }
        value = h
    }

    mutating func combine(_ v: UInt64) { combine(Int(bitPattern: UInt(v))) }

    mutating func combine(_ s: String) {
        // A native string's bytes are read where they are: a copy of it would be retained and released.
        if s.utf8.withContiguousStorageIfAvailable({ combine(bytes: UnsafeRawBufferPointer($0)) }) != nil { return }
        var s = s
        s.withUTF8 { combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    mutating func combine(_ s: String?) {
        if let s { combine(1); combine(s) } else { combine(0) }
    }

    mutating func combine(_ flag: Bool) { combine(flag ? 1 : 0) }

    static func hash(_ data: Data) -> UInt64 {
        var h = StableHasher()
        data.withUnsafeBytes { h.combine(bytes: $0) }
        return h.value
    }

    static func hash(bytes: [UInt8]) -> UInt64 {
        var h = StableHasher()
        bytes.withUnsafeBytes { h.combine(bytes: $0) }
        return h.value
    }

    static func hash(_ s: String) -> UInt64 {
        var h = StableHasher()
        h.combine(s)
        return h.value
    }
}
