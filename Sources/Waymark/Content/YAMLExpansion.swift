import CYaml  // libyaml, which Yams is built on; only this file reads its event stream.

/// How many values front matter stands for once every alias is expanded, measured on libyaml's
/// event stream before Yams composes anything. Yams shares an alias's node, which keeps memory
/// flat, but it hashes every mapping key while composing: an alias bomb used as a key
/// (`? *lol9`) would hang it long before a budget applied to the composed tree could act.
enum YAMLExpansion {
    struct Overflow: Equatable {
        /// 1-based position of the event at which the count first went over the limit.
        var line: Int, column: Int
        /// Whether aliases took it there, or the document is simply that long.
        var throughAliases: Bool
    }

    /// Where the number of values (keys count too) first exceeds `limit`, or nil when it stays
    /// within it. Malformed YAML also gives nil: Yams reports it with its own message.
    static func firstOverflow(_ yaml: String, limit: Int) -> Overflow? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return nil }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(yaml.utf8)
        return bytes.withUnsafeBufferPointer { buffer -> Overflow? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var anchors: [String: Int] = [:]
            // Open collections: values so far (the collection itself counts one) and the anchor naming it.
            var open: [(size: Int, anchor: String?)] = []
            var total = 0
            var aliases = 0
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                let mark = event.start_mark
                var added = 0
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_SCALAR_EVENT:
                    added = 1
                    if let name = string(event.data.scalar.anchor) { anchors[name] = 1 }
                case YAML_ALIAS_EVENT:
                    added = string(event.data.alias.anchor).flatMap { anchors[$0] } ?? 1
                    aliases += 1
                case YAML_SEQUENCE_START_EVENT:
                    open.append((1, string(event.data.sequence_start.anchor)))
                    total += 1
                case YAML_MAPPING_START_EVENT:
                    open.append((1, string(event.data.mapping_start.anchor)))
                    total += 1
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    guard let closed = open.popLast() else { return nil }
                    if let name = closed.anchor { anchors[name] = closed.size }
                    if !open.isEmpty { open[open.count - 1].size = min(open[open.count - 1].size + closed.size, limit + 1) }
                default:
                    break
                }
                if added > 0 {
                    total += added
                    if !open.isEmpty { open[open.count - 1].size = min(open[open.count - 1].size + added, limit + 1) }
                }
                if total > limit { return Overflow(line: Int(mark.line) + 1, column: Int(mark.column) + 1, throughAliases: aliases > 0) }
            }
            return nil
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}
