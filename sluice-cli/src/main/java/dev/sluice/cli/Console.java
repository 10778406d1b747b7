package dev.sluice.cli;

import java.io.PrintStream;

/** The CLI's output layer: the only place Sluice writes to the terminal. */
final class Console {
    private static PrintStream out = System.out;
    private static PrintStream err = System.err;

    private Console() {}

    static void print(String line) {
        out.println(line);
        out.flush();
    }

    static void error(String line) {
        err.println(line);
        err.flush();
    }

    /** Redirects output, for tests. */
    static void redirect(PrintStream stdout, PrintStream stderr) {
        out = stdout;
        err = stderr;
    }
}
