package dev.portcullis.cli.anomalies;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import dev.portcullis.anomaly.Thresholds;
import dev.portcullis.cli.CouldNotRunException;

/** Helpers shared by the anomalies commands. */
final class AnomalyOptions {

    private AnomalyOptions() {
    }

    static Thresholds thresholds(Path file) {
        if (file == null) {
            return Thresholds.defaults();
        }
        try {
            return Thresholds.load(file);
        } catch (NoSuchFileException e) {
            throw new CouldNotRunException("thresholds file " + file + " does not exist");
        } catch (IOException | IllegalArgumentException e) {
            throw new CouldNotRunException("cannot read thresholds file " + file + ": " + e.getMessage());
        }
    }

    static String clip(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    static String join(List<Long> numbers, int max) {
        return numbers.stream().limit(max).map(String::valueOf).collect(Collectors.joining(", "));
    }
}
