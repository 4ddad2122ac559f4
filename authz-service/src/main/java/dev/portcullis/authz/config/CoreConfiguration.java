package dev.portcullis.authz.config;

import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.json.JsonMapper;

/** Collaborators every part of the service shares: the clock, JSON, the outbound HTTP client. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PortcullisProperties.class)
class CoreConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Strict JSON: a duplicate member is an error, never "the last one wins". */
    @Bean
    JsonMapper jsonMapper() {
        return JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    }

    /**
     * One HTTP client for OPA, the issuers' discovery, JWKS (fetched by Nimbus itself),
     * introspection and CRLs: it pools keep-alive connections per host. HTTP/1.1, since OPA does
     * not speak h2c and upgrade attempts would cost a round trip.
     */
    @Bean(destroyMethod = "close")
    HttpClient httpClient() {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(Executors.newVirtualThreadPerTaskExecutor())
                .build();
    }
}
