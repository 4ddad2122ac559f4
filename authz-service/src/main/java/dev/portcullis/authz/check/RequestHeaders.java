package dev.portcullis.authz.check;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The headers of the request being checked, with case-insensitive names (stored lower-cased, as
 * HTTP/2 and Envoy present them). Immutable.
 */
public final class RequestHeaders {

    /** Headers that carry credentials: never passed to the policy, logged or audited. */
    public static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "proxy-authorization",
            "cookie", "set-cookie", "x-forwarded-client-cert");

    private static final RequestHeaders EMPTY = new RequestHeaders(Map.of());

    private final Map<String, List<String>> values;

    private RequestHeaders(Map<String, List<String>> values) {
        this.values = values;
    }

    public static RequestHeaders empty() {
        return EMPTY;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The first value of {@code name}, if present. */
    public Optional<String> first(String name) {
        List<String> list = values.get(name.toLowerCase(Locale.ROOT));
        return list == null || list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
    }

    /** Every value of {@code name}, in order; empty when absent. */
    public List<String> all(String name) {
        return values.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    /** The headers a policy may see: all but {@link #CREDENTIAL_HEADERS}, multiple values joined by ", ". */
    public Map<String, String> withoutCredentials() {
        Map<String, String> safe = new LinkedHashMap<>();
        values.forEach((name, list) -> {
            if (!CREDENTIAL_HEADERS.contains(name)) {
                safe.put(name, String.join(", ", list));
            }
        });
        return safe;
    }

    /** Builds {@link RequestHeaders}; names are lower-cased, values kept in the order added. */
    public static final class Builder {
        private final Map<String, List<String>> values = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder add(String name, String value) {
            if (name != null && value != null) {
                values.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(value);
            }
            return this;
        }

        public RequestHeaders build() {
            Map<String, List<String>> copy = new LinkedHashMap<>();
            values.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            return new RequestHeaders(Collections.unmodifiableMap(copy));
        }
    }
}
