/// The version `leadflow --version` prints: the release series of the issue being built, `-dev` until a
/// release stamps it (packaging sets it from the tag).
enum LeadflowVersion {
    static let current = "0.17.0-dev"
}
