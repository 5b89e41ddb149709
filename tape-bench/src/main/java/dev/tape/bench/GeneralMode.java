package dev.tape.bench;

import dev.tape.value.Value;
import dev.tape.vm.Trap;

/**
 * Puts this JVM's interpreter into its general mode, the one an embedder running more than one
 * program gets: C2 compiles the interpreter's dispatch loop from the profile of the first runs and
 * drops the {@code switch} cases they never reached, so a JVM that has run only one workload may
 * hold a loop specialised to it (the fast mode); the first opcode outside that set traps, and every
 * later compile of the loop keeps all cases for the JVM's life (docs/PERFORMANCE-LOG.md, "Interpreter,
 * fourth round"). {@link #enter} forces that trap before a benchmark measures anything.
 */
final class GeneralMode {
    /** The argument of the other workloads' runs: small, so each run is short but reaches every opcode. */
    static final long SMALL_N = 3;

    private GeneralMode() {}

    /**
     * Runs, in this order: {@code measured} at its benchmark argument for at least {@code millis}
     * ms (so C2 compiles the dispatch loop from its profile alone, as in a one-workload JVM); every
     * workload, {@code measured} included, {@code runs} times on the interpreter and {@code runs}
     * times on the compiled tier at n = {@link #SMALL_N}, each result checked against the Java
     * version's (any opcode the loop was compiled without traps here); and {@code measured} again
     * for at least {@code millis} ms (so the loop is compiled again, now with every case, before the
     * caller measures). Bounded: about {@code 2 * millis} ms plus {@code 24 * runs} short runs and
     * twelve compiles.
     *
     * @param measured the workload about to be measured
     * @param millis the time of each of the two runs of {@code measured}, in ms, 0 or more
     * @param runs the runs of each workload on each tier, 1 or more
     * @return the number of runs made, all three phases together
     * @throws Trap when a run traps (none should)
     * @throws IllegalStateException when a small run's result differs from the Java version's
     */
    static long enter(Workload measured, long millis, int runs) throws Trap {
        long made = runFor(new TapeRun(measured, measured.n(), null), millis);
        for (Workload w : Workload.values()) {
            Value expected = w.java(SMALL_N);
            for (boolean compiled : new boolean[] {false, true}) {
                TapeRun run = new TapeRun(w, SMALL_N, null, compiled);
                for (int k = 0; k < runs; k++) {
                    Value got = run.run();
                    if (!got.equals(expected)) {
                        throw new IllegalStateException(w.label() + (compiled ? " compiled" : " interpreted")
                                + " at n = " + SMALL_N + " gave " + got + ", Java " + expected);
                    }
                }
                made += runs;
            }
        }
        return made + runFor(new TapeRun(measured, measured.n(), null), millis);
    }

    /** Runs {@code run} at least once and until {@code millis} ms have passed; returns the run count. */
    private static long runFor(TapeRun run, long millis) throws Trap {
        long end = System.nanoTime() + millis * 1_000_000L;
        long made = 0;
        do {
            run.run();
            made++;
        } while (System.nanoTime() - end < 0);
        return made;
    }
}
