package dev.portcullis.anomaly.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.portcullis.audit.AuditEvent;
import dev.portcullis.audit.json.AuditEventJson;

class TrafficSimulatorTest {

    private static TrafficSimulator.Config small(long seed) {
        return new TrafficSimulator.Config(seed, 20, 2, 4, TrafficSimulator.DEFAULT_START,
                EnumSet.allOf(AttackClass.class), 1, 2);
    }

    @Test
    void isDeterministicForASeedEventIdsIncluded() {
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        AuditEventJson json = new AuditEventJson();
        TrafficSimulator.Result a = new TrafficSimulator(small(9)).run(e -> first.add(json.toJson(e)));
        TrafficSimulator.Result b = new TrafficSimulator(small(9)).run(e -> second.add(json.toJson(e)));
        assertThat(first).isEqualTo(second);
        assertThat(a.labels()).isEqualTo(b.labels());
    }

    @Test
    void writesEventsInTimeOrderWithOneLabelPerInjectedAttack() {
        List<AuditEvent> events = new ArrayList<>();
        TrafficSimulator.Result r = new TrafficSimulator(small(3)).run(events::add);
        for (int i = 1; i < events.size(); i++) {
            assertThat(events.get(i).time()).isAfterOrEqualTo(events.get(i - 1).time());
        }
        assertThat(r.labels()).hasSize(AttackClass.values().length);
        assertThat(r.benignEvents() + r.attackEvents()).isEqualTo(events.size());
        java.util.Set<String> ids = new java.util.HashSet<>();
        events.forEach(e -> ids.add(e.id()));
        r.labels().forEach(l -> assertThat(ids).containsAll(l.eventIds()));
        // No attack before the warm-up days.
        r.labels().forEach(l -> assertThat(l.start()).isAfterOrEqualTo(TrafficSimulator.DEFAULT_START.plusSeconds(2 * 86_400L)));
    }
}
