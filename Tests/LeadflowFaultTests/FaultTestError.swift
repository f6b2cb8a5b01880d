/// A fault test could not set up or observe what it needed.
struct FaultTestError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
