package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.ProgramBuilder;
import dev.tape.verify.Verifier;

import java.util.HexFormat;
import java.util.List;

import static dev.tape.program.ValueType.I64;

/**
 * The program of {@link SnapshotMemoryTest}, run in the class loader that test makes: function 0
 * makes a tuple of two words, reads one back and returns it, paused after {@link #STEPS}
 * instructions (the tuple live), so a snapshot holds a frame and a reference value. Every entry
 * returns the outcome as text and any {@code Throwable} that leaves tape as {@code "escaped "} and
 * its class, so that the test sees what an embedder would.
 */
public final class SnapshotMemoryProbe {
    private SnapshotMemoryProbe() {}

    /** the instructions run before the pause */
    public static final long STEPS = 3;

    /** the context {@link #restore} restores into, call after call: a failed restore must leave it usable */
    private static final ExecutionContext CTX = new ExecutionContext();

    private static Vm vm() {
        ProgramBuilder pb = new ProgramBuilder();
        FunctionBuilder main = pb.addFunction(List.of(), List.of(I64));
        main.constI64(1, 20).constI64(2, 22).tupleNew(3, 1, 2).tupleGet(4, 3, 1).ret(0, 4);
        return new Vm(Verifier.verify(pb.build()), new HostRegistry());
    }

    /** @return the run, paused after {@link #STEPS} instructions */
    private static Run paused() {
        Run run = vm().start(0, List.of(), Limits.DEFAULT);
        if (!(run.step(STEPS) instanceof Outcome.Paused)) {
            throw new IllegalStateException("the run did not pause");
        }
        return run;
    }

    /** @return the paused run's snapshot, as hex, or what left {@link Run#snapshot()} */
    public static String write() {
        Run run = paused();
        try {
            return HexFormat.of().formatHex(run.snapshot());
        } catch (SnapshotException e) {
            return e.getMessage();
        } catch (Throwable t) {
            return "escaped " + t.getClass().getName();
        }
    }

    /**
     * @param hex a snapshot, as hex
     * @return the outcome of the run restored from it (into one context, call after call) and
     *     resumed, or what left {@link Vm#restore}
     */
    public static String restore(String hex) {
        Vm vm = vm();
        Run run;
        try {
            run = vm.restore(CTX, HexFormat.of().parseHex(hex), null, null);
        } catch (SnapshotException e) {
            return e.getMessage();
        } catch (Throwable t) {
            return "escaped " + t.getClass().getName();
        }
        return String.valueOf(run.resume());
    }

    /** @return the outcome of a run restored with {@link Vm#restore(byte[])} and resumed, or what left it */
    public static String restoreFresh(String hex) {
        Run run;
        try {
            run = vm().restore(HexFormat.of().parseHex(hex));
        } catch (SnapshotException e) {
            return e.getMessage();
        } catch (Throwable t) {
            return "escaped " + t.getClass().getName();
        }
        return String.valueOf(run.resume());
    }

    /** @return a straight run's outcome, for comparison */
    public static String whole() {
        return String.valueOf(vm().start(0, List.of(), Limits.DEFAULT).resume());
    }
}
