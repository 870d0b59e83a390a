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
            var lanes = Lanes(h)
            while offset + 32 <= count {
                lanes.take(bytes, at: offset)
                offset += 32
            }
            h = lanes.folded
        }
        value = Self.tail(h, UnsafeRawBufferPointer(rebasing: bytes[offset...]))
        combine(bytes.count)
    }

    /// The four lanes of `combine(bytes:)`'s 32-byte steps.
    private struct Lanes {
        var a, b, c, d: UInt64

        init(_ h: UInt64) { (a, b, c, d) = (h, h ^ 0xC2B2_AE3D_27D4_EB4F, h ^ 0x1656_67B1_9E37_79F9, h ^ 0x27D4_EB2F_1656_67C5) }

        @inline(__always)
        private static func lane(_ x: UInt64, _ bytes: UnsafeRawBufferPointer, _ at: Int) -> UInt64 {
            let y = (x ^ bytes.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian) &* 0x9E37_79B9_7F4A_7C15
            return (y << 31) | (y >> 33)
        }

        /// The 32 bytes at `at`.
        @inline(__always)
        mutating func take(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
            a = Self.lane(a, bytes, offset)
            b = Self.lane(b, bytes, offset + 8)
            c = Self.lane(c, bytes, offset + 16)
            d = Self.lane(d, bytes, offset + 24)
        }

        /// Each fold step is one-to-one in the lane it adds, so a change in any lane changes the hash.
        var folded: UInt64 {
            @inline(__always) func fold(_ x: UInt64, _ y: UInt64) -> UInt64 {
                let z = (x ^ y) &* 0x9E37_79B9_7F4A_7C15
                return (z << 29) | (z >> 35)
            }
            return fold(fold(fold(a, b), c), d)
        }
    }

    /// The bytes after the lanes' steps (all of them, for fewer than 64): eight a step, then one by one.
    private static func tail(_ start: UInt64, _ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h = start
        var offset = 0
        while offset + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian
            h = (h ^ word) &* 0x0000_0100_0000_01B3
            h = (h << 29) | (h >> 35)
            offset += 8
        }
        for byte in bytes[offset...] {
            h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return h
    }

    /// `combine(bytes:)` over `total` bytes that arrive in pieces, for a file written as it is made
    /// and never whole in memory: the same hash as one call with all of them.
    struct Pieces {
        private var hasher: StableHasher
        private let total: Int
        /// Bytes taken by the lanes (whole 32-byte steps; none under 64 bytes), and so far.
        private let laneBytes: Int
        private var taken = 0
        private var lanes: Lanes
        /// A step's bytes not yet complete, then the bytes after the last step.
        private var pending: [UInt8] = []

        init(_ hasher: StableHasher = StableHasher(), total: Int) {
            self.hasher = hasher
            self.total = total
            laneBytes = total >= 64 ? total / 32 * 32 : 0
            lanes = Lanes(hasher.value)
        }

        mutating func combine(_ bytes: UnsafeRawBufferPointer) {
            var offset = 0
            // A step begun by the last piece is completed first.
            if !pending.isEmpty && taken < laneBytes {
                let needed = min(32 - pending.count, bytes.count)
                pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[..<needed]))
                offset = needed
                if pending.count == 32 {
                    pending.withUnsafeBytes { lanes.take($0, at: 0) }
                    taken += 32
                    pending.removeAll(keepingCapacity: true)
                }
            }
            if pending.isEmpty {
                while taken < laneBytes && offset + 32 <= bytes.count {
                    lanes.take(bytes, at: offset)
                    offset += 32
                    taken += 32
                }
            }
            pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[offset...]))
        }

        /// The hash, once all `total` bytes have been given; nil while more or fewer were.
        var value: UInt64? {
            guard taken + pending.count == total else { return nil }
            var h = hasher
            let start = laneBytes > 0 ? lanes.folded : h.value
            h.value = pending.withUnsafeBytes { StableHasher.tail(start, $0) }
            h.combine(total)
            return h.value
        }
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
