package dev.portcullis.fields.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;

class AesSivTest {

    private static final HexFormat HEX = HexFormat.of();

    static java.util.stream.Stream<AesSiv> implementations() {
        return java.util.stream.Stream.of(new JceAesSiv(), new BcAesSiv());
    }

    private static byte[] hex(String s) {
        return HEX.parseHex(s.replace(" ", ""));
    }

    /** RFC 5297 appendix A.1: deterministic authenticated encryption, one AD string. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("implementations")
    void sealMatchesRfc5297A1(AesSiv siv) {
        byte[] key = hex("fffefdfc fbfaf9f8 f7f6f5f4 f3f2f1f0 f0f1f2f3 f4f5f6f7 f8f9fafb fcfdfeff");
        byte[] ad = hex("10111213 14151617 18191a1b 1c1d1e1f 20212223 24252627");
        byte[] plaintext = hex("11223344 55667788 99aabbcc ddee");
        byte[] out = new byte[16 + plaintext.length];
        siv.seal(key, List.of(ad), plaintext, out, 0);
        assertThat(HEX.formatHex(out)).isEqualTo(
                "85632d07c6e8f37f950acd320a2ecc93" + "40c02b9690c4dc04daef7f6afe5c");
    }

    /** RFC 5297 appendix A.2: nonce-based, three AD strings (two ADs and the nonce). */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("implementations")
    void sealMatchesRfc5297A2(AesSiv siv) {
        byte[] key = hex("7f7e7d7c 7b7a7978 77767574 73727170 40414243 44454647 48494a4b 4c4d4e4f");
        byte[] ad1 = hex("00112233 44556677 8899aabb ccddeeff deaddada deaddada ffeeddcc bbaa9988 77665544 33221100");
        byte[] ad2 = hex("10203040 50607080 90a0");
        byte[] nonce = hex("09f91102 9d74e35b d84156c5 635688c0");
        byte[] plaintext = hex("74686973 20697320 736f6d65 20706c61 696e7465 78742074 6f20656e 63727970"
                + " 74207573 696e6720 5349562d 414553");
        byte[] out = new byte[16 + plaintext.length];
        siv.seal(key, List.of(ad1, ad2, nonce), plaintext, out, 0);
        assertThat(HEX.formatHex(out)).isEqualTo("7bdb6e3b432667eb06f4d14bff2fbd0f"
                + "cb900f2fddbe404326601965c889bf17dba77ceb094fa663b7a3f748ba8af829ea64ad544a272e9c485b62a3fd5c0d");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("implementations")
    void openReturnsThePlaintextOfEverySizeWithA512BitKey(AesSiv siv) throws Exception {
        SecureRandom random = new SecureRandom();
        byte[] key = new byte[64];
        random.nextBytes(key);
        for (int size : new int[] {0, 1, 15, 16, 17, 31, 32, 33, 255, 4096}) {
            byte[] plaintext = new byte[size];
            random.nextBytes(plaintext);
            byte[] ad = {1, 2, 3};
            byte[] out = new byte[16 + size];
            siv.seal(key, List.of(ad), plaintext, out, 0);
            assertThat(siv.open(key, List.of(ad), out, 0, out.length)).isEqualTo(plaintext);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("implementations")
    void openWhenAnyBitFlippedThenFails(AesSiv siv) {
        byte[] key = new byte[64];
        new SecureRandom().nextBytes(key);
        byte[] plaintext = "hello, world".getBytes();
        byte[] out = new byte[16 + plaintext.length];
        siv.seal(key, List.of(new byte[] {9}), plaintext, out, 0);
        for (int bit = 0; bit < out.length * 8; bit++) {
            byte[] changed = out.clone();
            changed[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> siv.open(key, List.of(new byte[] {9}), changed, 0, changed.length))
                    .isInstanceOf(AuthenticationFailedException.class);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("implementations")
    void openWhenAssociatedDataDiffersThenFails(AesSiv siv) {
        byte[] key = new byte[64];
        byte[] out = new byte[16 + 3];
        siv.seal(key, List.of(new byte[] {1}), new byte[] {1, 2, 3}, out, 0);
        assertThatThrownBy(() -> siv.open(key, List.of(new byte[] {2}), out, 0, out.length))
                .isInstanceOf(AuthenticationFailedException.class);
    }

    @Test
    void jdkAndBouncyCastleProduceTheSameBytesAndOpenEachOther() throws Exception {
        SecureRandom random = new SecureRandom();
        AesSiv jdk = new JceAesSiv();
        AesSiv bc = new BcAesSiv();
        for (int size : new int[] {0, 1, 15, 16, 17, 32, 100, 4096}) {
            byte[] key = new byte[64];
            byte[] p = new byte[size];
            byte[] ad1 = new byte[size % 40];
            byte[] ad2 = new byte[16];
            random.nextBytes(key);
            random.nextBytes(p);
            random.nextBytes(ad1);
            random.nextBytes(ad2);
            byte[] a = new byte[16 + size];
            byte[] b = new byte[16 + size];
            jdk.seal(key, List.of(ad1, ad2), p, a, 0);
            bc.seal(key, List.of(ad1, ad2), p, b, 0);
            assertThat(a).isEqualTo(b);
            assertThat(bc.open(key, List.of(ad1, ad2), a, 0, a.length)).isEqualTo(p);
            assertThat(jdk.open(key, List.of(ad1, ad2), b, 0, b.length)).isEqualTo(p);
        }
    }

    @Test
    void dblReducesWhenTheTopBitIsSet() {
        byte[] top = new byte[16];
        top[0] = (byte) 0x80;
        byte[] expected = new byte[16];
        expected[15] = (byte) 0x87;
        assertThat(BcAesSiv.dbl(top)).isEqualTo(expected);
    }
}
