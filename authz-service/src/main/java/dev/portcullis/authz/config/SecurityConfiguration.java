package dev.portcullis.authz.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.DefaultSecurityFilterChain;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.authentication.preauth.PreAuthenticatedAuthenticationToken;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.portcullis.authz.adapter.http.ServletRequests;
import dev.portcullis.authz.check.Authorizer;
import dev.portcullis.authz.check.CallerTrust;
import dev.portcullis.authz.check.CheckContext;
import dev.portcullis.authz.check.Decision;
import dev.portcullis.authz.check.DecisionIds;
import dev.portcullis.authz.check.Protocol;
import dev.portcullis.authz.identity.AuthenticationResult;
import dev.portcullis.authz.identity.Principal;

/**
 * Who may call which of Portcullis' own endpoints (Spring Security):
 * <ul>
 *   <li>check endpoints ({@code /v1/check/**}, {@code POST /v1/decisions}): callers on loopback or
 *       trusted proxies with a verified client certificate; a refusal is audited. The controllers
 *       decide this themselves with {@link CallerTrust}, first thing, as the gRPC adapter does, and
 *       their requests pass through an empty filter chain (still behind Spring Security's
 *       firewall): the full chain cost more CPU per check than anything else in the service
 *       (docs/benchmarks.md). The api chain keeps its caller rule for these paths as a second
 *       line for any request that does not match the empty chain;
 *   <li>admin API ({@code /v1/admin/**}): a token with role {@code security-admin}, or a client
 *       certificate whose SPIFFE ID is an admin workload;
 *   <li>field encryption ({@code /v1/fields/**}): any verified principal (the fields policy then
 *       decides per field);
 *   <li>the OpenAPI document: anyone; everything else: no one.
 * </ul>
 * The management port (health, metrics) is bound to 127.0.0.1 and exposes nothing else.
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    static final String SECURITY_ADMIN_ROLE = "security-admin";
    static final String ADMIN_WORKLOAD_AUTHORITY = "ADMIN_WORKLOAD";

    /**
     * Spring Security's strict firewall, unchanged but for how it checks header names and values:
     * the same characters, tested by a loop rather than a regular expression ({@link HeaderCharacters}).
     */
    @Bean
    WebSecurityCustomizer strictFirewall() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setAllowedHeaderNames(HeaderCharacters::isAllowedName);
        firewall.setAllowedHeaderValues(HeaderCharacters::isAllowedValue);
        return web -> web.httpFirewall(firewall);
    }

    @Bean
    @Order(1)
    SecurityFilterChain management(HttpSecurity http) throws Exception {
        return http.securityMatcher(EndpointRequest.toAnyEndpoint())
                .authorizeHttpRequests(a -> a.anyRequest().permitAll())
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .build();
    }

    /**
     * The check endpoints, with no filters: exactly the mapping of {@code CheckServlet} (any
     * method) and {@code DecisionsController} (POST), whose caller check ({@link CallerTrust}) is
     * their first step. Any other method or path falls through to the {@link #api} chain.
     */
    @Bean
    @Order(0)
    SecurityFilterChain checks() {
        PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
        return new DefaultSecurityFilterChain(new OrRequestMatcher(paths.matcher("/v1/check"),
                paths.matcher("/v1/check/**"), paths.matcher(HttpMethod.POST, "/v1/decisions")));
    }

    @Bean
    @Order(2)
    SecurityFilterChain api(HttpSecurity http, CallerTrust callers, Authorizer authorizer, DecisionIds ids, Clock clock,
            PortcullisProperties properties) throws Exception {
        RefusalHandler refusals = new RefusalHandler(authorizer, ids, clock);
        AuthorizationManager<RequestAuthorizationContext> trustedCaller = (authentication, context) -> {
            HttpServletRequest request = context.getRequest();
            return new AuthorizationDecision(callers.mayAsk(ServletRequests.isLoopback(request.getRemoteAddr()),
                    ServletRequests.peerCertificates(request)));
        };
        return http.securityMatcher("/**")
                .csrf(c -> c.disable())
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .logout(l -> l.disable())
                .requestCache(r -> r.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new CallerAuthenticationFilter(authorizer, ids, clock,
                        Set.copyOf(properties.mtls().adminSpiffeIds())), AuthorizationFilter.class)
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/v1/check", "/v1/check/**", "/v1/decisions").access(trustedCaller)
                        .requestMatchers("/v1/admin/**").hasAnyAuthority("ROLE_" + SECURITY_ADMIN_ROLE, ADMIN_WORKLOAD_AUTHORITY)
                        .requestMatchers("/v1/fields/**").authenticated()
                        .requestMatchers(HttpMethod.GET, "/openapi.yaml").permitAll()
                        .anyRequest().denyAll())
                .exceptionHandling(e -> e.authenticationEntryPoint(refusals::commence).accessDeniedHandler(refusals::handle))
                .build();
    }

    /**
     * Authenticates callers of the admin and field endpoints with the same identity pipeline as
     * checks (JWT and/or client certificate); a presented credential that fails is a 401 with the
     * RFC 6750 challenge, audited.
     */
    static final class CallerAuthenticationFilter extends OncePerRequestFilter {
        private final Authorizer authorizer;
        private final DecisionIds ids;
        private final Clock clock;
        private final Set<String> adminSpiffeIds;

        CallerAuthenticationFilter(Authorizer authorizer, DecisionIds ids, Clock clock, Set<String> adminSpiffeIds) {
            this.authorizer = authorizer;
            this.ids = ids;
            this.clock = clock;
            this.adminSpiffeIds = adminSpiffeIds;
        }

        @Override
        protected boolean shouldNotFilter(HttpServletRequest request) {
            String path = request.getRequestURI();
            return !(path.startsWith("/v1/admin/") || path.startsWith("/v1/fields/"));
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            CheckContext context = new CheckContext(ids.next(), Protocol.DECISION_API, request.getMethod(),
                    request.getRequestURI(), request.getQueryString(), ServletRequests.headers(request),
                    request.getRemoteAddr(), ServletRequests.peerCertificates(request),
                    ServletRequests.isLoopback(request.getRemoteAddr()), null, null, clock.instant());
            AuthenticationResult result = authorizer.authenticateCaller(context);
            if (result instanceof AuthenticationResult.Rejected rejected) {
                var failure = rejected.cause().failure();
                response.setStatus(401);
                response.setHeader("WWW-Authenticate", "Bearer realm=\"portcullis\", error=\"" + failure.oauthError()
                        + "\", error_description=\"" + failure.description() + "\"");
                writeJson(response, "{\"error\":\"" + failure.oauthError() + "\"}");
                return;
            }
            Principal principal = ((AuthenticationResult.Authenticated) result).principal();
            if (principal.authenticated()) {
                List<GrantedAuthority> authorities = new ArrayList<>();
                principal.roles().forEach(role -> authorities.add(new SimpleGrantedAuthority("ROLE_" + role)));
                if (principal.spiffeId() != null && adminSpiffeIds.contains(principal.spiffeId())) {
                    authorities.add(new SimpleGrantedAuthority(ADMIN_WORKLOAD_AUTHORITY));
                }
                var authentication = new PreAuthenticatedAuthenticationToken(principal, "n/a", authorities);
                SecurityContextHolder.getContext().setAuthentication(authentication);
            }
            // No clearing here: the exception translation further out must still see who the caller
            // is (anonymous -> 401 with a challenge, authenticated -> 403); Spring Security's
            // SecurityContextHolderFilter clears the context when the request ends.
            chain.doFilter(request, response);
        }
    }

    /** Answers refused requests: audited decisions for the check endpoints, plain JSON errors elsewhere. */
    static final class RefusalHandler {
        private final Authorizer authorizer;
        private final DecisionIds ids;
        private final Clock clock;

        RefusalHandler(Authorizer authorizer, DecisionIds ids, Clock clock) {
            this.authorizer = authorizer;
            this.ids = ids;
            this.clock = clock;
        }

        void commence(HttpServletRequest request, HttpServletResponse response, Exception cause) throws IOException {
            refuse(request, response, 401);
        }

        void handle(HttpServletRequest request, HttpServletResponse response, Exception cause) throws IOException {
            refuse(request, response, 403);
        }

        private void refuse(HttpServletRequest request, HttpServletResponse response, int status) throws IOException {
            String path = request.getRequestURI();
            if (path.equals("/v1/check") || path.startsWith("/v1/check/") || path.equals("/v1/decisions")) {
                Instant now = clock.instant();
                Protocol protocol = path.equals("/v1/decisions") ? Protocol.DECISION_API : Protocol.ENVOY_HTTP;
                Decision decision = authorizer.refuseCaller(ids.next(), protocol, request.getRemoteAddr(), now,
                        "the caller is neither on loopback nor a trusted proxy");
                response.setStatus(decision.status());
                decision.headers().forEach(response::setHeader);
                writeJson(response, decision.body());
                return;
            }
            response.setStatus(status);
            if (status == 401) {
                response.setHeader("WWW-Authenticate", "Bearer realm=\"portcullis\"");
            }
            writeJson(response, status == 401 ? "{\"error\":\"unauthorized\"}" : "{\"error\":\"forbidden\"}");
        }
    }

    private static void writeJson(HttpServletResponse response, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setContentType("application/json");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
