package dev.tape.vm;

import dev.tape.host.HostContext;
import dev.tape.host.HostFailedException;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.HostReturnArityException;
import dev.tape.host.RecordingHost;
import dev.tape.host.Signature;
import dev.tape.host.WordFunction;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.jfr.HostCallEvent;
import dev.tape.trace.TraceSink;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.tape.program.ValueType.BOOL;
import static dev.tape.program.ValueType.F64;
import static dev.tape.program.ValueType.I64;
import static dev.tape.program.ValueType.U64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Attacks on word host functions ({@link WordFunction}): each one bound as a word function and,
 * through a plain {@link HostFunction} that wraps it, the boxed way, on both tiers; the four runs
 * must end alike in every field (results bit for bit, trap with pc, span, symbol, signature hash
 * and detail, fuel, host calls). Edge words: NaN payloads and -0.0, u64 above 2^63, bool results
 * of any non-zero word, bool arguments exactly 0 or 1; functions that throw checked exceptions,
 * Errors (a real stack overflow, an OutOfMemoryError), exceptions with null, huge or
 * control-character messages; a {@code Words} function's fuel and charges; many
 * threads on one compiled VM; recordings byte-identical to the boxed binding's.
 */
class AttackWordHostTest {
    static final String PROGRAM = """
            program attack
            host hf = "a.f" (f64) -> (f64)
            host hu = "a.u" (u64, u64) -> (u64)
            host hb = "a.b" (i64) -> (bool)
            host hbb = "a.bb" (bool, bool, bool) -> (bool)
            host ht = "a.t" (i64) -> (i64)
            host hw = "a.w" (f64, u64, bool, i64) -> (f64, u64, bool, i64, bool)
            func f0(x: f64) -> (f64) {
                host_call r0, hf, r0, [r1] -> [r2]
                ret r0, [r2]
            }
            func f1(a: u64, b: u64) -> (u64) {
                host_call r0, hu, r0, [r1, r2] -> [r3]
                ret r0, [r3]
            }
            func f2(x: i64) -> (bool, bool) {
                host_call r0, hb, r0, [r1] -> [r2]
                bool.not r3, r2
                ret r0, [r2, r3]
            }
            func f3(x: bool, y: bool) -> (bool, bool) {
                host_call r0, hbb, r0, [r1, r2, r1] -> [r3]
                bool.not r4, r3
                ret r0, [r3, r4]
            }
            func f4(x: i64) -> (i64) {
                host_call r0, ht, r0, [r1] -> [r2]
                ret r0, [r2]
            }
            func f5(x: f64, u: u64, b: bool, i: i64) -> (f64, u64, bool, i64, bool, bool) {
                host_call r0, hw, r0, [r1, r2, r3, r4] -> [r5, r6, r7, r8, r9]
                bool.not r10, r7
                ret r0, [r5, r6, r7, r8, r9, r10]
            }
            """;

    static final VerifiedProgram P = Tiers.verified(JitResumeTest.asm(PROGRAM));

    static final Signature SF = Signature.of(List.of(F64), List.of(F64));
    static final Signature SU = Signature.of(List.of(U64, U64), List.of(U64));
    static final Signature SB = Signature.of(List.of(I64), List.of(BOOL));
    static final Signature SBB = Signature.of(List.of(BOOL, BOOL, BOOL), List.of(BOOL));
    static final Signature ST = Signature.of(List.of(I64), List.of(I64));
    static final Signature SW = Signature.of(List.of(F64, U64, BOOL, I64), List.of(F64, U64, BOOL, I64, BOOL));

    /** A message of 100,000 characters with control characters in it. */
    static final String HUGE = "x\u0000\n\r\t\u001b[31m".repeat(10_000);

    static long deep(long n) {
        return n == Long.MIN_VALUE ? 0 : deep(n + 1) + 1;
    }

