package dev.portcullis.anomaly.alert;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import com.github.f4b6a3.ulid.UlidCreator;

import dev.portcullis.anomaly.Alert;
import dev.portcullis.anomaly.response.Responder;
import dev.portcullis.anomaly.response.ResponseMode;
import dev.portcullis.anomaly.response.ResponseOutcome;
import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.AuditSink;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;

/**
 * What happens to an alert once a detector raised it, in this order:
 * <ol>
 *   <li>it gets an id (a ULID) and is kept in the {@link AlertStore}; an alert the store already
 *       holds (same fingerprint, e.g. re-raised after a restart) stops here;</li>
 *   <li>it is recorded in the audit log as an {@code anomaly.detected} event with that id (actor
 *       {@code system:anomaly-detection}, resource {@code <kind>:<value>}, reason the detector,
 *       attributes the alert's contract JSON members);</li>
 *   <li>it is queued for the webhook, if one is configured (never blocks);</li>
 *   <li>the responders run on a separate thread (never blocks detection), and each outcome is
 *       recorded as an {@code admin.action} event (actor {@code system:anomaly-response}, action the
 *       response action, resource its target, outcome {@code success}/{@code failure}, reason the
 *       mode, attributes {@code alert_id}, {@code responder}, {@code status}, {@code detail}).</li>
 * </ol>
 * A failure of the store or the audit sink is counted and logged and does not stop the alert from
 * going on to the next steps: an alert must not be lost because one of its destinations is down.
 */
public final class AlertDispatcher implements Consumer<Alert>, AutoCloseable {

    public static final String DETECTION_ACTOR = "anomaly-detection";
    public static final String RESPONSE_ACTOR = "anomaly-response";

    private static final System.Logger LOG = System.getLogger(AlertDispatcher.class.getName());
    private static final int RECENT_OUTCOMES = 200;

    private final AuditSink audit;
    private final AlertStore store;
    private final Clock clock;
    private final WebhookPublisher webhook;
    private final List<Responder> responders;
    private final ExecutorService responses;
    private final AtomicLong dispatched = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong storeFailures = new AtomicLong();
    private final AtomicLong auditFailures = new AtomicLong();
    private final List<ResponseOutcome> recentOutcomes = new ArrayList<>();

    private AlertDispatcher(Builder b) {
        this.audit = b.audit;
        this.store = b.store;
        this.clock = b.clock;
        this.webhook = b.webhook;
        this.responders = List.copyOf(b.responders);
        this.responses = Executors.newSingleThreadExecutor(
                Thread.ofPlatform().daemon().name("portcullis-anomaly-responses").factory());
    }

    public static Builder builder(AuditSink audit, AlertStore store, Clock clock) {
        return new Builder(audit, store, clock);
    }

    @Override
    public void accept(Alert alert) {
        Objects.requireNonNull(alert, "alert cannot be null");
        Instant now = clock.instant();
        String id = UlidCreator.getMonotonicUlid(now.toEpochMilli()).toString();
        AlertRecord record = new AlertRecord(id, now, alert, null);
        try {
            AlertRecord kept = store.add(id, now, alert);
            if (!kept.id().equals(id)) {
                duplicates.incrementAndGet();
                return;
            }
        } catch (IOException | RuntimeException e) {
            storeFailures.incrementAndGet();
            LOG.log(System.Logger.Level.ERROR, "cannot keep alert " + id + " in the alert store: "
                    + e.getClass().getSimpleName());
        }
        try {
            audit.append(AuditEvent.builder(EventType.ANOMALY_DETECTED, now).id(id)
                    .actor(Actor.system(DETECTION_ACTOR)).action("detect").resource(alert.entity().key())
                    .outcome(Outcome.SUCCESS).reason(alert.detector()).attributes(AlertJson.toMap(alert)).build());
        } catch (RuntimeException e) {
            auditFailures.incrementAndGet();
            LOG.log(System.Logger.Level.ERROR, "cannot record alert " + id + " in the audit log: "
                    + e.getClass().getSimpleName());
        }
        dispatched.incrementAndGet();
        if (webhook != null) {
            webhook.publish(record);
        }
        if (!responders.isEmpty()) {
            responses.execute(() -> respond(record));
        }
    }

