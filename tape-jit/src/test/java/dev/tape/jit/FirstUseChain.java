package dev.tape.jit;

import dev.tape.TapeException;
import dev.tape.host.ConformanceHost;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifyException;
import dev.tape.vm.Limits;
import dev.tape.vm.Outcome;
import dev.tape.vm.Run;
import dev.tape.vm.Trap;
import dev.tape.vm.TrapKind;
import dev.tape.vm.Vm;
import dev.tape.vm.VmOptions;

import java.util.ArrayList;
import java.util.List;

/**
 * For {@code FirstUseDeepTest}, loaded in a class loader of its own: tape's public entries, in the
 * order an embedder calls them, on a list of programs, as numbered stages that {@link #advance()}
 * runs from the first not yet done, so that the test can run the first ones with a full stack
 * ({@link #prepare}) and the rest from every depth of an exhausted stack ({@link #fromEveryDepth()}).
 * A stage that throws (or whose run reports the {@code StackOverflowError} it caught, an
 * {@link TrapKind#INTERNAL_ERROR} trap) is not done and is tried again one frame higher.
 *
 * <p>The stages, per program: decode, verify, make the interpreted VM, run it, compile it
 * ({@link Jit#compile}), run that, then on each VM: start a run with little fuel and resume it (a
 * pause), snapshot it, restore the snapshot and resume it with all the fuel. {@link #transcript()}
 * tells every result, trap (kind, code, function, pc, span) and fuel left.
 */
final class FirstUseChain {
    private FirstUseChain() {}

    /** the stages per program */
    static final int STAGES = 12;
    /** the fuel of the paused runs' first slice */
    private static final long SLICE = 7;

    private static byte[][] bytes;
    private static int[] next;
    private static Program[] programs;
    private static VerifiedProgram[] verified;
    private static Vm[][] vms;
    private static List<List<Value>> args;
    private static Run[][] runs;
    private static byte[][][] snapshots;
    private static String[][] said;
    private static int failed;
    /** what the last call that threw threw */
    private static Throwable lastFailure;

