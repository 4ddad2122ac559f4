package dev.portcullis.authz.config;

import java.time.Clock;
import java.util.EnumSet;
import java.util.Set;

import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.micrometer.core.instrument.MeterRegistry;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.authz.adapter.http.CheckServlet;
import dev.portcullis.authz.adapter.http.EarlyTlsAttributesValve;
import dev.portcullis.authz.adapter.http.HttpCheckContexts;
import dev.portcullis.authz.adapter.http.SessionCachingJsseImplementation;
import dev.portcullis.authz.check.Authorizer;
import dev.portcullis.authz.check.CallerTrust;
import dev.portcullis.authz.check.DecisionIds;
import dev.portcullis.authz.check.DecisionListener;
import dev.portcullis.authz.check.EnabledProtocols;
import dev.portcullis.authz.check.Protocol;
import dev.portcullis.authz.identity.IdentityResolver;
import dev.portcullis.authz.ops.MicrometerDecisionMetrics;
import dev.portcullis.authz.policy.PolicyEngine;

/** Wires the decision pipeline and its adapters. */
@Configuration(proxyBeanMethods = false)
class CheckConfiguration {

    /** See {@link EarlyTlsAttributesValve}: the TLS attributes read before the filter chain. */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> earlyTlsAttributes() {
        return factory -> factory.addEngineValves(new EarlyTlsAttributesValve());
    }

    /** See {@link SessionCachingJsseImplementation}: the TLS attributes worked out once per TLS session. */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> tlsAttributesPerSession() {
        return factory -> factory.addProtocolHandlerCustomizers(protocol -> {
            if (protocol instanceof AbstractHttp11Protocol<?> http) {
                http.setSslImplementationName(SessionCachingJsseImplementation.class.getName());
            }
        });
    }

    @Bean
    DecisionIds decisionIds(Clock clock) {
        return new DecisionIds(clock);
    }

    @Bean
    DecisionListener decisionMetrics(MeterRegistry registry) {
        return new MicrometerDecisionMetrics(registry);
    }

    @Bean
    Authorizer authorizer(IdentityResolver identity, PolicyEngine policy, AuditSink audit, Clock clock,
            DecisionListener listener) {
        return new Authorizer(identity, policy, audit, clock, listener);
    }

    @Bean
    EnabledProtocols enabledCheckProtocols(PortcullisProperties properties) {
        return new EnabledProtocols(enabledProtocols(properties));
    }

    @Bean
    HttpCheckContexts httpCheckContexts(EnabledProtocols enabled, IdentityResolver identity) {
        return new HttpCheckContexts(enabled.protocols(), identity);
    }

    /** The check endpoints' own servlet, beside Spring MVC's (see {@link CheckServlet} for why). */
    @Bean
    ServletRegistrationBean<CheckServlet> checkServlet(HttpCheckContexts contexts, CallerTrust callers,
            Authorizer authorizer, DecisionIds ids, Clock clock) {
        ServletRegistrationBean<CheckServlet> registration = new ServletRegistrationBean<>(
                new CheckServlet(contexts, callers, authorizer, ids, clock), CheckServlet.MAPPING);
        registration.setName("portcullis-check");
        registration.setLoadOnStartup(1);
        return registration;
    }

    static Set<Protocol> enabledProtocols(PortcullisProperties properties) {
        return protocols(properties.check().protocols(), "portcullis.check.protocols");
    }

    /** The protocols named in {@code property}, by their labels; an unknown name fails the start. */
    static Set<Protocol> protocols(java.util.Collection<String> names, String property) {
        Set<Protocol> enabled = EnumSet.noneOf(Protocol.class);
        for (String name : names) {
            Protocol match = null;
            for (Protocol protocol : Protocol.values()) {
                if (protocol.label().equals(name)) {
                    match = protocol;
                }
            }
            if (match == null) {
                throw new IllegalStateException(property + ": unknown protocol '" + name
                        + "'; use nginx, traefik, envoy-http, envoy-grpc or decision-api");
            }
            enabled.add(match);
        }
        return enabled;
    }
}
