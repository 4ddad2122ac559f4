package dev.portcullis.anomaly.detectors;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import dev.portcullis.anomaly.Detector;
import dev.portcullis.anomaly.Thresholds;

/** The standard set of detectors, each configured from the same {@link Thresholds}. */
public final class Detectors {

    private Detectors() {
    }

    /**
     * Every detector Portcullis ships, in a fixed order, reading their thresholds from {@code t};
     * fails on an override that no detector reads.
     *
     * @throws IllegalArgumentException on an invalid or unknown threshold
     */
    public static List<Detector> all(Thresholds t) {
        Objects.requireNonNull(t, "thresholds cannot be null");
        List<Detector> detectors = List.of(
                new CredentialStuffingDetector(t),
                new BruteForceDetector(t),
                new TokenReplayDetector(t),
                new PrivilegeProbingDetector(t),
                new RateSpikeDetector(t),
                new MassDecryptionDetector(t),
                new NewContextDetector(t),
                new ServiceIdentityMisuseDetector(t),
                new OffHoursAccessDetector(t),
                new IsolationForestDetector(t));
        t.requireAllUsed();
        return detectors;
    }

    /** The thresholds in {@code t} that belong to the detector {@code name}, as read so far. */
    static Map<String, String> thresholdsWithPrefix(Thresholds t, String name) {
        Map<String, String> out = new LinkedHashMap<>();
        t.effective().forEach((k, v) -> {
            if (k.startsWith(name + ".")) {
                out.put(k, v);
            }
        });
        return Map.copyOf(out);
    }
}
