package dev.portcullis.audit.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Set;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * A {@link CheckpointSigner} with an Ed25519 key held in this process, loaded from (or created in)
 * a key file: for the offline CLI and for tests. The running service signs with a key that never
 * leaves Vault instead (Transit, type ed25519).
 *
 * <p><b>Trade-off:</b> whoever can read the key file can sign checkpoints, so they can rewrite the
 * log and re-sign it undetectably for anyone who trusts only this key. Keep the file away from the
 * log (another machine, another user), mode 0600 (enforced on load), and give auditors the
 * verifier key and saved checkpoints, which expose such a rewrite.
 *
 * <p>The key file uses the format of the Go {@code golang.org/x/mod/sumdb/note} signer keys:
 * {@code PRIVATE+KEY+<name>+<key id hex>+<base64(0x01 || 32-byte seed)>}. Signatures are
 * deterministic (RFC 8032). The seed is kept only inside Bouncy Castle's key object and never
 * printed; {@link #toString()} shows the public verifier key.
 */
public final class LocalEd25519CheckpointSigner implements CheckpointSigner {

    private static final String PREFIX = "PRIVATE+KEY+";
    private static final Set<PosixFilePermission> OWNER_ONLY =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private final String name;
    private final Ed25519PrivateKeyParameters privateKey;
    private final VerifierKey verifierKey;

    private LocalEd25519CheckpointSigner(String name, byte[] seed) {
        NoteKeys.checkKeyName(name);
        this.name = name;
        this.privateKey = new Ed25519PrivateKeyParameters(seed, 0);
        this.verifierKey = VerifierKey.ed25519(name, privateKey.generatePublicKey().getEncoded());
    }

    /** A signer with a new random key named {@code name}. */
    public static LocalEd25519CheckpointSigner generate(String name, SecureRandom random) {
        Objects.requireNonNull(random, "random cannot be null");
        byte[] seed = new byte[NoteKeys.ED25519_KEY_SIZE];
        random.nextBytes(seed);
        try {
            return new LocalEd25519CheckpointSigner(name, seed);
        } finally {
            Arrays.fill(seed, (byte) 0);
        }
    }

    /**
     * Loads the signer from {@code keyFile}.
     *
     * @throws CheckpointException SIGNING_FAILED when the file is missing, unreadable, readable by
     *     others than its owner, or not a key file; the message never contains key material
     */
    public static LocalEd25519CheckpointSigner load(Path keyFile) {
        Objects.requireNonNull(keyFile, "keyFile cannot be null");
        String text;
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(keyFile);
            if (!OWNER_ONLY.containsAll(permissions)) {
                throw failed("key file " + keyFile + " is accessible to other users (mode "
                        + PosixFilePermissions.toString(permissions) + "); run chmod 600 on it", null);
            }
            text = Files.readString(keyFile, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            throw failed("key file " + keyFile + " does not exist", e);
        } catch (AccessDeniedException e) {
            throw failed("key file " + keyFile + " cannot be read: permission denied", e);
        } catch (IOException e) {
            throw failed("key file " + keyFile + " cannot be read: " + e.getClass().getSimpleName(), e);
        } catch (UnsupportedOperationException e) {
            throw failed("key file " + keyFile + " is not on a POSIX file system; its permissions cannot be checked", e);
        }
        if (!text.startsWith(PREFIX)) {
            throw failed("key file " + keyFile + " is not a signed-note private key (PRIVATE+KEY+...)", null);
        }
        String[] parts = text.substring(PREFIX.length()).split("\\+", 3);
        if (parts.length != 3 || !parts[1].matches("[0-9a-f]{8}")) {
            throw failed("key file " + keyFile + " is malformed: expected PRIVATE+KEY+<name>+<key id>+<key>", null);
        }
        byte[] typed;
        try {
            typed = Base64.getDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw failed("key file " + keyFile + " is malformed: the key is not base64", null);
        }
        try {
            if (typed.length != 1 + NoteKeys.ED25519_KEY_SIZE || typed[0] != NoteKeys.ED25519) {
                throw failed("key file " + keyFile + " does not hold an Ed25519 key (type 0x01, 32 bytes)", null);
            }
            LocalEd25519CheckpointSigner signer =
                    new LocalEd25519CheckpointSigner(parts[0], Arrays.copyOfRange(typed, 1, typed.length));
            if (signer.verifierKey.keyId() != Integer.parseUnsignedInt(parts[1], 16)) {
                throw failed("key file " + keyFile + " is inconsistent: its key id does not match its key", null);
            }
            return signer;
        } catch (IllegalArgumentException e) {
            throw failed("key file " + keyFile + " is malformed: " + e.getMessage(), null);
        } finally {
            Arrays.fill(typed, (byte) 0);
        }
    }

    /**
     * Writes this signer's key to {@code keyFile} with mode 0600, atomically, failing if the file
     * exists (a key is never overwritten).
     */
    public void writeKeyFile(Path keyFile) throws IOException {
        Objects.requireNonNull(keyFile, "keyFile cannot be null");
        if (Files.exists(keyFile)) {
            throw new FileAlreadyExistsException(keyFile.toString(), null, "a key file is never overwritten");
        }
        Path dir = keyFile.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".key", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        byte[] typed = new byte[1 + NoteKeys.ED25519_KEY_SIZE];
        typed[0] = NoteKeys.ED25519;
        byte[] seed = privateKey.getEncoded();
        System.arraycopy(seed, 0, typed, 1, seed.length);
        Arrays.fill(seed, (byte) 0);
        try {
            String line = PREFIX + name + "+" + HexFormat.of().toHexDigits(verifierKey.keyId()) + "+"
                    + Base64.getEncoder().encodeToString(typed) + "\n";
            Files.writeString(tmp, line, StandardCharsets.US_ASCII);
            try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(tmp, keyFile, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Arrays.fill(typed, (byte) 0);
            Files.deleteIfExists(tmp);
        }
    }

    /** The public key that verifies this signer's signatures, to hand to verifiers. */
    public VerifierKey verifierKey() {
        return verifierKey;
    }

    @Override
    public String keyName() {
        return name;
    }

    @Override
    public NoteSignature sign(byte[] noteText) {
        Objects.requireNonNull(noteText, "noteText cannot be null");
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, privateKey);
        signer.update(noteText, 0, noteText.length);
        return new NoteSignature(name, verifierKey.keyId(), signer.generateSignature());
    }

    private static CheckpointException failed(String message, Throwable cause) {
        return new CheckpointException(CheckpointException.Code.SIGNING_FAILED, message, cause);
    }

    @Override
    public String toString() {
        return "LocalEd25519CheckpointSigner[" + verifierKey + "]";
    }
}
