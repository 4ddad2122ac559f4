package dev.portcullis.authz.adapter.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;

import dev.portcullis.authz.check.CallerTrust;
import dev.portcullis.authz.check.RequestHeaders;

/** What a servlet request says about its connection: the verified client certificates, loopback, headers. */
public final class ServletRequests {

    private ServletRequests() {
    }

    /** Why {@link #mayAsk} refused, in the audit record and the log. */
    public static final String NOT_TRUSTED = "the caller is neither on loopback nor a trusted proxy";

    /**
     * Whether the caller of a check endpoint may ask for decisions: on loopback, or a trusted proxy
     * by the client certificate its TLS handshake verified ({@link CallerTrust}).
     */
    public static boolean mayAsk(CallerTrust callers, HttpServletRequest request) {
        return callers.mayAsk(isLoopback(request.getRemoteAddr()), peerCertificates(request));
    }

    /** The client certificate chain the TLS handshake accepted, leaf first; empty without one. */
    public static List<X509Certificate> peerCertificates(HttpServletRequest request) {
        Object attribute = request.getAttribute("jakarta.servlet.request.X509Certificate");
        return attribute instanceof X509Certificate[] chain ? List.of(chain) : List.of();
    }

    /** Whether the (IP literal) address is on this host. */
    public static boolean isLoopback(String address) {
        try {
            return address != null && InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    public static RequestHeaders headers(HttpServletRequest request) {
        RequestHeaders.Builder builder = RequestHeaders.builder();
        for (String name : Collections.list(request.getHeaderNames())) {
            for (String value : Collections.list(request.getHeaders(name))) {
                builder.add(name, value);
            }
        }
        return builder.build();
    }
}
