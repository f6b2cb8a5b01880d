/// A password, API key, signing secret, CURVE secret key or database URL with a password: a value that prints,
/// reflects and interpolates as `<redacted>`, so that no log line, error or dump can show it by accident.
/// Code that needs the value asks for it by name, with ``revealed``.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable,
    ExpressibleByStringLiteral
{
    private let value: String

    public init(_ value: String) {
        self.value = value
    }

    public init(stringLiteral value: String) {
        self.value = value
    }

    /// The value itself, for the one place that hands it to a library or a peer.
    public var revealed: String { value }

    public var isEmpty: Bool { value.isEmpty }

    public var description: String { value.isEmpty ? "<empty>" : "<redacted>" }

    public var debugDescription: String { "Secret(\(description))" }

    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
