package dev.tape.vm;

import dev.tape.host.HostContext;
import dev.tape.host.HostFailedException;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRecording;
import dev.tape.host.HostRegistry;
import dev.tape.host.RecordingHost;
import dev.tape.host.ReplayHost;
import dev.tape.host.Signature;
import dev.tape.host.WordFunction;
import dev.tape.jit.Jit;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static dev.tape.program.ValueType.BOOL;
import static dev.tape.program.ValueType.F64;
import static dev.tape.program.ValueType.I64;
import static dev.tape.program.ValueType.STR;
import static dev.tape.program.ValueType.U64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Word host functions ({@link WordFunction}) on both tiers: a loop calling one of each shape
 * (i64, u64, f64 and bool words, a function that throws, one that charges fuel and suspends) ends
 * the same on the interpreter and the compiled tier, bound as word functions and as the same
 * functions over boxed values, and as a Java model of the loop says; under every fuel and
 * host-call limit, paused and resumed at every point, suspended and restored from snapshots, and
 * recorded and replayed.
 */
class WordHostTest {
    static final String PROGRAM = """
            program words
            host h1 = "w.one" (i64) -> (i64)
            host h2 = "w.two" (u64, f64) -> (f64)
            host h3 = "w.three" (bool, i64, u64) -> (bool)
            host h4 = "w.many" (i64, f64, bool, u64) -> (i64, bool, f64, u64)
            func main(n: i64, k: i64) -> (i64, f64, u64, bool) {
                const.i64 r3, 0
                const.i64 r4, 1
                const.i64 r5, 0
                const.f64 r6, 0.5
                const.u64 r7, 18446744073709551615
                const.bool r8, true
                jmp head
            head:
                i64.lt r10, r3, r1
                br r10, body, done
            body:
                host_call r0, h1, r0, [r3] -> [r11]
                i64.add r5, r5, r11
                i64.to_u64 r12, r3
                host_call r0, h2, r0, [r12, r6] -> [r6]
                host_call r0, h3, r0, [r8, r2, r7] -> [r8]
                bool.not r14, r8
                host_call r0, h4, r0, [r5, r6, r14, r7] -> [r5, r13, r6, r7]
                bool.xor r8, r8, r13
                i64.add r3, r3, r4
                jmp head
            done:
                ret r0, [r5, r6, r7, r8]
            }
            """;

    static final VerifiedProgram P = Tiers.verified(JitResumeTest.asm(PROGRAM));

    static final Signature SIG1 = Signature.of(List.of(I64), List.of(I64));
    static final Signature SIG2 = Signature.of(List.of(U64, F64), List.of(F64));
    static final Signature SIG3 = Signature.of(List.of(BOOL, I64, U64), List.of(BOOL));
    static final Signature SIG4 = Signature.of(List.of(I64, F64, BOOL, U64), List.of(I64, BOOL, F64, U64));

    /** The index of the loop at which {@code w.one} throws. */
    static final long ONE_FAILS = 17;
    /** The {@code k} at which {@code w.three} throws a {@link HostFailedException}. */
    static final long THREE_FAILS = 99;

    static long one(long a) {
        if (a == ONE_FAILS) {
            throw new IllegalStateException("one fails at " + a);
        }
        return a * 3 + 1;
    }

    static long two(long u, long f) {
        return Double.doubleToRawLongBits(Double.longBitsToDouble(f) * 0.75 + (u & 7));
    }

    /** A true result is 2 or 6, not 1: a word function's bool result is true when not 0. */
    static long three(long b, long k, long u) throws HostFailedException {
        if (k == THREE_FAILS) {
            throw new HostFailedException("three refuses k " + k);
        }
        boolean x = (b != 0) ^ ((k & 1) != 0) ^ (u < 0);
        return x ? 2 + (k & 4) : 0;
    }

    /** The results of {@code w.many}: (a + (long) f, !b, f + 1, u - 1 - (a &amp; 1)), as words. */
    static long[] many(long a, long f, long b, long u) {
        double d = Double.longBitsToDouble(f);
        return new long[] {a + (long) d, b == 0 ? 1 : 0, Double.doubleToRawLongBits(d + 1.0), u - 1 - (a & 1)};
    }

