package dev.portcullis.audit.storage.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.LogEntry;
import dev.portcullis.audit.checkpoint.CheckpointException;
import dev.portcullis.audit.tree.NodeSource;
import dev.portcullis.audit.tree.Rfc6962;
import dev.portcullis.audit.verify.StrictUtf8;

/**
 * The files of one segment log directory and positional reads of them. Thread-safe for reads;
 * the append methods are for the single writer thread only.
 *
 * <pre>
 * DIR/origin                 the log's origin line
 * DIR/LOCK                   held (flock) by the one process writing the log
 * DIR/segments/NNN.seg       the records (RecordFormat); NNN = index of the first record, 20 digits
 * DIR/index                  16 bytes per entry: offset in its segment, event time (epoch ms)
 * DIR/tree/level-LL          32 bytes per perfect subtree of 2^LL leaves, LL = 0, 4, 8, ... (tiles)
 * DIR/checkpoint             the latest signed checkpoint (replaced atomically)
 * DIR/checkpoints            every signed checkpoint, appended
 * </pre>
 *
 * Only the segments are the log; the index and the tree levels are derived from them, written
 * after the segment is flushed, flushed when a segment is sealed, and rebuilt by recovery.
 * Storing every 4th level of the tree (tiles, as Tessera stores every 8th) costs 32/15 bytes per
 * entry and bounds the work for any node to one read of at most 2^3 stored hashes, which keeps an
 * inclusion proof at 10 M entries to about 70 hashes of tile work.
 */
public final class LogFiles implements NodeSource, AutoCloseable {

    /** How messages name {@code DIR/origin}. */
    public static final String ORIGIN_FILE = "origin file (the log's name)";
    /** How messages name {@code DIR/checkpoint}. */
    public static final String LATEST_CHECKPOINT_FILE = "latest checkpoint file";

    /** Tree levels are stored every {@value} levels. */
    public static final int TILE_HEIGHT = 4;
    private static final int STORED_LEVELS = 64 / TILE_HEIGHT;

    private final Path dir;
    private final boolean writable;
    private final FileChannel index;
    private final FileChannel[] levels = new FileChannel[STORED_LEVELS];
    private final ConcurrentSkipListMap<Long, Path> segments = new ConcurrentSkipListMap<>();
    private final Map<Long, FileChannel> readChannels = new ConcurrentHashMap<>();

    private LogFiles(Path dir, boolean writable) throws IOException {
        this.dir = dir;
        this.writable = writable;
        if (writable) {
            Files.createDirectories(segmentsDir(dir));
            Files.createDirectories(dir.resolve("tree"));
        }
        this.index = open(dir.resolve("index"));
        for (int i = 0; i < STORED_LEVELS; i++) {
            levels[i] = open(levelPath(i * TILE_HEIGHT));
        }
        for (long first : listSegments(dir)) {
            segments.put(first, segmentsDir(dir).resolve(RecordFormat.segmentFileName(first)));
        }
    }

    /** Opens the files of {@code dir} for reading only (another process may be writing them). */
    public static LogFiles openReadOnly(Path dir) throws IOException {
        return new LogFiles(dir, false);
    }

    /** Opens the files of {@code dir} for the writer, creating what is missing. */
    public static LogFiles openWritable(Path dir) throws IOException {
        return new LogFiles(dir, true);
    }

    private FileChannel open(Path path) throws IOException {
        if (writable) {
            return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
        if (!Files.exists(path)) {
            return null;
        }
        return FileChannel.open(path, StandardOpenOption.READ);
    }

    public static Path segmentsDir(Path dir) {
        return dir.resolve("segments");
    }

    public Path levelPath(int level) {
        return dir.resolve("tree").resolve(String.format("level-%02d", level));
    }

    /** The first indices of the segments in {@code dir}, ascending. */
    public static List<Long> listSegments(Path dir) throws IOException {
        Path segmentsDir = segmentsDir(dir);
        if (!Files.isDirectory(segmentsDir)) {
            return List.of();
        }
        List<Long> firsts = new ArrayList<>();
        try (Stream<Path> files = Files.list(segmentsDir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.matches("[0-9]{20}\\.seg")) {
                    firsts.add(Long.parseLong(name.substring(0, 20)));
                }
            }
        }
        firsts.sort(null);
        return firsts;
    }

