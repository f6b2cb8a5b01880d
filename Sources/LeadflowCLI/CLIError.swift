/// A failure at run time that the user can fix; printed as `Error: <message>` without the usage text.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
