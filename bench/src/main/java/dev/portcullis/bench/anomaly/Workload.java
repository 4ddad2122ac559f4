package dev.portcullis.bench.anomaly;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import dev.portcullis.anomaly.simulate.AttackClass;
import dev.portcullis.anomaly.simulate.TrafficSimulator;
import dev.portcullis.audit.AuditEvent;

/** The benchmark input: simulated, labelled-style traffic (people, services and attacks), in time order. */
final class Workload {

    private Workload() {
    }

    /** About {@code days * 45,000} events of 300 users and 30 services, seed 1. */
    static List<AuditEvent> events(int days) {
        List<AuditEvent> events = new ArrayList<>();
        new TrafficSimulator(new TrafficSimulator.Config(1, 300, 30, days, TrafficSimulator.DEFAULT_START,
                EnumSet.allOf(AttackClass.class), 3, Math.max(1, days / 2))).run(events::add);
        return events;
    }
}