    /** {@code a.t}: returns its argument, or throws what its argument selects. */
    static long thrower(long sel) throws Exception {
        switch ((int) sel) {
            case 1 -> throw new IOException();
            case 2 -> throw new IOException("checked");
            case 3 -> throw new RuntimeException(HUGE);
            case 4 -> throw new IllegalStateException((String) null);
            case 5 -> throw new OutOfMemoryError("simulated");
            case 6 -> {
                return deep(0);
            }
            case 7 -> throw new HostFailedException("failed\u0000here");
            case 8 -> throw new AssertionError("an Error");
            case 9 -> throw new Exception("");
            default -> {
                return sel * 7;
            }
        }
    }

    /** {@code a.bb}: refuses an argument word that is not 0 or 1, else gives a word other than 1 for true. */
    static long bools(long a, long b, long c) {
        for (long x : new long[] {a, b, c}) {
            if (x != 0 && x != 1) {
                throw new IllegalStateException("bool argument word " + x);
            }
        }
        return (a << 40) | (b << 63) | (c << 2);
    }

    /** {@code a.w}: passes words through, a bool result from the i64, tells the fuel it saw and charges some. */
    void words(long[] a, long[] r, HostContext ctx) {
        if (a[2] != 0 && a[2] != 1) {
            throw new IllegalStateException("bool argument word " + a[2]);
        }
        // a negative i64 charges 2^64 - 1 units (chargeFuel's units are unsigned)
        ctx.chargeFuel(a[3] < 0 ? -1L : a[3] & 3);
        r[0] = a[0];
        r[1] = a[1] + 1;
        r[2] = a[3];
        r[3] = ctx.fuelRemaining();
        // r[4] left as it came: 0, false
    }

    /** The functions, as word functions. */
    List<WordFunction> functions() {
        return List.of(
                WordFunction.of(SF, (WordFunction.Of1) x -> x),
                WordFunction.of(SU, (WordFunction.Of2) (x, y) -> x + y),
                WordFunction.of(SB, (WordFunction.Of1) x -> x),
                WordFunction.of(SBB, (WordFunction.Of3) AttackWordHostTest::bools),
                WordFunction.of(ST, (WordFunction.Of1) AttackWordHostTest::thrower),
                WordFunction.ofArrays(SW, this::words));
    }

    static final String[] SYMBOLS = {"a.f", "a.u", "a.b", "a.bb", "a.t", "a.w"};

    /** @return a registry binding the functions as word functions, or as boxed ones wrapping them */
    HostRegistry registry(boolean words) {
        HostRegistry h = new HostRegistry();
        List<WordFunction> fns = functions();
        for (int i = 0; i < fns.size(); i++) {
            WordFunction f = fns.get(i);
            h.register(SYMBOLS[i], f.signature(), words ? f : (HostFunction) f::call);
        }
        return h;
    }

    /** Runs on four VMs (words and boxed, interpreted and compiled), asserts they end alike. */
    static Tiers.Outcome four(Tiers words, Tiers boxed, int entry, List<Value> args, Limits limits) {
        String what = "entry " + entry + " args " + args + " " + limits;
        Tiers.Outcome w = words.check(entry, args, limits, "words " + what);
        Tiers.Outcome b = boxed.check(entry, args, limits, "boxed " + what);
        Tiers.assertSame("words", WordHostTest.strip(w), "boxed", WordHostTest.strip(b), () -> what);
        return w;
    }

    Tiers words() {
        Tiers t = Tiers.ofWords(P, registry(true));
        for (int s = 0; s < SYMBOLS.length; s++) {
            assertNotNull(t.interpreted.hostWords[s]);
            assertNotNull(t.compiled.hostWords[s]);
        }
        assertEquals(6, Jit.precompile(t.compiled));
        return t;
    }

    Tiers boxed() {
        Tiers t = Tiers.of(P, registry(false));
        assertNull(t.compiled.hostWords[0]);
        assertEquals(6, Jit.precompile(t.compiled));
        return t;
    }

    static final long[] F64_EDGES = {0x7ff0000000000001L, 0xfff8000000000123L, 0x7ff8000000000000L,
        0x8000000000000000L, 0L, 0x7ff0000000000000L, 0x0000000000000001L, 0xffffffffffffffffL};
    static final long[] U64_EDGES = {0, 1, Long.MAX_VALUE, Long.MIN_VALUE, -1L, -2L, 0x8000000000000001L};
    static final long[] BOOL_WORDS = {0, 1, 2, -1L, Long.MIN_VALUE, 0x100000000L, 0x8000000000000001L};

