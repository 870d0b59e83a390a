/// Writes user-given text (a page title, a site title) into generated YAML so it reads back unchanged.
enum YAMLText {
    /// `text` as a YAML scalar: plain when that is unambiguous, otherwise double-quoted with escapes.
    /// Plain is kept to letters, digits, spaces and a few safe marks, starting with a letter, so
    /// nothing can be read as a number, a date, a boolean, a comment, a key or a flow collection.
    static func scalar(_ text: String) -> String {
        isSafePlain(text) ? text : doubleQuoted(text)
    }

    static func doubleQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                // Control characters, and the line and paragraph separators YAML treats as breaks, are escaped.
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                    || scalar.value == 0x2028 || scalar.value == 0x2029 || scalar.value == 0xFEFF {
                    out += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                        + String(scalar.value, radix: 16, uppercase: true)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Words YAML 1.1 or 1.2 resolve to booleans or null when plain.
    private static let reservedWords: Set<String> = ["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"]

    private static func isSafePlain(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.properties.isAlphabetic,
              let last = text.unicodeScalars.last, last != " ",
              !reservedWords.contains(text.lowercased()), !text.contains("  ") else { return false }
        return text.unicodeScalars.allSatisfy { s in
            if s.properties.isAlphabetic || s.properties.numericType != nil { return s.value >= 0x20 && s.value != 0x2028 && s.value != 0x2029 }
            return " -,.'’()/&!?".unicodeScalars.contains(s)
        }
    }
}
