package dev.portcullis.fields.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AesGcmTest {

    private static final HexFormat HEX = HexFormat.of();

    static Stream<AesGcm> implementations() {
        return Stream.of(new JceAesGcm(), new BcAesGcm());
    }

    /** McGrew and Viega, "The Galois/Counter Mode of Operation", test case 16 (AES-256, 96-bit IV, AAD). */
    @ParameterizedTest
    @MethodSource("implementations")
    void sealMatchesGcmSpecTestCase16(AesGcm gcm) throws Exception {
        byte[] key = HEX.parseHex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
        byte[] iv = HEX.parseHex("cafebabefacedbaddecaf888");
        byte[] p = HEX.parseHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        byte[] a = HEX.parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        byte[] out = new byte[p.length + 16];
        gcm.seal(key, iv, p, a, out, 0);
        assertThat(HEX.formatHex(out)).isEqualTo("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                + "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662" + "76fc6ece0f4e1768cddf8853bb2d551b");
        assertThat(gcm.open(key, iv, out, 0, out.length, a)).isEqualTo(p);
    }

    @Test
    void jdkAndBouncyCastleProduceTheSameBytesAndOpenEachOther() throws Exception {
        SecureRandom random = new SecureRandom();
        AesGcm jdk = new JceAesGcm();
        AesGcm bc = new BcAesGcm();
        for (int size : new int[] {0, 1, 16, 100, 4096}) {
            byte[] key = new byte[32];
            byte[] nonce = new byte[12];
            byte[] p = new byte[size];
            byte[] ad = new byte[size % 50];
            random.nextBytes(key);
            random.nextBytes(nonce);
            random.nextBytes(p);
            random.nextBytes(ad);
            byte[] a = new byte[size + 16];
            byte[] b = new byte[size + 16];
            jdk.seal(key, nonce, p, ad, a, 0);
            bc.seal(key, nonce, p, ad, b, 0);
            assertThat(a).isEqualTo(b);
            assertThat(bc.open(key, nonce, a, 0, a.length, ad)).isEqualTo(p);
            assertThat(jdk.open(key, nonce, b, 0, b.length, ad)).isEqualTo(p);
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void openWhenTagWrongThenFails(AesGcm gcm) {
        byte[] key = new byte[32];
        byte[] nonce = new byte[12];
        byte[] out = new byte[16 + 5];
        gcm.seal(key, nonce, new byte[] {1, 2, 3, 4, 5}, new byte[0], out, 0);
        out[out.length - 1] ^= 1;
        assertThatThrownBy(() -> gcm.open(key, nonce, out, 0, out.length, new byte[0]))
                .isInstanceOf(AuthenticationFailedException.class);
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void sealRefusesKeysOtherThan256Bits(AesGcm gcm) {
        assertThatThrownBy(() -> gcm.seal(new byte[16], new byte[12], new byte[1], new byte[0], new byte[17], 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
