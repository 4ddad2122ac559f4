package dev.portcullis.audit.export;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import dev.portcullis.audit.Actor;
import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.Outcome;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Maps audit events to the Open Cybersecurity Schema Framework (<a href="https://schema.ocsf.io">OCSF</a>
 * 1.3.0) for SIEMs:
 *
 * <ul>
 *   <li>{@code authz.decision} → API Activity ({@code class_uid} 6003, category 6), activity from the
 *       HTTP method (GET/HEAD → Read 2, POST → Create 1, PUT/PATCH → Update 3, DELETE → Delete 4,
 *       else Other 99); allow/deny as {@code status} and the security-control profile's
 *       {@code disposition} (Allowed 1 / Blocked 2).</li>
 *   <li>{@code authn.failure} → Authentication ({@code class_uid} 3002, category 3), Logon (1),
 *       status Failure.</li>
 *   <li>{@code anomaly.detected} → Detection Finding ({@code class_uid} 2004, category 2), Create (1),
 *       severity from {@code attributes.severity}.</li>
 *   <li>every other type → Base Event ({@code class_uid} 0), activity Other (99).</li>
 * </ul>
 *
 * Every mapped event keeps the Portcullis id ({@code metadata.uid}), request id
 * ({@code metadata.correlation_uid}) and, under {@code unmapped.portcullis}, the original type,
 * outcome, attributes and extension members, so nothing of the audit record is lost. Stateless and
 * thread-safe.
 */
public final class OcsfMapper {

    public static final String OCSF_VERSION = "1.3.0";
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** The OCSF class of an event type. */
    public static int classUid(AuditEvent event) {
        return switch (event.type()) {
            case AUTHZ_DECISION -> 6003;
            case AUTHN_FAILURE -> 3002;
            case ANOMALY_DETECTED -> 2004;
            default -> 0;
        };
    }

