package dev.portcullis.fields.keys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

import dev.portcullis.keys.WrappedKey;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A {@link DataKeyRepository} in a local directory: one JSON file per keyset, one small file per
 * subject mapping, for the embedded library, the CLI and single-instance deployments. Several
 * instances of a service need a shared store instead (see {@code docs/field-encryption.md}).
 *
 * <p>Layout: {@code keysets/<hex(keyset id)>.json}, {@code subjects/<hex(SHA-256(tenant NUL
 * subject))>} (holding the keyset id), {@code .lock}. Subject ids never appear in clear on disk.
 *
 * <p>Durability: every write goes to a temporary file that is fsynced, then atomically renamed,
 * then the directory is fsynced. Mutations hold an exclusive file lock, so several processes (a
 * service and the CLI) can share the directory. {@link #destroy} overwrites the file with zeros
 * and fsyncs before unlinking it; on copy-on-write or wear-levelled storage the old blocks may
 * survive physically, which is why the data key is only ever stored wrapped (see the doc on what
 * crypto-shredding reaches).
 */
public final class FileDataKeyRepository implements DataKeyRepository {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HexFormat HEX = HexFormat.of();

    private final Path root;
    private final Path keysets;
    private final Path subjects;
    private final Path tombstones;
    private final java.time.Clock clock;
    private final Path lockFile;
    private final Object monitor = new Object();

    /** A store in {@code directory}, created (mode 0700 where POSIX) if absent, with the system clock. */
    public FileDataKeyRepository(Path directory) {
        this(directory, java.time.Clock.systemUTC());
    }

    /** A store in {@code directory} whose tombstones are dated by {@code clock}. */
    public FileDataKeyRepository(Path directory, java.time.Clock clock) {
        this.root = Objects.requireNonNull(directory, "directory cannot be null");
        this.clock = Objects.requireNonNull(clock, "clock cannot be null");
        this.tombstones = root.resolve("destroyed");
        this.keysets = root.resolve("keysets");
        this.subjects = root.resolve("subjects");
        this.lockFile = root.resolve(".lock");
        try {
            for (Path dir : List.of(root, keysets, subjects, tombstones)) {
                if (!Files.isDirectory(dir)) {
                    Files.createDirectories(dir);
                    try {
                        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                    } catch (UnsupportedOperationException e) {
                        // Not a POSIX file system: rely on the directory's inherited permissions.
                    }
                }
            }
            if (!Files.exists(lockFile)) {
                Files.write(lockFile, new byte[0], StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the key store in " + root, e);
        }
    }

    @Override
    public Optional<Keyset> find(String keysetId) {
        return read(keysetFile(keysetId));
    }

    @Override
    public Optional<String> findSubjectKeyset(String tenant, String subject) {
        Path mapping = subjects.resolve(subjectRef(tenant, subject));
        try {
            return Optional.of(Files.readString(mapping, StandardCharsets.US_ASCII).trim());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the key store in " + root, e);
        }
    }

    @Override
    public Keyset createIfAbsent(Keyset keyset, String subject) {
        if ((keyset.kind() == Keyset.Kind.SUBJECT) != (subject != null)) {
            throw new IllegalArgumentException("a subject keyset needs a subject, a tenant keyset none");
        }
        return locked(() -> {
            if (subject != null) {
                Optional<String> existing = findSubjectKeyset(keyset.tenant(), subject);
                if (existing.isPresent()) {
                    Optional<Keyset> mapped = find(existing.get());
                    if (mapped.isPresent()) {
                        return mapped.get();
                    }
                }
            }
            Optional<Keyset> existing = find(keyset.id());
            if (existing.isPresent()) {
                return existing.get();
            }
            String ref = subject == null ? null : subjectRef(keyset.tenant(), subject);
            write(keysetFile(keyset.id()), toJson(keyset, ref));
            if (ref != null) {
                write(subjects.resolve(ref), keyset.id().getBytes(StandardCharsets.US_ASCII));
            }
            return keyset;
        });
    }

    @Override
    public boolean addVersion(String keysetId, KeyVersion version) {
        return locked(() -> {
            Path file = keysetFile(keysetId);
            Optional<ObjectNode> node = readNode(file);
            if (node.isEmpty()) {
                return false;
            }
            Keyset current = fromJson(node.get());
            if (version.version() != current.primary().version() + 1) {
                return false;
            }
            List<KeyVersion> versions = new ArrayList<>(current.versions());
            versions.add(version);
            write(file, toJson(new Keyset(current.id(), current.tenant(), current.kind(), versions),
                    textOrNull(node.get(), "subject_ref")));
            return true;
        });
    }

    @Override
    public boolean replaceWrapped(String keysetId, int version, WrappedKey expected, WrappedKey replacement) {
        return locked(() -> {
            Path file = keysetFile(keysetId);
            Optional<ObjectNode> node = readNode(file);
            if (node.isEmpty()) {
                return false;
            }
            Keyset current = fromJson(node.get());
            Optional<KeyVersion> v = current.version(version);
            if (v.isEmpty() || !v.get().wrapped().equals(expected)) {
                return false;
            }
            List<KeyVersion> versions = new ArrayList<>();
            for (KeyVersion kv : current.versions()) {
                versions.add(kv.version() == version ? kv.withWrapped(replacement) : kv);
            }
            write(file, toJson(new Keyset(current.id(), current.tenant(), current.kind(), versions),
                    textOrNull(node.get(), "subject_ref")));
            return true;
        });
    }

    @Override
    public List<StoredWrappedKey> listWrappedKeys() {
        List<StoredWrappedKey> all = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(keysets, "*.json")) {
            for (Path file : files) {
                read(file).ifPresent(keyset -> keyset.versions().forEach(
                        v -> all.add(new StoredWrappedKey(keyset.id(), v.version(), v.wrapped()))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the key store in " + root, e);
        }
        return all;
    }

    @Override
    public boolean destroy(String keysetId) {
        return locked(() -> {
            Path file = keysetFile(keysetId);
            Optional<ObjectNode> node = readNode(file);
            if (node.isEmpty()) {
                return false;
            }
            String ref = textOrNull(node.get(), "subject_ref");
            if (ref != null) {
                Path mapping = subjects.resolve(ref);
                if (Files.exists(mapping)) {
                    shred(mapping);
                }
            }
            shred(file);
            write(tombstones.resolve(HEX.formatHex(keysetId.getBytes(StandardCharsets.UTF_8))),
                    clock.instant().toString().getBytes(StandardCharsets.US_ASCII));
            fsyncDirectory(subjects);
            fsyncDirectory(keysets);
            return true;
        });
    }

    @Override
    public Optional<Instant> destroyedAt(String keysetId) {
        Path tombstone = tombstones.resolve(HEX.formatHex(keysetId.getBytes(StandardCharsets.UTF_8)));
        try {
            return Optional.of(Instant.parse(Files.readString(tombstone, StandardCharsets.US_ASCII).trim()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the key store in " + root, e);
        }
    }

    // --- files -------------------------------------------------------------------------------

    private Path keysetFile(String keysetId) {
        return keysets.resolve(HEX.formatHex(keysetId.getBytes(StandardCharsets.UTF_8)) + ".json");
    }

    /** The file name of a subject mapping: SHA-256 of tenant NUL subject, so no subject id is stored in clear. */
    static String subjectRef(String tenant, String subject) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(tenant.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(subject.getBytes(StandardCharsets.UTF_8));
            return HEX.formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is unavailable", e);
        }
    }

    private <T> T locked(Supplier<T> action) {
        synchronized (monitor) {
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
                    FileLock lock = channel.lock()) {
                return action.get();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot lock the key store in " + root, e);
            }
        }
    }

    private Optional<Keyset> read(Path file) {
        return readNode(file).map(FileDataKeyRepository::fromJson);
    }

    private Optional<ObjectNode> readNode(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the key store in " + root, e);
        }
        try {
            JsonNode node = JSON.readTree(bytes);
            if (!(node instanceof ObjectNode object)) {
                throw new IllegalStateException("key store file " + file.getFileName() + " is not a JSON object");
            }
            return Optional.of(object);
        } catch (JacksonException e) {
            throw new IllegalStateException("key store file " + file.getFileName() + " is corrupt: "
                    + e.getOriginalMessage(), e);
        }
    }

    private void write(Path file, byte[] content) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the key store's file system cannot rename atomically", e);
            }
            fsyncDirectory(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the key store in " + root, e);
        }
    }

    private void shred(Path file) {
        try {
            long size = Files.size(file);
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(size, 1 << 20));
                long written = 0;
                while (written < size) {
                    zeros.clear().limit((int) Math.min(zeros.capacity(), size - written));
                    written += out.write(zeros, written);
                }
                out.force(true);
            }
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot destroy a key in the key store in " + root, e);
        }
    }

    private static void fsyncDirectory(Path dir) throws UncheckedIOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fsync directory " + dir, e);
        }
    }

    // --- JSON --------------------------------------------------------------------------------

    private static byte[] toJson(Keyset keyset, String subjectRef) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", keyset.id());
        node.put("tenant", keyset.tenant());
        node.put("kind", keyset.kind().name().toLowerCase(java.util.Locale.ROOT));
        if (subjectRef != null) {
            node.put("subject_ref", subjectRef);
        }
        ArrayNode versions = node.putArray("versions");
        for (KeyVersion v : keyset.versions()) {
            ObjectNode vn = versions.addObject();
            vn.put("version", v.version());
            vn.put("kek", v.wrapped().kekName());
            vn.put("kek_version", v.wrapped().kekVersion());
            vn.put("wrapped", Base64.getEncoder().encodeToString(v.wrapped().ciphertext()));
            vn.put("created", v.created().toString());
        }
        return JSON.writeValueAsBytes(node);
    }

    private static Keyset fromJson(ObjectNode node) {
        List<KeyVersion> versions = new ArrayList<>();
        for (JsonNode vn : node.get("versions")) {
            versions.add(new KeyVersion(vn.get("version").asInt(),
                    new WrappedKey(vn.get("kek").asString(), vn.get("kek_version").asInt(),
                            Base64.getDecoder().decode(vn.get("wrapped").asString())),
                    Instant.parse(vn.get("created").asString())));
        }
        return new Keyset(node.get("id").asString(), node.get("tenant").asString(),
                Keyset.Kind.valueOf(node.get("kind").asString().toUpperCase(java.util.Locale.ROOT)), versions);
    }

    private static String textOrNull(ObjectNode node, String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? null : value.asString();
    }

    @Override
    public String toString() {
        return "FileDataKeyRepository[" + root + "]";
    }
}
