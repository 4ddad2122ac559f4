package dev.portcullis.authz.identity.mtls;

import java.io.ByteArrayInputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import dev.portcullis.authz.identity.AuthenticationException;
import dev.portcullis.authz.identity.AuthenticationFailure;

/**
 * Reads the client certificate a proxy forwarded: Envoy's {@code x-forwarded-client-cert} header
 * (elements separated by ',', key=value pairs by ';', values optionally double-quoted; the
 * certificate in the URL-encoded PEM of {@code Chain=} or {@code Cert=}) or the URL-encoded PEM of
 * Envoy's ext_authz {@code source.certificate}. Of several elements the last is used: it was
 * appended by the proxy closest to Portcullis, the one whose identity was verified.
 */
public final class ForwardedClientCertificate {

    private static final int MAX_HEADER_LENGTH = 64 * 1024;

    private ForwardedClientCertificate() {
    }

    /** The certificate chain (leaf first) in an {@code x-forwarded-client-cert} header value. */
    public static List<X509Certificate> fromXfcc(String header) throws AuthenticationException {
        if (header.length() > MAX_HEADER_LENGTH) {
            throw malformed("x-forwarded-client-cert is longer than " + MAX_HEADER_LENGTH + " characters");
        }
        List<String> elements = split(header, ',');
        String last = elements.get(elements.size() - 1);
        String chain = null;
        String cert = null;
        for (String pair : split(last, ';')) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw malformed("x-forwarded-client-cert has a pair without '='");
            }
            String key = pair.substring(0, eq).trim();
            String value = unquote(pair.substring(eq + 1).trim());
            if (key.equalsIgnoreCase("Chain")) {
                chain = value;
            } else if (key.equalsIgnoreCase("Cert")) {
                cert = value;
            }
        }
        String pem = chain != null ? chain : cert;
        if (pem == null) {
            throw malformed("x-forwarded-client-cert carries no Cert or Chain");
        }
        return fromUrlEncodedPem(pem);
    }

    /** The certificates in URL-encoded PEM (Envoy's {@code source.certificate}). */
    public static List<X509Certificate> fromUrlEncodedPem(String urlEncodedPem) throws AuthenticationException {
        String pem;
        try {
            pem = URLDecoder.decode(urlEncodedPem, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw malformed("forwarded certificate is not URL-encoded PEM");
        }
        try {
            List<X509Certificate> certificates = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                certificates.add((X509Certificate) c);
            }
            if (certificates.isEmpty()) {
                throw malformed("forwarded certificate holds no certificate");
            }
            return certificates;
        } catch (CertificateException e) {
            throw malformed("forwarded certificate does not parse: " + e.getMessage());
        }
    }

    /** Splits on {@code separator} outside double quotes (a backslash escapes a quote). */
    static List<String> split(String value, char separator) throws AuthenticationException {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && quoted && i + 1 < value.length()) {
                current.append(c).append(value.charAt(++i));
            } else if (c == '"') {
                quoted = !quoted;
                current.append(c);
            } else if (c == separator && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (quoted) {
            throw malformed("x-forwarded-client-cert has an unterminated quote");
        }
        parts.add(current.toString());
        return parts;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            return value.substring(1, value.length() - 1).replace("\\\"", "\"");
        }
        return value;
    }

    private static AuthenticationException malformed(String detail) {
        return new AuthenticationException(AuthenticationFailure.MALFORMED_CERTIFICATE, detail);
    }
}
