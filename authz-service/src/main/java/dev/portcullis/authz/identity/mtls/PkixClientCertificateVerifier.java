package dev.portcullis.authz.identity.mtls;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import dev.portcullis.authz.identity.AuthenticationException;
import dev.portcullis.authz.identity.AuthenticationFailure;

/**
 * Verifies client certificates with the JDK's PKIX path validator: the chain must lead to one of
 * the trust anchors, every certificate must be valid at the injected clock's time, and no
 * certificate of the path (the client's and any intermediate authority's; a trust anchor is
 * trusted as configured) may be revoked according to the CRLs of {@link CrlSource} (no CRL from a
 * certificate's issuer, or one past its {@code nextUpdate}, means the status is unknown: rejected). The leaf must allow client
 * authentication and carry exactly one URI SAN that is a SPIFFE ID in an accepted trust domain.
 */
public final class PkixClientCertificateVerifier implements ClientCertificateVerifier {

    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final int URI_SAN = 6;

    private final Set<TrustAnchor> anchors;
    private final CrlSource crls;
    private final Set<String> trustDomains;
    private final Clock clock;

    public PkixClientCertificateVerifier(Collection<X509Certificate> trustBundle, CrlSource crls,
            Set<String> trustDomains, Clock clock) {
        Objects.requireNonNull(trustBundle, "trustBundle cannot be null");
        if (trustBundle.isEmpty()) {
            throw new IllegalArgumentException("the mTLS trust bundle holds no certificate");
        }
        Set<TrustAnchor> set = new java.util.HashSet<>();
        trustBundle.forEach(c -> set.add(new TrustAnchor(c, null)));
        this.anchors = Set.copyOf(set);
        this.crls = Objects.requireNonNull(crls, "crls cannot be null");
        this.trustDomains = Set.copyOf(Objects.requireNonNull(trustDomains, "trustDomains cannot be null"));
        if (this.trustDomains.isEmpty()) {
            throw new IllegalArgumentException("at least one accepted SPIFFE trust domain must be configured");
        }
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
    }

    @Override
    public VerifiedCertificate verify(List<X509Certificate> chain) throws AuthenticationException {
        if (chain == null || chain.isEmpty()) {
            throw new AuthenticationException(AuthenticationFailure.MALFORMED_CERTIFICATE, "empty certificate chain");
        }
        X509Certificate leaf = chain.get(0);
        validatePath(chain);
        requireClientAuthentication(leaf);
        SpiffeId spiffeId = spiffeId(leaf);
        if (!trustDomains.contains(spiffeId.trustDomain())) {
            throw new AuthenticationException(AuthenticationFailure.BAD_SPIFFE_ID,
                    "trust domain " + spiffeId.trustDomain() + " is not accepted", spiffeId.toString(), null);
        }
        return new VerifiedCertificate(spiffeId, leaf.getSubjectX500Principal().getName(), leaf.getSerialNumber(),
                leaf.getNotAfter().toInstant());
    }