    /** The functions, with what they saw: {@code w.many}'s fuel, pc and suspensions, and the stacks they ran on. */
    static final class Funcs {
        final List<String> log = new ArrayList<>();
        /** calls made from compiled code through {@code WordCalls} */
        long compiledWords;
        /** calls made from compiled code through the boxed path */
        long compiledBoxed;

        void saw() {
            boolean compiled = Tiers.compiledFramesOnStack() > 0;
            boolean words = StackWalker.getInstance().walk(s -> s.anyMatch(
                    f -> f.getClassName().equals("dev.tape.vm.WordCalls")));
            if (compiled && words) {
                compiledWords++;
            } else if (compiled) {
                compiledBoxed++;
            }
        }

        /** {@code w.many}'s host side: logs, charges a mod 3 fuel, suspends a run when a mod 4 is 0. */
        long[] many(long[] a, HostContext ctx) {
            saw();
            log.add("many(" + a[0] + ") fuel " + ctx.fuelRemaining() + " at " + ctx.callerFunction() + ":"
                    + ctx.callerPc() + " suspend " + ctx.canSuspend());
            ctx.chargeFuel(Math.floorMod(a[0], 3));
            if (ctx.canSuspend() && Math.floorMod(a[0], 4) == 0) {
                ctx.suspend();
            }
            return WordHostTest.many(a[0], a[1], a[2], a[3]);
        }

        HostRegistry words() {
            return new HostRegistry()
                    .registerWords("w.one", SIG1, a -> {
                        saw();
                        return one(a);
                    })
                    .registerWords("w.two", SIG2, (u, f) -> {
                        saw();
                        return two(u, f);
                    })
                    .registerWords("w.three", SIG3, (b, k, u) -> {
                        saw();
                        return three(b, k, u);
                    })
                    .registerWordArrays("w.many", SIG4, (a, r, ctx) -> System.arraycopy(many(a, ctx), 0, r, 0, 4));
        }

        HostRegistry boxed() {
            return new HostRegistry()
                    .register("w.one", SIG1, (HostFunction) (a, r, ctx) -> {
                        saw();
                        r[0] = Value.i64(one(((Value.I64) a[0]).value()));
                    })
                    .register("w.two", SIG2, (HostFunction) (a, r, ctx) -> {
                        saw();
                        r[0] = Value.f64Bits(two(((Value.U64) a[0]).value(), ((Value.F64) a[1]).bits()));
                    })
                    .register("w.three", SIG3, (HostFunction) (a, r, ctx) -> {
                        saw();
                        r[0] = Value.bool(three(((Value.Bool) a[0]).value() ? 1 : 0, ((Value.I64) a[1]).value(),
                                ((Value.U64) a[2]).value()) != 0);
                    })
                    .register("w.many", SIG4, (HostFunction) (a, r, ctx) -> {
                        long[] out = many(new long[] {((Value.I64) a[0]).value(), ((Value.F64) a[1]).bits(),
                            ((Value.Bool) a[2]).value() ? 1 : 0, ((Value.U64) a[3]).value()}, ctx);
                        r[0] = Value.i64(out[0]);
                        r[1] = Value.bool(out[1] != 0);
                        r[2] = Value.f64Bits(out[2]);
                        r[3] = Value.u64(out[3]);
                    });
        }
    }

    /** The loop in Java: main(n, k)'s results, or null when a host function throws. */
    static List<Value> model(long n, long k) {
        long acc = 0;
        long f = Double.doubleToRawLongBits(0.5);
        long u = -1L;
        boolean flag = true;
        for (long i = 0; i < n; i++) {
            if (i == ONE_FAILS || k == THREE_FAILS) {
                return null;
            }
            acc += one(i);
            f = two(i, f);
            try {
                flag = three(flag ? 1 : 0, k, u) != 0;
            } catch (HostFailedException e) {
                throw new AssertionError(e);
            }
            long[] m = many(acc, f, flag ? 0 : 1, u);
            acc = m[0];
            f = m[2];
            u = m[3];
            flag ^= m[1] != 0;
        }
        return List.of(Value.i64(acc), Value.f64Bits(f), Value.u64(u), Value.bool(flag));
    }

