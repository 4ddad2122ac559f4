package dev.portcullis.authz.testing;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.portcullis.authz.check.CheckContext;
import dev.portcullis.authz.check.Protocol;
import dev.portcullis.authz.check.RequestHeaders;

/**
 * {@link CheckContext}s for unit tests, with valid defaults: nginx asking from loopback about
 * {@code GET /orders/1} from 203.0.113.7, no credentials, decision id {@link #DECISION_ID}.
 */
public final class Checks {

    public static final String DECISION_ID = "01JD4V9Q6ZK8M2X3N4P5R6S7T8";
    public static final Instant RECEIVED_AT = Instant.parse("2026-03-01T12:00:00Z");

    private String decisionId = DECISION_ID;
    private Protocol protocol = Protocol.NGINX;
    private String method = "GET";
    private String path = "/orders/1";
    private String query = "";
    private final RequestHeaders.Builder headers = RequestHeaders.builder();
    private String sourceIp = "203.0.113.7";
    private List<X509Certificate> peer = List.of();
    private boolean loopback = true;
    private String xfcc;
    private String requestId = "req-1";

    private Checks() {
    }

    public static Checks check() {
        return new Checks();
    }

    public Checks decisionId(String id) {
        this.decisionId = id;
        return this;
    }

    public Checks protocol(Protocol value) {
        this.protocol = value;
        return this;
    }

    public Checks request(String newMethod, String newPath) {
        this.method = newMethod;
        this.path = newPath;
        return this;
    }

    public Checks header(String name, String value) {
        headers.add(name, value);
        return this;
    }

    public Checks bearer(String token) {
        return header("Authorization", "Bearer " + token);
    }

    public Checks peer(X509Certificate... chain) {
        this.peer = new ArrayList<>(List.of(chain));
        return this;
    }

    public Checks sourceIp(String address) {
        this.sourceIp = address;
        return this;
    }

    public Checks notOnLoopback() {
        this.loopback = false;
        return this;
    }

    public Checks forwardedClientCertificate(String value) {
        this.xfcc = value;
        return this;
    }

    public CheckContext build() {
        return new CheckContext(decisionId, protocol, method, path, query, headers.build(), sourceIp, peer, loopback,
                xfcc, requestId, RECEIVED_AT);
    }
}
