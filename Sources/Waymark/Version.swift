/// Waymark's version, printed by `waymark --version`.
public let waymarkVersion = "0.1.0"
