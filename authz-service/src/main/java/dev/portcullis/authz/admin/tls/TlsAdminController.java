package dev.portcullis.authz.admin.tls;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.Outcome;
import dev.portcullis.authz.admin.AdminRequests;
import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.admin.KeyAdminJson;
import dev.portcullis.keys.pki.PkiCertificateRenewer;

/**
 * {@code /v1/admin/tls}: the service's TLS certificate from Vault PKI ({@code portcullis.tls.source=vault}).
 * {@code GET} shows it; {@code POST /v1/admin/tls/renew} renews it now (audited as
 * {@code admin.action} {@code renew-certificate}, with the old and new serial numbers).
 * Answers {@code {"serial_number", "not_before", "not_after", "renew_at", "next_attempt",
 * "consecutive_failures", "last_failure"}}. 404 {@code not_enabled} unless {@code portcullis.tls.source=vault}.
 */
@RestController
public final class TlsAdminController {

    private static final DateTimeFormatter RFC3339_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(java.time.ZoneOffset.UTC);

    private static final String PROPERTY = "portcullis.tls.source=vault";

    private final ObjectProvider<ServiceCertificate> service;
    private final AdminRequests requests;

    public TlsAdminController(ObjectProvider<ServiceCertificate> service, AdminRequests requests) {
        this.service = Objects.requireNonNull(service, "service cannot be null");
        this.requests = Objects.requireNonNull(requests, "requests cannot be null");
    }

    @GetMapping("/v1/admin/tls")
    public void status(HttpServletResponse response) throws IOException {
        ServiceCertificate certificate = service.getIfAvailable();
        if (requests.notEnabled(certificate, PROPERTY, response)) {
            return;
        }
        requests.writeJson(response, 200, json(certificate.status()));
    }

    @PostMapping("/v1/admin/tls/renew")
    public void renew(HttpServletRequest request, HttpServletResponse response) throws IOException {
        ServiceCertificate certificate = service.getIfAvailable();
        if (requests.notEnabled(certificate, PROPERTY, response)) {
            return;
        }
        Actor actor = AdminRequests.actor(request);
        String before = certificate.status().serialNumber();
        PkiCertificateRenewer.Status after;
        try {
            after = certificate.renewNow();
        } catch (KeyException e) {
            requests.record(actor, "renew-certificate", "tls:service", Outcome.FAILURE,
                    e.reason().name().toLowerCase(Locale.ROOT), before == null ? Map.of() : Map.of("serial_before", before));
            requests.writeJson(response, KeyAdminJson.httpStatus(e), KeyAdminJson.error(e));
            return;
        }
        Map<String, Object> attributes = new LinkedHashMap<>();
        if (before != null) {
            attributes.put("serial_before", before);
        }
        attributes.put("serial_after", after.serialNumber());
        attributes.put("not_after", time(after.notAfter()));
        if (requests.record(actor, "renew-certificate", "tls:service", Outcome.SUCCESS, null, attributes) == null) {
            requests.writeJson(response, 503, AdminRequests.error("audit_failed",
                    "the certificate was renewed but this request's audit record could not be written"));
            return;
        }
        requests.writeJson(response, 200, json(after));
    }

    static Map<String, Object> json(PkiCertificateRenewer.Status s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("serial_number", s.serialNumber());
        m.put("not_before", time(s.notBefore()));
        m.put("not_after", time(s.notAfter()));
        m.put("renew_at", time(s.renewAt()));
        m.put("next_attempt", time(s.nextAttempt()));
        m.put("consecutive_failures", s.consecutiveFailures());
        m.put("last_failure", s.lastFailure());
        return m;
    }

    private static String time(Instant instant) {
        return instant == null ? null : RFC3339_MILLIS.format(instant.truncatedTo(ChronoUnit.MILLIS));
    }
}
