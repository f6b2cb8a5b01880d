import Foundation
import Yams

/// openapi/admin.yaml as the tests read it: every operation with its method and path, and the parameters.
enum AdminContract {
    struct Operation: Sendable, CustomStringConvertible {
        let id: String
        let method: String
        let path: String
        /// `security: []`: no token needed.
        let isPublic: Bool

        var description: String { "\(id) (\(method) \(path))" }

        /// The path with each `{name}` replaced by `values[name]`, percent-encoded.
        func path(_ values: [String: String]) -> String {
            values.reduce(path) { path, value in
                path.replacingOccurrences(
                    of: "{\(value.key)}",
                    with: value.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value.value)
            }
        }
    }

    static let fileURL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("openapi/admin.yaml")

    static func document() throws -> [String: Any] {
        let text = try String(contentsOf: fileURL, encoding: .utf8)
        guard let document = try Yams.load(yaml: text) as? [String: Any] else {
            throw CocoaError(.fileReadCorruptFile)
        }
        return document
    }

    /// Every operation of the document, in document order of paths.
    static func operations() throws -> [Operation] {
        let paths = try document()["paths"] as? [String: Any] ?? [:]
        return paths.keys.sorted().flatMap { path -> [Operation] in
            let item = paths[path] as? [String: Any] ?? [:]
            return item.keys.sorted().compactMap { method in
                guard let operation = item[method] as? [String: Any], let id = operation["operationId"] as? String else {
                    return nil
                }
                let security = operation["security"] as? [Any]
                return Operation(id: id, method: method.uppercased(), path: path, isPublic: security?.isEmpty == true)
            }
        }
    }

    /// The name of every path and query parameter whose schema is not a plain string (a `$ref` is followed).
    static func typedParameters() throws -> Set<String> {
        let document = try self.document()
        func resolve(_ object: [String: Any]) -> [String: Any] {
            guard let reference = object["$ref"] as? String else { return object }
            let parts = reference.split(separator: "/").dropFirst()  // "#"
            var node: Any = document
            for part in parts { node = (node as? [String: Any])?[String(part)] ?? [:] }
            return resolve(node as? [String: Any] ?? [:])
        }
        var names: Set<String> = []
        for case let item as [String: Any] in (document["paths"] as? [String: Any] ?? [:]).values {
            for case let operation as [String: Any] in item.values {
                for case let reference as [String: Any] in operation["parameters"] as? [Any] ?? [] {
                    let parameter = resolve(reference)
                    let schema = resolve(parameter["schema"] as? [String: Any] ?? [:])
                    let isPlainString = schema["type"] as? String == "string" && schema["enum"] == nil && schema["format"] == nil
                    if !isPlainString, let name = parameter["name"] as? String { names.insert(name) }
                }
            }
        }
        return names
    }
}
