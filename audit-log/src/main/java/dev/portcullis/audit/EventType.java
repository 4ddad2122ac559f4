package dev.portcullis.audit;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The closed list of audit event types of the audit event contract
 * ({@code shared/contracts/README.md}). Extending it is a contract change.
 */
public enum EventType {
    AUTHZ_DECISION("authz.decision"),
    AUTHN_FAILURE("authn.failure"),
    FIELD_ENCRYPT("field.encrypt"),
    FIELD_DECRYPT("field.decrypt"),
    SUBJECT_FORGOTTEN("subject.forgotten"),
    KEY_ROTATED("key.rotated"),
    KEY_REWRAPPED("key.rewrapped"),
    KEY_ROTATION_FAILED("key.rotation_failed"),
    POLICY_UPDATED("policy.updated"),
    ADMIN_ACTION("admin.action"),
    ANOMALY_DETECTED("anomaly.detected"),
    SCAN_COMPLETED("scan.completed");

    private static final Map<String, EventType> BY_WIRE_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(EventType::wireName, Function.identity()));

    private final String wireName;

    EventType(String wireName) {
        this.wireName = wireName;
    }

    /** The name used in JSON, e.g. {@code authz.decision}. */
    public String wireName() {
        return wireName;
    }

    public static Optional<EventType> fromWireName(String name) {
        return Optional.ofNullable(BY_WIRE_NAME.get(name));
    }

    @Override
    public String toString() {
        return wireName;
    }
}