    private void respond(AlertRecord record) {
        for (Responder responder : responders) {
            if (responder.mode() == ResponseMode.OFF) {
                continue;
            }
            List<ResponseOutcome> outcomes;
            try {
                outcomes = responder.respond(record);
            } catch (RuntimeException e) {
                outcomes = List.of(new ResponseOutcome(responder.name(), "respond", responder.mode(),
                        ResponseOutcome.Status.FAILED, record.alert().entity().key(),
                        "responder failed: " + e.getClass().getSimpleName()));
            }
            for (ResponseOutcome outcome : outcomes) {
                remember(outcome);
                auditResponse(record, outcome);
            }
        }
    }

    private void auditResponse(AlertRecord record, ResponseOutcome outcome) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("alert_id", record.id());
        attributes.put("responder", outcome.responder());
        attributes.put("status", outcome.status().name().toLowerCase(java.util.Locale.ROOT));
        attributes.put("detail", outcome.detail());
        try {
            audit.append(AuditEvent.builder(EventType.ADMIN_ACTION, clock.instant())
                    .actor(Actor.system(RESPONSE_ACTOR)).action(outcome.action()).resource(outcome.target())
                    .outcome(outcome.status() == ResponseOutcome.Status.FAILED ? Outcome.FAILURE : Outcome.SUCCESS)
                    .reason(outcome.mode().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                    .attributes(attributes).build());
        } catch (RuntimeException e) {
            auditFailures.incrementAndGet();
            LOG.log(System.Logger.Level.ERROR, "cannot record a response to alert " + record.id()
                    + " in the audit log: " + e.getClass().getSimpleName());
        }
    }

    private synchronized void remember(ResponseOutcome outcome) {
        if (recentOutcomes.size() == RECENT_OUTCOMES) {
            recentOutcomes.removeFirst();
        }
        recentOutcomes.add(outcome);
    }

    /** The latest response outcomes, oldest first (at most 200). */
    public synchronized List<ResponseOutcome> recentOutcomes() {
        return List.copyOf(recentOutcomes);
    }

    /** Waits up to {@code millis} for the responses queued so far to finish (for tests and shutdown). */
    public boolean awaitResponses(long millis) throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        responses.execute(done::countDown);
        return done.await(millis, TimeUnit.MILLISECONDS);
    }

    public long dispatched() {
        return dispatched.get();
    }

    /** Alerts the store already held (raised again, e.g. after a restart) and therefore not re-sent. */
    public long duplicates() {
        return duplicates.get();
    }

    public long storeFailures() {
        return storeFailures.get();
    }

    public long auditFailures() {
        return auditFailures.get();
    }

    @Override
    public void close() {
        responses.shutdown();
        try {
            responses.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (webhook != null) {
            webhook.close();
        }
    }

    /** Configures an {@link AlertDispatcher}; the webhook and responders are optional. */
    public static final class Builder {
        private final AuditSink audit;
        private final AlertStore store;
        private final Clock clock;
        private WebhookPublisher webhook;
        private final List<Responder> responders = new ArrayList<>();

        private Builder(AuditSink audit, AlertStore store, Clock clock) {
            this.audit = Objects.requireNonNull(audit, "audit cannot be null");
            this.store = Objects.requireNonNull(store, "store cannot be null");
            this.clock = Objects.requireNonNull(clock, "clock cannot be null");
        }

        public Builder webhook(WebhookPublisher webhook) {
            this.webhook = webhook;
            return this;
        }

        public Builder responder(Responder responder) {
            responders.add(Objects.requireNonNull(responder, "responder cannot be null"));
            return this;
        }

        public AlertDispatcher build() {
            return new AlertDispatcher(this);
        }
    }
}
