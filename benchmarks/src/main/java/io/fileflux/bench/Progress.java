package io.fileflux.bench;

import java.io.PrintStream;

/**
 * A one-line progress bar on a terminal ({@code [#####.....] 12/48 label}); when output is redirected
 * ({@code System.console() == null}) only the phase titles and notes, no bar. Not thread-safe: the harness drives it from one thread.
 */
final class Progress {

    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean terminal;
    private final boolean enabled;
    private int total;
    private int done;

    Progress(PrintStream out, boolean enabled) {
        this.out = out;
        this.terminal = System.console() != null;
        this.enabled = enabled;
    }

    /** Starts a new phase of {@code steps} steps. */
    void phase(String title, int steps) {
        total = steps;
        done = 0;
        if (enabled) {
            finishLine();
            out.println(title);
        }
    }

    /** Reports that the step named {@code label} starts. */
    void step(String label) {
        done++;
        if (!enabled || !terminal) {
            return; // a bar only on a terminal: redirected output (a log, CI) gets the phase titles alone
        }
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        String line = "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + done + "/" + total + " " + label;
        if (terminal) {
            out.print("\r" + String.format("%-110s", line.length() > 110 ? line.substring(0, 110) : line));
            out.flush();
        } else {
            out.println(line);
        }
    }

    /** Ends the current bar's line. */
    void finishLine() {
        if (enabled && terminal && total > 0) {
            out.println();
            total = 0;
        }
    }

    /** Prints a message on its own line. */
    void note(String message) {
        if (enabled) {
            finishLine();
            out.println(message);
        }
    }
}
