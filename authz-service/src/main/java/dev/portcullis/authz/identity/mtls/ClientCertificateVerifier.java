package dev.portcullis.authz.identity.mtls;

import java.security.cert.X509Certificate;
import java.util.List;

import dev.portcullis.authz.identity.AuthenticationException;

/**
 * Verifies a client certificate chain (leaf first): issued by a trusted authority, within its
 * validity, not revoked, meant for client authentication, carrying exactly one acceptable SPIFFE ID.
 */
@FunctionalInterface
public interface ClientCertificateVerifier {

    VerifiedCertificate verify(List<X509Certificate> chain) throws AuthenticationException;
}
