package dev.portcullis.anomaly.simulate;

import java.util.Locale;

/** The attack classes the simulator injects, each with the detector that is meant to catch it. */
public enum AttackClass {
    CREDENTIAL_STUFFING("credential-stuffing"),
    BRUTE_FORCE("brute-force"),
    TOKEN_REPLAY("token-replay"),
    PRIVILEGE_PROBING("privilege-probing"),
    RATE_SPIKE("rate-spike"),
    MASS_DECRYPTION("mass-decryption"),
    NEW_CONTEXT("new-context"),
    SERVICE_MISUSE("service-identity-misuse"),
    /**
     * Quiet activity at night over many areas, below every volume rule: the off-hours access rule's
     * class (the unsupervised model's before it had one).
     */
    OFF_HOURS_INSIDER("off-hours-access");

    private final String detector;

    AttackClass(String detector) {
        this.detector = detector;
    }

    /** The detector meant to catch this class. */
    public String detector() {
        return detector;
    }

    /** The name in label files and reports, e.g. {@code credential_stuffing}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static AttackClass fromWireName(String name) {
        for (AttackClass c : values()) {
            if (c.wireName().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown attack class '" + name + "'");
    }
}
