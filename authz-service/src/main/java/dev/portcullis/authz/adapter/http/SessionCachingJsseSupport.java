package dev.portcullis.authz.adapter.http;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLSession;

import org.apache.tomcat.util.net.jsse.JSSESupport;

/**
 * Tomcat's TLS attributes of a request, each computed by Tomcat's own {@link JSSESupport} the
 * first time a TLS session is asked for it and then kept on the session ({@link SSLSession#putValue}).
 *
 * <p>Why this is the same answer: the peer's certificate chain (or its absence) and the session
 * id belong to the session object, which the JDK replaces on every full handshake, renegotiation
 * included; a chain is handed out as a copy, as Tomcat does. The cipher suites and protocols the
 * client offered belong to the connection's ClientHello, and a session can be resumed by another
 * connection with another ClientHello: those are kept together with the list they were joined
 * from and joined again when the connection's list is a different one.
 */
final class SessionCachingJsseSupport extends JSSESupport {

    private static final String PREFIX = SessionCachingJsseSupport.class.getName() + '.';
    static final String PEER_CHAIN = PREFIX + "peerCertificateChain";
    static final String SESSION_ID = PREFIX + "sessionId";
    static final String REQUESTED_CIPHERS = PREFIX + "requestedCiphers";
    static final String REQUESTED_PROTOCOLS = PREFIX + "requestedProtocols";

    private final SSLSession session;
    private final Map<String, List<String>> additionalAttributes;

    SessionCachingJsseSupport(SSLSession session, Map<String, List<String>> additionalAttributes) {
        super(session, additionalAttributes);
        this.session = session;
        this.additionalAttributes = additionalAttributes;
    }

    @Override
    public X509Certificate[] getPeerCertificateChain() throws IOException {
        if (session == null) {
            return super.getPeerCertificateChain();
        }
        PeerChain kept = (PeerChain) session.getValue(PEER_CHAIN);
        if (kept == null) {
            kept = new PeerChain(super.getPeerCertificateChain());
            session.putValue(PEER_CHAIN, kept);
        }
        return kept.chain() == null ? null : kept.chain().clone();
    }

    @Override
    public String getSessionId() throws IOException {
        if (session == null) {
            return super.getSessionId();
        }
        SessionId kept = (SessionId) session.getValue(SESSION_ID);
        if (kept == null) {
            kept = new SessionId(super.getSessionId());
            session.putValue(SESSION_ID, kept);
        }
        return kept.hex();
    }

    @Override
    public String getRequestedCiphers() throws IOException {
        return joined(REQUESTED_CIPHERS, REQUESTED_CIPHERS_KEY, super::getRequestedCiphers);
    }

    @Override
    public String getRequestedProtocols() throws IOException {
        return joined(REQUESTED_PROTOCOLS, REQUESTED_PROTOCOL_VERSIONS_KEY, super::getRequestedProtocols);
    }

    private String joined(String valueName, String attributeKey, Join join) throws IOException {
        if (session == null || additionalAttributes == null) {
            return join.get();
        }
        List<String> offered = additionalAttributes.get(attributeKey);
        if (session.getValue(valueName) instanceof Joined kept && kept.from() == offered) {
            return kept.text();
        }
        String text = join.get();
        session.putValue(valueName, new Joined(offered, text));
        return text;
    }

    @FunctionalInterface
    private interface Join {
        String get() throws IOException;
    }

    /** The chain as Tomcat converted it; {@code null} when the peer sent none. */
    private record PeerChain(X509Certificate[] chain) {
    }

    private record SessionId(String hex) {
    }

    /** A joined list and the very list (by identity) it was joined from. */
    private record Joined(List<String> from, String text) {
    }
}
