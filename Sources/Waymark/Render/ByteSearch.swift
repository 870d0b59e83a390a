/// Where `needle` first occurs in `bytes` at or after `from`, or nil: for scanning HTML as bytes.
func firstIndex(of needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
    bytes.withUnsafeBufferPointer { firstIndex(of: needle, in: $0, from: from) }
}

/// The same, in bytes read in place.
func firstIndex(of needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
    guard !needle.isEmpty, needle.count <= bytes.count, from >= 0, from <= bytes.count - needle.count else { return nil }
    var k = from
    while k <= bytes.count - needle.count {
        if bytes[k] == needle[0], bytes[k..<(k + needle.count)].elementsEqual(needle) { return k }
        k += 1
    }
    return nil
}