    /** The program on both tiers, bound to word functions and to boxed ones. */
    static final class Four {
        final Funcs wordFuncs = new Funcs();
        final Funcs boxedFuncs = new Funcs();
        final Tiers words = Tiers.ofWords(P, wordFuncs.words());
        final Tiers boxed = Tiers.of(P, boxedFuncs.boxed());

        Four() {
            assertEquals(1, Jit.precompile(words.compiled));
            assertEquals(1, Jit.precompile(boxed.compiled));
            for (int s = 0; s < 4; s++) {
                assertNotNull(words.interpreted.hostWords[s], "word function " + s + " bound as one");
                assertNotNull(words.compiled.hostWords[s], "word function " + s + " bound as one");
                assertNull(boxed.compiled.hostWords[s]);
            }
        }

        /** Runs on all four and asserts they end alike, with the same calls of {@code w.many}. */
        Tiers.Outcome check(long n, long k, Limits limits) {
            String what = "n " + n + " k " + k + " " + limits;
            wordFuncs.log.clear();
            Tiers.Outcome wi = words.interpret(0, args(n, k), limits);
            List<String> wiLog = List.copyOf(wordFuncs.log);
            wordFuncs.log.clear();
            Tiers.Outcome wc = words.compile(0, args(n, k), limits);
            List<String> wcLog = List.copyOf(wordFuncs.log);
            boxedFuncs.log.clear();
            Tiers.Outcome bi = boxed.interpret(0, args(n, k), limits);
            List<String> biLog = List.copyOf(boxedFuncs.log);
            boxedFuncs.log.clear();
            boxed.compile(0, args(n, k), limits);
            List<String> bcLog = List.copyOf(boxedFuncs.log);
            Tiers.assertSame("words interpreted", wi, "words compiled", wc, () -> what);
            Tiers.assertSame("words interpreted", strip(wi), "boxed interpreted", strip(bi), () -> what);
            assertEquals(wiLog, wcLog, what);
            assertEquals(wiLog, biLog, what);
            assertEquals(wiLog, bcLog, what);
            return wi;
        }
    }

    /** An outcome without the recorder's log (word runs log only w.many, boxed runs every call). */
    static Tiers.Outcome strip(Tiers.Outcome o) {
        return new Tiers.Outcome(o.results(), o.literals(), o.trap(), o.fuelRemaining(), o.hostCalls(), o.heapBytes(),
                List.of());
    }

    static List<Value> args(long n, long k) {
        return List.of(Value.i64(n), Value.i64(k));
    }

    @Test
    void everyWordKindOnBothTiersAsTheModelSays() {
        Four f = new Four();
        for (long k : new long[] {0, 1, 4, 5, -3}) {
            for (long n = 0; n <= ONE_FAILS + 2; n++) {
                Tiers.Outcome o = f.check(n, k, Limits.DEFAULT);
                List<Value> expected = model(n, k);
                if (expected != null) {
                    assertEquals(expected, o.results(), "n " + n + " k " + k);
                } else {
                    assertEquals(TrapKind.HOST_CALL_FAILED, o.trap().kind());
                    assertEquals("IllegalStateException: one fails at 17", o.trap().detail());
                    assertEquals("w.one", o.trap().hostSymbol());
                }
            }
        }
        assertTrue(f.wordFuncs.compiledWords > 0, "compiled code called word functions with words");
        assertEquals(0, f.wordFuncs.compiledBoxed, "compiled code never boxed a word function's call");
        assertTrue(f.boxedFuncs.compiledBoxed > 0);
    }

    @Test
    void aHostFailedExceptionTrapsWithItsMessage() {
        Four f = new Four();
        Tiers.Outcome o = f.check(3, THREE_FAILS, Limits.DEFAULT);
        assertEquals(TrapKind.HOST_CALL_FAILED, o.trap().kind());
        assertEquals("three refuses k 99", o.trap().detail());
        assertEquals("w.three", o.trap().hostSymbol());
        assertEquals(Signature.of(SIG3.args(), SIG3.rets()).hash(), o.trap().sigHash());
    }

