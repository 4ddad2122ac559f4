package dev.portcullis.authz.check;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.portcullis.anomaly.SourceAddress;
import dev.portcullis.authz.identity.AuthMethod;
import dev.portcullis.authz.identity.Principal;

/**
 * Builds the policy input document from a check and its verified principal. Credentials never
 * enter it (no Authorization, Cookie or forwarded certificate header); the time is the service's
 * clock, so a decision does not depend on the policy engine's clock.
 */
final class PolicyInputs {

    private PolicyInputs() {
    }

    static Map<String, Object> of(CheckContext context, Principal principal, Instant now) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("id", context.decisionId());
        request.put("protocol", context.protocol().label());
        request.put("method", context.method());
        request.put("path", context.path());
        request.put("query", context.query());
        request.put("source_ip", context.sourceIp());
        // What anomaly responses block a source by when it is not the address as spelled (an IPv6
        // source's /64; the IPv4 address of an IPv4-mapped one): the block list's rule looks it up too.
        request.put("source_network", SourceAddress.otherNetwork(context.sourceIp()));
        request.put("headers", context.headers().withoutCredentials());

        Map<String, Object> who = new LinkedHashMap<>();
        who.put("authenticated", principal.authenticated());
        who.put("subject", principal.subject());
        who.put("client_id", principal.clientId());
        who.put("issuer", principal.issuer());
        who.put("roles", sorted(principal.roles()));
        who.put("tenants", sorted(principal.tenants()));
        who.put("scopes", sorted(principal.scopes()));
        who.put("spiffe_id", principal.spiffeId());
        who.put("token_id", principal.tokenId());
        who.put("session_id", principal.sessionId());
        List<String> methods = new ArrayList<>();
        for (AuthMethod method : principal.methods()) {
            methods.add(method.label());
        }
        who.put("auth_methods", methods);

        Map<String, Object> input = new LinkedHashMap<>();
        input.put("request", request);
        input.put("principal", who);
        input.put("now_ns", now.getEpochSecond() * 1_000_000_000L + now.getNano());
        return input;
    }

    private static List<String> sorted(java.util.Set<String> values) {
        List<String> list = new ArrayList<>(values);
        list.sort(null);
        return list;
    }
}