    /**
     * Starts over with these programs (no stage done).
     *
     * @param programs the programs' bytes
     */
    static void reset(byte[][] programs) {
        int n = programs.length;
        bytes = programs;
        next = new int[n];
        FirstUseChain.programs = new Program[n];
        verified = new VerifiedProgram[n];
        vms = new Vm[n][2];
        args = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            args.add(null);
        }
        runs = new Run[n][2];
        snapshots = new byte[n][2][];
        said = new String[n][STAGES];
        failed = 0;
    }

    /**
     * Runs every stage before {@code stage} of every program, with the caller's stack.
     *
     * @param stage the first stage left for later
     */
    static void prepare(int stage) {
        for (int p = 0; p < bytes.length; p++) {
            while (next[p] < stage) {
                step(p);
            }
        }
    }

    /**
     * Recurses until the stack overflows, then runs {@link #advance()} at each depth on the way back,
     * until every stage is done.
     *
     * @return how many of those calls threw
     */
    static int fromEveryDepth() {
        failed = 0;
        down();
        return failed;
    }

    private static void down() {
        try {
            down();
        } catch (StackOverflowError e) {
            // the bottom: from here up, each depth advances once
        }
        if (done()) {
            return;
        }
        try {
            advance();
        } catch (Throwable e) {
            failed++;
            lastFailure = e;
        }
    }

    /** Runs the stages left, in order, until one throws. */
    static void advance() {
        for (int p = 0; p < bytes.length; p++) {
            while (next[p] < STAGES) {
                step(p);
            }
        }
    }

    /** @return what the last call from the depths that threw threw, with its stack trace's top, or null */
    static String lastFailure() {
        if (lastFailure == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(lastFailure.toString());
        StackTraceElement[] trace = lastFailure.getStackTrace();
        for (int i = 0; i < Math.min(12, trace.length); i++) {
            b.append("\n  at ").append(trace[i]);
        }
        return b.toString();
    }

    /** @return whether every stage of every program is done */
    static boolean done() {
        for (int n : next) {
            if (n < STAGES) {
                return false;
            }
        }
        return true;
    }

    /** @return one line per program: what each stage gave */
    static String transcript() {
        StringBuilder b = new StringBuilder();
        for (String[] s : said) {
            b.append(String.join(" | ", s)).append('\n');
        }
        return b.toString();
    }

    /** Runs program {@code p}'s next stage; on success records what it gave and moves on. */
    private static void step(int p) {
        int s = next[p];
        said[p][s] = stage(p, s);
        if (next[p] == s) {
            next[p] = s + 1;
        }
    }

    private static String stage(int p, int s) {
        int tier = s < 6 ? s / 4 : (s - 6) / 3;
        switch (s) {
            case 0:
                try {
                    programs[p] = ProgramDecoder.decode(bytes[p]);
                } catch (TapeException e) {
                    next[p] = STAGES;
                    return "refused";
                }
                return "decoded " + programs[p].functions().size();
            case 1:
                try {
                    verified[p] = Verifier.verify(programs[p]);
                } catch (VerifyException e) {
                    next[p] = STAGES;
                    return "rejected";
                }
                args.set(p, argsOf(verified[p]));
                return "verified";
            case 2:
                vms[p][0] = new Vm(verified[p], new ConformanceHost(), VmOptions.DEFAULT.withLazyLinking(true));
                return "made";
            case 4:
                vms[p][1] = Jit.compile(verified[p], new ConformanceHost(), VmOptions.DEFAULT.withLazyLinking(true));
                return "compiled";
            case 3:
            case 5:
                if (args.get(p) == null) {
                    return "no args";
                }
                try {
                    return "returned " + vms[p][tier].run(0, args.get(p), Limits.DEFAULT);
                } catch (Trap t) {
                    return trap(t);
                }
            case 6:
            case 9:
                if (args.get(p) == null) {
                    return "no args";
                }
                runs[p][tier] = vms[p][tier].start(0, args.get(p), Limits.DEFAULT.withFuel(SLICE));
                return outcome(runs[p][tier], runs[p][tier].resume());
            case 7:
            case 10:
                Run r = runs[p][tier];
                if (r == null || r.ended()) {
                    return "ended";
                }
                snapshots[p][tier] = r.snapshot();
                return "saved";
            case 8:
            case 11:
                byte[] snap = snapshots[p][tier];
                if (snap == null) {
                    return "none";
                }
                Run back = vms[p][tier].restore(snap);
                back.addFuel(Limits.DEFAULT.fuel());
                return outcome(back, back.resume());
            default:
                throw new IllegalStateException("stage " + s);
        }
    }

    /** one argument per parameter of function 0, or null when a parameter has a kind this does not make */
    static List<Value> argsOf(VerifiedProgram v) {
        List<Value> out = new ArrayList<>();
        for (ValueType t : v.program().functions().get(0).sig().args()) {
            switch (t.kind()) {
                case BOOL -> out.add(Value.bool(true));
                case I64 -> out.add(Value.i64(3));
                case U64 -> out.add(Value.u64(3));
                case F64 -> out.add(Value.f64(1.5));
                default -> {
                    return null;
                }
            }
        }
        return out;
    }

    private static String outcome(Run r, Outcome o) {
        String fuel = " fuel " + r.fuelRemaining();
        if (o instanceof Outcome.Trapped t) {
            return trap(t.trap()) + fuel;
        }
        if (o instanceof Outcome.Done d) {
            return "returned " + d.values() + fuel;
        }
        return "paused " + ((Outcome.Paused) o).reason().getClass().getSimpleName() + fuel;
    }

    /** a trap's kind, code and place; throws it again when it is the JVM's error a run caught */
    private static String trap(Trap t) {
        if (t.kind() == TrapKind.INTERNAL_ERROR) {
            throw new IllegalStateException("a run caught a Java error: " + t.getMessage(), t);
        }
        return "trapped " + t.kind() + " " + t.code() + " at " + t.func() + ":" + t.pc() + " span " + t.span();
    }
}
