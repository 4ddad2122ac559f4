package dev.portcullis.authz.identity.mtls;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A SPIFFE ID ({@code spiffe://trust-domain/path}), parsed and checked as the
 * <a href="https://github.com/spiffe/spiffe/blob/main/standards/SPIFFE-ID.md">SPIFFE ID standard</a>
 * requires: lower-case trust domain of letters, digits, dots, dashes and underscores; no port,
 * user info, query or fragment; path segments that are not empty, "." or "..".
 */
public record SpiffeId(String trustDomain, String path) {

    private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9._-]{1,255}");
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");
    private static final int MAX_LENGTH = 2048;

    public SpiffeId {
        Objects.requireNonNull(trustDomain, "trustDomain cannot be null");
        Objects.requireNonNull(path, "path cannot be null");
    }

    /** Parses {@code value}; throws {@link IllegalArgumentException} saying what is wrong. */
    public static SpiffeId parse(String value) {
        if (value == null || value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("a SPIFFE ID must be at most " + MAX_LENGTH + " characters");
        }
        if (!value.startsWith("spiffe://")) {
            throw new IllegalArgumentException("a SPIFFE ID must start with spiffe://");
        }
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a valid URI: " + e.getReason());
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null || uri.getPort() != -1) {
            throw new IllegalArgumentException("a SPIFFE ID has no query, fragment, user info or port");
        }
        String domain = uri.getRawAuthority();
        if (domain == null || !TRUST_DOMAIN.matcher(domain).matches()) {
            throw new IllegalArgumentException("the trust domain must be lower-case letters, digits, '.', '-' or '_'");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!path.isEmpty()) {
            if (path.endsWith("/")) {
                throw new IllegalArgumentException("the path must not end with '/'");
            }
            for (String segment : path.substring(1).split("/", -1)) {
                if (segment.equals(".") || segment.equals("..") || !SEGMENT.matcher(segment).matches()) {
                    throw new IllegalArgumentException("path segments must be non-empty, not '.' or '..',"
                            + " and use letters, digits, '.', '-' or '_'");
                }
            }
        }
        return new SpiffeId(domain, path);
    }

    @Override
    public String toString() {
        return "spiffe://" + trustDomain + path;
    }

    /** The trust domain in the canonical lower case (parsing already requires it). */
    public String trustDomainLowerCase() {
        return trustDomain.toLowerCase(Locale.ROOT);
    }
}
