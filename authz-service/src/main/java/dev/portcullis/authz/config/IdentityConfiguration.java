package dev.portcullis.authz.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.nimbusds.jose.JWSAlgorithm;

import dev.portcullis.authz.check.CallerTrust;
import dev.portcullis.authz.identity.IdentityResolver;
import dev.portcullis.authz.identity.jwt.DiscoveredIssuerSource;
import dev.portcullis.authz.identity.jwt.IntrospectionRevocationChecker;
import dev.portcullis.authz.identity.jwt.IssuerSettings;
import dev.portcullis.authz.identity.jwt.IssuerSource;
import dev.portcullis.authz.identity.jwt.JwksEvents;
import dev.portcullis.authz.identity.jwt.NimbusJwtVerifier;
import dev.portcullis.authz.identity.jwt.OidcDiscovery;
import dev.portcullis.authz.identity.jwt.RevocationChecker;
import dev.portcullis.authz.identity.mtls.ClientCertificateVerifier;
import dev.portcullis.authz.identity.mtls.CrlSource;
import dev.portcullis.authz.identity.mtls.HttpCrlSource;
import dev.portcullis.authz.identity.mtls.PkixClientCertificateVerifier;
import tools.jackson.databind.json.JsonMapper;

/** Wires token and certificate verification from {@link PortcullisProperties}, failing at start-up on bad settings. */
@Configuration(proxyBeanMethods = false)
class IdentityConfiguration {

    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(2);

    @Bean
    NimbusJwtVerifier jwtVerifier(PortcullisProperties properties, HttpClient http, JsonMapper json, Clock clock,
            JwksEvents events) {
        OidcDiscovery discovery = new OidcDiscovery(http, json, HTTP_TIMEOUT);
        List<IssuerSource> sources = new ArrayList<>();
        List<PortcullisProperties.Issuer> issuers = properties.identity().issuers();
        for (int i = 0; i < issuers.size(); i++) {
            PortcullisProperties.Issuer issuer = issuers.get(i);
            String where = "portcullis.identity.issuers[" + i + "]";
            if (issuer.discoveryUrl() == null) {
                throw new IllegalStateException(where + ".discovery-url must be set");
            }
            if (issuer.audiences() == null || issuer.audiences().isEmpty()) {
                throw new IllegalStateException(where + ".audiences must name the audience(s) this service accepts");
            }
            Set<JWSAlgorithm> algorithms = new HashSet<>();
            for (String name : issuer.algorithms()) {
                algorithms.add(JWSAlgorithm.parse(name));
            }
            PortcullisProperties.Introspection introspection = issuer.introspection();
            if (introspection.enabled() && (isBlank(introspection.clientId()) || isBlank(introspection.clientSecret()))) {
                throw new IllegalStateException(where + ".introspection needs client-id and client-secret"
                        + " (reference the secret from the environment, e.g. client-secret=${INTROSPECTION_SECRET})");
            }
            // Validate every static setting now, at start-up, not when the issuer is first reached.
            IssuerSettings template;
            try {
                template = new IssuerSettings(issuer.discoveryUrl().toString(), issuer.discoveryUrl(), algorithms,
                        Set.copyOf(issuer.audiences()), Set.copyOf(issuer.types()), issuer.clockSkew(),
                        issuer.subjectClaim(), issuer.rolesClaim(),
                        new IssuerSettings.TenantsClaim(issuer.tenantsClaim(), issuer.tenantsClaimPrefix()),
                        issuer.jwksCacheTtl(),
                        issuer.jwksMinRefetchInterval(), null);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(where + ": " + e.getMessage(), e);
            }
            sources.add(new DiscoveredIssuerSource(discovery, issuer.discoveryUrl(), found -> {
                IssuerSettings.IntrospectionSettings revocation = null;
                if (introspection.enabled()) {
                    if (found.introspectionEndpoint() == null) {
                        throw new IllegalStateException(where + ": introspection is enabled but the issuer advertises no"
                                + " introspection_endpoint");
                    }
                    revocation = new IssuerSettings.IntrospectionSettings(found.introspectionEndpoint(),
                            introspection.clientId(), introspection.clientSecret(), introspection.cacheTtl());
                }
                return template.withDiscovered(found.issuer(), found.jwksUri(), revocation);
            }));
        }
        if (sources.isEmpty()) {
            throw new IllegalStateException("portcullis.identity.issuers must configure at least one token issuer");
        }
        return new NimbusJwtVerifier(sources, settings -> settings.introspection() == null ? RevocationChecker.NONE
                : new IntrospectionRevocationChecker(settings.introspection(), http, json, clock, HTTP_TIMEOUT),
                properties.identity().maxTokenLength(), clock, events);
    }

    @Bean
    IdentityResolver identityResolver(NimbusJwtVerifier jwt, PortcullisProperties properties, HttpClient http, Clock clock)
            throws IOException, GeneralSecurityException {
        PortcullisProperties.Mtls mtls = properties.mtls();
        ClientCertificateVerifier certificates = null;
        if (mtls.enabled()) {
            Set<URI> crlUrls = new LinkedHashSet<>();
            if (mtls.crlUrl() != null) {
                crlUrls.add(mtls.crlUrl());
            }
            crlUrls.addAll(mtls.crlUrls());
            if (mtls.trustBundle() == null || crlUrls.isEmpty()) {
                throw new IllegalStateException("portcullis.mtls.trust-bundle and portcullis.mtls.crl-url (or crl-urls,"
                        + " one per certificate authority of the bundle) must be set when portcullis.mtls.enabled is true");
            }
            List<X509Certificate> bundle = readCertificates(mtls);
            List<HttpCrlSource> sources = new ArrayList<>();
            for (URI url : crlUrls) {
                sources.add(new HttpCrlSource(url, bundle, http, mtls.crlRefresh(), HTTP_TIMEOUT, clock));
            }
            certificates = new PkixClientCertificateVerifier(bundle, CrlSource.union(sources),
                    Set.copyOf(mtls.trustDomains()), clock);
        }
        return new IdentityResolver(jwt, certificates, Set.copyOf(mtls.trustedProxies()),
                CheckConfiguration.protocols(mtls.forwardedCertificateProtocols(), "portcullis.mtls.forwarded-certificate-protocols"));
    }

    @Bean
    CallerTrust callerTrust(IdentityResolver identity) {
        return new CallerTrust(identity);
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    private static List<X509Certificate> readCertificates(PortcullisProperties.Mtls mtls)
            throws IOException, GeneralSecurityException {
        List<X509Certificate> certificates = new ArrayList<>();
        try (InputStream in = Files.newInputStream(mtls.trustBundle())) {
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certificates.add((X509Certificate) c);
            }
        }
        if (certificates.isEmpty()) {
            throw new IllegalStateException("portcullis.mtls.trust-bundle " + mtls.trustBundle() + " holds no certificate");
        }
        return certificates;
    }
}
