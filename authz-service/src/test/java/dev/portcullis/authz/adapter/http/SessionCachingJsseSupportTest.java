package dev.portcullis.authz.adapter.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.Principal;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;

import org.apache.tomcat.util.net.SSLSupport;
import org.apache.tomcat.util.net.jsse.JSSESupport;
import org.junit.jupiter.api.Test;

import dev.portcullis.authz.testing.TestCertificates;

class SessionCachingJsseSupportTest {

    /** A TLS session that counts how often its peer certificates are asked for. */
    static final class CountingSession implements SSLSession {
        final Map<String, Object> values = new ConcurrentHashMap<>();
        final Certificate[] peer;
        final byte[] id;
        int peerCertificateReads;

        CountingSession(byte[] id, Certificate... peer) {
            this.id = id;
            this.peer = peer;
        }

        @Override
        public Certificate[] getPeerCertificates() throws SSLPeerUnverifiedException {
            peerCertificateReads++;
            if (peer.length == 0) {
                throw new SSLPeerUnverifiedException("peer not authenticated");
            }
            return peer.clone();
        }

        @Override
        public byte[] getId() {
            return id.clone();
        }

        @Override
        public void putValue(String name, Object value) {
            values.put(name, value);
        }

        @Override
        public Object getValue(String name) {
            return values.get(name);
        }

        @Override
        public void removeValue(String name) {
            values.remove(name);
        }

        @Override
        public String[] getValueNames() {
            return values.keySet().toArray(String[]::new);
        }

        @Override
        public String getCipherSuite() {
            return "TLS_AES_256_GCM_SHA384";
        }

        @Override
        public String getProtocol() {
            return "TLSv1.3";
        }

        @Override
        public SSLSessionContext getSessionContext() {
            return null;
        }

        @Override
        public long getCreationTime() {
            return 0;
        }

        @Override
        public long getLastAccessedTime() {
            return 0;
        }

        @Override
        public void invalidate() {
        }

        @Override
        public boolean isValid() {
            return true;
        }

        @Override
        public Certificate[] getLocalCertificates() {
            return null;
        }

        @Override
        public Principal getPeerPrincipal() throws SSLPeerUnverifiedException {
            throw new SSLPeerUnverifiedException("not needed here");
        }

        @Override
        public Principal getLocalPrincipal() {
            return null;
        }

        @Override
        public String getPeerHost() {
            return "127.0.0.1";
        }

        @Override
        public int getPeerPort() {
            return 40000;
        }

        @Override
        public int getPacketBufferSize() {
            return 16709;
        }

        @Override
        public int getApplicationBufferSize() {
            return 16384;
        }
    }

    private static final byte[] SESSION_ID = {0x01, (byte) 0xab, 0x00, 0x7f, (byte) 0xff};

    private static X509Certificate leaf() {
        return TestCertificates.Authority.create("test CA").leaf().issue().certificate();
    }

    private static Map<String, List<String>> offered(List<String> ciphers, List<String> protocols) {
        Map<String, List<String>> attributes = new HashMap<>();
        attributes.put(SSLSupport.REQUESTED_CIPHERS_KEY, ciphers);
        attributes.put(SSLSupport.REQUESTED_PROTOCOL_VERSIONS_KEY, protocols);
        return attributes;
    }

    @Test
    void everyRequestOfASessionGetsTomcatsAnswersButThePeerIsAskedOnce() throws Exception {
        X509Certificate certificate = leaf();
        CountingSession session = new CountingSession(SESSION_ID, certificate);
        Map<String, List<String>> attributes = offered(List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"),
                List.of("TLSv1.3", "TLSv1.2"));
        JSSESupport tomcats = new JSSESupport(session, attributes);

        for (int request = 0; request < 3; request++) {
            SessionCachingJsseSupport support = new SessionCachingJsseSupport(session, attributes);
            assertThat(support.getPeerCertificateChain()).containsExactly(certificate);
            assertThat(support.getSessionId()).isEqualTo(tomcats.getSessionId()).isEqualTo("01ab007fff");
            assertThat(support.getRequestedCiphers()).isEqualTo(tomcats.getRequestedCiphers());
            assertThat(support.getRequestedProtocols()).isEqualTo(tomcats.getRequestedProtocols());
            assertThat(support.getCipherSuite()).isEqualTo(tomcats.getCipherSuite());
            assertThat(support.getKeySize()).isEqualTo(tomcats.getKeySize());
        }
        // Tomcat's own support was not asked for the chain; the three caching ones asked once between them.
        assertThat(session.peerCertificateReads).isEqualTo(1);
    }

