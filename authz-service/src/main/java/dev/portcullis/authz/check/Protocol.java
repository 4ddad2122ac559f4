package dev.portcullis.authz.check;

/** The wire protocol a check arrived on; recorded in the audit event and used as a metric label. */
public enum Protocol {
    ENVOY_GRPC("envoy-grpc"),
    ENVOY_HTTP("envoy-http"),
    NGINX("nginx"),
    TRAEFIK("traefik"),
    DECISION_API("decision-api");

    private final String label;

    Protocol(String label) {
        this.label = label;
    }

    /** The stable name used in audit attributes, policy input and metric tags. */
    public String label() {
        return label;
    }
}