    @Test
    void edgeWordsPassAsTheBoxedBindingPassesThem() {
        Tiers w = words();
        Tiers b = boxed();
        for (long bits : F64_EDGES) {
            Tiers.Outcome o = four(w, b, 0, List.of(Value.f64Bits(bits)), Limits.DEFAULT);
            assertEquals(List.of(Value.f64Bits(bits)), o.results(), Long.toHexString(bits));
        }
        for (long x : U64_EDGES) {
            for (long y : U64_EDGES) {
                Tiers.Outcome o = four(w, b, 1, List.of(Value.u64(x), Value.u64(y)), Limits.DEFAULT);
                assertEquals(List.of(Value.u64(x + y)), o.results());
            }
        }
        for (long x : BOOL_WORDS) {
            Tiers.Outcome o = four(w, b, 2, List.of(Value.i64(x)), Limits.DEFAULT);
            assertEquals(List.of(Value.bool(x != 0), Value.bool(x == 0)), o.results(), "word " + x);
        }
        for (boolean x : new boolean[] {false, true}) {
            for (boolean y : new boolean[] {false, true}) {
                Tiers.Outcome o = four(w, b, 3, List.of(Value.bool(x), Value.bool(y)), Limits.DEFAULT);
                boolean r = x || y;
                assertEquals(List.of(Value.bool(r), Value.bool(!r)), o.results(), x + " " + y);
            }
        }
    }

    @Test
    void whatAFunctionThrowsTrapsAsItDoesBoxed() {
        Tiers w = words();
        Tiers b = boxed();
        String[] details = {null, "IOException", "IOException: checked", "RuntimeException: " + HUGE,
            "IllegalStateException", "OutOfMemoryError: simulated", "StackOverflowError", "failed\u0000here",
            "AssertionError: an Error", "Exception: "};
        for (int sel = 0; sel <= 9; sel++) {
            Tiers.Outcome o = four(w, b, 4, List.of(Value.i64(sel)), Limits.DEFAULT);
            if (sel == 0) {
                assertEquals(List.of(Value.i64(0)), o.results());
                continue;
            }
            assertNotNull(o.trap(), "sel " + sel);
            assertEquals(TrapKind.HOST_CALL_FAILED, o.trap().kind(), "sel " + sel);
            assertEquals("a.t", o.trap().hostSymbol());
            assertEquals(ST.hash(), o.trap().sigHash());
            String detail = o.trap().detail();
            assertTrue(detail.equals(details[sel]) || sel == 3 && detail.startsWith("RuntimeException: x"),
                    "sel " + sel + ": " + (detail.length() > 80 ? detail.substring(0, 80) : detail));
        }
        // a Words function may throw HostReturnArityException itself: the boxed binding's trap
        Tiers arity = Tiers.ofWords(P, new HostRegistry().registerWordArrays("a.w", SW, (a, r, c) -> {
            throw new HostReturnArityException(5, 2);
        }));
        Tiers arityBoxed = Tiers.of(P, new HostRegistry().register("a.w", SW, (HostFunction) (a, r, c) -> {
            throw new HostReturnArityException(5, 2);
        }));
        Tiers.Outcome o = four(arity, arityBoxed, 5, List.of(Value.f64(1), Value.u64(2), Value.bool(true),
                Value.i64(3)), Limits.DEFAULT);
        assertEquals(TrapKind.HOST_RETURN_ARITY_MISMATCH, o.trap().kind());
    }

    @Test
    void aWordsFunctionSeesFuelAndCharges() {
        Tiers w = words();
        Tiers b = boxed();
        for (long i : new long[] {0, 1, 2, 3, -1, Long.MIN_VALUE}) {
            for (long fuel : new long[] {0, 1, 2, 3, 4, 5, 100}) {
                List<Value> args = List.of(Value.f64Bits(0x7ff0000000000001L), Value.u64(-1L), Value.bool(true),
                        Value.i64(i));
                Tiers.Outcome o = four(w, b, 5, args, Limits.DEFAULT.withFuel(fuel));
                if (o.trap() == null) {
                    assertEquals(Value.f64Bits(0x7ff0000000000001L), o.results().get(0));
                    assertEquals(Value.u64(0), o.results().get(1));
                    assertEquals(Value.bool(i != 0), o.results().get(2));
                    assertEquals(Value.bool(false), o.results().get(4));
                    assertEquals(Value.bool(i == 0), o.results().get(5));
                }
            }
        }
    }

