import CCertCycleBuild

/// What `certcycle --version` prints: the release number, and the commit the binary was built
/// from when the build knew it (Scripts/package-deb.sh sets CERTCYCLE_COMMIT).
enum Version {
    /// The release number; Scripts/package-deb.sh reads it from here for the package's version.
    static let number = "0.2.0"

    static var commit: String? {
        let commit = String(cString: certcycle_build_commit())
        return commit.isEmpty ? nil : commit
    }

    static var text: String { number + (commit.map { " (commit \($0))" } ?? "") }
}
