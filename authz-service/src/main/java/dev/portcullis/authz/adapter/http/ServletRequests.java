package dev.portcullis.authz.adapter.http;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;

import dev.portcullis.authz.check.RequestHeaders;

/** What a servlet request says about its connection: the verified client certificates, loopback, headers. */
public final class ServletRequests {

    private ServletRequests() {
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