    @Test
    void everyFuelAndHostCallLimit() {
        Four f = new Four();
        Tiers.Outcome whole = f.check(6, 5, Limits.DEFAULT);
        long used = whole.used(Limits.DEFAULT);
        for (long fuel = 0; fuel <= used + 1; fuel++) {
            Tiers.Outcome o = f.check(6, 5, Limits.DEFAULT.withFuel(fuel));
            assertEquals(fuel >= used, o.trap() == null, "fuel " + fuel);
        }
        for (long calls = 0; calls <= 25; calls++) {
            Tiers.Outcome o = f.check(6, 5, Limits.DEFAULT.withMaxHostCalls(calls));
            assertEquals(calls >= 24, o.trap() == null, "host calls " + calls);
        }
    }

    @Test
    void pausedAndResumedAtEveryPoint() {
        Four f = new Four();
        assertTrue(JitResumeTest.sweep(f.words, 0, args(5, 1), Limits.DEFAULT, "words") > 0);
        JitResumeTest.sweep(f.words, 0, args(ONE_FAILS + 1, 4), Limits.DEFAULT, "words, failing");
        assertTrue(f.wordFuncs.compiledWords > 0);
    }

    /** What a run started with {@link Vm#start} went through: its pauses and how it ended. */
    static List<String> suspended(Vm vm, long n, long k, boolean restore) {
        List<String> seen = new ArrayList<>();
        Run run = vm.start(0, args(n, k), Limits.DEFAULT);
        Outcome o = run.resume();
        while (o instanceof Outcome.Paused p && p.reason() instanceof PauseReason.HostSuspended h) {
            byte[] snap = run.snapshot();
            seen.add(h.symbol() + " " + h.args() + " fuel " + run.fuelRemaining() + " calls " + run.hostCallsMade()
                    + " snapshot " + java.util.Arrays.hashCode(snap));
            if (restore) {
                run = vm.restore(snap);
                assertArrayEquals(snap, run.snapshot(), "a restored run writes the same snapshot");
            }
            List<Value> a = h.args();
            long[] m = many(((Value.I64) a.get(0)).value(), ((Value.F64) a.get(1)).bits(),
                    ((Value.Bool) a.get(2)).value() ? 1 : 0, ((Value.U64) a.get(3)).value());
            o = run.resumeWith(List.of(Value.i64(m[0]), Value.bool(m[1] != 0), Value.f64Bits(m[2]), Value.u64(m[3])));
        }
        seen.add(o instanceof Outcome.Done d ? "done " + d.values()
                : o instanceof Outcome.Trapped t ? "trap " + t.trap().getMessage() : "paused " + o);
        return seen;
    }

    @Test
    void suspendedInAWordFunctionAndRestoredFromSnapshots() {
        Four f = new Four();
        long pauses = 0;
        for (long n : new long[] {0, 3, 9}) {
            List<String> expected = suspended(f.words.interpreted, n, 1, false);
            pauses += expected.size() - 1;
            assertEquals(model(n, 1).toString(), expected.get(expected.size() - 1).substring(5));
            for (boolean restore : new boolean[] {false, true}) {
                assertEquals(expected, suspended(f.words.compiled, n, 1, restore), "compiled, n " + n);
                assertEquals(expected, suspended(f.words.interpreted, n, 1, restore), "interpreted, n " + n);
                assertEquals(expected, suspended(f.boxed.compiled, n, 1, restore), "boxed compiled, n " + n);
            }
        }
        assertTrue(pauses > 1, "runs suspended in w.many: " + pauses);
    }

