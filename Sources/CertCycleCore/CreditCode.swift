/// The unified social credit code (统一社会信用代码) of GB 32100-2015: 18 characters from a
/// 31-character alphabet, the last a check character over the first 17.
public enum CreditCode {
    /// The code's alphabet; I, O, S, V and Z are never used.
    static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY".unicodeScalars)
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    /// The check character for the first 17 characters, or nil when one is outside the alphabet.
    public static func checkCharacter(for first17: some StringProtocol) -> Character? {
        let scalars = Array(first17.unicodeScalars)
        guard scalars.count == 17 else { return nil }
        var sum = 0
        for (scalar, weight) in zip(scalars, weights) {
            guard let value = alphabet.firstIndex(of: scalar) else { return nil }
            sum += value * weight
        }
        return Character(alphabet[(31 - sum % 31) % 31])
    }

    /// Why `code` is not a valid unified social credit code, or nil when it is.
    public static func problem(with code: String) -> String? {
        let scalars = Array(code.unicodeScalars)
        guard scalars.count == 18 else { return "must be 18 characters, not \(scalars.count)" }
        if let bad = scalars.first(where: { !alphabet.contains($0) }) {
            return "contains '\(bad)', which is not used in credit codes (digits and capitals except I, O, S, V, Z)"
        }
        let expected = checkCharacter(for: code.prefix(17))!
        guard Character(scalars[17]) == expected else {
            return "check digit is '\(scalars[17])' but should be '\(expected)' (GB 32100)"
        }
        return nil
    }
}
