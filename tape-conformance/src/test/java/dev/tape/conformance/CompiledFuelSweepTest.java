package dev.tape.conformance;

import dev.tape.format.DecodeException;
import dev.tape.host.ConformanceHost;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.VerifyException;
import dev.tape.verify.Verifier;
import dev.tape.vm.ExecutionContext;
import dev.tape.jit.Jit;
import dev.tape.vm.Limits;
import dev.tape.vm.Trap;
import dev.tape.vm.TrapKind;
import dev.tape.vm.Vm;
import dev.tape.vm.VmOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every reference conformance vector that verifies, run on the compiled tier ({@link Jit}) and on
 * the interpreter at the fuel limits where metering matters: none, 1, 2, half of what the
 * interpreted run used, one less, exactly that, one more, and every limit up to that when a run
 * uses 64 units or fewer. Both tiers must end the same way (the same results, bit-exact, or the
 * same trap in every detail, its call stack and message included) with the same fuel left and the
 * same host calls made.
 */
class CompiledFuelSweepTest {
    /** Lazy linking, as the conformance runner links: vectors call symbols the host lacks. */
    static final VmOptions LAZY = VmOptions.DEFAULT.withLazyLinking(true);

    /** A vector that verifies, with its program on both tiers and its arguments and limits. */
    record Vector(ConformanceCase c, Vm interpreted, Vm compiled, List<Value> args, Limits limits) {
        @Override
        public String toString() {
            return c.name();
        }
    }

    /** @return the program, verified, or null when the reference rejects it (decode or verify) */
    static VerifiedProgram load(Path dir, ConformanceCase c) throws IOException {
        byte[] bytes = Files.readAllBytes(dir.resolve(c.program()));
        Program p;
        try {
            p = ProgramDecoder.decode(bytes);
        } catch (DecodeException e) {
            return null;
        }
        try {
            return Verifier.verify(p);
        } catch (VerifyException e) {
            return null;
        }
    }

    /** @return every vector that verifies, bound to both tiers as {@link ConformanceRunner} binds them */
    static List<Vector> vectors() throws IOException {
        Path dir = ConformanceTest.dir();
        List<Vector> out = new ArrayList<>();
        for (ConformanceCase c : ConformanceTest.cases()) {
            VerifiedProgram vp = load(dir, c);
            if (vp == null) {
                continue;
            }
            List<Value> args = new ArrayList<>();
            for (String a : c.args()) {
                args.add(ValueLiteral.parse(a));
            }
            Limits limits = c.limits();
            out.add(new Vector(c, new Vm(vp, new ConformanceHost(), LAZY), Jit.compile(vp, new ConformanceHost(), LAZY), args,
                    limits));
        }
        return out;
    }

    /**
     * How a run ended, in every observable detail.
     *
     * @param text the results as literals (f64 by bits, aggregates deeply), or the trap: its label,
     *     function, pc, span, host symbol and signature hash, call stack and message
     * @param results the results, or null
     * @param trapFuel the fuel left that the trap reports, or -1
     * @param kind the trap kind, or null
     * @param fuelRemaining the context's fuel left
     * @param hostCalls the context's host calls made
     */
    record Outcome(String text, List<Value> results, long trapFuel, TrapKind kind, long fuelRemaining,
                   long hostCalls) {}

    static Outcome run(Vm vm, List<Value> args, int entry, Limits limits) {
        ExecutionContext ctx = new ExecutionContext();
        try {
            List<Value> out = vm.run(ctx, entry, args, limits, null);
            List<String> lits = new ArrayList<>();
            for (Value v : out) {
                lits.add(ValueLiteral.format(v));
            }
            return new Outcome("returns " + lits, out, -1, null, ctx.fuelRemaining(), ctx.hostCallsMade());
        } catch (Trap t) {
            String text = "trap " + t.label() + " func " + t.func() + " (" + t.funcName() + ") pc " + t.pc() + " span "
                    + t.span() + " host " + t.hostSymbol() + " " + Long.toHexString(t.sigHash()) + " stack "
                    + t.stack() + " elided " + t.elidedFrames() + ": " + t.getMessage();
            return new Outcome(text, null, t.fuelRemaining(), t.kind(), ctx.fuelRemaining(), ctx.hostCallsMade());
        }
    }

    /** @return the fuel limits to sweep for a run that used {@code used} units */
    static TreeSet<Long> fuels(long used) {
        TreeSet<Long> out = new TreeSet<>(List.of(0L, 1L, 2L, used / 2, Math.max(0, used - 1), used, used + 1));
        if (used <= 64) {
            for (long f = 0; f <= used; f++) {
                out.add(f);
            }
        }
        return out;
    }

    /** One vector at every fuel limit of the sweep: the tiers end alike. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void compiledTierMeetsTheInterpreterAtEveryFuelLimit(Vector v) {
        int entry = v.c().entry();
        Outcome full = run(v.interpreted(), v.args(), entry, v.limits());
        assertNotEquals(TrapKind.INTERNAL_ERROR, full.kind(), full.text());
        long used = v.limits().fuel() - full.fuelRemaining();
        for (long fuel : fuels(used)) {
            Limits l = v.limits().withFuel(fuel);
            Outcome i = fuel == v.limits().fuel() ? full : run(v.interpreted(), v.args(), entry, l);
            Outcome c = run(v.compiled(), v.args(), entry, l);
            if (!i.equals(c)) {
                fail(v.c().name() + " at fuel " + fuel + " (the run uses " + used + "):\n  interpreted: " + i
                        + "\n  compiled:    " + c);
            }
            if (fuel < used) {
                // a run that needs `used` units cannot return on less: it runs out of fuel, or (when
                // the full run trapped) may trap the same way at an earlier host call's charge
                assertTrue(i.kind() == TrapKind.FUEL_EXCEEDED || full.kind() != null && i.kind() == full.kind(),
                        () -> v.c().name() + " fuel " + fuel + ": " + i.text());
            }
        }
        Outcome again = run(v.compiled(), v.args(), entry, v.limits());
        assertEquals(full, again, v.c().name() + " with its own limits");
    }

    /**
     * The sweep is not vacuous: all but the 10 rejected vectors verify, every verified program
     * compiles completely (none is too large) and has its entry compiled by its first run (the
     * tier compiles on demand), and there are runs long enough for per-block fuel
     * to matter (most vectors are one instruction and a ret): at least 30 use more than 2 units and
     * at least 8 more than 64.
     */
    @Test
    void theSweepCoversTheVectors() throws IOException {
        List<Vector> vs = vectors();
        assertEquals(362, vs.size(), "vectors that verify");
        int longer = 0;
        int long64 = 0;
        for (Vector v : vs) {
            int n = v.interpreted().program().program().functions().size();
            assertEquals(n, Jit.precompile(Jit.compile(v.interpreted().program(), new ConformanceHost(), LAZY)),
                    v.c().name() + ": every function compiles");
            run(v.compiled(), v.args(), v.c().entry(), v.limits());
            assertTrue(Jit.compiledFunctions(v.compiled()) >= 1, v.c().name() + ": the entry compiled as it ran");
            long used = v.limits().fuel() - run(v.interpreted(), v.args(), v.c().entry(), v.limits()).fuelRemaining();
            longer += used > 2 ? 1 : 0;
            long64 += used > 64 ? 1 : 0;
        }
        assertTrue(longer >= 30, longer + " runs use more than 2 units");
        assertTrue(long64 >= 8, long64 + " runs use more than 64 units");
    }
}
