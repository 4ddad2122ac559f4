package dev.portcullis.audit.storage.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.portcullis.audit.AuditException;
import dev.portcullis.audit.checkpoint.Checkpoint;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.checkpoint.SignedCheckpoint;
import dev.portcullis.audit.tree.CompactRange;
import dev.portcullis.audit.tree.Rfc6962;

class CheckpointKeeperTest {

    private static final String ORIGIN = "portcullis.test/audit/keeper";

    private final LocalEd25519CheckpointSigner signer = LocalEd25519CheckpointSigner.generate(ORIGIN, new SecureRandom());
    private final CompactRange tree = new CompactRange();
    private final List<SignedCheckpoint> stored = new ArrayList<>();

    private void grow(int leaves) {
        for (int i = 0; i < leaves; i++) {
            tree.append(Rfc6962.leafHash(("entry " + tree.size()).getBytes(StandardCharsets.UTF_8)), null);
        }
    }

    private CheckpointKeeper keeper(Runnable flush, CheckpointKeeper.Store store) {
        return new CheckpointKeeper(ORIGIN, signer, tree::copy, flush, store);
    }

    @Test
    void signsThePublishedTreeOnceAndPersistsItBeforeItIsTheLatest() {
        CheckpointKeeper keeper = keeper(() -> { }, stored::add);
        grow(3);
        assertThat(keeper.latest()).isEmpty();
        assertThat(keeper.isBehind(3)).isTrue();

        SignedCheckpoint first = keeper.checkpoint();

        assertThat(first.checkpoint().origin()).isEqualTo(ORIGIN);
        assertThat(first.checkpoint().size()).isEqualTo(3);
        assertThat(first.checkpoint().rootHash()).isEqualTo(tree.rootHash());
        assertThat(stored).containsExactly(first);
        assertThat(keeper.latest()).contains(first);
        assertThat(keeper.isBehind(3)).isFalse();
        assertThat(keeper.isBehind(4)).isTrue();
        // Nothing new: the same checkpoint, not signed or stored again.
        assertThat(keeper.checkpoint()).isSameAs(first);
        assertThat(stored).hasSize(1);

        grow(2);
        assertThat(keeper.checkpoint().checkpoint().size()).isEqualTo(5);
        assertThat(stored).hasSize(2);
    }

    @Test
    void aCheckpointTheStoreCouldNotPersistIsNotTheLatest() {
        CheckpointKeeper keeper = keeper(() -> { }, signed -> {
            throw new AuditException("disk full");
        });
        grow(1);

        assertThatThrownBy(keeper::checkpoint).isInstanceOf(AuditException.class).hasMessage("disk full");
        assertThat(keeper.latest()).isEmpty();
    }

    @Test
    void flushesBeforeSigningAndKeepsARestoredCheckpoint() {
        AtomicInteger flushes = new AtomicInteger();
        CheckpointKeeper keeper = keeper(flushes::incrementAndGet, stored::add);
        grow(2);
        SignedCheckpoint restored = SignedCheckpoint.sign(new Checkpoint(ORIGIN, 2, tree.rootHash()), signer);
        keeper.restore(restored);

        assertThat(keeper.checkpoint()).isSameAs(restored);
        assertThat(flushes).hasValue(1);
        assertThat(stored).isEmpty();
    }

    @Test
    void theIntervalIsAtLeastTenMilliseconds() {
        CheckpointKeeper.checkInterval(Duration.ofMillis(10));
        assertThatThrownBy(() -> CheckpointKeeper.checkInterval(Duration.ofMillis(9)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("checkpointInterval must be at least 10 ms, was PT0.009S");
    }
}
