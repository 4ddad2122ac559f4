package dev.portcullis.scan;

import java.time.Duration;

/** Receives the scan's progress, step by step (the CLI prints it on standard error). */
public interface ScanProgress {

    /** Ignores progress. */
    ScanProgress NONE = new ScanProgress() {
        @Override
        public void started(int step, int steps, String what) {
        }

        @Override
        public void finished(int step, int steps, String what, Duration took) {
        }
    };

    /** Step {@code step} of {@code steps} (from 1) has started. */
    void started(int step, int steps, String what);

    /** Step {@code step} has finished after {@code took}. */
    void finished(int step, int steps, String what, Duration took);
}
