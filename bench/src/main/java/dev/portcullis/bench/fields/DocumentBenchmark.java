package dev.portcullis.bench.fields;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;

import dev.portcullis.fields.DocumentCipher;
import dev.portcullis.fields.FieldCipher;
import dev.portcullis.fields.FieldRule;
import dev.portcullis.fields.keys.Keyring;

/**
 * Whole-document throughput: a JSON document of 50 encrypted fields (strings, numbers, booleans,
 * nested objects; ~2.5 KB) plus 10 clear ones, encrypted and decrypted by {@link DocumentCipher}
 * (parse, select, encrypt, splice). The Tink baseline encrypts the same 50 values with its AEAD
 * and nothing else (no JSON work, no associated-data binding per field), i.e. a lower bound of
 * what a Tink-based document encryptor would cost.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar 'fields.DocumentBenchmark' -f 2 -wi 5 -w 1 -i 5 -r 1} (docs/benchmarks.md, fields, round 4: with fewer warm-up iterations some forks were still compiling).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class DocumentBenchmark {

    private DocumentCipher documents;
    private List<FieldRule> rules;
    private byte[] document;
    private byte[] encrypted;
    private List<byte[]> values;
    private Aead tink;

    @Setup
    public void setUp() throws Exception {
        Keyring keyring = BenchKeys.keyring();
        documents = new DocumentCipher(new FieldCipher(keyring), keyring);
        StringBuilder json = new StringBuilder("{\"id\":\"01JD4V9Q6ZK8M2X3N4P5R6S7T8\",\"customer\":{");
        rules = new ArrayList<>();
        values = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String v = switch (i % 5) {
                case 0 -> "\"Person Name " + i + " of the document\"";
                case 1 -> String.valueOf(1000 + i * 7);
                case 2 -> i % 2 == 0 ? "true" : "false";
                case 3 -> "{\"street\":\"" + i + " Long Street\",\"zip\":\"W1 " + i + "\"}";
                default -> "\"person" + i + "@example.org\"";
            };
            json.append(i == 0 ? "" : ",").append("\"f").append(i).append("\":").append(v);
            values.add(v.getBytes(StandardCharsets.UTF_8));
        }
        json.append("},\"meta\":{");
        for (int i = 0; i < 10; i++) {
            json.append(i == 0 ? "" : ",").append("\"m").append(i).append("\":\"clear value ").append(i).append('"');
        }
        json.append("}}");
        document = json.toString().getBytes(StandardCharsets.UTF_8);
        // One selector per field, as a schema lists them (50 rules matched against every value).
        for (int i = 0; i < 50; i++) {
            rules.add(FieldRule.of("$.customer.f" + i, i % 3 == 0 ? "pii" : "phi"));
        }
        encrypted = documents.encrypt(document, rules, "acme", "01JD4V9Q6ZK8M2X3N4P5R6S7T8", null).document();
        AeadConfig.register();
        tink = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM)
                .getPrimitive(RegistryConfiguration.get(), Aead.class);
    }

    @Benchmark
    public byte[] portcullisEncrypt50Fields() {
        return documents.encrypt(document, rules, "acme", "01JD4V9Q6ZK8M2X3N4P5R6S7T8", null).document();
    }

    @Benchmark
    public byte[] portcullisDecrypt50Fields() {
        return documents.decrypt(encrypted, rules, "acme", "01JD4V9Q6ZK8M2X3N4P5R6S7T8", c -> true).document();
    }

    @Benchmark
    public int tinkAeadEncrypt50ValuesOnly() throws Exception {
        int total = 0;
        for (byte[] v : values) {
            total += tink.encrypt(v, new byte[0]).length;
        }
        return total;
    }
}
