package dev.portcullis.bench.fields;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;

import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMSIVBlockCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

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
import dev.portcullis.fields.internal.BcAesGcm;
import dev.portcullis.fields.internal.BcAesSiv;
import dev.portcullis.fields.internal.JceAesGcm;
import dev.portcullis.fields.keys.Keyring;

/**
 * Per-field encrypt and decrypt, Portcullis side by side with Google Tink at the same key sizes:
 * randomized AES-256-GCM (Portcullis with the JDK's GCM and with Bouncy Castle's, Tink's
 * AES256_GCM) and deterministic AES-256-SIV (Portcullis on the JDK's AES and on Bouncy Castle's
 * CMAC/CTR, Tink's AES256_SIV), plus Bouncy Castle's AES-256-GCM-SIV as the misuse-resistant
 * candidate.
 * Portcullis' numbers include its format, key lookup (warm cache) and 60-odd bytes of
 * associated data (tenant, record, path); Tink gets associated data of the same length.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar 'fields.FieldCipherBenchmark' -f 2 -wi 5 -w 1 -i 5 -r 1} (docs/benchmarks.md, fields, round 4: with fewer warm-up iterations some forks were still compiling).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class FieldCipherBenchmark {

    @Param({"16", "256", "4096"})
    int size;

    private FieldCipher jdk;
    private FieldCipher bc;
    private FieldCipher bcSiv;
    private String deterministicCiphertextBc;
    private String keyset;
    private FieldContext context;
    private byte[] value;
    private byte[] associatedData;
    private String randomizedCiphertext;
    private String randomizedCiphertextBc;
    private String deterministicCiphertext;
    private byte[] randomizedBinary;
    private byte[] deterministicBinary;
    private Aead tinkAead;
    private DeterministicAead tinkDaead;
    private byte[] tinkAeadCiphertext;
    private byte[] tinkDaeadCiphertext;
    private byte[] gcmSivKey;
    private byte[] gcmSivNonce;
    private byte[] gcmSivCiphertext;

    @Setup
    public void setUp() throws GeneralSecurityException, InvalidCipherTextException {
        Keyring keyring = BenchKeys.keyring();
        keyset = keyring.tenantKeyset("acme");
        jdk = new FieldCipher(keyring);
        bc = new FieldCipher(keyring, new BcAesGcm(), new SecureRandom(), FieldCipher.DEFAULT_MAX_VALUE_BYTES);
        bcSiv = new FieldCipher(keyring, new JceAesGcm(), new BcAesSiv(), new SecureRandom(),
                FieldCipher.DEFAULT_MAX_VALUE_BYTES);
        context = new FieldContext("acme", "01JD4V9Q6ZK8M2X3N4P5R6S7T8", "$['patient']['notes']");
        value = new byte[size];
        new SecureRandom().nextBytes(value);
        associatedData = ("portcullis-fields/v1 acme 01JD4V9Q6ZK8M2X3N4P5R6S7T8 $['patient']['notes']")
                .getBytes(StandardCharsets.UTF_8);
        randomizedCiphertext = jdk.encrypt(keyset, value, context);
        randomizedCiphertextBc = bc.encrypt(keyset, value, context);
        deterministicCiphertext = jdk.encryptDeterministically(keyset, value, context);
        deterministicCiphertextBc = bcSiv.encryptDeterministically(keyset, value, context);
        randomizedBinary = jdk.encryptToBinary(keyset, value, context);
        deterministicBinary = jdk.encryptDeterministicallyToBinary(keyset, value, context);

        AeadConfig.register();
        DeterministicAeadConfig.register();
        tinkAead = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM)
                .getPrimitive(RegistryConfiguration.get(), Aead.class);
        tinkDaead = KeysetHandle.generateNew(PredefinedDeterministicAeadParameters.AES256_SIV)
                .getPrimitive(RegistryConfiguration.get(), DeterministicAead.class);
        tinkAeadCiphertext = tinkAead.encrypt(value, associatedData);
        tinkDaeadCiphertext = tinkDaead.encryptDeterministically(value, associatedData);

        gcmSivKey = new byte[32];
        gcmSivNonce = new byte[12];
        new SecureRandom().nextBytes(gcmSivKey);
        gcmSivCiphertext = gcmSiv(true, value);
    }

    @Benchmark
    public String portcullisRandomizedEncryptJdkGcm() {
        return jdk.encrypt(keyset, value, context);
    }

    @Benchmark
    public byte[] portcullisRandomizedDecryptJdkGcm() {
        return jdk.decrypt(randomizedCiphertext, context);
    }

    @Benchmark
    public byte[] portcullisRandomizedEncryptBinaryForm() {
        return jdk.encryptToBinary(keyset, value, context);
    }

    @Benchmark
    public byte[] portcullisRandomizedDecryptBinaryForm() {
        return jdk.decryptBinary(randomizedBinary, context);
    }

    @Benchmark
    public byte[] portcullisDeterministicEncryptBinaryForm() {
        return jdk.encryptDeterministicallyToBinary(keyset, value, context);
    }

    @Benchmark
    public byte[] portcullisDeterministicDecryptBinaryForm() {
        return jdk.decryptBinary(deterministicBinary, context);
    }

    @Benchmark
    public String portcullisRandomizedEncryptBcGcm() {
        return bc.encrypt(keyset, value, context);
    }

    @Benchmark
    public byte[] portcullisRandomizedDecryptBcGcm() {
        return bc.decrypt(randomizedCiphertextBc, context);
    }

    @Benchmark
    public String portcullisDeterministicEncrypt() {
        return jdk.encryptDeterministically(keyset, value, context);
    }

    @Benchmark
    public byte[] portcullisDeterministicDecrypt() {
        return jdk.decrypt(deterministicCiphertext, context);
    }

    @Benchmark
    public String portcullisDeterministicEncryptBcSiv() {
        return bcSiv.encryptDeterministically(keyset, value, context);
    }

    @Benchmark
    public byte[] portcullisDeterministicDecryptBcSiv() {
        return bcSiv.decrypt(deterministicCiphertextBc, context);
    }

    @Benchmark
    public byte[] tinkAeadEncrypt() throws GeneralSecurityException {
        return tinkAead.encrypt(value, associatedData);
    }

    @Benchmark
    public byte[] tinkAeadDecrypt() throws GeneralSecurityException {
        return tinkAead.decrypt(tinkAeadCiphertext, associatedData);
    }

    @Benchmark
    public byte[] tinkDeterministicEncrypt() throws GeneralSecurityException {
        return tinkDaead.encryptDeterministically(value, associatedData);
    }

    @Benchmark
    public byte[] tinkDeterministicDecrypt() throws GeneralSecurityException {
        return tinkDaead.decryptDeterministically(tinkDaeadCiphertext, associatedData);
    }

    /** The raw primitive only (no format, no key lookup): the GCM-SIV candidate's cost. */
    @Benchmark
    public byte[] bcGcmSivEncryptPrimitive() throws InvalidCipherTextException {
        return gcmSiv(true, value);
    }

    @Benchmark
    public byte[] bcGcmSivDecryptPrimitive() throws InvalidCipherTextException {
        return gcmSiv(false, gcmSivCiphertext);
    }

    private byte[] gcmSiv(boolean encrypt, byte[] in) throws InvalidCipherTextException {
        GCMSIVBlockCipher cipher = new GCMSIVBlockCipher(AESEngine.newInstance());
        cipher.init(encrypt, new AEADParameters(new KeyParameter(gcmSivKey), 128, gcmSivNonce, associatedData));
        byte[] out = new byte[cipher.getOutputSize(in.length)];
        int n = cipher.processBytes(in, 0, in.length, out, 0);
        cipher.doFinal(out, n);
        return out;
    }
}
