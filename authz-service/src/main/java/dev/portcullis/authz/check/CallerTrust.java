package dev.portcullis.authz.check;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

import dev.portcullis.authz.identity.IdentityResolver;

/**
 * Who may ask Portcullis for decisions: a caller on this host (loopback), or one that presented a
 * client certificate of a configured trusted proxy. Anyone else could probe the policy or flood
 * the audit log, so is refused.
 */
public final class CallerTrust {

    private final IdentityResolver identity;

    public CallerTrust(IdentityResolver identity) {
        this.identity = Objects.requireNonNull(identity, "identity cannot be null");
    }

    public boolean mayAsk(boolean onLoopback, List<X509Certificate> peerCertificates) {
        return onLoopback || identity.isTrustedProxy(peerCertificates);
    }
}
