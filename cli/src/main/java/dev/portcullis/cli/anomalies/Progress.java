package dev.portcullis.cli.anomalies;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar on standard error, for long work, only when asked for and only when it is large enough to matter. */
final class Progress {

    private Progress() {
    }

    /** A bar of {@code max} units, or null when {@code on} is false. */
    static ProgressBar bar(boolean on, String task, long max, String unit) {
        if (!on) {
            return null;
        }
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setUnit(unit, 1)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err))
                .setUpdateIntervalMillis(500).build();
    }
}
