package dev.portcullis.authz.identity.mtls;

import java.math.BigInteger;
import java.time.Instant;

/** A client certificate that passed path validation, revocation and SPIFFE ID checks. */
public record VerifiedCertificate(SpiffeId spiffeId, String subject, BigInteger serialNumber, Instant notAfter) {
}
