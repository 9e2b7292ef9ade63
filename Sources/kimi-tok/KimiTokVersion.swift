/// The version `kimi-tok --version` prints; CHANGELOG.md says what each one changed.
enum KimiTokVersion {
    static let current = "0.7.0"
}
