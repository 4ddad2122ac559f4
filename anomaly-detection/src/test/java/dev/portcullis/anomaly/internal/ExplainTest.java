package dev.portcullis.anomaly.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.portcullis.anomaly.Entity;

class ExplainTest {

    @Test
    void entityIsItsKindThenItsShortenedValue() {
        assertThat(Explain.entity(Entity.subject("alice"))).isEqualTo("subject alice");
        assertThat(Explain.entity(Entity.ip("203.0.113.7"))).isEqualTo("ip 203.0.113.7");
        assertThat(Explain.entity(Entity.spiffe("x".repeat(200)))).isEqualTo("spiffe " + "x".repeat(117) + "...");
    }

    @Test
    void countUsesTheSingularForOneOnly() {
        assertThat(Explain.count(0, "IP", "IPs")).isEqualTo("0 IPs");
        assertThat(Explain.count(1, "IP", "IPs")).isEqualTo("1 IP");
        assertThat(Explain.count(4, "user agent", "user agents")).isEqualTo("4 user agents");
    }
}