    @Test
    void manyThreadsOnOneCompiledVm() throws Exception {
        Tiers w = words();
        Vm vm = w.compiled;
        int threads = 4;
        List<Thread> all = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            long seed = t;
            Thread th = new Thread(() -> {
                try {
                    ExecutionContext c = new ExecutionContext();
                    for (long k = 0; k < 2_000; k++) {
                        long x = seed * 1_000_003L + k * 0x9E3779B97F4A7C15L;
                        List<Value> r = vm.run(c, 1, List.of(Value.u64(x), Value.u64(k)), Limits.DEFAULT, null);
                        assertEquals(List.of(Value.u64(x + k)), r);
                        r = vm.run(c, 2, List.of(Value.i64(x)), Limits.DEFAULT, null);
                        assertEquals(List.of(Value.bool(x != 0), Value.bool(x == 0)), r);
                        r = vm.run(c, 0, List.of(Value.f64Bits(x)), Limits.DEFAULT, null);
                        assertEquals(List.of(Value.f64Bits(x)), r);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            all.add(th);
            th.start();
        }
        for (Thread th : all) {
            th.join();
        }
        assertEquals(List.of(), failures);
    }

    /** Every entry's runs with the edge words and every thrower, as (entry, args) pairs. */
    static List<Object[]> allRuns() {
        List<Object[]> runs = new ArrayList<>();
        for (long bits : F64_EDGES) {
            runs.add(new Object[] {0, List.of(Value.f64Bits(bits))});
        }
        for (long x : U64_EDGES) {
            runs.add(new Object[] {1, List.of(Value.u64(x), Value.u64(Long.MIN_VALUE))});
        }
        for (long x : BOOL_WORDS) {
            runs.add(new Object[] {2, List.of(Value.i64(x))});
        }
        runs.add(new Object[] {3, List.of(Value.bool(true), Value.bool(false))});
        for (long sel = 0; sel <= 9; sel++) {
            runs.add(new Object[] {4, List.of(Value.i64(sel))});
        }
        for (long i : new long[] {0, 3, Long.MIN_VALUE}) {
            runs.add(new Object[] {5, List.of(Value.f64Bits(0xfff0000000000005L), Value.u64(-1L), Value.bool(false),
                Value.i64(i))});
        }
        return runs;
    }

    /** A sink of host events, one line per event, that throws on the {@code throwAt}-th event (0: never). */
    static final class HostSink implements TraceSink {
        final List<String> lines = new ArrayList<>();
        final int throwAt;

        HostSink(int throwAt) {
            this.throwAt = throwAt;
        }

        private void add(String line) {
            lines.add(line);
            if (lines.size() == throwAt) {
                throw new IllegalStateException("sink fails at " + line);
            }
        }

        @Override
        public void hostEnter(int hostSig, String symbol, int func, int pc) {
            add("enter " + hostSig + " " + symbol + " at " + func + ":" + pc);
        }

        @Override
        public void hostExit(int hostSig, String symbol) {
            add("exit " + hostSig + " " + symbol);
        }
    }

    @Test
    void tracedRunsAndTheirEventsAreTheBoxedBindings() {
        Tiers w = words();
        Tiers b = boxed();
        Vm[] vms = {w.interpreted, w.compiled, b.interpreted, b.compiled};
        for (Object[] run : allRuns()) {
            int entry = (Integer) run[0];
            @SuppressWarnings("unchecked")
            List<Value> args = (List<Value>) run[1];
            Tiers.Outcome untraced = four(w, b, entry, args, Limits.DEFAULT);
            for (int throwAt = 0; throwAt <= 2; throwAt++) {
                List<String> firstLines = null;
                Tiers.Outcome first = null;
                for (Vm vm : vms) {
                    HostSink sink = new HostSink(throwAt);
                    Tiers.Outcome o = WordHostTest.strip(Tiers.run(vm, null, new ExecutionContext(), entry, args,
                            Limits.DEFAULT, sink));
                    if (first == null) {
                        first = o;
                        firstLines = sink.lines;
                        if (throwAt == 0) {
                            Tiers.assertSame("untraced", WordHostTest.strip(untraced), "traced", o,
                                    () -> "entry " + entry + " " + args);
                        }
                    } else {
                        Tiers.Outcome f = first;
                        int t = throwAt;
                        Tiers.assertSame("words interpreted", f, vm.toString(), o,
                                () -> "entry " + entry + " " + args + " sink throws at " + t);
                        assertEquals(firstLines, sink.lines);
                    }
                }
                if (throwAt > 0 && firstLines.size() >= throwAt) {
                    assertEquals(TrapKind.INTERNAL_ERROR, first.trap().kind());
                }
            }
        }
    }

    @Test
    void underAJfrRecordingRunsEndAsOutsideOne() {
        Tiers w = words();
        Tiers b = boxed();
        List<Object[]> runs = allRuns();
        List<Tiers.Outcome> outside = new ArrayList<>();
        for (Object[] run : runs) {
            @SuppressWarnings("unchecked")
            List<Value> args = (List<Value>) run[1];
            outside.add(four(w, b, (Integer) run[0], args, Limits.DEFAULT));
        }
        try (Recording r = new Recording()) {
            r.enable(HostCallEvent.class).withThreshold(Duration.ZERO);
            r.start();
            for (int i = 0; i < runs.size(); i++) {
                int entry = (Integer) runs.get(i)[0];
                @SuppressWarnings("unchecked")
                List<Value> args = (List<Value>) runs.get(i)[1];
                Tiers.Outcome o = four(w, b, entry, args, Limits.DEFAULT);
                Tiers.assertSame("outside a recording", WordHostTest.strip(outside.get(i)), "inside",
                        WordHostTest.strip(o), () -> "entry " + entry + " " + args);
            }
            r.stop();
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    /** {@code a.w} that charges 3 fuel and suspends the run (when it can), its results then given by the embedder. */
    static HostRegistry suspending(boolean words) {
        WordFunction f = WordFunction.ofArrays(SW, (a, r, ctx) -> {
            ctx.chargeFuel(3);
            if (ctx.canSuspend()) {
                ctx.suspend();
            }
            r[2] = 5;
        });
        return new HostRegistry().register("a.w", SW, words ? f : (HostFunction) f::call);
    }

    /** Suspended in a word function on one VM, restored from its snapshot on each other VM. */
    @Test
    void suspendedInAWordsCallAndResumedOnEveryOtherVm() {
        List<Vm> vms = new ArrayList<>();
        for (boolean words : new boolean[] {true, false}) {
            vms.add(new Vm(P, suspending(words), Tiers.LAZY));
            vms.add(Jit.compile(P, suspending(words), Tiers.LAZY));
        }
        List<Value> args = List.of(Value.f64Bits(0x7ff0000000000001L), Value.u64(-1L), Value.bool(true),
                Value.i64(Long.MIN_VALUE));
        List<Value> given = List.of(Value.f64Bits(0x8000000000000000L), Value.u64(Long.MIN_VALUE), Value.bool(true),
                Value.i64(-1), Value.bool(false));
        String expected = null;
        byte[] firstSnapshot = null;
        for (Vm from : vms) {
            Run run = from.start(5, args, Limits.DEFAULT.withFuel(50));
            Outcome o = run.resume();
            if (!(o instanceof Outcome.Paused p && p.reason() instanceof PauseReason.HostSuspended h)) {
                throw new AssertionError("not suspended: " + o);
            }
            assertEquals("a.w", h.symbol());
            assertEquals(args, h.args());
            byte[] snap = run.snapshot();
            if (firstSnapshot == null) {
                firstSnapshot = snap;
            }
            assertArrayEquals(firstSnapshot, snap, "the snapshot of a run suspended on " + from);
            for (Vm to : vms) {
                Run again = to.restore(snap);
                assertArrayEquals(snap, again.snapshot());
                Outcome end = again.resumeWith(given);
                String seen = end + " fuel " + again.fuelRemaining() + " calls " + again.hostCallsMade();
                if (expected == null) {
                    expected = seen;
                    assertTrue(end instanceof Outcome.Done, seen);
                    assertEquals(List.of(Value.f64Bits(0x8000000000000000L), Value.u64(Long.MIN_VALUE),
                            Value.bool(true), Value.i64(-1), Value.bool(false), Value.bool(false)),
                            ((Outcome.Done) end).values());
                }
                assertEquals(expected, seen, "from " + from + " to " + to);
            }
        }
    }

    /** A Words function of no words at all, and one of 60 arguments and 60 results of every word kind. */
    @Test
    void emptyAndWideSignatures() {
        int n = 60;
        String[] kinds = {"i64", "u64", "f64", "bool"};
        StringBuilder sig = new StringBuilder();
        StringBuilder params = new StringBuilder();
        StringBuilder regs = new StringBuilder();
        StringBuilder outs = new StringBuilder();
        List<dev.tape.program.ValueType> types = new ArrayList<>();
        List<Value> args = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String k = kinds[i % 4];
            sig.append(i == 0 ? "" : ", ").append(k);
            params.append(i == 0 ? "" : ", ").append("p").append(i).append(": ").append(k);
            regs.append(i == 0 ? "" : ", ").append("r").append(i + 1);
            outs.append(i == 0 ? "" : ", ").append("r").append(n + 1 + i);
            types.add(List.of(I64, U64, F64, BOOL).get(i % 4));
            long word = 0x9E3779B97F4A7C15L * (i + 1);
            args.add(switch (i % 4) {
                case 0 -> Value.i64(word);
                case 1 -> Value.u64(word);
                case 2 -> Value.f64Bits(word | 0x7ff0000000000000L);
                default -> Value.bool((i & 4) != 0);
            });
        }
        VerifiedProgram p = Tiers.verified(JitResumeTest.asm("program wide\n"
                + "host h0 = \"e.none\" () -> ()\n"
                + "host hw = \"e.wide\" (" + sig + ") -> (" + sig + ")\n"
                + "func none() -> () {\n    host_call r0, h0, r0, [] -> []\n    ret r0, []\n}\n"
                + "func wide(" + params + ") -> (" + sig + ") {\n"
                + "    host_call r0, hw, r0, [" + regs + "] -> [" + outs + "]\n"
                + "    host_call r0, h0, r0, [] -> []\n"
                + "    ret r0, [" + outs + "]\n}\n"));
        Signature none = Signature.of(List.of(), List.of());
        Signature wide = Signature.of(types, types);
        long[] calls = new long[1];
        WordFunction fNone = WordFunction.ofArrays(none, (a, r, c) -> calls[0]++);
        // reversed words, each given the kind of its slot: bool slots get any word (true when not 0)
        WordFunction fWide = WordFunction.ofArrays(wide, (a, r, c) -> {
            for (int i = 0; i < a.length; i++) {
                r[i] = a[a.length - 1 - i] + i;
            }
        });
        Tiers w = Tiers.ofWords(p, new HostRegistry().register("e.none", none, fNone).register("e.wide", wide, fWide));
        Tiers b = Tiers.of(p, new HostRegistry().register("e.none", none, (HostFunction) fNone::call)
                .register("e.wide", wide, (HostFunction) fWide::call));
        assertNotNull(w.compiled.hostWords[1]);
        assertEquals(2, Jit.precompile(w.compiled));
        assertEquals(2, Jit.precompile(b.compiled));
        assertEquals(List.of(), four(w, b, 0, List.of(), Limits.DEFAULT).results());
        Tiers.Outcome o = four(w, b, 1, args, Limits.DEFAULT);
        for (int i = 0; i < n; i++) {
            long word = dev.tape.value.Aggregate.wordOf(args.get(n - 1 - i)) + i;
            assertEquals(dev.tape.value.Aggregate.fromWord(types.get(i).kind(), word), o.results().get(i), "result " + i);
        }
        // e.none once per run of each entry on the four VMs
        assertEquals(2 * 4, calls[0]);
    }

    /**
     * An interrupt that comes during a word function's call (from the function itself, standing in
     * for another thread) pauses the run where it pauses the boxed binding's on the same tier, with
     * the same fuel and host calls, and the run then ends alike.
     */
    @Test
    void anInterruptDuringAWordCallPausesAsBoxed() {
        VerifiedProgram p = Tiers.verified(JitResumeTest.asm("""
                program slow
                host h = "s.slow" (i64) -> (i64)
                func main(n: i64) -> (i64) {
                    const.i64 r2, 0
                    const.i64 r3, 1
                    const.i64 r4, 0
                    jmp head
                head:
                    i64.lt r5, r2, r1
                    br r5, body, done
                body:
                    host_call r0, h, r0, [r2] -> [r6]
                    i64.add r4, r4, r6
                    i64.add r2, r2, r3
                    jmp head
                done:
                    ret r0, [r4]
                }
                """));
        for (boolean compiled : new boolean[] {false, true}) {
            List<String> seen = new ArrayList<>();
            for (boolean words : new boolean[] {true, false}) {
                Run[] run = new Run[1];
                WordFunction f = WordFunction.of(ST, (WordFunction.Of1) x -> {
                    if (x % 3 == 1) {
                        run[0].interrupt();
                    }
                    return x * x;
                });
                HostRegistry h = new HostRegistry().register("s.slow", ST, words ? f : (HostFunction) f::call);
                Vm vm = compiled ? Jit.compile(p, h) : new Vm(p, h);
                run[0] = vm.start(0, List.of(Value.i64(9)), Limits.DEFAULT);
                StringBuilder log = new StringBuilder();
                Outcome o = run[0].resume();
                while (o instanceof Outcome.Paused pause) {
                    log.append(pause.reason()).append(" fuel ").append(run[0].fuelRemaining()).append(" calls ")
                            .append(run[0].hostCallsMade()).append("; ");
                    o = run[0].resume();
                }
                log.append(o);
                seen.add(log.toString());
            }
            assertEquals(seen.get(0), seen.get(1), "compiled " + compiled);
            assertTrue(seen.get(0).contains("Done"), seen.get(0));
            if (!compiled) {
                // the interpreter pauses right after the call that saw the interrupt (compiled code
                // polls once per stretch of fuel: this short run ends first)
                assertTrue(seen.get(0).startsWith("Interrupted[] fuel 9999987 calls 2; "), seen.get(0));
            }
        }
    }

    /** A recording of the calls of {@code entry} (made with {@code host}) on one tier. */
    static byte[] record(HostRegistry host, boolean compiled, int entry, List<Value> args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RecordingHost rec = new RecordingHost(host, P.hash(), bytes);
        rec.run(entry, args);
        Vm vm = compiled ? Jit.compile(P, rec, Tiers.LAZY) : new Vm(P, rec, Tiers.LAZY);
        Tiers.run(vm, null, new ExecutionContext(), entry, args, Limits.DEFAULT, null);
        rec.finish();
        return bytes.toByteArray();
    }

    @Test
    void recordingsOfEdgeWordsAreTheBoxedBindings() {
        List<List<Value>> runs = List.of(List.of(Value.f64Bits(0x7ff0000000000001L)),
                List.of(Value.u64(-1L), Value.u64(Long.MIN_VALUE)), List.of(Value.i64(Long.MIN_VALUE)),
                List.of(Value.bool(true), Value.bool(false)), List.of(Value.i64(3)),
                List.of(Value.f64Bits(0x8000000000000000L), Value.u64(-1L), Value.bool(false), Value.i64(-6)));
        for (int entry = 0; entry < runs.size(); entry++) {
            byte[] boxed = record(registry(false), false, entry, runs.get(entry));
            for (boolean compiled : new boolean[] {false, true}) {
                assertArrayEquals(boxed, record(registry(true), compiled, entry, runs.get(entry)),
                        "entry " + entry + " compiled " + compiled);
            }
        }
    }
}
