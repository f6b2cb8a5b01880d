/// An ``AdminConfiguration`` with problems, given to ``AdminService``; each problem names its setting.
public struct AdminConfigurationError: Error, CustomStringConvertible {
    public let problems: [String]
    public var description: String { problems.joined(separator: "; ") }
}
