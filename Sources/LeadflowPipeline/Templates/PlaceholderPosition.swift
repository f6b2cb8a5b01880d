/// What the syntax around a placeholder allows: a value escaped one way, or nothing, with the reason.
enum PlaceholderPosition: Sendable, Hashable {
    case safe(TemplateEscaping)
    case unsafe(String)
}
