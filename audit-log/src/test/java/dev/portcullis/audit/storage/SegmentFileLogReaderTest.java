package dev.portcullis.audit.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.portcullis.audit.LogEntry;
import dev.portcullis.audit.checkpoint.CheckpointException;
import dev.portcullis.audit.checkpoint.LocalEd25519CheckpointSigner;
import dev.portcullis.audit.testing.TestEvents;

class SegmentFileLogReaderTest {

    static final String ORIGIN = "portcullis.test/audit/node-1";

    @TempDir
    Path dir;

    private void appendThree() {
        try (SegmentFileAuditLog log = SegmentFileAuditLog.builder(dir, ORIGIN,
                LocalEd25519CheckpointSigner.generate(ORIGIN, new SecureRandom()))
                .checkpointInterval(Duration.ofHours(1)).open()) {
            for (int i = 0; i < 3; i++) {
                log.append(TestEvents.decision(i));
            }
        }
    }

    @Test
    void readReturnsTheEntriesFromTheIndexOn() {
        appendThree();
        try (SegmentFileLogReader reader = SegmentFileLogReader.open(dir)) {
            assertThat(reader.read(1, 10)).extracting(LogEntry::index).containsExactly(1L, 2L);
            assertThat(reader.read(0, 1).get(0).event().id()).isEqualTo(TestEvents.decision(0).id());
        }
    }

    @Test
    void readWhenIndexOrCountIsNegativeThenRejectsItAsTheStoresDo() {
        appendThree();
        try (SegmentFileLogReader reader = SegmentFileLogReader.open(dir)) {
            assertThatThrownBy(() -> reader.read(-1, 2)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot be negative");
            assertThatThrownBy(() -> reader.read(0, -1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("cannot be negative");
        }
    }

    @Test
    void openWhenTheOriginFileIsNotUtf8ThenRefusesItAsMalformedNamingTheByte() throws IOException {
        appendThree();
        byte[] origin = Files.readAllBytes(dir.resolve("origin"));
        origin[2] = (byte) 0xc0;
        Files.write(dir.resolve("origin"), origin);

        for (ThrowingCallable opening : List.<ThrowingCallable>of(() -> SegmentFileLogReader.open(dir).close(),
                () -> SegmentFileLogReader.originOf(dir))) {
            assertThatThrownBy(opening).isInstanceOfSatisfying(CheckpointException.class,
                            e -> assertThat(e.code()).isEqualTo(CheckpointException.Code.MALFORMED))
                    .hasMessageContaining("origin file (the log's name) " + dir.resolve("origin"))
                    .hasMessageContaining("not UTF-8 text: byte 0xc0 at offset 2");
        }
        assertThat(Files.readAllBytes(dir.resolve("origin"))).isEqualTo(origin);
    }

    @Test
    void latestCheckpointWhenItsFileIsNotUtf8ThenRefusesItAsMalformed() throws IOException {
        appendThree();
        Path file = dir.resolve("checkpoint");
        byte[] checkpoint = Files.readAllBytes(file);
        checkpoint[checkpoint.length - 2] = (byte) 0xff;
        Files.write(file, checkpoint);

        try (SegmentFileLogReader reader = SegmentFileLogReader.open(dir)) {
            assertThatThrownBy(reader::latestCheckpoint).isInstanceOfSatisfying(CheckpointException.class,
                            e -> assertThat(e.code()).isEqualTo(CheckpointException.Code.MALFORMED))
                    .hasMessageContaining("latest checkpoint file " + file)
                    .hasMessageContaining("not UTF-8 text: byte 0xff at offset " + (checkpoint.length - 2));
        }
    }
}
