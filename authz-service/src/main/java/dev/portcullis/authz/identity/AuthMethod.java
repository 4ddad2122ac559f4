package dev.portcullis.authz.identity;

/** How a principal proved who it is. */
public enum AuthMethod {
    /** A JWT bearer token, verified against its issuer's keys. */
    JWT("jwt"),
    /** A client certificate on Portcullis' own TLS listener. */
    MTLS("mtls"),
    /** A client certificate that a trusted proxy verified and forwarded. */
    FORWARDED_MTLS("forwarded-mtls");

    private final String label;

    AuthMethod(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
