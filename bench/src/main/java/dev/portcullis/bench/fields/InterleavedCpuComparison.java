package dev.portcullis.bench.fields;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.DeterministicAead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import com.google.crypto.tink.daead.DeterministicAeadConfig;
import com.google.crypto.tink.daead.PredefinedDeterministicAeadParameters;

import dev.portcullis.fields.FieldCipher;
import dev.portcullis.fields.FieldContext;
import dev.portcullis.fields.keys.Keyring;

/**
 * A companion to the JMH benchmarks for a machine shared with other work: Portcullis and Tink are
 * run in alternating short rounds in one thread and timed by the thread's CPU time, so a load that
 * changes during the run hits both sides alike and time spent descheduled is not counted. Prints
 * the median ns/op of each side and the ratio. Not JMH (no forks, no blackhole): use the JMH
 * classes for absolute throughput on a quiet machine, this for the ratio on a busy one.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.portcullis.bench.fields.InterleavedCpuComparison}
 */
public final class InterleavedCpuComparison {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int ROUNDS = 31;

    @FunctionalInterface
    interface Op {
        Object run() throws Exception;
    }

    private static Object sink;

    private InterleavedCpuComparison() {
    }

    public static void main(String[] args) throws Exception {
        Keyring keyring = BenchKeys.keyring();
        String keyset = keyring.tenantKeyset("acme");
        FieldCipher cipher = new FieldCipher(keyring);
        FieldContext context = new FieldContext("acme", "01JD4V9Q6ZK8M2X3N4P5R6S7T8", "$['patient']['notes']");
        byte[] ad = "portcullis-fields/v1 acme 01JD4V9Q6ZK8M2X3N4P5R6S7T8 $['patient']['notes']"
                .getBytes(StandardCharsets.UTF_8);
        AeadConfig.register();
        DeterministicAeadConfig.register();
        Aead aead = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM)
                .getPrimitive(RegistryConfiguration.get(), Aead.class);
        DeterministicAead daead = KeysetHandle.generateNew(PredefinedDeterministicAeadParameters.AES256_SIV)
                .getPrimitive(RegistryConfiguration.get(), DeterministicAead.class);

        System.out.println("| operation | size | Portcullis ns/op | Tink ns/op | Portcullis / Tink time |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (int size : new int[] {16, 256, 4096}) {
            byte[] value = new byte[size];
            new SecureRandom().nextBytes(value);
            String ct = cipher.encrypt(keyset, value, context);
            String dct = cipher.encryptDeterministically(keyset, value, context);
            byte[] tct = aead.encrypt(value, ad);
            byte[] tdct = daead.encryptDeterministically(value, ad);
            int n = size == 4096 ? 2_000 : 10_000;
            row("randomized encrypt", size, () -> cipher.encrypt(keyset, value, context), () -> aead.encrypt(value, ad), n);
            row("randomized decrypt", size, () -> cipher.decrypt(ct, context), () -> aead.decrypt(tct, ad), n);
            row("deterministic encrypt", size, () -> cipher.encryptDeterministically(keyset, value, context),
                    () -> daead.encryptDeterministically(value, ad), n);
            row("deterministic decrypt", size, () -> cipher.decrypt(dct, context),
                    () -> daead.decryptDeterministically(tdct, ad), n);
        }
        // The binary form: the same envelope without "pcf:" + base64url, bytes in and out as with Tink.
        for (int size : new int[] {16, 256, 4096}) {
            byte[] value = new byte[size];
            new SecureRandom().nextBytes(value);
            byte[] ct = cipher.encryptToBinary(keyset, value, context);
            byte[] dct = cipher.encryptDeterministicallyToBinary(keyset, value, context);
            byte[] tct = aead.encrypt(value, ad);
            byte[] tdct = daead.encryptDeterministically(value, ad);
            int n = size == 4096 ? 2_000 : 10_000;
            row("randomized encrypt, binary form", size, () -> cipher.encryptToBinary(keyset, value, context),
                    () -> aead.encrypt(value, ad), n);
            row("randomized decrypt, binary form", size, () -> cipher.decryptBinary(ct, context),
                    () -> aead.decrypt(tct, ad), n);
            row("deterministic encrypt, binary form", size,
                    () -> cipher.encryptDeterministicallyToBinary(keyset, value, context),
                    () -> daead.encryptDeterministically(value, ad), n);
            row("deterministic decrypt, binary form", size, () -> cipher.decryptBinary(dct, context),
                    () -> daead.decryptDeterministically(tdct, ad), n);
            // Tink as an application would use it for fields: building the associated data that
            // binds the same context (tenant, record id, path) on every call, as Portcullis does.
            byte[] cct = aead.encrypt(value, contextAd(context));
            row("randomized encrypt, binary form (Tink: + context per call)", size,
                    () -> cipher.encryptToBinary(keyset, value, context), () -> aead.encrypt(value, contextAd(context)), n);
            row("randomized decrypt, binary form (Tink: + context per call)", size,
                    () -> cipher.decryptBinary(ct, context), () -> aead.decrypt(cct, contextAd(context)), n);
        }
        DocumentBenchmark doc = new DocumentBenchmark();
        doc.setUp();
        row("50-field document encrypt (Tink: 50 values, no JSON)", 0, doc::portcullisEncrypt50Fields,
                doc::tinkAeadEncrypt50ValuesOnly, 200);
        row("50-field document decrypt (Tink: 50 values encrypt, no JSON)", 0, doc::portcullisDecrypt50Fields,
                doc::tinkAeadEncrypt50ValuesOnly, 200);
    }

    private static final byte[] LABEL = "portcullis-fields/v1".getBytes(StandardCharsets.US_ASCII);

    /** Label, then tenant, record id and field path, each UTF-8 with a 16-bit length: Portcullis' context binding without its header. */
    static byte[] contextAd(FieldContext context) {
        byte[] tenant = context.tenant().getBytes(StandardCharsets.UTF_8);
        byte[] record = context.recordId().getBytes(StandardCharsets.UTF_8);
        byte[] path = context.fieldPath().getBytes(StandardCharsets.UTF_8);
        return java.nio.ByteBuffer.allocate(LABEL.length + 6 + tenant.length + record.length + path.length)
                .put(LABEL)
                .putShort((short) tenant.length).put(tenant)
                .putShort((short) record.length).put(record)
                .putShort((short) path.length).put(path)
                .array();
    }

    private static void row(String name, int size, Op portcullis, Op tink, int n) throws Exception {
        double[] p = new double[ROUNDS];
        double[] t = new double[ROUNDS];
        for (int warm = 0; warm < 5; warm++) {
            cpu(portcullis, n);
            cpu(tink, n);
        }
        for (int r = 0; r < ROUNDS; r++) {
            p[r] = cpu(portcullis, n);
            t[r] = cpu(tink, n);
        }
        Arrays.sort(p);
        Arrays.sort(t);
        double pm = p[ROUNDS / 2];
        double tm = t[ROUNDS / 2];
        System.out.printf("| %s | %s | %.0f | %.0f | %.2f |%n", name, size == 0 ? "-" : size + " B", pm, tm, pm / tm);
    }

    private static double cpu(Op op, int n) throws Exception {
        long start = THREADS.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
            sink = op.run();
        }
        return (THREADS.getCurrentThreadCpuTime() - start) / (double) n;
    }
}
