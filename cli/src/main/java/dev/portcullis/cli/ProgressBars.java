package dev.portcullis.cli;

import java.io.Console;
import java.lang.reflect.Method;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * The progress bars of long commands, drawn on standard error, and whether to draw one.
 *
 * <p>A bar is redrawn with carriage returns several times a second: on a terminal that is one
 * line that moves, in a CI log or a file it is a line of clutter per redraw. So unless the
 * operator says {@code --progress} or {@code --no-progress}, a bar is drawn only when standard
 * error is a terminal.
 */
public final class ProgressBars {

    /**
     * Set by {@code bin/portcullis}, which can ask the shell whether standard error is a terminal
     * ({@code -t 2}); the JDK can only say whether the console is one.
     */
    static final String STDERR_IS_TERMINAL_PROPERTY = "portcullis.stderr.terminal";

    private ProgressBars() {
    }

    /** Whether to draw a bar: as asked ({@code --progress}/{@code --no-progress}), else only on a terminal. */
    public static boolean wanted(Boolean asked) {
        return asked != null ? asked : standardErrorIsTerminal();
    }

    /** A bar on standard error of {@code max} units ({@code -1}: not known yet), redrawn at most every {@code updateMillis}. */
    public static ProgressBar open(String task, long max, String unit, int updateMillis) {
        return new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setUnit(unit, 1)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err))
                .setUpdateIntervalMillis(updateMillis).build();
    }

    static boolean standardErrorIsTerminal() {
        String told = System.getProperty(STDERR_IS_TERMINAL_PROPERTY);
        if (told != null) {
            return Boolean.parseBoolean(told);
        }
        Console console = System.console();
        return console != null && consoleIsTerminal(console);
    }

    /**
     * Since JDK 22 {@code System.console()} returns a console even when the streams are redirected,
     * and {@code Console.isTerminal()} tells; on JDK 21, which this CLI is built for, a console
     * exists only on a terminal and the method does not.
     */
    private static boolean consoleIsTerminal(Console console) {
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }
}
