package dev.portcullis.authz.adapter.http;

import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLSession;

import org.apache.tomcat.util.net.SSLSupport;
import org.apache.tomcat.util.net.jsse.JSSEImplementation;

/**
 * Tomcat's JSSE implementation, unchanged but for the TLS request attributes: they are worked out
 * once per TLS session ({@link SessionCachingJsseSupport}) instead of on every request.
 *
 * <p>Why: the check reads the caller's certificate chain on every request, and Tomcat answers
 * that by filling every TLS attribute of the request: the session id in hexadecimal, the
 * client's whole list of offered cipher suites joined into one string, and, when the caller sent
 * no certificate (every caller on loopback without mTLS), an {@code SSLPeerUnverifiedException}
 * with its stack trace. That was 4 % of the service's CPU and 11 % of the bytes it allocated at
 * 5 000 checks/s (async-profiler, docs/benchmarks.md), for values that cannot change while the
 * connection's TLS session stays the same.
 *
 * <p>Installed on the HTTPS connector by {@code CheckConfiguration}; the key and trust material,
 * the handshake and certificate reloading stay Tomcat's ({@link #getSSLUtil} is inherited).
 */
public final class SessionCachingJsseImplementation extends JSSEImplementation {

    @Override
    public SSLSupport getSSLSupport(SSLSession session, Map<String, List<String>> additionalAttributes) {
        return new SessionCachingJsseSupport(session, additionalAttributes);
    }
}
