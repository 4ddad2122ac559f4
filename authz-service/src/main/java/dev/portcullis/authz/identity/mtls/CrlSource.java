package dev.portcullis.authz.identity.mtls;

import java.security.cert.X509CRL;
import java.util.ArrayList;
import java.util.List;

/** The current certificate revocation lists of the trusted authorities. */
@FunctionalInterface
public interface CrlSource {

    /**
     * The CRLs to check against; empty means "revocation status unknown" (and is a rejection). A
     * certificate whose issuer has no current CRL here is rejected the same way.
     */
    List<X509CRL> current();

    /**
     * The CRLs of all {@code sources} together: one per issuing authority, e.g. the old and the new
     * CA of a trust bundle during a CA rotation, or a root (which revokes intermediates) and its
     * intermediates (which revoke client certificates).
     */
    static CrlSource union(List<? extends CrlSource> sources) {
        List<CrlSource> all = List.copyOf(sources);
        if (all.size() == 1) {
            return all.get(0);
        }
        return () -> {
            List<X509CRL> crls = new ArrayList<>();
            for (CrlSource source : all) {
                crls.addAll(source.current());
            }
            return crls;
        };
    }
}
