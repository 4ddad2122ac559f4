package dev.portcullis.authz.check;

import java.time.Clock;
import java.util.Objects;

import com.github.f4b6a3.ulid.UlidFactory;

/**
 * Issues decision ids: monotonic ULIDs, sortable by time, so that the id in a response, a log line
 * and the audit event (whose id it is) are the same and order like the log.
 */
public final class DecisionIds {

    private final UlidFactory factory;

    public DecisionIds(Clock clock) {
        Objects.requireNonNull(clock, "clock cannot be null");
        this.factory = UlidFactory.newMonotonicInstance(() -> clock.millis());
    }

    public String next() {
        return factory.create().toString();
    }
}