    private void validatePath(List<X509Certificate> chain) throws AuthenticationException {
        List<X509CRL> current = crls.current();
        if (current.isEmpty()) {
            throw new AuthenticationException(AuthenticationFailure.REVOCATION_UNKNOWN, "no current CRL is available");
        }
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            // The path excludes a trust anchor the peer may have sent along.
            List<X509Certificate> path = new ArrayList<>(chain);
            path.removeIf(c -> anchors.stream().anyMatch(a -> a.getTrustedCert().equals(c)));
            if (path.isEmpty()) {
                throw new AuthenticationException(AuthenticationFailure.UNTRUSTED_CERTIFICATE,
                        "the chain holds only a trust anchor");
            }
            CertPath certPath = factory.generateCertPath(path);
            CertPathValidator validator = CertPathValidator.getInstance("PKIX");
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setDate(Date.from(clock.instant()));
            parameters.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(current)));
            PKIXRevocationChecker revocation = (PKIXRevocationChecker) validator.getRevocationChecker();
            // CRLs we fetched ourselves only: no OCSP, no fetching from URLs in the certificate. Every
            // certificate of the path, not only the client's: a revoked intermediate revokes all it issued.
            revocation.setOptions(EnumSet.of(PKIXRevocationChecker.Option.PREFER_CRLS,
                    PKIXRevocationChecker.Option.NO_FALLBACK));
            parameters.addCertPathChecker(revocation);
            parameters.setRevocationEnabled(false);
            validator.validate(certPath, parameters);
        } catch (CertPathValidatorException e) {
            throw new AuthenticationException(classify(e), "path validation failed: " + e.getMessage());
        } catch (InvalidAlgorithmParameterException | CertificateException e) {
            throw new AuthenticationException(AuthenticationFailure.MALFORMED_CERTIFICATE, e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new AuthenticationException(AuthenticationFailure.UNTRUSTED_CERTIFICATE, e.getMessage());
        }
    }

    private static AuthenticationFailure classify(CertPathValidatorException e) {
        CertPathValidatorException.Reason reason = e.getReason();
        if (reason == CertPathValidatorException.BasicReason.REVOKED) {
            return AuthenticationFailure.REVOKED_CERTIFICATE;
        }
        if (reason == CertPathValidatorException.BasicReason.UNDETERMINED_REVOCATION_STATUS) {
            return AuthenticationFailure.REVOCATION_UNKNOWN;
        }
        if (reason == CertPathValidatorException.BasicReason.EXPIRED
                || reason == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
            return AuthenticationFailure.EXPIRED_CERTIFICATE;
        }
        if (reason == PKIXReason.NO_TRUST_ANCHOR || reason == CertPathValidatorException.BasicReason.INVALID_SIGNATURE) {
            return AuthenticationFailure.UNTRUSTED_CERTIFICATE;
        }
        return AuthenticationFailure.UNTRUSTED_CERTIFICATE;
    }

    private static void requireClientAuthentication(X509Certificate leaf) throws AuthenticationException {
        try {
            List<String> usages = leaf.getExtendedKeyUsage();
            if (usages != null && !usages.contains(CLIENT_AUTH)) {
                throw new AuthenticationException(AuthenticationFailure.UNTRUSTED_CERTIFICATE,
                        "the certificate is not meant for client authentication");
            }
        } catch (CertificateParsingException e) {
            throw new AuthenticationException(AuthenticationFailure.MALFORMED_CERTIFICATE, e.getMessage());
        }
        if (leaf.getBasicConstraints() != -1) {
            throw new AuthenticationException(AuthenticationFailure.UNTRUSTED_CERTIFICATE,
                    "a CA certificate cannot be a client certificate");
        }
    }

    private static SpiffeId spiffeId(X509Certificate leaf) throws AuthenticationException {
        Collection<List<?>> names;
        try {
            names = leaf.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new AuthenticationException(AuthenticationFailure.MALFORMED_CERTIFICATE, e.getMessage());
        }
        List<String> uris = new ArrayList<>();
        if (names != null) {
            for (List<?> name : names) {
                if (name.size() >= 2 && Integer.valueOf(URI_SAN).equals(name.get(0)) && name.get(1) instanceof String s) {
                    uris.add(s);
                }
            }
        }
        // The SPIFFE X.509-SVID standard: exactly one URI SAN, and it is the SPIFFE ID.
        if (uris.size() != 1) {
            throw new AuthenticationException(AuthenticationFailure.BAD_SPIFFE_ID,
                    "expected exactly one URI SAN, found " + uris.size());
        }
        try {
            return SpiffeId.parse(uris.get(0));
        } catch (IllegalArgumentException e) {
            throw new AuthenticationException(AuthenticationFailure.BAD_SPIFFE_ID, e.getMessage());
        }
    }
}
