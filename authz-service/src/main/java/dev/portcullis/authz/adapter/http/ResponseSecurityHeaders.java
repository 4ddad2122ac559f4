package dev.portcullis.authz.adapter.http;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The protective response headers of the check endpoints: the ones Spring Security's header writer
 * added while these endpoints went through its filter chain, written here now that they do not
 * (see {@code SecurityConfiguration#checks}). A denied answer can reach a browser as it is (Envoy
 * passes a denied check's headers and body to the client), so its body must not be sniffed or framed.
 */
final class ResponseSecurityHeaders {

    private ResponseSecurityHeaders() {
    }

    static void write(HttpServletRequest request, HttpServletResponse response) {
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("X-Frame-Options", "DENY");
        response.setHeader("X-XSS-Protection", "0");
        if (request.isSecure()) {
            response.setHeader("Strict-Transport-Security", "max-age=31536000 ; includeSubDomains");
        }
    }
}
