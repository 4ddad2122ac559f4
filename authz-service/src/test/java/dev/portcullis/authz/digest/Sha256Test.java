package dev.portcullis.authz.digest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import org.junit.jupiter.api.Test;

class Sha256Test {

    @Test
    void aNewDigestIsSha256() {
        // FIPS 180-2, appendix B.1: SHA-256("abc").
        assertThat(HexFormat.of().formatHex(Sha256.newDigest().digest("abc".getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void digestsShareNoState() {
        MessageDigest first = Sha256.newDigest();
        MessageDigest second = Sha256.newDigest();
        first.update("something else".getBytes(StandardCharsets.US_ASCII));

        assertThat(second).isNotSameAs(first);
        assertThat(HexFormat.of().formatHex(second.digest()))
                .as("SHA-256 of nothing")
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(HexFormat.of().formatHex(Sha256.newDigest().digest()))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
