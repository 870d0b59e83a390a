import Foundation

/// A 64-bit hash that is the same in every process and on every run (Swift's `Hasher` is seeded per
/// process), for the build cache: FNV-1a over bytes, with lengths mixed in so `["ab","c"]` ≠ `["a","bc"]`.
struct StableHasher {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    init() {}

    /// Output files run to hundreds of megabytes, and every one is hashed. From 64 bytes on, four
    /// independent lanes take 32 bytes a step (one chain's multiply latency no longer sets the speed),
    /// then fold into the hash; the rest goes eight bytes a step (FNV-1a's multiply, then a rotate so
    /// high bits reach low ones), then byte by byte.
    mutating func combine(bytes: UnsafeRawBufferPointer) {
        var h = value
        var offset = 0
        let count = bytes.count
        if count >= 64 {
            @inline(__always) func lane(_ x: UInt64, _ at: Int) -> UInt64 {
                let y = (x ^ bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian) &* 0x9E37_79B9_7F4A_7C15
                return (y << 31) | (y >> 33)
            }
            var a = h, b = h ^ 0xC2B2_AE3D_27D4_EB4F, c = h ^ 0x1656_67B1_9E37_79F9, d = h ^ 0x27D4_EB2F_1656_67C5
            while offset + 32 <= count {
                a = lane(a, offset)
                b = lane(b, offset + 8)
                c = lane(c, offset + 16)
                d = lane(d, offset + 24)
                offset += 32
            }
            // Each fold step is one-to-one in the lane it adds, so a change in any lane changes the hash.
            @inline(__always) func fold(_ x: UInt64, _ y: UInt64) -> UInt64 {
                let z = (x ^ y) &* 0x9E37_79B9_7F4A_7C15
                return (z << 29) | (z >> 35)
            }
            h = fold(fold(fold(a, b), c), d)
        }
        while offset + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian
            h = (h ^ word) &* 0x0000_0100_0000_01B3
            h = (h << 29) | (h >> 35)
            offset += 8
        }
        for byte in bytes[offset...] {
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
