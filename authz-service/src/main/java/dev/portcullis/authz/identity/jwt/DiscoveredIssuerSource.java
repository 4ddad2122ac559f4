package dev.portcullis.authz.identity.jwt;

import java.io.IOException;
import java.net.URI;
import java.util.Objects;
import java.util.function.Function;

/**
 * An issuer configured by its OIDC discovery URL: its {@code iss} is the URL without
 * {@code /.well-known/openid-configuration}; the JWKS URI and introspection endpoint come from the
 * discovery document when resolved.
 */
public final class DiscoveredIssuerSource implements IssuerSource {

    private static final String WELL_KNOWN = "/.well-known/openid-configuration";

    private final OidcDiscovery discovery;
    private final URI discoveryUrl;
    private final String issuer;
    private final Function<OidcDiscovery.DiscoveredIssuer, IssuerSettings> settings;

    public DiscoveredIssuerSource(OidcDiscovery discovery, URI discoveryUrl,
            Function<OidcDiscovery.DiscoveredIssuer, IssuerSettings> settings) {
        this.discovery = Objects.requireNonNull(discovery, "discovery cannot be null");
        this.discoveryUrl = Objects.requireNonNull(discoveryUrl, "discoveryUrl cannot be null");
        this.settings = Objects.requireNonNull(settings, "settings cannot be null");
        String url = discoveryUrl.toString();
        if (!url.endsWith(WELL_KNOWN)) {
            throw new IllegalArgumentException("discovery-url " + url + " must end with " + WELL_KNOWN);
        }
        this.issuer = url.substring(0, url.length() - WELL_KNOWN.length());
    }

    @Override
    public String issuer() {
        return issuer;
    }

    @Override
    public IssuerSettings resolve() throws IOException {
        return settings.apply(discovery.discover(discoveryUrl));
    }
}
