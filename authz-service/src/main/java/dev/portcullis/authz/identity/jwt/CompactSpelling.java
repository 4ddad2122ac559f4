package dev.portcullis.authz.identity.jwt;

/**
 * Whether a compact-serialized JOSE object is spelled the one way an issuer writes it: each part
 * base64url without {@code =} padding, and no bits set in a last character beyond the data.
 *
 * <p>Nimbus, like the JDK's decoder, ignores those bits, so without this check one signed token has
 * several spellings that all verify. Each spelling would then have its own {@linkplain TokenDigest
 * digest}: the audit's token id and the replay detector that counts it could be split by an attacker
 * re-spelling a stolen token, and a changed character of a signature would pass as untouched.
 */
final class CompactSpelling {

    private CompactSpelling() {
    }

    /** Why {@code token} is not canonical, or {@code null} when every part is. */
    static String problem(String token) {
        int partStart = 0;
        int part = 1;
        for (int i = 0; i <= token.length(); i++) {
            if (i == token.length() || token.charAt(i) == '.') {
                String why = partProblem(token, partStart, i);
                if (why != null) {
                    return "part " + part + " of the token " + why;
                }
                partStart = i + 1;
                part++;
            }
        }
        return null;
    }

    private static String partProblem(String token, int from, int to) {
        for (int i = from; i < to; i++) {
            if (valueOf(token.charAt(i)) < 0) {
                return "has a character outside base64url (e.g. padding)";
            }
        }
        int unusedBits = switch ((to - from) % 4) {
            case 1 -> -1;
            case 2 -> 4;
            case 3 -> 2;
            default -> 0;
        };
        if (unusedBits < 0) {
            return "has a length no base64url text has";
        }
        if (unusedBits > 0 && (valueOf(token.charAt(to - 1)) & ((1 << unusedBits) - 1)) != 0) {
            return "sets bits beyond its data in its last character";
        }
        return null;
    }

    /** The 6-bit value of a base64url character, or -1. */
    private static int valueOf(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        return c == '-' ? 62 : c == '_' ? 63 : -1;
    }
}
