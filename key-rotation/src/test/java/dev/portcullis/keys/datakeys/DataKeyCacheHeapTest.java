package dev.portcullis.keys.datakeys;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;

import com.sun.management.HotSpotDiagnosticMXBean;

import dev.portcullis.keys.KeyWrapper;
import dev.portcullis.keys.SecretBytes;
import dev.portcullis.keys.WrappedKey;

/**
 * What the cache leaves in memory: once every holder of a data key closed it and the cache was
 * closed, no copy of the key's bytes may remain anywhere in the heap, garbage included (a heap
 * dump with unreachable objects, searched for the key). An earlier version left one unwiped
 * intermediate copy per cache hit.
 */
class DataKeyCacheHeapTest {

    /** A recognisable 32-byte key (all bytes different) that nothing else holds; in every dump once, as itself. */
    private static final byte[] KEY = new byte[32];

    static {
        for (int i = 0; i < KEY.length; i++) {
            KEY[i] = (byte) (i * 37 + 101);
        }
    }

    private static byte[] key() {
        return KEY.clone();
    }

    /**
     * How often {@link #KEY}'s bytes occur in a dump of the whole heap, unreachable objects included.
     * The dump is read through an off-heap buffer, so that reading one dump puts no copy of the key
     * into the heap that the next dump would count.
     */
    private static long copiesInHeap() throws IOException {
        Path dump = Files.createTempFile("data-key-cache-", ".hprof");
        Files.delete(dump);
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(dump.toString(), false);
        long found = 0;
        try (FileChannel channel = FileChannel.open(dump, StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
            int matched = 0; // KEY's bytes are all different, so a mismatch restarts the match at this byte
            while (channel.read(buffer.clear()) > 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    matched = b == KEY[matched] ? matched + 1 : b == KEY[0] ? 1 : 0;
                    if (matched == KEY.length) {
                        found++;
                        matched = 0;
                    }
                }
            }
        } finally {
            Files.deleteIfExists(dump);
        }
        return found;
    }

    @Test
    void closeWhenEveryHolderClosedItsKeyThenNoCopyOfTheKeyIsLeftInTheHeap() throws IOException {
        WrappedKey wrapped = new WrappedKey("k", 1, "vault:v1:AAAA".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        KeyWrapper wrapper = new KeyWrapper() {
            @Override
            public WrappedKey wrap(String kek, SecretBytes plaintext, byte[] associatedData) {
                return wrapped;
            }

            @Override
            public SecretBytes unwrap(WrappedKey key, byte[] associatedData) {
                return SecretBytes.adopt(key());
            }

            @Override
            public WrappedKey rewrap(WrappedKey key, byte[] associatedData) {
                return key;
            }
        };
        long before = copiesInHeap();
        DataKeyCache cache = DataKeyCache.builder((kek, ad) -> new DataKey(SecretBytes.adopt(key()), wrapped), wrapper).build();
        for (int i = 0; i < 50; i++) {
            try (DataKey encryption = cache.forEncryption("k", new byte[] {1})) {
                assertThat(encryption.plaintext().length()).isEqualTo(32);
            }
            try (SecretBytes unwrapped = cache.unwrap(wrapped, new byte[] {2})) {
                assertThat(unwrapped.length()).isEqualTo(32);
            }
        }
        cache.close();

        assertThat(copiesInHeap()).as("copies of the key left after 100 uses, every holder closed").isEqualTo(before);
    }
}