    public Path dir() {
        return dir;
    }

    public ConcurrentSkipListMap<Long, Path> segments() {
        return segments;
    }

    public void addSegment(long first, Path path) {
        segments.put(first, path);
    }

    /** Entries in the index file (complete 16-byte entries only). */
    public long indexedCount() throws IOException {
        return index == null ? 0 : index.size() / RecordFormat.INDEX_ENTRY_SIZE;
    }

    public long storedNodes(int level) throws IOException {
        FileChannel channel = levels[level / TILE_HEIGHT];
        return channel == null ? 0 : channel.size() / Rfc6962.HASH_SIZE;
    }

    // --- reads ----------------------------------------------------------------------------------

    /** The index entry {@code i}: {offset in segment, event time millis}. */
    public long[] indexEntry(long i) {
        ByteBuffer buffer = readFully(index, i * RecordFormat.INDEX_ENTRY_SIZE, RecordFormat.INDEX_ENTRY_SIZE, "index");
        return new long[] {buffer.getLong(), buffer.getLong()};
    }

    /** Event times (epoch millis) of entries {@code [from, from + count)}, from the index. */
    public long[] eventTimes(long from, int count) {
        ByteBuffer buffer = readFully(index, from * RecordFormat.INDEX_ENTRY_SIZE,
                count * RecordFormat.INDEX_ENTRY_SIZE, "index");
        long[] times = new long[count];
        for (int i = 0; i < count; i++) {
            buffer.getLong();
            times[i] = buffer.getLong();
        }
        return times;
    }

    /** Reads the entries {@code [from, from + count)} through the index. */
    public List<LogEntry> read(long from, int count) {
        List<LogEntry> entries = new ArrayList<>(count);
        if (count <= 0) {
            return entries;
        }
        ByteBuffer idx = readFully(index, from * RecordFormat.INDEX_ENTRY_SIZE,
                count * RecordFormat.INDEX_ENTRY_SIZE, "index");
        for (int i = 0; i < count; i++) {
            long position = from + i;
            long offset = idx.getLong();
            idx.getLong();
            Map.Entry<Long, Path> segment = segments.floorEntry(position);
            if (segment == null) {
                throw new AuditException("no segment holds entry " + position + " in " + dir);
            }
            FileChannel channel = segmentChannel(segment.getKey(), segment.getValue());
            ByteBuffer header = readFully(channel, offset, RecordFormat.RECORD_HEADER_SIZE, "segment");
            int length = header.getInt();
            long recordIndex = header.getLong();
            if (recordIndex != position || length < 0 || length > RecordFormat.MAX_PAYLOAD) {
                throw new AuditException("the index of " + dir + " does not match its segments at entry " + position
                        + "; run 'portcullis audit verify'");
            }
            ByteBuffer payload = readFully(channel, offset + RecordFormat.RECORD_HEADER_SIZE, length, "segment");
            entries.add(new LogEntry(position, payload.array()));
        }
        return entries;
    }

    private FileChannel segmentChannel(long first, Path path) {
        return readChannels.computeIfAbsent(first, f -> {
            try {
                return FileChannel.open(path, StandardOpenOption.READ);
            } catch (IOException e) {
                throw new AuditException("cannot open segment " + path + ": " + e.getMessage(), e);
            }
        });
    }

    /** The stored leaf hash of entry {@code i}. */
    public byte[] leafHash(long i) {
        return readFully(levels[0], i * Rfc6962.HASH_SIZE, Rfc6962.HASH_SIZE, "tree").array();
    }

    /** Perfect subtree hashes from the stored levels, folding at most 2^(TILE_HEIGHT-1) stored hashes. */
    @Override
    public byte[] node(int level, long nodeIndex) {
        int base = level - level % TILE_HEIGHT;
        int height = level - base;
        int count = 1 << height;
        ByteBuffer hashes = readFully(levels[base / TILE_HEIGHT], (nodeIndex << height) * Rfc6962.HASH_SIZE,
                count * Rfc6962.HASH_SIZE, "tree");
        byte[][] row = new byte[count][];
        for (int i = 0; i < count; i++) {
            row[i] = new byte[Rfc6962.HASH_SIZE];
            hashes.get(row[i]);
        }
        for (int width = count; width > 1; width /= 2) {
            for (int i = 0; i < width / 2; i++) {
                row[i] = Rfc6962.nodeHash(row[2 * i], row[2 * i + 1]);
            }
        }
        return row[0];
    }

