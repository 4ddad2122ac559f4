package dev.portcullis.authz.testing;

import java.net.Socket;
import java.net.http.HttpClient;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/** HTTPS clients for the integration tests: trusting a given CA, presenting a client certificate or not. */
public final class TlsClients {

    private TlsClients() {
    }

    /** A client that trusts {@code serverCa} and presents no certificate. */
    public static HttpClient anonymous(List<X509Certificate> serverCa) {
        return client(context(serverCa, null));
    }

    /** A client that trusts {@code serverCa} and presents {@code chain} when the server asks for a certificate it accepts. */
    public static HttpClient presenting(List<X509Certificate> serverCa, PrivateKey key, List<X509Certificate> chain) {
        return client(context(serverCa, standardKeyManager(key, chain)));
    }

    /**
     * A client that presents {@code chain} whatever authorities the server says it accepts (the
     * JDK's own key manager would keep a certificate from an unknown CA to itself): how an attacker's
     * client behaves.
     */
    public static HttpClient insisting(List<X509Certificate> serverCa, PrivateKey key, List<X509Certificate> chain) {
        return client(context(serverCa, new AlwaysPresent(key, chain.toArray(X509Certificate[]::new))));
    }

    private static HttpClient client(SSLContext context) {
        return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    private static X509KeyManager standardKeyManager(PrivateKey key, List<X509Certificate> chain) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = "in-memory".toCharArray();
            store.setKeyEntry("client", key, password, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, password);
            return (X509KeyManager) factory.getKeyManagers()[0];
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static SSLContext context(List<X509Certificate> serverCa, X509KeyManager keys) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            for (int i = 0; i < serverCa.size(); i++) {
                trust.setCertificateEntry("ca-" + i, serverCa.get(i));
            }
            TrustManagerFactory trustFactory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustFactory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys == null ? null : new javax.net.ssl.KeyManager[] {keys}, trustFactory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Always offers the one certificate it holds. */
    private static final class AlwaysPresent extends X509ExtendedKeyManager {
        private final PrivateKey key;
        private final X509Certificate[] chain;

        AlwaysPresent(PrivateKey key, X509Certificate[] chain) {
            this.key = key;
            this.chain = chain.clone();
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[] {"client"};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return "client";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return "client";
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return chain.clone();
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return key;
        }
    }
}
