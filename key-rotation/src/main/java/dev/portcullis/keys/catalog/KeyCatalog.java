package dev.portcullis.keys.catalog;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

import dev.portcullis.keys.KeyException;
import dev.portcullis.keys.KeyException.Reason;

/**
 * The named keys Portcullis manages, read from configuration and validated as a whole at start-up:
 * every problem is reported at once, each naming the property, the bad value and how to fix it.
 *
 * <p>Configuration, as flat properties under a prefix (Spring binds the same shape):
 * <pre>
 * portcullis.keys.catalog.portcullis-fields.purpose=field-encryption-kek
 * portcullis.keys.catalog.portcullis-fields.type=aes256-gcm96
 * portcullis.keys.catalog.portcullis-fields.rotation=P30D            # or cron:0 0 3 * * MON
 * portcullis.keys.catalog.portcullis-fields.jitter=PT1H              # optional, default PT0S
 * portcullis.keys.catalog.portcullis-fields.decryptable-versions=2   # optional, default 2
 * </pre>
 */
public final class KeyCatalog {

    /** Property prefix used by {@link #fromProperties(Map)}. */
    public static final String PREFIX = "portcullis.keys.catalog.";
    /** Versions kept decryptable when not configured: the newest and the one before it. */
    public static final int DEFAULT_DECRYPTABLE_VERSIONS = 2;
    /** Shortest rotation interval accepted: rotating faster than this is a configuration mistake. */
    public static final Duration MIN_ROTATION_INTERVAL = Duration.ofMinutes(1);

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Set<String> SETTINGS = Set.of("purpose", "type", "rotation", "jitter", "decryptable-versions");

    private final Map<String, ManagedKey> keys;

    private KeyCatalog(Map<String, ManagedKey> keys) {
        this.keys = keys;
    }

    /** A catalog of exactly {@code keys} (names must be unique). */
    public static KeyCatalog of(Collection<ManagedKey> keys) {
        Map<String, ManagedKey> byName = new LinkedHashMap<>();
        for (ManagedKey key : keys) {
            if (byName.put(key.name(), key) != null) {
                throw new KeyException(Reason.MISCONFIGURED, "key catalog names '" + key.name() + "' twice");
            }
        }
        return new KeyCatalog(java.util.Collections.unmodifiableMap(byName));
    }

    /**
     * Reads the catalog from flat properties under {@value #PREFIX} (other properties are ignored).
     *
     * @throws KeyException MISCONFIGURED listing every problem found
     */
    public static KeyCatalog fromProperties(Map<String, String> properties) {
        Objects.requireNonNull(properties, "properties cannot be null");
        Map<String, Map<String, String>> byKey = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        properties.forEach((property, value) -> {
            if (!property.startsWith(PREFIX)) {
                return;
            }
            String rest = property.substring(PREFIX.length());
            int dot = rest.lastIndexOf('.');
            if (dot <= 0) {
                problems.add(property + ": expected " + PREFIX + "<key-name>.<setting>");
                return;
            }
            String name = rest.substring(0, dot);
            String setting = rest.substring(dot + 1);
            if (!SETTINGS.contains(setting)) {
                problems.add(property + ": unknown setting '" + setting + "'; known: " + new TreeSet<>(SETTINGS));
                return;
            }
            byKey.computeIfAbsent(name, n -> new LinkedHashMap<>()).put(setting, value == null ? "" : value.strip());
        });
        List<ManagedKey> keys = new ArrayList<>();
        byKey.forEach((name, settings) -> parseKey(name, settings, problems).ifPresent(keys::add));
        if (byKey.isEmpty() && problems.isEmpty()) {
            problems.add("no keys configured under " + PREFIX + "; at least the field-encryption KEK is needed");
        }
        if (!problems.isEmpty()) {
            throw new KeyException(Reason.MISCONFIGURED, "invalid key catalog:\n  - " + String.join("\n  - ", problems));
        }
        return of(keys);
    }

