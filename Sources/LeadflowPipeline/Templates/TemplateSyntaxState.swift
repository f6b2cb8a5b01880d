/// The syntax a template is written in (HTML, JSON, a URL), read piece by piece so that each placeholder's
/// position is known when it is reached.
protocol TemplateSyntaxState {
    /// Reads literal template text.
    mutating func read(_ text: Substring)
    /// The position of a placeholder that stands here.
    var position: PlaceholderPosition { get }
    /// Notes that a value was written here (it is escaped, so it changes no syntax, only "is this empty").
    mutating func readValue()
}

extension TemplateSyntaxState {
    mutating func readValue() {}
}