    /** The OCSF event for {@code event}. */
    public ObjectNode map(AuditEvent event) {
        Objects.requireNonNull(event, "event cannot be null");
        int classUid = classUid(event);
        int categoryUid = classUid / 1000;
        int activityId = activityId(event, classUid);
        ObjectNode out = F.objectNode();
        out.put("class_uid", classUid);
        out.put("category_uid", categoryUid);
        out.put("activity_id", activityId);
        out.put("type_uid", classUid * 100L + activityId);
        out.put("time", event.time().toEpochMilli());
        out.put("severity_id", severityId(event));
        boolean success = event.outcome() == Outcome.ALLOW || event.outcome() == Outcome.SUCCESS;
        out.put("status_id", success ? 1 : 2);
        out.put("status", success ? "Success" : "Failure");
        if (event.reason() != null) {
            out.put("status_detail", event.reason());
        }
        out.put("message", event.type().wireName() + " " + event.action() + " " + event.resource() + " -> "
                + event.outcome().wireName());

        ObjectNode metadata = out.putObject("metadata");
        metadata.put("version", OCSF_VERSION);
        metadata.put("uid", event.id());
        if (event.requestId() != null) {
            metadata.put("correlation_uid", event.requestId());
        }
        ObjectNode product = metadata.putObject("product");
        product.put("name", "Portcullis");
        product.put("vendor_name", "Portcullis");
        metadata.putArray("profiles").add("security_control");

        Actor a = event.actor();
        ObjectNode user = F.objectNode();
        putIfPresent(user, "name", a.subject());
        putIfPresent(user, "uid", a.subject());
        if (a.spiffeId() != null) {
            user.put("uid_alt", a.spiffeId());
        }
        ObjectNode src = F.objectNode();
        putIfPresent(src, "ip", a.ip());
        if (!src.isEmpty()) {
            out.set("src_endpoint", src);
        }
        if (a.userAgent() != null || classUid == 6003) {
            ObjectNode http = out.putObject("http_request");
            putIfPresent(http, "user_agent", a.userAgent());
            if (classUid == 6003) {
                http.put("http_method", event.action());
                http.putObject("url").put("path", event.resource());
            }
        }

        switch (classUid) {
            case 6003 -> {
                ObjectNode actor = out.putObject("actor");
                if (!user.isEmpty()) {
                    actor.set("user", user);
                }
                putIfPresent(actor, "app_name", a.clientId());
                if (a.sessionId() != null) {
                    actor.putObject("session").put("uid", a.sessionId());
                }
                ObjectNode api = out.putObject("api");
                api.put("operation", event.action());
                if (event.requestId() != null) {
                    api.putObject("request").put("uid", event.requestId());
                }
                out.putArray("resources").addObject().put("name", event.resource()).put("type", "http_path");
                out.put("disposition_id", event.outcome() == Outcome.ALLOW ? 1 : 2);
                out.put("disposition", event.outcome() == Outcome.ALLOW ? "Allowed" : "Blocked");
            }
            case 3002 -> {
                if (!user.isEmpty()) {
                    out.set("user", user);
                }
                if (a.sessionId() != null) {
                    out.putObject("session").put("uid", a.sessionId());
                }
                out.putObject("service").put("name", a.clientId() == null ? "portcullis" : a.clientId());
                out.putObject("dst_endpoint").put("svc_name", event.resource());
            }
            case 2004 -> {
                ObjectNode finding = out.putObject("finding_info");
                finding.put("uid", event.id());
                Object detector = event.attributes().get("detector");
                finding.put("title", detector != null ? String.valueOf(detector) : event.reason() == null ? "anomaly" : event.reason());
                Object explanation = event.attributes().get("explanation");
                if (explanation != null) {
                    finding.put("desc", String.valueOf(explanation));
                }
                if (event.attributes().get("event_ids") instanceof Iterable<?> ids) {
                    var related = finding.putArray("related_events");
                    ids.forEach(id -> related.addObject().put("uid", String.valueOf(id)));
                }
                if (!user.isEmpty()) {
                    out.putObject("actor").set("user", user);
                }
            }
            default -> {
                ObjectNode actor = out.putObject("actor");
                if (!user.isEmpty()) {
                    actor.set("user", user);
                }
            }
        }

        ObjectNode portcullis = out.putObject("unmapped").putObject("portcullis");
        portcullis.put("type", event.type().wireName());
        portcullis.put("outcome", event.outcome().wireName());
        portcullis.put("action", event.action());
        portcullis.put("resource", event.resource());
        portcullis.set("attributes", MAPPER.valueToTree(event.attributes()));
        if (!event.extensions().isEmpty()) {
            portcullis.set("extensions", MAPPER.valueToTree(event.extensions()));
        }
        if (!a.extensions().isEmpty()) {
            portcullis.set("actor_extensions", MAPPER.valueToTree(a.extensions()));
        }
        if (a.tokenId() != null) {
            portcullis.put("token_id", a.tokenId());
        }
        return out;
    }

    /** The OCSF event as one line of JSON. */
    public String toJson(AuditEvent event) {
        return MAPPER.writeValueAsString(map(event));
    }

    private static int activityId(AuditEvent event, int classUid) {
        return switch (classUid) {
            case 6003 -> switch (event.action().toUpperCase(Locale.ROOT)) {
                case "GET", "HEAD" -> 2;
                case "POST" -> 1;
                case "PUT", "PATCH" -> 3;
                case "DELETE" -> 4;
                default -> 99;
            };
            case 3002, 2004 -> 1;
            default -> 99;
        };
    }

    private static int severityId(AuditEvent event) {
        if (event.type() == dev.portcullis.audit.EventType.ANOMALY_DETECTED) {
            Object severity = event.attributes().get("severity");
            return switch (severity == null ? "" : severity.toString()) {
                case "low" -> 2;
                case "medium" -> 3;
                case "high" -> 4;
                case "critical" -> 5;
                default -> 0;
            };
        }
        return switch (event.outcome()) {
            case ALLOW, SUCCESS -> 1;
            case DENY, FAILURE -> 2;
            case ERROR -> 3;
        };
    }

    private static void putIfPresent(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        }
    }

    static JsonNode tree(Map<String, Object> values) {
        return MAPPER.valueToTree(values);
    }
}
