package dev.portcullis.anomaly;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SourceAddressTest {

    @Test
    void networkWhenIpv6ThenItsSlash64WhateverTheSpelling() {
        assertThat(SourceAddress.network("2001:db8:1:2::1")).isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(SourceAddress.network("2001:0DB8:0001:0002:ffff:ffff:ffff:ffff")).isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(SourceAddress.network("2001:db8:1:3::1")).isEqualTo("2001:db8:1:3:0:0:0:0/64");
        assertThat(SourceAddress.otherNetwork("::1")).isEqualTo("0:0:0:0:0:0:0:0/64");
    }

    @Test
    void networkWhenIpv4OrIpv4MappedThenTheIpv4Address() {
        assertThat(SourceAddress.network("203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(SourceAddress.network("::ffff:203.0.113.7")).isEqualTo("203.0.113.7");
        assertThat(SourceAddress.otherNetwork("203.0.113.7")).as("nothing besides itself").isNull();
        assertThat(SourceAddress.otherNetwork("::ffff:203.0.113.7")).as("what an IPv4 block names").isEqualTo("203.0.113.7");
    }

    @Test
    void networkWhenNotAnIpLiteralThenAsGivenAndNothingIsLookedUp() {
        assertThat(SourceAddress.network("example.org")).isEqualTo("example.org");
        assertThat(SourceAddress.network("fe80::1%eth0")).isEqualTo("fe80::1%eth0");
        assertThat(SourceAddress.network("2001:db8:::1:2:3:4:5")).isEqualTo("2001:db8:::1:2:3:4:5");
        assertThat(SourceAddress.network("")).isEmpty();
        assertThat(SourceAddress.network(null)).isNull();
        assertThat(SourceAddress.otherNetwork("example.org")).isNull();
    }
}
