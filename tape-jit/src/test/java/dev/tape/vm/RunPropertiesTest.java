package dev.tape.vm;

import dev.tape.jit.Jit;
import dev.tape.fuzz.FuzzArgs;
import dev.tape.fuzz.FuzzChecks;
import dev.tape.fuzz.FuzzHost;
import dev.tape.gen.ValidPrograms;
import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.program.Program;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The exact semantics of {@link Run} on random valid programs ({@link ValidPrograms}, host
 * {@link FuzzHost}), on both tiers: a run given its fuel in random slices, interrupted before random
 * resumes and from inside random host calls, suspended in random host calls (the test then gives
 * the results the host computed), and stepped by random instruction budgets, ends exactly as the
 * one-shot interpreted run given the same total fuel: the same results or trap (kind, code,
 * function, pc, span, stack, message, fuel left), fuel left, host calls, heap bytes, scanned bytes,
 * copy units, and the same host calls as the host saw them (symbol, arguments, fuel it was told
 * it had, caller pc).
 */
class RunPropertiesTest {
    private static final Limits LIMITS = FuzzChecks.LIMITS;

    /** Host calls as the host saw them; may suspend or interrupt the current run at chosen calls. */
    static final class Driven implements Host {
        final List<String> seen = new ArrayList<>();
        /** decides, per call, whether to suspend (s) or interrupt (i), or neither */
        SplittableRandom rnd;
        Run run;
        /** the fuel given to the run so far (what it has used is this less the fuel left) */
        long given;
        List<Value> pending;
        int suspensions;
        int interrupts;

        @Override
        public HostFunction resolve(String symbol, long sigHash, List<ValueType> args, List<ValueType> rets) {
            HostFunction fn = FuzzHost.INSTANCE.resolve(symbol, sigHash, args, rets);
            if (fn == null) {
                return null;
            }
            return (a, out, ctx) -> {
                List<String> texts = new ArrayList<>();
                for (Value v : a) {
                    texts.add(ValueLiteral.format(v));
                }
                seen.add(symbol + texts + " used " + (given - ctx.fuelRemaining()) + " at "
                        + ctx.callerFunction() + ":" + ctx.callerPc());
                fn.call(a, out, ctx);
                if (rnd == null) {
                    return;
                }
                int pick = rnd.nextInt(4);
                if (pick == 0 && ctx.canSuspend() && typed(out, rets)) {
                    pending = List.of(out.clone());
                    suspensions++;
                    ctx.suspend();
                } else if (pick == 1 && run != null) {
                    interrupts++;
                    run.interrupt();
                }
            };
        }

