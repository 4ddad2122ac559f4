package dev.portcullis.audit;

import java.util.regex.Pattern;

/**
 * What an event id may look like. The contract's ids are sortable by time: a ULID or a UUIDv7.
 * Entries logged before that rule was enforced may carry a UUID of another version; they must
 * stay readable, so reading a logged entry (and building an event in Java) accepts any UUID,
 * while parsing an event to be logged asks for the contract's ids.
 */
public final class EventIds {

    /** A ULID (Crockford base32, 26 characters, at most 2^128 - 1). */
    private static final String ULID = "[0-7][0-9A-HJKMNP-TV-Z]{25}";

    /** A ULID, or a UUID of any version and variant, lower or upper case. */
    public static final Pattern ULID_OR_ANY_UUID = Pattern.compile(
            ULID + "|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    /** The contract's ids: a ULID, or a UUIDv7 (RFC 9562 §5.7: version 7, variant 10xx), lower or upper case. */
    public static final Pattern ULID_OR_UUID_V7 = Pattern.compile(
            ULID + "|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-7[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}");

    private EventIds() {
    }
}