    private static Optional<ManagedKey> parseKey(String name, Map<String, String> s, List<String> problems) {
        String p = PREFIX + name + ".";
        int before = problems.size();
        if (!NAME.matcher(name).matches()) {
            problems.add(PREFIX + name + ": key name must be letters, digits, '_', '.', '-' (at most 128), as in Vault");
        }
        KeyPurpose purpose = null;
        String purposeText = s.get("purpose");
        if (purposeText == null || purposeText.isEmpty()) {
            problems.add(p + "purpose is required: one of " + names(KeyPurpose.values()));
        } else {
            purpose = KeyPurpose.fromConfigName(purposeText).orElse(null);
            if (purpose == null) {
                problems.add(p + "purpose '" + purposeText + "' is unknown: use one of " + names(KeyPurpose.values()));
            }
        }
        KeyType type = null;
        String typeText = s.get("type");
        if (typeText == null || typeText.isEmpty()) {
            problems.add(p + "type is required: one of " + typeNames());
        } else {
            type = KeyType.fromVaultName(typeText).orElse(null);
            if (type == null) {
                problems.add(p + "type '" + typeText + "' is not allowed: use one of " + typeNames());
            } else if (purpose != null && !type.allows(purpose)) {
                problems.add(p + "type '" + typeText + "' cannot serve purpose '" + purpose.configName() + "'");
            }
        }
        Duration jitter = Duration.ZERO;
        String jitterText = s.get("jitter");
        if (jitterText != null && !jitterText.isEmpty()) {
            try {
                jitter = Duration.parse(jitterText);
                if (jitter.isNegative()) {
                    problems.add(p + "jitter '" + jitterText + "' cannot be negative");
                }
            } catch (DateTimeParseException e) {
                problems.add(p + "jitter '" + jitterText + "' is not an ISO-8601 duration (e.g. PT1H)");
            }
        }
        RotationSchedule schedule = null;
        String rotationText = s.get("rotation");
        if (rotationText == null || rotationText.isEmpty()) {
            problems.add(p + "rotation is required: an ISO-8601 period (P30D) or cron:<expression>");
        } else if (!jitter.isNegative()) {
            try {
                schedule = RotationSchedule.parse(rotationText, jitter);
                Duration shortest = schedule.shortestInterval(java.time.Instant.parse("2026-01-01T00:00:00Z"));
                if (shortest.compareTo(MIN_ROTATION_INTERVAL) < 0) {
                    problems.add(p + "rotation '" + rotationText + "' rotates more often than every "
                            + MIN_ROTATION_INTERVAL + "; that is almost certainly a mistake");
                } else if (jitter.compareTo(shortest) >= 0) {
                    problems.add(p + "jitter " + jitter + " must be shorter than the rotation interval " + shortest);
                }
            } catch (IllegalArgumentException e) {
                problems.add(p + "rotation: " + e.getMessage());
            }
        }
        int versions = DEFAULT_DECRYPTABLE_VERSIONS;
        String versionsText = s.get("decryptable-versions");
        if (versionsText != null && !versionsText.isEmpty()) {
            try {
                versions = Integer.parseInt(versionsText);
            } catch (NumberFormatException e) {
                versions = -1;
            }
            if (versions < 1 || versions > 1000) {
                problems.add(p + "decryptable-versions '" + versionsText + "' must be a whole number from 1 to 1000");
            }
        }
        if (purpose == KeyPurpose.FIELD_ENCRYPTION_KEK && versions == 1) {
            problems.add(p + "decryptable-versions must be at least 2 for a KEK: data wrapped under the previous"
                    + " version while a rotation runs must stay readable until the next re-wrap");
        }
        if (problems.size() > before) {
            return Optional.empty();
        }
        return Optional.of(new ManagedKey(name, purpose, type, schedule, versions));
    }

    private static String names(KeyPurpose[] purposes) {
        List<String> out = new ArrayList<>();
        for (KeyPurpose purpose : purposes) {
            out.add(purpose.configName());
        }
        return out.toString();
    }

    private static String typeNames() {
        List<String> out = new ArrayList<>();
        for (KeyType type : KeyType.values()) {
            out.add(type.vaultName());
        }
        return out.toString();
    }

    /** All keys, in configuration order. */
    public Collection<ManagedKey> keys() {
        return keys.values();
    }

    public Optional<ManagedKey> find(String name) {
        return Optional.ofNullable(keys.get(name));
    }

    /** The key named {@code name}; NOT_FOUND naming the known keys otherwise. */
    public ManagedKey require(String name) {
        ManagedKey key = keys.get(name);
        if (key == null) {
            throw new KeyException(Reason.NOT_FOUND, "no key '" + name + "' in the catalog; known: " + keys.keySet());
        }
        return key;
    }
}