    @Test
    void aSessionWithoutAPeerCertificateAnswersNoChainEveryTimeAndThrowsOnlyOnce() throws Exception {
        CountingSession session = new CountingSession(SESSION_ID);

        for (int request = 0; request < 3; request++) {
            assertThat(new SessionCachingJsseSupport(session, Map.of()).getPeerCertificateChain()).isNull();
        }
        assertThat(session.peerCertificateReads).isEqualTo(1);
    }

    @Test
    void aChainHandedOutCannotChangeWhatTheNextRequestSees() throws Exception {
        X509Certificate certificate = leaf();
        CountingSession session = new CountingSession(SESSION_ID, certificate);

        X509Certificate[] first = new SessionCachingJsseSupport(session, Map.of()).getPeerCertificateChain();
        first[0] = null;

        assertThat(new SessionCachingJsseSupport(session, Map.of()).getPeerCertificateChain()).containsExactly(certificate);
    }

    @Test
    void anotherSessionIsAskedAgain() throws Exception {
        X509Certificate certificate = leaf();
        CountingSession withCertificate = new CountingSession(SESSION_ID, certificate);
        CountingSession without = new CountingSession(new byte[] {0x02});

        assertThat(new SessionCachingJsseSupport(withCertificate, Map.of()).getPeerCertificateChain()).containsExactly(certificate);
        assertThat(new SessionCachingJsseSupport(without, Map.of()).getPeerCertificateChain()).isNull();
        assertThat(new SessionCachingJsseSupport(without, Map.of()).getSessionId()).isEqualTo("02");
    }

    @Test
    void aSessionResumedByAnotherConnectionReportsThatConnectionsOffer() throws Exception {
        CountingSession session = new CountingSession(SESSION_ID);
        Map<String, List<String>> first = offered(List.of("TLS_AES_256_GCM_SHA384"), List.of("TLSv1.3"));
        // The second connection's lists are other objects, even with equal contents in this part.
        Map<String, List<String>> second = offered(new ArrayList<>(List.of("TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256")),
                new ArrayList<>(List.of("TLSv1.3")));

        assertThat(new SessionCachingJsseSupport(session, first).getRequestedCiphers()).isEqualTo("TLS_AES_256_GCM_SHA384");
        assertThat(new SessionCachingJsseSupport(session, second).getRequestedCiphers())
                .isEqualTo(new JSSESupport(session, second).getRequestedCiphers())
                .contains("TLS_CHACHA20_POLY1305_SHA256");
        assertThat(new SessionCachingJsseSupport(session, second).getRequestedProtocols()).isEqualTo("TLSv1.3");
        assertThat(new SessionCachingJsseSupport(session, first).getRequestedCiphers()).isEqualTo("TLS_AES_256_GCM_SHA384");
    }

    @Test
    void withoutASessionItAnswersAsTomcatDoes() throws Exception {
        SessionCachingJsseSupport support = new SessionCachingJsseSupport(null, null);

        assertThat(support.getPeerCertificateChain()).isNull();
        assertThat(support.getSessionId()).isNull();
        assertThat(support.getRequestedCiphers()).isNull();
    }

    @Test
    void theImplementationHandsOutTheCachingSupport() {
        CountingSession session = new CountingSession(SESSION_ID);

        assertThat(new SessionCachingJsseImplementation().getSSLSupport(session, Map.of()))
                .isInstanceOf(SessionCachingJsseSupport.class);
    }
}
