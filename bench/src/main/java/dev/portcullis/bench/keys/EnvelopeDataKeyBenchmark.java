package dev.portcullis.bench.keys;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import dev.portcullis.keys.SecretBytes;
import dev.portcullis.keys.datakeys.DataKey;
import dev.portcullis.keys.datakeys.DataKeyCache;
import dev.portcullis.keys.datakeys.TransitDataKeyGenerator;
import dev.portcullis.keys.vault.VaultAuthentication;
import dev.portcullis.keys.vault.VaultClient;
import dev.portcullis.keys.vault.VaultTransitKeyWrapper;

/**
 * Envelope encryption operations per second against a real OpenBao, side by side in one run:
 * <ul>
 *   <li>{@code transitPerOperation}: the peer: one Transit {@code datakey} call per operation
 *       (a fresh data key, plaintext and wrapped), then AES-256-GCM over the payload;
 *   <li>{@code cachedDataKey}: the same through {@link DataKeyCache#forEncryption}: a Transit
 *       round trip only on a cache miss (here: once per {@code maxUses} operations or per
 *       {@code maxAge}), then the same AES-256-GCM.
 * </ul>
 * The OpenBao comes from the stack file of {@code bin/dev} or {@code bin/test}:
 * {@code -Dportcullis.stack.file=.portcullis/<profile>/stack.properties} (its root token creates a
 * throw-away derived KEK). Run it with the command in docs/benchmarks.md; never from tests.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EnvelopeDataKeyBenchmark {

    private static final byte[] AD = "tenant:bench".getBytes(StandardCharsets.UTF_8);

    private VaultTransitKeyWrapper transit;
    private TransitDataKeyGenerator generator;
    private DataKeyCache cache;
    private String kek;
    private final byte[] payload = new byte[1024];
    private final SecureRandom random = new SecureRandom();

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Properties stack = new Properties();
        String file = System.getProperty("portcullis.stack.file", "");
        if (file.isBlank()) {
            throw new IllegalStateException("pass -Dportcullis.stack.file=<stack.properties of a running bin/dev or bin/test stack>");
        }
        try (InputStream in = Files.newInputStream(Path.of(file))) {
            stack.load(in);
        }
        VaultClient vault = VaultClient.builder(URI.create(stack.getProperty("openbao.addr")))
                .authentication(VaultAuthentication.token(stack.getProperty("openbao.root-token")))
                .allowPlaintextHttpForDevelopment().build();
        kek = "bench-" + UUID.randomUUID().toString().substring(0, 8);
        vault.write("transit/keys/" + kek, Map.of("type", "aes256-gcm96", "derived", true));
        transit = new VaultTransitKeyWrapper(vault);
        generator = new TransitDataKeyGenerator(transit);
        cache = DataKeyCache.builder(generator, transit).build(); // the documented defaults: 5 min, 2^20 uses
        random.nextBytes(payload);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        System.out.printf("%n[keys] data-key cache: %s%n", cache.stats());
        cache.close();
    }

    @Benchmark
    public byte[] transitPerOperation() throws Exception {
        try (DataKey key = generator.generate(kek, AD)) {
            return seal(key.plaintext());
        }
    }

    @Benchmark
    public byte[] cachedDataKey() throws Exception {
        try (DataKey key = cache.forEncryption(kek, AD)) {
            return seal(key.plaintext());
        }
    }

    private byte[] seal(SecretBytes key) throws Exception {
        byte[] raw = key.toByteArray();
        try {
            byte[] nonce = new byte[12];
            random.nextBytes(nonce);
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(raw, "AES"), new GCMParameterSpec(128, nonce));
            gcm.updateAAD(AD);
            return gcm.doFinal(payload);
        } finally {
            java.util.Arrays.fill(raw, (byte) 0);
        }
    }
}