    /** A recording of a run on {@code vm} (made with {@code host}) and its outcome. */
    static byte[] record(Tiers.Outcome[] out, HostRegistry host, boolean compiled, long n, long k) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RecordingHost rec = new RecordingHost(host, P.hash(), bytes);
        rec.run(0, args(n, k));
        Vm vm = compiled ? Jit.compile(P, rec, Tiers.LAZY) : new Vm(P, rec, Tiers.LAZY);
        out[0] = Tiers.run(vm, null, new ExecutionContext(), 0, args(n, k), Limits.DEFAULT, null);
        rec.finish();
        return bytes.toByteArray();
    }

    @Test
    void recordedAndReplayedOnBothTiers() throws Exception {
        for (long n : new long[] {4, ONE_FAILS + 1}) {
            Funcs funcs = new Funcs();
            Tiers.Outcome[] wi = new Tiers.Outcome[1];
            byte[] file = record(wi, funcs.words(), false, n, 5);
            Tiers.Outcome[] other = new Tiers.Outcome[1];
            assertArrayEquals(file, record(other, funcs.words(), true, n, 5), "compiled recording, n " + n);
            Tiers.assertSame(wi[0], other[0], () -> "compiled recording");
            assertArrayEquals(file, record(other, funcs.boxed(), false, n, 5), "boxed recording, n " + n);
            HostRecording r = HostRecording.read(file);
            assertEquals(n > ONE_FAILS ? 4 * ONE_FAILS + 1 : 4 * n, r.calls().size());
            for (boolean compiled : new boolean[] {false, true}) {
                ReplayHost replay = new ReplayHost(HostRecording.read(file), null);
                Vm vm = compiled ? Jit.compile(P, replay, Tiers.LAZY) : new Vm(P, replay, Tiers.LAZY);
                Tiers.Outcome again = Tiers.run(vm, null, new ExecutionContext(), 0, args(n, 5), Limits.DEFAULT, null);
                Tiers.assertSame(wi[0], again, () -> "replayed, compiled " + compiled);
                assertEquals(0, replay.callsLeft());
            }
        }
    }

    @Test
    void aShapeThatDoesNotFitTheSignatureIsRefusedAtRegistration() {
        HostRegistry h = new HostRegistry();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> h.registerWords("x", SIG2, a -> a));
        assertEquals("a word function of 1 argument and one result cannot be bound to (u64, f64) -> (f64): "
                + "it has 2 arguments and 1 result", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> h.registerWords("x", SIG1, (a, b) -> a));
        assertEquals("a word function of 2 arguments and one result cannot be bound to (i64) -> (i64): "
                + "it has 1 argument and 1 result", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> h.registerWords("x",
                Signature.of(List.of(I64, I64, I64), List.of(I64, I64)), (a, b, c) -> a));
        assertTrue(e.getMessage().endsWith("it has 3 arguments and 2 results"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> h.registerWords("x",
                Signature.of(List.of(STR), List.of(I64)), a -> a));
        assertEquals("a word function cannot be bound to (str) -> (i64): argument 0 is str, not a word type "
                + "(i64, u64, f64, bool)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> h.registerWordArrays("x",
                Signature.of(List.of(I64), List.of(I64, ValueType.FUNC)), (a, r, c) -> { }));
        assertTrue(e.getMessage().contains("result 1 is func, not a word type"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> WordFunction.of(SIG1, (WordFunction.Of1) null));
        // nothing was registered by the refused calls
        assertEquals(List.of(), h.offered("x"));
        h.registerWords("x", SIG1, a -> a);
        e = assertThrows(IllegalArgumentException.class, () -> h.registerWords("x", SIG1, a -> a));
        assertTrue(e.getMessage().contains("already registered"), e.getMessage());
    }

    /**
     * A word function bound by a custom host to a signature other than its own is called as a
     * boxed host function: its results are checked, and one of the wrong type traps.
     */
    @Test
    void aWordFunctionUnderAnotherSignatureIsCheckedAsABoxedOne() {
        WordFunction f64Id = WordFunction.of(Signature.of(List.of(F64), List.of(F64)), a -> a);
        dev.tape.host.Host lying = (symbol, hash, a, r) -> f64Id;
        VerifiedProgram p = Tiers.verified(JitResumeTest.asm("""
                program lie
                host h = "w.one" (i64) -> (i64)
                func main(n: i64) -> (i64) {
                    host_call r0, h, r0, [r1] -> [r2]
                    ret r0, [r2]
                }
                """));
        Tiers t = Tiers.ofWords(p, lying);
        assertNull(t.interpreted.hostWords[0]);
        Tiers.Outcome o = t.check(0, List.of(Value.i64(5)), Limits.DEFAULT, "lying host");
        assertEquals(TrapKind.TYPE_MISMATCH, o.trap().kind());
        assertEquals("host result 0 must be i64, got f64", o.trap().detail());
    }
}