        private static boolean typed(Value[] out, List<ValueType> rets) {
            for (int i = 0; i < out.length; i++) {
                if (out[i] == null || !out[i].type().equals(rets.get(i))) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A run's whole outcome as text. */
    static String describe(Outcome o, ExecutionContext ctx, Driven host) {
        long given = host.given;
        StringBuilder b = new StringBuilder(valuesOrTrap(o));
        if (o instanceof Outcome.Trapped tr) {
            b.append(" trap used ").append(given - tr.trap().fuelRemaining());
        }
        b.append(" used ").append(given - ctx.fuelRemaining()).append(" host ")
                .append(ctx.hostCallsMade()).append(" heap ").append(ctx.heapBytesAllocated())
                // the scan and copy budgets' counters: a snapshot carries them, and past its budget
                // each traps, so no way of running may count them differently
                .append(" scanned ").append(ctx.scannedBytes).append(" copied ").append(ctx.copiedUnits)
                .append(" seen ").append(host.seen);
        return b.toString();
    }

    /** A finished run's values ("ok [...]", as literals) or its trap ({@link #trapText}). */
    static String valuesOrTrap(Outcome o) {
        if (o instanceof Outcome.Done d) {
            List<String> texts = new ArrayList<>();
            for (Value v : d.values()) {
                texts.add(ValueLiteral.format(v));
            }
            return "ok " + texts;
        }
        return trapText(((Outcome.Trapped) o).trap());
    }

    static String trapText(Trap t) {
        return "trap " + t.kind() + " code " + t.code() + " at " + t.func() + "/" + t.funcName() + " pc " + t.pc()
                + " span " + t.span() + " sym " + t.hostSymbol() + " " + t.sigHash() + " stack " + t.stack()
                + " elided " + t.elidedFrames() + " msg " + t.getMessage();
    }

    /** The one-shot run, as the reference of every other way. */
    static String oneShot(VerifiedProgram p, int entry, List<Value> args, Limits limits) {
        Driven host = new Driven();
        host.given = limits.fuel();
        Vm vm = new Vm(p, host);
        ExecutionContext ctx = new ExecutionContext();
        Outcome o;
        try {
            o = new Outcome.Done(vm.run(ctx, entry, args, limits, null));
        } catch (Trap t) {
            o = new Outcome.Trapped(t);
        }
        return describe(o, ctx, host);
    }

    /**
     * The same run through {@link Run}: first given {@code first} fuel, then random slices until
     * {@code total} was given; random interrupts, suspensions and step budgets on the way.
     */
    static String sliced(VerifiedProgram p, boolean jit, int entry, List<Value> args, Limits limits, long seed,
                         int[] pauses) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Driven host = new Driven();
        host.rnd = new SplittableRandom(seed ^ 0x5DEECE66DL);
        Vm vm = jit ? Jit.compile(p, host) : new Vm(p, host);
        if (jit && rnd.nextBoolean()) {
            Jit.precompile(vm);
        }
        long total = limits.fuel();
        long maxSlice = Math.max(1, total / (1 + rnd.nextInt(40)));
        long given = Math.min(total, rnd.nextLong(maxSlice + 1));
        ExecutionContext ctx = new ExecutionContext();
        host.given = given;
        Run run = vm.start(ctx, entry, args, limits.withFuel(given), null);
        host.run = run;
        Outcome o;
        if (rnd.nextInt(4) == 0) {
            run.interrupt();
        }
        o = rnd.nextInt(3) == 0 ? run.step(rnd.nextInt(50)) : run.resume();
        for (int guard = 0; o instanceof Outcome.Paused paused; guard++) {
            assertTrue(guard < 100_000, "too many pauses");
            pauses[0]++;
            PauseReason r = paused.reason();
            if (r instanceof PauseReason.FuelExhausted) {
                assertEquals(0, run.fuelRemaining());
                if (given != total) {
                    long slice = Math.min(total - given, 1 + rnd.nextLong(maxSlice));
                    run.addFuel(slice);
                    given += slice;
                    host.given = given;
                }
                // with all the fuel given, the next resume ends the run with the fuel trap
            }
            if (rnd.nextInt(8) == 0) {
                run.interrupt();
            }
            if (r instanceof PauseReason.HostSuspended) {
                List<Value> results = host.pending;
                o = run.resumeWith(results);
            } else {
                o = rnd.nextInt(3) == 0 ? run.step(rnd.nextInt(100)) : run.resume();
            }
        }
        assertTrue(run.ended());
        assertEquals(o, run.resume(), "an ended run gives its outcome again");
        pauses[1] += host.suspensions;
        return describe(o, ctx, host);
    }

    @Property(tries = 300)
    void aRunPausedAnywhereEndsAsTheOneShotRun(@ForAll long seed, @ForAll long runSeed) throws Exception {
        Program prog = ValidPrograms.program(seed);
        VerifiedProgram p = Verifier.verifyWithShapesAcrossBlocks(prog);
        int n = prog.functions().size();
        int entry = Math.floorMod(runSeed, n);
        List<Value> args = FuzzArgs.forFunction(prog, entry, runSeed);
        String full = oneShot(p, entry, args, LIMITS);
        assertTrue(!full.contains("INTERNAL_ERROR"), full);
        // the fuel the run used, and a random total at or below it (so fuel_exceeded comes up too)
        long used = Long.parseLong(full.replaceAll("(?s).* used (-?\\d+) host .*", "$1"));
        SplittableRandom rnd = new SplittableRandom(runSeed);
        long total = rnd.nextInt(3) == 0 && used > 0 ? rnd.nextLong(used) : LIMITS.fuel();
        Limits limits = LIMITS.withFuel(total);
        String expected = total == LIMITS.fuel() ? full : oneShot(p, entry, args, limits);
        int[] pauses = new int[2];
        for (boolean jit : new boolean[] {false, true}) {
            String got = sliced(p, jit, entry, args, limits, runSeed + (jit ? 1 : 0), pauses);
            assertEquals(expected, got, (jit ? "compiled" : "interpreted") + " seed " + seed + " run " + runSeed
                    + " total fuel " + total);
        }
        Statistics.label("outcome").collect(expected.startsWith("ok") ? "result"
                : expected.replaceAll("trap (\\w+).*", "$1"));
        Statistics.label("pauses").collect(pauses[0] == 0 ? "0" : pauses[0] < 10 ? "1-9" : "10+");
        Statistics.label("host suspensions").collect(pauses[1] > 0 ? "some" : "none");
        assertNotEquals(0, used + 1);
    }
}
