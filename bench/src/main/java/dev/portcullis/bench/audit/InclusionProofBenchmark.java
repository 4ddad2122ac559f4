package dev.portcullis.bench.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import dev.portcullis.audit.storage.internal.LogFiles;
import dev.portcullis.audit.tree.CompactRange;
import dev.portcullis.audit.tree.MerkleMath;
import dev.portcullis.audit.tree.Rfc6962;
import dev.portcullis.audit.verify.InclusionProof;
import dev.portcullis.audit.verify.ProofVerifier;

/**
 * An inclusion proof built from the segment store's stored tree (leaf hashes and every 4th level,
 * read with positional reads through {@link LogFiles}) and verified, at 10 M entries. The tree
 * files are generated from synthetic leaf hashes exactly as the writer lays them out; proofs touch
 * only these files, never the records, so the records are not written (that would be ~5 GB).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
@State(Scope.Benchmark)
public class InclusionProofBenchmark {

    @Param({"10000000"})
    long entries;

    Path dir;
    LogFiles files;
    byte[] root;

    @Setup(Level.Trial)
    public void buildTree() throws IOException {
        String base = System.getProperty("bench.dir");
        dir = base == null ? Files.createTempDirectory("audit-proof") : Files.createTempDirectory(Path.of(base), "audit-proof");
        Files.createDirectories(dir.resolve("tree"));
        Files.createDirectories(dir.resolve("segments"));
        Files.writeString(dir.resolve("origin"), "bench\n");
        Files.createFile(dir.resolve("index"));
        int tile = LogFiles.TILE_HEIGHT;
        int stored = 64 / tile;
        FileChannel[] levels = new FileChannel[stored];
        ByteBuffer[] buffers = new ByteBuffer[stored];
        for (int i = 0; i < stored; i++) {
            levels[i] = FileChannel.open(dir.resolve("tree").resolve(String.format("level-%02d", i * tile)),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            buffers[i] = ByteBuffer.allocate(1 << 20);
        }
        CompactRange range = new CompactRange();
        for (long i = 0; i < entries; i++) {
            byte[] leaf = Rfc6962.leafHash(("entry " + i).getBytes(StandardCharsets.UTF_8));
            range.append(leaf, (level, index, hash) -> {
                if (level % tile == 0) {
                    ByteBuffer b = buffers[level / tile];
                    b.put(hash);
                    if (!b.hasRemaining()) {
                        flush(levels[level / tile], b);
                    }
                }
            });
        }
        for (int i = 0; i < stored; i++) {
            flush(levels[i], buffers[i]);
            levels[i].close();
        }
        root = range.rootHash();
        files = LogFiles.openReadOnly(dir);
    }

    private static void flush(FileChannel channel, ByteBuffer buffer) {
        try {
            buffer.flip();
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            buffer.clear();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
        files.close();
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public boolean buildAndVerifyInclusionProof() {
        long index = ThreadLocalRandom.current().nextLong(entries);
        List<byte[]> path = MerkleMath.inclusionProof(index, entries, files);
        return ProofVerifier.isValidInclusion(files.leafHash(index), new InclusionProof(index, entries, path), root);
    }
}
