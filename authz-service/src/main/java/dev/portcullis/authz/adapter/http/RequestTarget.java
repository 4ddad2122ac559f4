package dev.portcullis.authz.adapter.http;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The path and query of the request a proxy asks about, read from the request-target it forwarded
 * (nginx's {@code X-Original-URI}, Traefik's {@code X-Forwarded-Uri}, the path after
 * {@code /v1/check}, Envoy's {@code :path}): always as a path, never as a URI whose authority could
 * swallow its first segment ({@code //admin/orders/1} is not {@code /orders/1}).
 *
 * <p>Targets whose path the upstream may resolve differently from how the policy reads it are
 * refused, as Spring Security's firewall refuses them on the service's own paths: empty segments
 * (a proxy that merges slashes serves {@code //admin/x} as {@code /admin/x}), dot-segments, also
 * percent-encoded and also with {@code ;parameters} ({@code /orders/..;/admin} is {@code /admin}
 * to a servlet container), and encoded slashes or backslashes. An allow for the path the policy
 * saw would otherwise open the path the upstream serves.
 */
public record RequestTarget(String path, String query) {

    /** A stand-in authority, so that whatever follows it is read as a path. */
    private static final String BASE = "http://portcullis.invalid";

    /**
     * @param target the request-target as forwarded; a target without its leading slash is rooted
     * @param what   what the target is, for the message of a refusal (e.g. "the X-Original-URI header")
     * @throws BadCheckException naming the reason when the target is not one clear path
     */
    public static RequestTarget parse(String target, String what) throws BadCheckException {
        String rooted = target.isEmpty() ? "/" : target.startsWith("/") ? target : "/" + target;
        URI uri;
        try {
            uri = new URI(BASE + rooted);
        } catch (URISyntaxException e) {
            throw new BadCheckException(what + " does not parse as a path and query");
        }
        if (uri.getRawFragment() != null) {
            throw new BadCheckException(what + " has a fragment (#), which no request carries");
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        requireUnambiguous(path, what);
        return new RequestTarget(path, uri.getRawQuery());
    }

    private static void requireUnambiguous(String path, String what) throws BadCheckException {
        String lower = path.toLowerCase(Locale.ROOT);
        if (lower.contains("%2f") || lower.contains("%5c") || path.indexOf('\\') >= 0) {
            throw new BadCheckException(what + " has an encoded slash or a backslash in its path");
        }
        String[] segments = path.split("/", -1);
        // segments[0] is the empty text before the leading slash; the last may be empty ("/orders/").
        for (int i = 1; i < segments.length; i++) {
            String segment = segments[i];
            if (segment.isEmpty() && i < segments.length - 1) {
                throw new BadCheckException(what + " has an empty segment (//) in its path");
            }
            int parameters = segment.indexOf(';');
            String name = (parameters < 0 ? segment : segment.substring(0, parameters)).toLowerCase(Locale.ROOT)
                    .replace("%2e", ".");
            if (name.equals(".") || name.equals("..")) {
                throw new BadCheckException(what + " has a dot-segment (. or ..) in its path");
            }
        }
    }
}
