package dev.portcullis.bench.audit;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The cost of one {@code fdatasync} after one write, on a file that grows with each write against
 * files whose space was prepared first: the question preallocated segments answer. Kinds, run in
 * turns, each on a fresh file in DIR:
 *
 * <ul>
 *   <li>{@code growing}: each write extends the file (what a segment did before preallocation);</li>
 *   <li>{@code zeros}: the file was filled with zeros and flushed first (what the writer does now);</li>
 *   <li>{@code sparse}: {@code RandomAccessFile.setLength} first, so the blocks are not allocated.</li>
 * </ul>
 *
 * Each round writes N blocks of SIZE bytes one after the other, each followed by
 * {@code FileChannel.force(false)} ({@code fdatasync}), and prints the median and 90th percentile
 * of the flush alone. Run: {@code java -cp bench/target/benchmarks.jar
 * dev.portcullis.bench.audit.FlushLatency [N] [SIZE] [ROUNDS] [DIR]} (defaults 1000 65536 3, a
 * temporary directory).
 */
public final class FlushLatency {

    private FlushLatency() {
    }

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int size = args.length > 1 ? Integer.parseInt(args[1]) : 65536;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        Path dir = args.length > 3 ? Files.createTempDirectory(Path.of(args[3]), "flush-latency")
                : Files.createTempDirectory("flush-latency");
        byte[] block = new byte[size];
        Arrays.fill(block, (byte) 'x');
        long length = (long) n * size;
        for (int r = 1; r <= rounds; r++) {
            for (String kind : new String[] {"growing", "zeros", "sparse"}) {
                Path file = dir.resolve(kind + ".dat");
                Files.deleteIfExists(file);
                prepare(file, kind, length);
                long[] nanos = new long[n];
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                    for (int i = 0; i < n; i++) {
                        ByteBuffer buffer = ByteBuffer.wrap(block);
                        long position = (long) i * size;
                        while (buffer.hasRemaining()) {
                            position += channel.write(buffer, position);
                        }
                        long start = System.nanoTime();
                        channel.force(false);
                        nanos[i] = System.nanoTime() - start;
                    }
                }
                Files.delete(file);
                Arrays.sort(nanos);
                System.out.printf("round %d %-8s %d writes of %d bytes: fdatasync median %.1f µs, p90 %.1f µs%n", r, kind,
                        n, size, nanos[n / 2] / 1000.0, nanos[n * 9 / 10] / 1000.0);
            }
        }
        Files.delete(dir);
    }

    private static void prepare(Path file, String kind, long length) throws Exception {
        switch (kind) {
            case "growing" -> Files.createFile(file);
            case "sparse" -> {
                try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                    raf.setLength(length);
                    raf.getFD().sync();
                }
            }
            default -> {
                try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
                    for (long position = 0; position < length; ) {
                        zeros.clear().limit((int) Math.min(zeros.capacity(), length - position));
                        position += channel.write(zeros, position);
                    }
                    channel.force(true);
                }
            }
        }
    }
}