    private ByteBuffer readFully(FileChannel channel, long position, int length, String what) {
        if (channel == null) {
            throw new AuditException("the " + what + " file of " + dir + " is missing");
        }
        ByteBuffer buffer = ByteBuffer.allocate(length);
        try {
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, position + buffer.position());
                if (n < 0) {
                    throw new AuditException("the " + what + " file of " + dir + " ends early (reading "
                            + length + " bytes at " + position + ")");
                }
            }
        } catch (IOException e) {
            throw new AuditException("cannot read the " + what + " file of " + dir + ": " + e.getMessage(), e);
        }
        return buffer.flip();
    }

    // --- writes (writer thread only) ------------------------------------------------------------

    /** Writes index entries from entry {@code firstEntry} on (overwriting identical bytes is harmless to readers). */
    public void writeIndex(long firstEntry, ByteBuffer entries) throws IOException {
        writeFully(index, entries, firstEntry * RecordFormat.INDEX_ENTRY_SIZE);
    }

    /** Writes stored nodes of {@code level} (a multiple of {@link #TILE_HEIGHT}) from node {@code firstNode} on. */
    public void writeNodes(int level, long firstNode, ByteBuffer hashes) throws IOException {
        writeFully(levels[level / TILE_HEIGHT], hashes, firstNode * Rfc6962.HASH_SIZE);
    }

    /** Cuts the derived files back to {@code size} entries (recovery). */
    public void truncateDerived(long size) throws IOException {
        index.truncate(size * RecordFormat.INDEX_ENTRY_SIZE);
        for (int i = 0; i < STORED_LEVELS; i++) {
            levels[i].truncate((size >>> (i * TILE_HEIGHT)) * Rfc6962.HASH_SIZE);
        }
    }

    /** Flushes the derived files (when a segment is sealed, and on close). */
    public void forceDerived() throws IOException {
        index.force(false);
        for (FileChannel level : levels) {
            level.force(false);
        }
    }

    public static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            at += channel.write(buffer, at);
        }
    }

    /** Flushes a directory, so that files created or renamed in it survive a crash. */
    public static void forceDirectory(Path directory) throws IOException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Writes {@code text} to {@code target} atomically and durably (temp file, fsync, rename, fsync dir). */
    public static void writeAtomically(Path target, String text) throws IOException {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(channel, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        forceDirectory(target.getParent());
    }

    /**
     * Reads one of the log's small text files ({@code origin}, {@code checkpoint}), or null when
     * it does not exist. It is decoded strictly: bytes that are not UTF-8 are evidence that the
     * file was changed or damaged, and are refused, never replaced.
     *
     * @param what the file, as a message names it (e.g. "origin file (the log's name)")
     * @throws CheckpointException ({@link CheckpointException.Code#MALFORMED}) naming the file and
     *     the offset and value of the first byte that is not UTF-8: the code {@code verify} reports
     *     both files under ({@code CHECKPOINT_MALFORMED}), as the origin is the name every
     *     checkpoint must carry
     * @throws AuditException if the file cannot be read
     */
    public static String readText(Path path, String what) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new AuditException("cannot read the " + what + " " + path + ": " + e.getMessage(), e);
        }
        try {
            return StrictUtf8.decode(bytes);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(CheckpointException.Code.MALFORMED, "the " + what + " " + path + " is "
                    + e.getMessage() + ": it was changed or damaged; the log is left as it is: run 'portcullis audit verify'");
        }
    }

    @Override
    public void close() {
        closeQuietly(index);
        for (FileChannel level : levels) {
            closeQuietly(level);
        }
        readChannels.values().forEach(LogFiles::closeQuietly);
        readChannels.clear();
    }

    public void forgetReadChannel(long first) {
        FileChannel channel = readChannels.remove(first);
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Closing a read channel cannot lose data.
            }
        }
    }
}
