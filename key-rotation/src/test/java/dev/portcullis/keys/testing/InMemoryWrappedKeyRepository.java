package dev.portcullis.keys.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.portcullis.keys.WrappedKey;
import dev.portcullis.keys.rotation.KeyRotationService;
import dev.portcullis.keys.rotation.StoredWrappedKey;

/** A wrapped-key store in memory, honouring the repository contract (ordered ids, atomic replace). */
public class InMemoryWrappedKeyRepository implements KeyRotationService.CountingRepository {

    private final ConcurrentSkipListMap<String, StoredWrappedKey> keys = new ConcurrentSkipListMap<>();

    public void put(String id, WrappedKey wrapped, byte[] associatedData) {
        keys.put(id, new StoredWrappedKey(id, wrapped, associatedData));
    }

    public StoredWrappedKey get(String id) {
        return keys.get(id);
    }

    public int size() {
        return keys.size();
    }

    @Override
    public List<StoredWrappedKey> findWrappedBelow(String kekName, int belowVersion, String afterId, int limit) {
        List<StoredWrappedKey> out = new ArrayList<>();
        for (StoredWrappedKey k : (afterId == null ? keys : keys.tailMap(afterId, false)).values()) {
            if (k.wrapped().kekName().equals(kekName) && k.wrapped().kekVersion() < belowVersion) {
                out.add(k);
                if (out.size() == limit) {
                    break;
                }
            }
        }
        return out;
    }

    @Override
    public long countWrappedBelow(String kekName, int belowVersion) {
        return keys.values().stream()
                .filter(k -> k.wrapped().kekName().equals(kekName) && k.wrapped().kekVersion() < belowVersion).count();
    }

    @Override
    public boolean replace(String id, WrappedKey expected, WrappedKey replacement) {
        AtomicBoolean replaced = new AtomicBoolean();
        keys.computeIfPresent(id, (k, current) -> {
            if (current.wrapped().equals(expected)) {
                replaced.set(true);
                return new StoredWrappedKey(id, replacement, current.associatedData());
            }
            return current;
        });
        return replaced.get();
    }

    @Override
    public String name() {
        return "in-memory-test-store";
    }
}
