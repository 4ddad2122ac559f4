package dev.portcullis.authz.testing;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CRLHolder;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * X.509 certificates and CRLs for tests, made with Bouncy Castle: a certificate authority
 * ({@link Authority}) issues client certificates through a {@link LeafBuilder} whose defaults make
 * a valid SPIFFE X.509-SVID at {@link #NOW} (one URI SAN {@link #DEFAULT_SPIFFE_ID}, EKU clientAuth,
 * valid an hour before to a day after), and CRLs. EC P-256 keys: fast to generate.
 */
public final class TestCertificates {

    /** The instant the fixtures are valid at; give verifiers a clock fixed here. */
    public static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    public static final String DEFAULT_SPIFFE_ID = "spiffe://portcullis.test/ns/shop/sa/checkout";
    private static final AtomicLong SERIALS = new AtomicLong(1000);

    private TestCertificates() {
    }

    public static KeyPair ecKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The certificates as PEM text, one after the other. */
    public static String pem(X509Certificate... certificates) {
        StringBuilder out = new StringBuilder();
        for (X509Certificate c : certificates) {
            try {
                out.append("-----BEGIN CERTIFICATE-----\n")
                        .append(Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                                .encodeToString(c.getEncoded()))
                        .append("\n-----END CERTIFICATE-----\n");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return out.toString();
    }

    /** The certificates as URL-encoded PEM, the way Envoy writes them (spaces as %20). */
    public static String urlEncodedPem(X509Certificate... certificates) {
        return java.net.URLEncoder.encode(pem(certificates), java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** An {@code x-forwarded-client-cert} value carrying the certificates, as Envoy forwards them. */
    public static String xfcc(X509Certificate... certificates) {
        return "Hash=0;Cert=\"" + urlEncodedPem(certificates) + "\"";
    }

    private static ContentSigner signer(PrivateKey key) {
        try {
            return new JcaContentSignerBuilder("SHA256withECDSA").build(key);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A certificate authority that issues client certificates and CRLs: a self-signed root, or an
     * intermediate issued by another authority ({@link #subordinate}).
     */
    public static final class Authority {
        private final X500Name name;
        private final KeyPair keys;
        private final X509Certificate certificate;

        private Authority(String commonName, KeyPair keys, Authority parent) {
            this.name = new X500Name("CN=" + commonName);
            this.keys = keys;
            try {
                JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(parent == null ? name : parent.name,
                        BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(NOW.minus(Duration.ofDays(1))),
                        Date.from(NOW.plus(Duration.ofDays(3650))), name, keys.getPublic());
                JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
                builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(keys.getPublic()));
                if (parent != null) {
                    builder.addExtension(Extension.authorityKeyIdentifier, false,
                            utils.createAuthorityKeyIdentifier(parent.certificate));
                }
                PrivateKey signingKey = parent == null ? keys.getPrivate() : parent.keys.getPrivate();
                this.certificate = new JcaX509CertificateConverter().getCertificate(builder.build(signer(signingKey)));
            } catch (GeneralSecurityException | org.bouncycastle.cert.CertIOException e) {
                throw new IllegalStateException(e);
            }
        }

        public static Authority create(String commonName) {
            return new Authority(commonName, ecKeyPair(), null);
        }

        /** An intermediate authority whose certificate this authority issues. */
        public Authority subordinate(String commonName) {
            return new Authority(commonName, ecKeyPair(), this);
        }

        /** This authority's certificate's serial number (what its issuer's CRL revokes). */
        public BigInteger serial() {
            return certificate.getSerialNumber();
        }

        /**
         * An authority with the same name as {@code other} but a key of its own: what it signs
         * claims to come from {@code other} and does not verify against it.
         */
        public static Authority impersonating(Authority other) {
            return new Authority(other.name.toString().substring(3), ecKeyPair(), null);
        }

        public X509Certificate certificate() {
            return certificate;
        }

        public X500Principal principal() {
            return certificate.getSubjectX500Principal();
        }

        public LeafBuilder leaf() {
            return new LeafBuilder(this);
        }

        /** A CRL issued at {@link #NOW} - 1 h, next update {@link #NOW} + 1 day, revoking {@code serials}. */
        public X509CRL crl(BigInteger... serials) {
            return crl(NOW.minus(Duration.ofHours(1)), NOW.plus(Duration.ofDays(1)), serials);
        }

        public X509CRL crl(Instant thisUpdate, Instant nextUpdate, BigInteger... serials) {
            try {
                X509v2CRLBuilder builder = new X509v2CRLBuilder(name, Date.from(thisUpdate));
                builder.setNextUpdate(Date.from(nextUpdate));
                for (BigInteger serial : serials) {
                    builder.addCRLEntry(serial, Date.from(thisUpdate), CRLReason.keyCompromise);
                }
                builder.addExtension(Extension.cRLNumber, false,
                        new org.bouncycastle.asn1.x509.CRLNumber(BigInteger.valueOf(SERIALS.incrementAndGet())));
                X509CRLHolder holder = builder.build(signer(keys.getPrivate()));
                return new JcaX509CRLConverter().getCRL(holder);
            } catch (GeneralSecurityException | org.bouncycastle.cert.CertIOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A client certificate issued by an {@link Authority}, with the private key. */
    public record Issued(X509Certificate certificate, KeyPair keyPair) {
        public BigInteger serial() {
            return certificate.getSerialNumber();
        }
    }

    /** Builds a client certificate; the defaults make a valid SPIFFE X.509-SVID at {@link #NOW}. */
    public static final class LeafBuilder {
        private final Authority issuer;
        private Instant notBefore = NOW.minus(Duration.ofHours(1));
        private Instant notAfter = NOW.plus(Duration.ofDays(1));
        private final List<GeneralName> sans = new ArrayList<>(List.of(
                new GeneralName(GeneralName.uniformResourceIdentifier, DEFAULT_SPIFFE_ID)));
        private KeyPurposeId[] usages = {KeyPurposeId.id_kp_clientAuth};
        private boolean ca;

        private LeafBuilder(Authority issuer) {
            this.issuer = issuer;
        }

        public LeafBuilder validity(Instant from, Instant to) {
            this.notBefore = from;
            this.notAfter = to;
            return this;
        }

        /** Replaces the URI SANs with these (none leaves the certificate without one). */
        public LeafBuilder uris(String... uris) {
            sans.removeIf(n -> n.getTagNo() == GeneralName.uniformResourceIdentifier);
            for (String uri : uris) {
                sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
            }
            return this;
        }

        public LeafBuilder dnsName(String name) {
            sans.add(new GeneralName(GeneralName.dNSName, name));
            return this;
        }

        /** The extended key usages; none leaves the extension out. */
        public LeafBuilder extendedKeyUsages(KeyPurposeId... purposes) {
            this.usages = purposes.clone();
            return this;
        }

        /** Marks the certificate as a CA (basic constraints cA=true). */
        public LeafBuilder asCertificateAuthority() {
            this.ca = true;
            return this;
        }

        public Issued issue() {
            KeyPair keys = ecKeyPair();
            try {
                JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer.name,
                        BigInteger.valueOf(SERIALS.incrementAndGet()), Date.from(notBefore), Date.from(notAfter),
                        new X500Name("CN=workload"), keys.getPublic());
                JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
                builder.addExtension(Extension.authorityKeyIdentifier, false,
                        utils.createAuthorityKeyIdentifier(issuer.certificate));
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(ca
                        ? KeyUsage.keyCertSign | KeyUsage.digitalSignature : KeyUsage.digitalSignature));
                if (usages.length > 0) {
                    builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usages));
                }
                if (!sans.isEmpty()) {
                    builder.addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(sans.toArray(GeneralName[]::new)));
                }
                X509Certificate certificate = new JcaX509CertificateConverter()
                        .getCertificate(builder.build(signer(issuer.keys.getPrivate())));
                return new Issued(certificate, keys);
            } catch (GeneralSecurityException | org.bouncycastle.cert.CertIOException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
