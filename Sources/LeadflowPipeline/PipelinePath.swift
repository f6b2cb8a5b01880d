/// Where a value sits in a pipeline definition (`stages[1].actions[0].email.subject`), so problems found on
/// the protobuf form can be reported against its source.
public struct PipelinePath: Sendable, Hashable, CustomStringConvertible {
    /// One step down: a field (proto field name) or a list position.
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public private(set) var components: [Component]

    public init(_ components: [Component] = []) { self.components = components }

    /// The definition itself.
    public static let root = PipelinePath()

    public func key(_ name: String) -> PipelinePath { PipelinePath(components + [.key(name)]) }
    public func index(_ position: Int) -> PipelinePath { PipelinePath(components + [.index(position)]) }

    /// The enclosing value; `nil` for the root.
    public var parent: PipelinePath? {
        components.isEmpty ? nil : PipelinePath(Array(components.dropLast()))
    }

    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let name): text += text.isEmpty ? name : ".\(name)"
            case .index(let position): text += "[\(position)]"
            }
        }
        return text.isEmpty ? "(pipeline)" : text
    }
}
