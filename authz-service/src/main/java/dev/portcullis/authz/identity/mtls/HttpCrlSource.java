package dev.portcullis.authz.identity.mtls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.portcullis.authz.outbound.BoundedBody;

/**
 * A CRL fetched over HTTP from the issuing authority (e.g. OpenBao's {@code /v1/pki/crl}),
 * refreshed when older than the refresh interval or past its {@code nextUpdate}. A CRL is only
 * accepted when signed by a certificate of the trust bundle. When the authority cannot be reached,
 * the last good CRL is used until its {@code nextUpdate}; after that none is (revocation status
 * unknown, so client certificates are rejected: fail closed).
 */
public final class HttpCrlSource implements CrlSource {

    private static final Logger log = LoggerFactory.getLogger(HttpCrlSource.class);
    private static final int MAX_CRL_BYTES = 8 * 1024 * 1024;

    private final URI url;
    private final Collection<X509Certificate> issuers;
    private final HttpClient http;
    private final Duration refreshInterval;
    private final Duration timeout;
    private final Clock clock;
    private final ReentrantLock refreshing = new ReentrantLock();
    private volatile X509CRL crl;
    private volatile Instant fetchedAt = Instant.MIN;

    public HttpCrlSource(URI url, Collection<X509Certificate> issuers, HttpClient http, Duration refreshInterval,
            Duration timeout, Clock clock) {
        this.url = Objects.requireNonNull(url, "url cannot be null");
        this.issuers = List.copyOf(issuers);
        this.http = Objects.requireNonNull(http, "http cannot be null");
        this.refreshInterval = Objects.requireNonNull(refreshInterval, "refreshInterval cannot be null");
        this.timeout = Objects.requireNonNull(timeout, "timeout cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
    }

    @Override
    public List<X509CRL> current() {
        Instant now = clock.instant();
        X509CRL known = crl;
        boolean stale = known == null || now.isAfter(fetchedAt.plus(refreshInterval))
                || (known.getNextUpdate() != null && now.isAfter(known.getNextUpdate().toInstant()));
        if (stale && refreshing.tryLock()) {
            try {
                refresh(now);
            } finally {
                refreshing.unlock();
            }
            known = crl;
        }
        if (known == null || (known.getNextUpdate() != null && now.isAfter(known.getNextUpdate().toInstant()))) {
            return List.of();
        }
        return List.of(known);
    }

    /** Fetches the CRL now; returns whether a valid one was obtained. */
    public boolean refresh() {
        refreshing.lock();
        try {
            return refresh(clock.instant());
        } finally {
            refreshing.unlock();
        }
    }

    private boolean refresh(Instant now) {
        try {
            HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(url).timeout(timeout).GET().build(),
                    BoundedBody.upTo(MAX_CRL_BYTES));
            if (response.statusCode() != 200) {
                log.warn("CRL fetch from {} answered HTTP {} ({} bytes)", url, response.statusCode(), response.body().length);
                return false;
            }
            X509CRL fetched = (X509CRL) CertificateFactory.getInstance("X.509")
                    .generateCRL(new ByteArrayInputStream(response.body()));
            verifySignature(fetched);
            X509CRL current = crl;
            if (current != null && fetched.getThisUpdate().before(current.getThisUpdate())) {
                // A signed but older list: a replay (the CRL URL is often plain http) would
                // un-revoke every certificate revoked since. Keep the newer one.
                log.warn("CRL from {} was issued at {}, before the one already held ({}); keeping the newer one", url,
                        fetched.getThisUpdate().toInstant(), current.getThisUpdate().toInstant());
                return false;
            }
            crl = fetched;
            fetchedAt = now;
            return true;
        } catch (IOException | GeneralSecurityException e) {
            log.warn("CRL fetch from {} failed: {}", url, e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Accepts the CRL when any bundle certificate of its issuer's name verifies it: a CA re-keyed
     * under the same name (a CA rotation, common with OpenBao PKI) puts two such certificates in the
     * bundle, and only the new key verifies the new CA's CRL.
     */
    private void verifySignature(X509CRL fetched) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        for (X509Certificate issuer : issuers) {
            if (issuer.getSubjectX500Principal().equals(fetched.getIssuerX500Principal())) {
                try {
                    fetched.verify(issuer.getPublicKey());
                    return;
                } catch (GeneralSecurityException e) {
                    last = e;
                }
            }
        }
        if (last != null) {
            throw last;
        }
        throw new GeneralSecurityException("CRL issuer " + fetched.getIssuerX500Principal() + " is not in the trust bundle");
    }
}
