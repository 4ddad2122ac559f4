package dev.portcullis.authz.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The service's own settings ({@code portcullis.*}). Secrets (client secrets, Vault tokens) are
 * bound from the environment, never from a checked-in file.
 */
@ConfigurationProperties("portcullis")
public record PortcullisProperties(
        @DefaultValue Identity identity,
        @DefaultValue Mtls mtls,
        @DefaultValue Opa opa,
        @DefaultValue Audit audit,
        @DefaultValue Grpc grpc,
        @DefaultValue Check check) {

    /** Token verification. */
    public record Identity(
            @DefaultValue("8192") int maxTokenLength,
            @DefaultValue List<Issuer> issuers) {
    }

    /** One trusted token issuer, found through its OIDC discovery document. */
    public record Issuer(
            URI discoveryUrl,
            List<String> audiences,
            @DefaultValue({"RS256", "ES256", "PS256"}) List<String> algorithms,
            @DefaultValue({"JWT", "at+jwt", "application/at+jwt"}) List<String> types,
            @DefaultValue("30s") Duration clockSkew,
            @DefaultValue("sub") String subjectClaim,
            @DefaultValue("realm_access.roles") String rolesClaim,
            String tenantsClaim,
            @DefaultValue("") String tenantsClaimPrefix,
            @DefaultValue("5m") Duration jwksCacheTtl,
            @DefaultValue("10s") Duration jwksMinRefetchInterval,
            @DefaultValue Introspection introspection) {
    }

    /** Token introspection (RFC 7662) for revocation; the secret comes from the environment. */
    public record Introspection(
            @DefaultValue("false") boolean enabled,
            String clientId,
            String clientSecret,
            @DefaultValue("10s") Duration cacheTtl) {

        @Override
        public String toString() {
            return "Introspection[enabled=" + enabled + ", clientId=" + clientId + ", cacheTtl=" + cacheTtl + "]";
        }
    }

    /** Client certificates: on our listeners, or forwarded by trusted proxies. */
    public record Mtls(
            @DefaultValue("false") boolean enabled,
            Path trustBundle,
            URI crlUrl,
            @DefaultValue List<URI> crlUrls,
            @DefaultValue("5m") Duration crlRefresh,
            @DefaultValue List<String> trustDomains,
            @DefaultValue List<String> trustedProxies,
            @DefaultValue List<String> adminSpiffeIds,
            @DefaultValue({"envoy-http", "envoy-grpc", "decision-api"}) List<String> forwardedCertificateProtocols) {
    }

    /**
     * The policy engine: where, how long a question may take in all ({@code timeout}, waiting for a
     * place included), when the circuit breaker opens, and how many questions may be open at OPA at
     * once ({@code maxInFlight}; further checks wait for a place within the timeout).
     */
    public record Opa(
            @DefaultValue("http://127.0.0.1:8181") URI url,
            @DefaultValue("500ms") Duration timeout,
            @DefaultValue("50") float circuitFailureRatePercent,
            @DefaultValue("20") int circuitWindow,
            @DefaultValue("5s") Duration circuitOpenFor,
            @DefaultValue("64") int maxInFlight,
            @DefaultValue DecisionCache decisionCache,
            @DefaultValue Wasm wasm) {
    }

    /**
     * The policy evaluated in-process (off by default; see {@code WasmPolicyEngine}): the module
     * in {@code bundle} (built by {@code bin/lib/policy-wasm.sh}) decides whenever it is the policy
     * OPA serves, with OPA's data mirrored, and OPA decides otherwise. It follows OPA through the
     * same revision watcher as the decision cache, configured under {@code decision-cache}
     * ({@code data-paths}, the poll intervals, {@code revision-max-age}) whether the cache is on or
     * not; {@code data-paths} must name every data document the policy reads. {@code instances}
     * (0: one per core) evaluate at once; a check waits at most {@code instanceWait} for one (unset:
     * the OPA timeout), and past it the decision fails as a timeout: a deny, as when OPA is late.
     * OPA decides until {@code warmUpEvaluations} synthetic evaluations have warmed the module.
     */
    public record Wasm(
            @DefaultValue("false") boolean enabled,
            Path bundle,
            @DefaultValue("0") int instances,
            Duration instanceWait,
            @DefaultValue("20000") int warmUpEvaluations) {
    }

    /**
     * Optional decision cache (off by default; see {@code CachingPolicyEngine} for its bounds):
     * decisions are kept for {@code ttl}, keyed by the input and by the revision of OPA's policies
     * and of the data documents in {@code dataPaths}; the data documents are polled every
     * {@code revisionPollInterval}, the policy modules every {@code policyPollInterval} (a change
     * reaches cached inputs within that interval or the {@code ttl}, whichever is shorter). Reading
     * the modules costs OPA about 16 ms of CPU per poll with {@code policies/} (their ASTs come
     * along), 8 % of a core at five polls a second. The default {@code policyPollInterval} (1 s,
     * the default {@code ttl}) trades most of that for a longer bound on how long a cached decision
     * can outlive a policy change: 1 s instead of 200 ms. Policy changes are deployments; the data
     * documents, which change at run time (the block list among them), are still read every
     * {@code revisionPollInterval}. A revision whose re-read is slow (OPA busy) stays in use until
     * {@code revisionMaxAge} after the start of its last successful read; a refused connection or
     * an error forgets it at once. So a data change reaches cached inputs within
     * {@code revisionMaxAge} (1 s by default, as for policy changes) even while OPA is slow.
     * {@code perRequestHeaders} are left out of the cache key (proxies set them to a new value on
     * every request); the policy must not decide on them.
     */
    public record DecisionCache(
            @DefaultValue("false") boolean enabled,
            @DefaultValue("1s") Duration ttl,
            @DefaultValue("100000") int maxEntries,
            @DefaultValue("200ms") Duration revisionPollInterval,
            @DefaultValue("1s") Duration policyPollInterval,
            @DefaultValue("1s") Duration revisionMaxAge,
            @DefaultValue({"authz", "portcullis/blocklist"}) List<String> dataPaths,
            @DefaultValue({"x-request-id", "traceparent", "tracestate", "x-b3-traceid", "x-b3-spanid",
                    "x-b3-parentspanid", "x-b3-sampled", "x-amzn-trace-id", "x-cloud-trace-context"})
            List<String> perRequestHeaders) {
    }

    /**
     * The audit log: where it lives, its name (the checkpoint origin line, e.g.
     * {@code portcullis.example/authz-1}: unique per instance), how durable an append is, and the
     * checkpoint signing key.
     */
    public record Audit(
            Path directory,
            @DefaultValue("portcullis.local/authz") String origin,
            @DefaultValue("durable") String durability,
            Path signingKeyFile,
            @DefaultValue("1s") Duration checkpointInterval) {
    }

    /** The Envoy ext_authz gRPC listener (same certificate as the HTTPS listener). */
    public record Grpc(
            @DefaultValue("9191") int port,
            @DefaultValue("127.0.0.1") String address,
            Path certificate,
            Path privateKey,
            @DefaultValue("none") String clientAuth) {
    }

    /** Which proxy protocols the check endpoints accept. */
    public record Check(
            @DefaultValue({"nginx", "traefik", "envoy-http", "envoy-grpc", "decision-api"}) Set<String> protocols) {
    }
}
