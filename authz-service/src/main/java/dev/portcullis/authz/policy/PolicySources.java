package dev.portcullis.authz.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * One fingerprint for a set of Rego modules, taken from their source text alone: the same for the
 * modules OPA serves ({@code GET /v1/policies}) and the modules a compiled Wasm bundle was built
 * from, whatever each side calls them. Module ids are file paths as each side loaded them
 * ({@code /etc/opa/policies/authz/authz.rego} in one, {@code /build/policies/authz/authz.rego} in
 * the other), so they are left out; the package line inside each source is what places a module.
 * Order-free, but a module listed twice counts twice.
 *
 * <p>Spelled out, so that a build script can take it from the files ({@code bin/lib/policy-wasm.sh}
 * does, with {@code sha256sum}): the lower-case hex SHA-256 of each source's UTF-8 bytes, sorted
 * as ASCII, concatenated without separators, and the hex SHA-256 of that.
 */
public final class PolicySources {

    private PolicySources() {
    }

    /** SHA-256 over the sorted SHA-256 of every source, hex-encoded. */
    public static String digest(Collection<String> sources) {
        HexFormat hex = HexFormat.of();
        List<String> each = new ArrayList<>(sources.size());
        for (String source : sources) {
            each.add(hex.formatHex(sha256().digest(source.getBytes(StandardCharsets.UTF_8))));
        }
        each.sort(null);
        MessageDigest all = sha256();
        for (String one : each) {
            all.update(one.getBytes(StandardCharsets.US_ASCII));
        }
        return hex.formatHex(all.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
