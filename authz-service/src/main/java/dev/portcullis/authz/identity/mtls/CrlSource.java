package dev.portcullis.authz.identity.mtls;

import java.security.cert.X509CRL;
import java.util.List;

/** The current certificate revocation lists of the trusted authorities. */
@FunctionalInterface
public interface CrlSource {

    /** The CRLs to check against; empty means "revocation status unknown" (and is a rejection). */
    List<X509CRL> current();
}
