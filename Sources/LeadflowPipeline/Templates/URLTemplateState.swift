/// Where a URL template is: in the scheme and authority, which values must not choose, or in the path, query
/// or fragment, where a percent-encoded value can change nothing but its own segment.
struct URLTemplateState: TemplateSyntaxState {
    private enum Place { case scheme, authority, rest }
    private var place = Place.scheme
    private var slashes = 0

    mutating func read(_ text: Substring) {
        for scalar in text.unicodeScalars {
            switch place {
            case .scheme:
                if scalar == ":" { place = .authority }
            case .authority:
                // `//host` after the scheme; the first `/`, `?` or `#` after the host starts the rest.
                if scalar == "/" && slashes < 2 {
                    slashes += 1
                } else if slashes >= 2 && (scalar == "/" || scalar == "?" || scalar == "#") {
                    place = .rest
                } else if slashes < 2 {
                    place = .rest
                }
            case .rest:
                return
            }
        }
    }

    var position: PlaceholderPosition {
        place == .rest
            ? .safe(.urlPart)
            : .unsafe(
                "a placeholder in the URL's scheme or host could send the request anywhere; "
                    + "only the path, query and fragment may hold placeholders")
    }
}
