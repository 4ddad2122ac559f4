package dev.portcullis.authz.identity.mtls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** SPIFFE IDs as the SPIFFE ID standard defines them; anything else is refused with the reason. */
class SpiffeIdTest {

    @Test
    void parseWhenValidThenTrustDomainAndPath() {
        SpiffeId id = SpiffeId.parse("spiffe://portcullis.test/ns/shop/sa/checkout");

        assertThat(id.trustDomain()).isEqualTo("portcullis.test");
        assertThat(id.path()).isEqualTo("/ns/shop/sa/checkout");
        assertThat(id).hasToString("spiffe://portcullis.test/ns/shop/sa/checkout");
        assertThat(id.trustDomainLowerCase()).isEqualTo("portcullis.test");
    }

    @Test
    void parseWhenOnlyATrustDomainThenEmptyPath() {
        SpiffeId id = SpiffeId.parse("spiffe://portcullis.test");

        assertThat(id.path()).isEmpty();
        assertThat(id).hasToString("spiffe://portcullis.test");
    }

    @Test
    void parseWhenSameIdTwiceThenEqual() {
        assertThat(SpiffeId.parse("spiffe://a.test/x")).isEqualTo(SpiffeId.parse("spiffe://a.test/x"));
        assertThat(SpiffeId.parse("spiffe://a.test/x")).isNotEqualTo(SpiffeId.parse("spiffe://a.test/X"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "https://portcullis.test/ns/shop",          // another scheme
            "SPIFFE://portcullis.test/ns/shop",         // the scheme is lower case
            "spiffe:/portcullis.test/ns/shop",          // not an authority
            "spiffe://Portcullis.test/ns/shop",         // upper-case trust domain
            "spiffe://portcullis.test:8443/ns/shop",    // port
            "spiffe://user@portcullis.test/ns/shop",    // user info
            "spiffe://portcullis.test/ns/shop?x=1",     // query
            "spiffe://portcullis.test/ns/shop#frag",    // fragment
            "spiffe://portcullis.test/ns/shop/",        // trailing slash
            "spiffe://portcullis.test//shop",           // empty segment
            "spiffe://portcullis.test/ns/../admin",     // dot-dot segment
            "spiffe://portcullis.test/./shop",          // dot segment
            "spiffe://portcullis.test/ns/sh%6Fp",       // percent-encoding
            "spiffe://portcullis.test/ns/sh op",        // space
            "spiffe:///ns/shop",                        // no trust domain
            "spiffe://",                                // nothing
            ""})
    void parseWhenNotAValidSpiffeIdThenRefused(String value) {
        assertThatThrownBy(() -> SpiffeId.parse(value)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parseWhenNullOrTooLongThenRefused() {
        assertThatThrownBy(() -> SpiffeId.parse(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SpiffeId.parse("spiffe://a.test/" + "x".repeat(2048)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2048");
    }
}
