package dev.portcullis.bench.anomaly;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.EventType;
import dev.portcullis.audit.Outcome;

/**
 * The peer: what a team writes by hand today (the SIEM-rule style the issue names), two rules with
 * per-key deques of timestamps and hash sets: credential stuffing (failures per IP over distinct
 * subjects in 10 minutes) and privilege probing (distinct denied resources per subject in 15
 * minutes). It keeps every event of the window, which is the point of comparison for memory.
 */
final class NaiveSiemRules {

    private record Hit(long time, String value) {
    }

    private final Map<String, ArrayDeque<Hit>> failuresByIp = new HashMap<>();
    private final Map<String, ArrayDeque<Hit>> deniesBySubject = new HashMap<>();
    long alerts;

    void process(AuditEvent e) {
        long t = e.time().toEpochMilli();
        if (e.type() == EventType.AUTHN_FAILURE && e.actor().ip() != null) {
            ArrayDeque<Hit> q = failuresByIp.computeIfAbsent(e.actor().ip(), k -> new ArrayDeque<>());
            q.addLast(new Hit(t, String.valueOf(e.actor().subject())));
            while (!q.isEmpty() && q.peekFirst().time() < t - 600_000) {
                q.removeFirst();
            }
            Set<String> subjects = new HashSet<>();
            q.forEach(h -> subjects.add(h.value()));
            if (q.size() >= 20 && subjects.size() >= 10) {
                alerts++;
            }
        } else if (e.outcome() == Outcome.DENY && e.actor().subject() != null) {
            ArrayDeque<Hit> q = deniesBySubject.computeIfAbsent(e.actor().subject(), k -> new ArrayDeque<>());
            q.addLast(new Hit(t, e.action() + " " + e.resource()));
            while (!q.isEmpty() && q.peekFirst().time() < t - 900_000) {
                q.removeFirst();
            }
            Set<String> resources = new HashSet<>();
            q.forEach(h -> resources.add(h.value()));
            if (resources.size() >= 10) {
                alerts++;
            }
        }
    }
}
