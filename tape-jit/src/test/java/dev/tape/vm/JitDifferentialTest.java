package dev.tape.vm;

import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.host.Host;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.tape.program.ValueType.I64;
import static dev.tape.program.ValueType.U64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compiled tier against the interpreter on hand-built programs whose answers are known: every
 * fuel limit of small programs with loops, calls, closures, charging host calls, aggregates and a
 * trap in the middle of a block; recursion far deeper than compiled frames nest, and depth limits
 * on both sides of that nesting; functions too large to compile; many threads on one compiled VM;
 * and traced runs. Each run is compared in every detail ({@link Tiers#assertSame}).
 */
class JitDifferentialTest {
    /** A sink that steps the interpreter one instruction at a time and counts the instructions. */
    static final class Steps implements TraceSink {
        long count;

        @Override
        public int mask() {
            return TraceMask.INSTR;
        }

        @Override
        public void instr(int func, int pc, long span, int opcode) {
            count++;
        }
    }

    /**
     * Runs {@code entry} at every fuel limit from 0 to {@code to}, and at {@code base}'s own limit,
     * on the interpreter, on the compiled tier, and stepped one instruction at a time (INSTR
     * tracing on the compiled VM, which interprets), and asserts all three end the same way. (Limits
     * only a little above what a run uses make the compiled code hand its last blocks over to the
     * interpreter; the large limit keeps every block compiled.)
     *
     * @return the outcomes, indexed by fuel (0 to {@code to})
     */
    static List<Tiers.Outcome> sweep(Tiers t, int entry, List<Value> args, Limits base, long to, String what) {
        t.check(entry, args, base, what + " fuel " + base.fuel());
        List<Tiers.Outcome> out = new ArrayList<>();
        for (long fuel = 0; fuel <= to; fuel++) {
            Limits l = base.withFuel(fuel);
            long f = fuel;
            Tiers.Outcome o = t.check(entry, args, l, what + " fuel " + fuel);
            Tiers.Outcome stepped = Tiers.run(t.compiled, t.compiledHost, new ExecutionContext(), entry, args, l,
                    new Steps());
            Tiers.assertSame("untraced", o, "stepped", stepped, () -> what + " fuel " + f);
            out.add(o);
        }
        return out;
    }

    /**
     * {@link JitPrograms#work()} at every fuel limit from 0 to 16 past what it needs (and plenty),
     * for runs that return and runs that trap div_by_zero mid-block: the tiers agree, the result is
     * the known one, the fuel used is the instructions run plus the host's charges, and every
     * smaller limit traps fuel_exceeded with nothing left.
     */
    @Test
    void everyFuelLimitOfALoopWithCallsHostChargesAndAggregates() {
        JitPrograms.Work w = JitPrograms.work();
        Tiers t = Tiers.of(w.program(), JitPrograms.host());
        assertEquals(0, Jit.compiledFunctions(t.compiled), "nothing is compiled before it runs");
        long[][] cases = {{6, -1}, {6, 4}, {0, 0}, {1, 0}, {9, 100}};
        for (long[] nd : cases) {
            long n = nd[0];
            long d = nd[1];
            List<Value> args = List.of(Value.i64(n), Value.i64(d));
            String what = "work(" + n + ", " + d + ")";
            Steps steps = new Steps();
            Tiers.Outcome full = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, args, Limits.DEFAULT, steps);
            long used = full.used(Limits.DEFAULT);
            assertEquals(steps.count + JitPrograms.workCharges(n, d), used, what + ": instructions plus charges");
            Long sum = JitPrograms.workSum(n, d);
            if (sum == null) {
                assertEquals(TrapKind.DIV_BY_ZERO, full.kind(), what);
                assertEquals(0, full.trap().func());
                assertEquals(w.divPc(), full.trap().pc());
                assertEquals(w.divSpan(), full.trap().span());
                assertEquals(1, full.trap().stack().size());
            } else {
                assertEquals(List.of(Value.i64(sum), Value.tuple(List.of(Value.i64(sum), Value.i64(n)))),
                        full.results(), what);
            }
            List<Tiers.Outcome> all = sweep(t, 0, args, Limits.DEFAULT, used + 16, what);
            for (int fuel = 0; fuel < used; fuel++) {
                Tiers.Outcome o = all.get(fuel);
                if (o.kind() != TrapKind.FUEL_EXCEEDED) {
                    // a run that needs `used` units runs out under any smaller limit (also when a
                    // host's charge is what takes the last of it): nothing else can end it first
                    throw new AssertionError(what + " fuel " + fuel + " of " + used + ": " + o);
                }
                assertEquals(0, o.fuelRemaining(), what + " fuel " + fuel);
            }
            for (long fuel = used; fuel <= used + 16; fuel++) {
                Tiers.Outcome o = all.get((int) fuel);
                assertEquals(fuel - used, o.fuelRemaining(), what + " fuel " + fuel);
                assertEquals(full.results(), o.results(), what + " fuel " + fuel);
                assertEquals(full.kind(), o.kind(), what + " fuel " + fuel);
            }
        }
        assertTrue(t.compiledHost.fromCompiledCode > 0, "compiled code made host calls");
        assertEquals(0, t.interpretedHost.fromCompiledCode, "the interpreter runs no compiled code");
        assertEquals(3, Jit.compiledFunctions(t.compiled), "every function compiled as it first ran");
    }

    /**
     * The same program under heap limits that run out at each tuple it builds (a trap in the middle
     * of a block after a host call), at several fuel limits.
     */
    @Test
    void heapLimitsTrapAlikeMidBlock() {
        Tiers t = Tiers.of(JitPrograms.work().program(), JitPrograms.host());
        List<Value> args = List.of(Value.i64(5), Value.i64(-1));
        long used = t.interpret(0, args, Limits.DEFAULT).used(Limits.DEFAULT);
        int heapTraps = 0;
        for (long heap = 0; heap <= 700; heap += 7) {
            for (long fuel : new long[] {used / 3, used / 2, used - 1, used, Limits.DEFAULT_FUEL}) {
                Limits l = Limits.DEFAULT.withMaxHeapBytes(heap).withFuel(fuel);
                Tiers.Outcome o = t.check(0, args, l, "heap " + heap);
                if (o.kind() == TrapKind.HEAP_LIMIT_EXCEEDED) {
                    heapTraps++;
                }
            }
        }
        assertTrue(heapTraps > 50, "most heap limits run out: " + heapTraps);
    }

    /**
     * Host calls that charge more fuel than is left, return a result of the wrong type after
     * charging, fail after charging, are missing, or exceed the host-call limit: each trap (or
     * result) and the fuel left are the same on both tiers at every fuel limit, and where the answer
     * is known it is asserted.
     */
    @Test
    void hostChargesAndHostFailuresAtEveryFuelLimit() {
        HostRegistry host = new HostRegistry()
                .register("probe.greedy", Signature.of(List.of(U64), List.of(U64)),
                        (HostFunction) (a, out, ctx) -> {
                            ctx.chargeFuel(((Value.U64) a[0]).value());
                            out[0] = a[0];
                        })
                .register("probe.liar", Signature.of(List.of(U64), List.of(U64)),
                        (HostFunction) (a, out, ctx) -> {
                            ctx.chargeFuel(5);
                            out[0] = Value.i64(1);
                        })
                .register("probe.fail", Signature.of(List.of(U64), List.of(U64)),
                        (HostFunction) (a, out, ctx) -> {
                            ctx.chargeFuel(5);
                            throw new IllegalStateException("probe.fail fails");
                        });
        for (String symbol : List.of("probe.greedy", "probe.liar", "probe.fail", "probe.missing")) {
            ProgramBuilder pb = new ProgramBuilder();
            int sig = pb.hostSig(symbol, List.of(U64), List.of(U64));
            FunctionBuilder f = pb.addFunction(List.of(U64), List.of(U64));
            // three host calls with work between them, each block longer than one instruction
            f.span(11).constU64(2, 1).u64Add(3, 1, 2).hostCall(0, sig, 0, new int[] {3}, new int[] {4}).span(12);
            int afterFirst = f.pc();
            f.u64Add(5, 4, 2).u64Add(5, 5, 2).hostCall(0, sig, 0, new int[] {2}, new int[] {6})
                    .span(13).u64Add(7, 5, 6).u64Add(7, 7, 2).u64Add(7, 7, 2)
                    .hostCall(0, sig, 0, new int[] {2}, new int[] {8})
                    .u64Add(9, 7, 8).ret(0, 9);
            Tiers t = Tiers.of(pb.build(), host);
            for (long x : new long[] {0, 1, 10, 1000, Long.MAX_VALUE - 1}) {
                List<Value> args = List.of(Value.u64(x));
                String what = symbol + "(" + x + ")";
                Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, what);
                long used = full.used(Limits.DEFAULT);
                switch (symbol) {
                    case "probe.liar" -> {
                        assertEquals(TrapKind.TYPE_MISMATCH, full.kind(), what);
                        assertEquals(3 + 5, used, what + ": the host's charge counts even though it lied");
                    }
                    case "probe.fail" -> {
                        assertEquals(TrapKind.HOST_CALL_FAILED, full.kind(), what);
                        assertEquals("probe.fail", full.trap().hostSymbol());
                    }
                    case "probe.missing" -> assertEquals(TrapKind.HOST_CALL_FAILED, full.kind(), what);
                    default -> {
                        if (x < Limits.DEFAULT_FUEL) {
                            // 12 instructions; the host charges x + 1, then 1 and 1
                            assertEquals(List.of(Value.u64(x + 7)), full.results(), what);
                            assertEquals(12 + x + 3, used, what);
                        } else {
                            // the first call's charge takes all the fuel: the next instruction traps
                            assertEquals(TrapKind.FUEL_EXCEEDED, full.kind(), what);
                            assertEquals(0, full.fuelRemaining(), what);
                            assertEquals(1, full.hostCalls(), what);
                            assertEquals(afterFirst, full.trap().pc(), what + ": at the u64.add after the host_call");
                            assertEquals(12, full.trap().span(), what);
                        }
                    }
                }
                sweep(t, 0, args, Limits.DEFAULT, Math.min(used + 16, 1100), what);
                for (long hostCalls = 0; hostCalls <= 3; hostCalls++) {
                    Tiers.Outcome o = t.check(0, args, Limits.DEFAULT.withMaxHostCalls(hostCalls),
                            what + " host calls " + hostCalls);
                    if (symbol.equals("probe.greedy") && x < 1000 && hostCalls < 3) {
                        assertEquals(TrapKind.HOST_CALL_LIMIT_EXCEEDED, o.kind(), what);
                        assertEquals(hostCalls, o.hostCalls(), what);
                    }
                }
            }
        }
    }

    /**
     * A call whose callee calls a function whose frame does not fit the context's register files
     * makes them grow (new arrays) during the call; the caller must then use the new files: for its
     * results as the entry (7), for the operands of an instruction run by the interpreter's helper
     * (7 / 7 = 1) and for a {@code call.indirect}'s callee (a function value set before the call).
     */
    @Test
    void registerFilesThatGrowDuringACall() {
        ProgramBuilder pb = new ProgramBuilder();
        int main = pb.declareFunction(List.of(I64), List.of(I64, I64, I64));
        int mid = pb.declareFunction(List.of(), List.of());
        int wide = pb.declareFunction(List.of(), List.of());
        int seven = pb.declareFunction(List.of(), List.of(I64));
        int sig = pb.callSig(List.of(), List.of(I64));
        pb.function(main).constI64(2, 7).constFunc(3, seven)
                .call(0, mid, 0, new int[0], new int[0])
                .i64Div(4, 2, 2)
                .callIndirect(0, sig, 3, 0, new int[0], new int[] {5})
                .ret(0, 2, 4, 5);
        pb.function(mid).call(0, wide, 0, new int[0], new int[0]).ret(0);
        // 300 registers: more than a fresh context's 256
        pb.function(wide).constI64(299, 1).ret(0);
        pb.function(seven).constI64(1, 7).ret(0, 1);
        Tiers t = Tiers.of(pb.build(), Host.NONE);
        Tiers.Outcome o = t.check(0, List.of(Value.i64(0)), Limits.DEFAULT, "main");
        assertEquals(List.of(Value.i64(7), Value.i64(1), Value.i64(7)), o.results());
    }

    /**
     * A host call with results of every kind where the host (after charging 3 units) returns the
     * wrong type, or nothing, in one slot (a unit slot too): type_mismatch at the host_call on both
     * tiers, naming the host, with the charge applied; with every slot right, the results come
     * back bit-exactly.
     */
    @Test
    void hostResultsOfEveryKindCheckedAlike() {
        List<ValueType> rets = List.of(I64, U64, ValueType.F64, ValueType.STR, ValueType.AGG, ValueType.BOOL,
                ValueType.UNIT, ValueType.BYTES);
        List<Value> good = List.of(Value.i64(-5), Value.u64(-1), Value.f64Bits(0x7ff8_0000_0000_0001L),
                Value.str("héllo"), Value.tuple(List.of(Value.i64(1))), Value.bool(true), Value.UNIT,
                Value.bytes(new byte[] {1, 2}));
        HostRegistry host = new HostRegistry().register("probe.multi", Signature.of(List.of(I64), rets),
                (HostFunction) (a, out, ctx) -> {
                    ctx.chargeFuel(3);
                    long k = ((Value.I64) a[0]).value();
                    for (int j = 0; j < out.length; j++) {
                        out[j] = good.get(j);
                    }
                    if (k >= 0 && k < out.length) {
                        out[(int) k] = rets.get((int) k).equals(I64) ? Value.u64(1) : Value.i64(1);
                    } else if (k >= 10 && k < 10 + out.length) {
                        out[(int) k - 10] = null;
                    }
                });
        ProgramBuilder pb = new ProgramBuilder();
        int sig = pb.hostSig("probe.multi", List.of(I64), rets);
        int[] dst = range(2, rets.size());
        pb.addFunction(List.of(I64), rets).constI64(20, 1).i64Add(21, 1, 20)
                .hostCall(0, sig, 0, new int[] {1}, dst).ret(0, dst);
        Tiers t = Tiers.of(pb.build(), host);
        for (long k : new long[] {-1, 0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 13, 14, 16, 17}) {
            List<Value> args = List.of(Value.i64(k));
            Tiers.Outcome o = t.check(0, args, Limits.DEFAULT, "bad slot " + k);
            if (k == -1) {
                assertEquals(good, o.results(), "k " + k + ": " + o);
            } else {
                assertEquals(TrapKind.TYPE_MISMATCH, o.kind(), "k " + k);
                assertEquals("probe.multi", o.trap().hostSymbol());
                assertEquals(3 + 3, o.used(Limits.DEFAULT), "3 instructions and the charge");
            }
            sweep(t, 0, args, Limits.DEFAULT, 10, "bad slot " + k);
        }
    }

    /**
     * Recursion 100,000 frames deep (far past the 200 compiled frames that nest on the Java stack)
     * returns n on both tiers with exactly 8n + 4 fuel used, directly and through
     * {@code call.indirect}, and a trap at the bottom reports the same 128 of its 100,001 frames
     * on both tiers.
     */
    @Test
    void recursionFarDeeperThanCompiledFramesNest() {
        int n = 100_000;
        Limits deep = new Limits(Limits.DEFAULT_FUEL, n + 10, Limits.DEFAULT_HOST_CALLS, Limits.DEFAULT_HEAP_BYTES,
                Limits.DEFAULT_REGISTERS);
        for (boolean indirect : new boolean[] {false, true}) {
            int[] callPc = new int[1];
            Tiers t = Tiers.of(JitPrograms.countdown(indirect, JitPrograms.Bottom.RETURN, callPc), Host.NONE);
            Tiers.Outcome o = t.check(0, List.of(Value.i64(n)), deep, "down(" + n + ") indirect " + indirect);
            assertEquals(1, Jit.compiledFunctions(t.compiled));
            assertEquals(List.of(Value.i64(n)), o.results());
            assertEquals((indirect ? 9L : 8L) * n + 4, o.used(deep));

            Tiers trapping = Tiers.of(JitPrograms.countdown(indirect, JitPrograms.Bottom.TRAP, callPc), Host.NONE);
            Tiers.Outcome tr = trapping.check(0, List.of(Value.i64(n)), deep, "down(" + n + ") trapping");
            assertEquals(TrapKind.DIV_BY_ZERO, tr.kind());
            // the innermost and outermost Trap.STACK_EDGE frames, and the count of the others
            assertEquals(2 * Trap.STACK_EDGE, tr.trap().stack().size());
            assertEquals(n + 1 - 2 * Trap.STACK_EDGE, tr.trap().elidedFrames());
            assertEquals(new Trap.Frame(0, "down", callPc[0], 3), tr.trap().stack().get(2 * Trap.STACK_EDGE - 1));
        }
    }

    /**
     * Host calls at the bottom of recursion see compiled frames nested on the Java stack up to the
     * nesting limit (here the stack budget: {@link JitRuntime#STACK_WORDS} over the frame's
     * estimate, the entry frame's included, less the entry's trampoline), and none past it (the
     * interpreter runs the rest); results are the same.
     */
    @Test
    void compiledFramesNestUpToTheLimitThenTheInterpreterTakesOver() {
        long[] frames = {-1};
        HostRegistry host = new HostRegistry().register(JitPrograms.DEPTH, Signature.of(List.of(), List.of()),
                (HostFunction) (a, out, ctx) -> frames[0] = Tiers.compiledFramesOnStack());
        Tiers t = Tiers.of(JitPrograms.countdown(false, JitPrograms.Bottom.HOST, new int[1]), host);
        // every frame, the entry's included, takes its estimated size from the stack budget, and the
        // entry's trampoline (down calls itself with a word argument: WordParams) its own
        int fit = Math.min(JitRuntime.MAX_NESTING, (JitRuntime.STACK_WORDS - JitTestAccess.trampolineWords())
                / JitTestAccess.stackCost(t.compiled.image.regCount(0)));
        assertTrue(fit > 20, "only " + fit + " compiled frames fit");
        for (int n : new int[] {0, 1, fit - 2, fit - 1, fit, fit + 1, 150, 5_000}) {
            Tiers.Outcome i = t.interpret(0, List.of(Value.i64(n)), Limits.DEFAULT.withMaxCallDepth(10_000));
            assertEquals(0, frames[0], "the interpreter has no compiled frames");
            Tiers.Outcome c = t.compile(0, List.of(Value.i64(n)), Limits.DEFAULT.withMaxCallDepth(10_000));
            Tiers.assertSame(i, c, () -> "down(" + n + ") with a host call at the bottom");
            assertEquals(List.of(Value.i64(n)), c.results());
            if (n < fit) {
                assertEquals(n + 1, frames[0], "down(" + n + "): every frame compiled, on the Java stack");
            } else {
                assertEquals(0, frames[0], "down(" + n + "): the bottom frame is interpreted");
            }
        }
    }

    /**
     * A depth limit traps call_depth_exceeded identically on both tiers (same pc, the whole stack,
     * the same fuel), below, at and above the compiled nesting limit: the trap is at the recursive
     * call of the deepest frame and each of the {@code limit} frames ran 6 instructions.
     */
    @Test
    void depthLimitsTrapAlikeOnBothSidesOfTheNestingLimit() {
        for (boolean indirect : new boolean[] {false, true}) {
            int[] callPc = new int[1];
            Tiers t = Tiers.of(JitPrograms.countdown(indirect, JitPrograms.Bottom.RETURN, callPc), Host.NONE);
            for (int limit : new int[] {1, 2, 150, 199, 200, 201, 202, 1_000, 5_000}) {
                Limits l = Limits.DEFAULT.withMaxCallDepth(limit);
                Tiers.Outcome o = t.check(0, List.of(Value.i64(1_000_000)), l, "depth limit " + limit);
                assertEquals(TrapKind.CALL_DEPTH_EXCEEDED, o.kind(), "limit " + limit);
                assertEquals(callPc[0], o.trap().pc());
                assertEquals(limit, o.trap().stack().size() + o.trap().elidedFrames());
                assertEquals((indirect ? 7L : 6L) * limit, o.used(l), "limit " + limit);
                // and a recursion that just fits
                Tiers.Outcome fits = t.check(0, List.of(Value.i64(limit - 1)), l, "depth " + limit + " fits");
                assertEquals(List.of(Value.i64(limit - 1)), fits.results());
            }
        }
    }

    /**
     * Every fuel limit of a recursion that crosses the compiled nesting limit, and of one that
     * traps at the bottom: the fuel trap (or result) is the same, at the same depth and pc.
     */
    @Test
    void everyFuelLimitOfRecursionAcrossTheNestingLimit() {
        int n = JitRuntime.MAX_NESTING + 40;
        for (JitPrograms.Bottom bottom : new JitPrograms.Bottom[] {JitPrograms.Bottom.RETURN,
            JitPrograms.Bottom.TRAP}) {
            Tiers t = Tiers.of(JitPrograms.countdown(false, bottom, new int[1]), Host.NONE);
            // a trap at the bottom leaves every frame's add and ret unrun
            long used = (bottom == JitPrograms.Bottom.TRAP ? 6L : 8L) * n + 4;
            List<Tiers.Outcome> all = sweep(t, 0, List.of(Value.i64(n)), Limits.DEFAULT, used + 16, "down " + bottom);
            assertEquals(bottom == JitPrograms.Bottom.TRAP ? TrapKind.DIV_BY_ZERO : null, all.get((int) used).kind());
            assertEquals(TrapKind.FUEL_EXCEEDED, all.get((int) used - 1).kind());
        }
    }

    /**
     * The register limit runs out during deep recursion (heap_limit_exceeded at a call) alike on
     * both tiers, for fresh contexts.
     */
    @Test
    void registerLimitsTrapAlikeInDeepRecursion() {
        Tiers t = Tiers.of(JitPrograms.countdown(false, JitPrograms.Bottom.RETURN, new int[1]), Host.NONE);
        for (int regs : new int[] {300, 2_000, 2_500, 50_000}) {
            Limits l = Limits.DEFAULT.withMaxCallDepth(100_000).withMaxRegisters(regs);
            Tiers.Outcome o = t.check(0, List.of(Value.i64(20_000)), l, "registers " + regs);
            assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, o.kind(), "registers " + regs);
        }
    }

    /**
     * A function of 3,000 straight-line additions is too large to compile; calls to it (direct and
     * indirect) hand over to the interpreter, and so does running it as the entry. Outcomes are the
     * same at several fuel limits, and the answer is 3000 x per call.
     */
    @Test
    void aFunctionTooLargeToCompileIsInterpreted() {
        int[] sizes = {3_000};
        for (boolean callBack : new boolean[] {false, true}) {
            Program p = JitPrograms.straightLine(sizes, callBack);
            Tiers t = Tiers.of(p, Host.NONE);
            assertEquals(p.functions().size() - 1, Jit.precompile(Jit.compile(t.compiled.program(), Host.NONE)),
                    "all but the large one");
            List<Value> args = List.of(Value.i64(7));
            Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, "main");
            assertTrue(Jit.compiledFunctions(t.compiled) >= 1, "main compiled as it ran");
            assertNull(((JitTier) t.compiled.tier).handles[1], "the large function has no code");
            assertEquals(List.of(Value.i64(JitPrograms.straightLineSum(sizes, callBack, 7))), full.results());
            long used = full.used(Limits.DEFAULT);
            for (long fuel : new long[] {0, 1, 2, 3, 4, 5, 6, 3_000, used / 2, used - 5, used - 1, used, used + 1}) {
                t.check(0, args, Limits.DEFAULT.withFuel(fuel), "main fuel " + fuel);
                t.check(1, args, Limits.DEFAULT.withFuel(fuel), "the large function as the entry, fuel " + fuel);
            }
        }
    }

    /**
     * Functions of growing size: the small ones compile, the large ones do not, which ones is
     * monotonic in size, and all give the same outcomes as the interpreter around the fuel they
     * need (blocks of hundreds of instructions short of fuel by one).
     */
    @Test
    void functionsAroundTheSizeLimit() {
        int[] sizes = {50, 200, 400, 700, 1_000, 1_300, 1_600, 2_000, 2_500, 3_000};
        Program p = JitPrograms.straightLine(sizes, false);
        Tiers t = Tiers.of(p, Host.NONE);
        JitTier tier = (JitTier) t.compiled.tier;
        boolean seenLarge = false;
        for (int j = 0; j < sizes.length; j++) {
            boolean compiled = tier.compileNow(1 + j);
            if (!compiled) {
                seenLarge = true;
            }
            assertTrue(!compiled || !seenLarge, "size " + sizes[j] + " compiled after a smaller one was not");
        }
        assertTrue(tier.compileNow(1) && !tier.compileNow(sizes.length), "some compile, some do not");
        List<Value> args = List.of(Value.i64(-3));
        for (int j = 0; j < sizes.length; j++) {
            int entry = 1 + j;
            Tiers.Outcome full = t.check(entry, args, Limits.DEFAULT, "size " + sizes[j]);
            assertEquals(List.of(Value.i64(-3L * sizes[j])), full.results());
            long used = full.used(Limits.DEFAULT);
            assertEquals(sizes[j] + 2, used, "const, the adds, ret");
            for (long fuel = used - 3; fuel <= used + 1; fuel++) {
                t.check(entry, args, Limits.DEFAULT.withFuel(fuel), "size " + sizes[j] + " fuel " + fuel);
            }
        }
        Tiers.Outcome all = t.check(0, args, Limits.DEFAULT, "main");
        assertEquals(List.of(Value.i64(JitPrograms.straightLineSum(sizes, false, -3))), all.results());
    }

    /**
     * So many distinct constants that one class could not hold every function's code (its constant
     * pool would overflow): each function gets its own class as it first runs (past the free
     * classes, as the runs' fuel pays for them), so all of them compile over a few runs, and the
     * program runs alike on both tiers with the right answer.
     */
    @Test
    void moreConstantsThanOneClassCanHold() {
        int groups = 14;
        int perGroup = 20;
        int funcs = groups * perGroup;
        int consts = 150;
        ProgramBuilder pb = new ProgramBuilder();
        int main = pb.declareFunction(List.of(I64), List.of(I64));
        int[] gs = new int[groups];
        for (int k = 0; k < groups; k++) {
            gs[k] = pb.declareFunction(List.of(I64), List.of(I64));
        }
        int[] ids = new int[funcs];
        for (int j = 0; j < funcs; j++) {
            ids[j] = pb.declareFunction(List.of(I64), List.of(I64));
        }
        // main calls each group function, which calls its 20 functions: every method stays small
        FunctionBuilder m = pb.function(main).constI64(2, 0);
        for (int k = 0; k < groups; k++) {
            m.call(0, gs[k], 0, new int[] {1}, new int[] {3}).i64Add(2, 2, 3);
            FunctionBuilder g = pb.function(gs[k]).constI64(2, 0);
            for (int j = k * perGroup; j < (k + 1) * perGroup; j++) {
                g.call(0, ids[j], 0, new int[] {1}, new int[] {3}).i64Add(2, 2, 3);
            }
            g.ret(0, 2);
        }
        long expected = 0;
        for (int j = 0; j < funcs; j++) {
            FunctionBuilder f = pb.function(ids[j]).mov(2, 1);
            for (int k = 0; k < consts; k++) {
                long v = 1_000_000_007L * (j * consts + k + 1);
                f.constI64(3, v).i64Add(2, 2, 3);
                expected += v;
            }
            f.ret(0, 2);
            expected += 5;
        }
        m.ret(0, 2);
        Tiers t = Tiers.of(pb.build(), Host.NONE);
        Tiers.Outcome o = t.check(0, List.of(Value.i64(5)), Limits.DEFAULT, "main");
        assertEquals(List.of(Value.i64(expected)), o.results());
        JitTier tier = (JitTier) t.compiled.tier;
        long used = o.used(Limits.DEFAULT);
        // past the free classes, each class needs FUEL_PER_CLASS of fuel used by the runs
        assertTrue(tier.classes() <= JitTier.FREE_CLASSES + used / JitTier.FUEL_PER_CLASS + 1,
                tier.classes() + " classes after a run of " + used + " fuel");
        for (int run = 0; run < 1_000 && tier.classes() < 1 + groups + funcs; run++) {
            t.check(0, List.of(Value.i64(5)), Limits.DEFAULT, "main, run " + run);
        }
        assertEquals(1 + groups + funcs, Jit.compiledFunctions(t.compiled), "every function compiled as it ran");
        // the group functions differ only in their callees' ids, which are constants in the code
        assertEquals(1 + groups + funcs, tier.classes(), "one class each (no two share a shape)");
        for (long fuel : new long[] {used / 3, used / 2, used - 1}) {
            t.check(0, List.of(Value.i64(5)), Limits.DEFAULT.withFuel(fuel), "main fuel " + fuel);
        }
    }

    /**
     * Eight threads share one compiled VM (and one interpreting VM), each making 200 runs with its
     * own contexts and varied arguments and fuel; every run ends as the same run did on the
     * interpreter alone on one thread.
     */
    @Test
    void manyThreadsOnOneCompiledVm() throws Exception {
        Program work = JitPrograms.work().program();
        Program down = JitPrograms.countdown(false, JitPrograms.Bottom.RETURN, new int[1]);
        Tiers w = Tiers.of(work, JitPrograms.host());
        Vm interpreted = new Vm(w.interpreted.program(), JitPrograms.host());
        Vm compiledWork = Jit.compile(w.interpreted.program(), JitPrograms.host());
        Vm interpretedDown = new Vm(Tiers.of(down, Host.NONE).interpreted.program(), Host.NONE, Tiers.LAZY);
        Vm compiledDown = Jit.compile(interpretedDown.program(), Host.NONE, Tiers.LAZY);
        int threads = 8;
        int runs = 200;
        // the expected outcomes, from the interpreter on this thread
        List<List<Value>> argsOf = new ArrayList<>();
        List<Limits> limitsOf = new ArrayList<>();
        List<Tiers.Outcome> expected = new ArrayList<>();
        for (int k = 0; k < runs; k++) {
            boolean recursion = k % 4 == 3;
            List<Value> args = recursion ? List.of(Value.i64(150 + k * 3))
                    : List.of(Value.i64(k % 13), Value.i64(k % 7 == 0 ? k % 5 : -1));
            Limits l = Limits.DEFAULT.withFuel(k % 3 == 0 ? Limits.DEFAULT_FUEL : 40 + k * 9);
            argsOf.add(args);
            limitsOf.add(l);
            expected.add(Tiers.run(recursion ? interpretedDown : interpreted, null, new ExecutionContext(), 0, args, l,
                    null));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<List<String>>> futures = new ArrayList<>();
            for (int th = 0; th < threads; th++) {
                int offset = th * 37;
                futures.add(pool.submit(() -> {
                    go.await();
                    List<String> mismatches = new ArrayList<>();
                    ExecutionContext reused = new ExecutionContext();
                    for (int i = 0; i < runs; i++) {
                        int k = (i + offset) % runs;
                        Vm vm = k % 4 == 3 ? compiledDown : compiledWork;
                        ExecutionContext ctx = i % 2 == 0 ? reused : new ExecutionContext();
                        Tiers.Outcome o = Tiers.run(vm, null, ctx, 0, argsOf.get(k), limitsOf.get(k), null);
                        if (!o.equals(expected.get(k))) {
                            mismatches.add("run " + k + ": " + o + " instead of " + expected.get(k));
                        }
                    }
                    return mismatches;
                }));
            }
            go.countDown();
            List<String> all = new ArrayList<>();
            for (Future<List<String>> f : futures) {
                all.addAll(f.get(60, TimeUnit.SECONDS));
            }
            assertEquals(List.of(), all.size() > 5 ? all.subList(0, 5) : all);
        } finally {
            pool.shutdownNow();
        }
        assertTrue(Collections.frequency(expected.stream().map(Tiers.Outcome::trapped).toList(), true) > 10,
                "some runs trap");
    }

    /**
     * Runs with CALL, HOST or INSTR tracing on the compiled VM are interpreted (no compiled frame is
     * ever on the stack at a host call) and end as interpreted runs do, with the same events; with
     * RUN tracing only, compiled code runs and the run events are those of the interpreter.
     */
    @Test
    void tracedRunsAreInterpretedAndEndAlike() {
        Tiers t = Tiers.of(JitPrograms.work().program(), JitPrograms.host());
        for (long[] nd : new long[][] {{5, -1}, {5, 2}}) {
            List<Value> args = List.of(Value.i64(nd[0]), Value.i64(nd[1]));
            for (long fuel : new long[] {30, Limits.DEFAULT_FUEL}) {
                Limits l = Limits.DEFAULT.withFuel(fuel);
                for (int mask : new int[] {TraceMask.CALL, TraceMask.HOST, TraceMask.INSTR, TraceMask.ALL}) {
                    TracingTest.Recorder ei = new TracingTest.Recorder(mask);
                    TracingTest.Recorder ec = new TracingTest.Recorder(mask);
                    Tiers.Outcome i = Tiers.run(t.interpreted, t.interpretedHost, new ExecutionContext(), 0, args, l,
                            ei);
                    long before = t.compiledHost.fromCompiledCode;
                    Tiers.Outcome c = Tiers.run(t.compiled, t.compiledHost, new ExecutionContext(), 0, args, l, ec);
                    Tiers.assertSame(i, c, () -> "mask " + mask + " fuel " + fuel);
                    assertEquals(ei.events, ec.events, "mask " + mask);
                    assertEquals(before, t.compiledHost.fromCompiledCode, "a traced run ran compiled code");
                    Tiers.assertSame(t.interpret(0, args, l), c, () -> "mask " + mask + " against untraced");
                }
                TracingTest.Recorder ri = new TracingTest.Recorder(TraceMask.RUN);
                TracingTest.Recorder rc = new TracingTest.Recorder(TraceMask.RUN);
                long before = t.compiledHost.fromCompiledCode;
                Tiers.Outcome i = Tiers.run(t.interpreted, t.interpretedHost, new ExecutionContext(), 0, args, l, ri);
                Tiers.Outcome c = Tiers.run(t.compiled, t.compiledHost, new ExecutionContext(), 0, args, l, rc);
                Tiers.assertSame(i, c, () -> "RUN tracing fuel " + fuel);
                assertEquals(ri.events, rc.events);
                if (fuel == Limits.DEFAULT_FUEL) {
                    assertTrue(t.compiledHost.fromCompiledCode > before, "RUN tracing alone runs compiled code");
                }
            }
        }
    }

    /**
     * Values of every kind pass through compiled calls, closures, multiple results and a host call
     * bit-exactly (NaN payloads, -0.0, extremes, strings, aggregates): the entry returns its
     * arguments in a rotated order, and both tiers return exactly that.
     */
    @Test
    void valuesPassThroughCompiledCallsBitExactly() {
        var types = List.of(ValueType.F64, I64, U64, ValueType.STR,
                ValueType.AGG, ValueType.BOOL, ValueType.DECIMAL,
                ValueType.BYTES, ValueType.F64);
        ProgramBuilder pb = new ProgramBuilder();
        int main = pb.declareFunction(types, rotate(types));
        int rot = pb.declareFunction(types, rotate(types));
        int same = pb.declareFunction(types, types);
        int sig = pb.callSig(types, types);
        int id = pb.hostSig("probe.id", types, types);
        int n = types.size();
        int[] in = range(1, n);
        int[] mid = range(1 + n, n);
        int[] mid2 = range(1 + 2 * n, n);
        int[] out = range(1 + 3 * n, n);
        pb.function(main).constFunc(4 * n + 1, same)
                .callIndirect(0, sig, 4 * n + 1, 0, in, mid)
                .hostCall(0, id, 0, mid, mid2)
                .call(0, rot, 0, mid2, out)
                .ret(0, out);
        pb.function(rot).ret(0, rotate(in));
        pb.function(same).call(0, rot, 0, in, mid).ret(0, unrotate(mid));
        HostRegistry host = new HostRegistry().register("probe.id", Signature.of(types, types),
                (HostFunction) (a, o, ctx) -> System.arraycopy(a, 0, o, 0, a.length));
        Tiers t = Tiers.of(pb.build(), host);
        List<Value> args = List.of(Value.f64Bits(0x7ff8_0000_dead_beefL), Value.i64(Long.MIN_VALUE),
                Value.u64(-1), Value.str("日本"),
                Value.tuple(List.of(Value.i64(1), Value.f64Bits(0x8000_0000_0000_0000L))),
                Value.bool(true), Value.decimal(-12345, 3), Value.bytes(new byte[] {0, (byte) 0xff}),
                Value.f64Bits(0x8000_0000_0000_0000L));
        Tiers.Outcome o = t.check(0, args, Limits.DEFAULT, "values");
        assertNull(o.trap());
        assertEquals(rotate(args), o.results());
        for (long fuel = 0; fuel < 8; fuel++) {
            t.check(0, args, Limits.DEFAULT.withFuel(fuel), "values fuel " + fuel);
        }
    }

    /**
     * f64 add, sub, mul, div and rem give the same NaN bits on both tiers, the ones the rule of
     * {@code Numerics.nanBits} fixes ({@link F64NanTest}'s cases, worked out by hand), once and in
     * loops long enough for HotSpot to compile the generated code (which may swap the operands of
     * a commutative {@code dadd} or {@code dmul}).
     */
    @Test
    void nanResultsFollowOneRuleOnBothTiers() {
        Tiers t = Tiers.of(F64NanTest.program(), new HostRegistry());
        for (int round = 0; round < 3; round++) {
            for (F64NanTest.Case c : F64NanTest.CASES) {
                for (long n : new long[] {1, 20_000}) {
                    Tiers.Outcome o = t.check(c.func(), F64NanTest.args(c, n), Limits.DEFAULT, c + " n " + n);
                    assertEquals(F64NanTest.hex(c.expected()), F64NanTest.hex(o.results()),
                            c + " n " + n + " round " + round);
                }
            }
        }
    }

    /**
     * Entry errors (no such function, wrong arity, a wrong argument type, no arguments at all, too
     * few registers for the entry frame) trap alike on both tiers, at pc 0 with an empty stack.
     */
    @Test
    void entryErrorsTrapAlike() {
        Tiers t = Tiers.of(JitPrograms.work().program(), JitPrograms.host());
        List<Value> good = List.of(Value.i64(3), Value.i64(-1));
        assertEquals(TrapKind.INVALID_ENTRY, t.check(-1, good, Limits.DEFAULT, "entry -1").kind());
        assertEquals(TrapKind.INVALID_ENTRY, t.check(3, good, Limits.DEFAULT, "entry 3").kind());
        assertEquals(TrapKind.ARITY_MISMATCH, t.check(0, List.of(Value.i64(1)), Limits.DEFAULT, "one arg").kind());
        assertEquals(TrapKind.ARITY_MISMATCH, t.check(0, null, Limits.DEFAULT, "null args").kind());
        assertEquals(TrapKind.TYPE_MISMATCH, t.check(0, List.of(Value.i64(1), Value.u64(1)), Limits.DEFAULT,
                "u64 for i64").kind());
        Tiers.Outcome regs = t.check(0, good, Limits.DEFAULT.withMaxRegisters(5), "5 registers");
        assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, regs.kind());
        assertEquals(0, regs.trap().pc());
        assertEquals(List.of(), regs.trap().stack());
    }

    /**
     * A host function that itself runs the program again on the same VM (a nested run in a context
     * of its own, deep enough to hand over, some out of fuel), called from compiled code: outer and
     * nested runs end as they do on the interpreter.
     */
    @Test
    void nestedRunsFromAHostCallInsideCompiledCode() throws Exception {
        Program p = JitPrograms.countdown(false, JitPrograms.Bottom.HOST, new int[1]);
        VerifiedProgram vp = Verifier.verifyWithShapesAcrossBlocks(p);
        List<String> seenI = new ArrayList<>();
        List<String> seenC = new ArrayList<>();
        Vm[] vmI = new Vm[1];
        Vm[] vmC = new Vm[1];
        vmI[0] = new Vm(vp, nestingHost(vmI, seenI));
        vmC[0] = Jit.compile(vp, nestingHost(vmC, seenC));
        for (int n : new int[] {5, 150, 250}) {
            Limits l = Limits.DEFAULT.withFuel(100_000);
            Tiers.Outcome i = Tiers.run(vmI[0], null, new ExecutionContext(), 0, List.of(Value.i64(n)), l, null);
            Tiers.Outcome c = Tiers.run(vmC[0], null, new ExecutionContext(), 0, List.of(Value.i64(n)), l, null);
            Tiers.assertSame(i, c, () -> "down(" + n + ") with nested runs");
            assertEquals(List.of(Value.i64(n)), c.results());
            assertEquals(seenI, seenC, "the nested runs");
        }
        assertEquals(9, seenC.size(), "three nested runs per outer run");
        assertTrue(seenC.stream().anyMatch(s -> s.contains("fuel_exceeded")), seenC.toString());
    }

    /** The host for {@link #nestedRunsFromAHostCallInsideCompiledCode}: runs {@code vm[0]} again, 3 levels deep. */
    private static Host nestingHost(Vm[] vm, List<String> seen) {
        int[] level = {0};
        return new HostRegistry().register(JitPrograms.DEPTH, Signature.of(List.of(), List.of()),
                (HostFunction) (a, out, ctx) -> {
                    if (level[0] < 3) {
                        level[0]++;
                        try {
                            Limits l = Limits.DEFAULT.withFuel(level[0] == 3 ? 500 : 100_000);
                            Tiers.Outcome o = Tiers.run(vm[0], null, new ExecutionContext(), 0,
                                    List.of(Value.i64(260 - 60L * level[0])), l, null);
                            seen.add(level[0] + ": " + o);
                        } finally {
                            level[0]--;
                        }
                    }
                });
    }

    /**
     * Compiled frames nest on the Java stack only up to {@link JitRuntime#MAX_NESTING} frames or
     * {@link JitRuntime#STACK_WORDS} words by the compiler's estimate of a frame, which is kept
     * above what a frame takes while the JVM still interprets the generated code; deeper calls go
     * on in the interpreter. So a 1,000-deep recursion, direct or through {@code call.indirect},
     * runs compiled on a thread with a 128 KB stack as it does interpreted.
     */
    @Test
    void compiledRecursionNeedsNoLargeThreadStack() throws Exception {
        for (boolean indirect : new boolean[] {false, true}) {
            Tiers t = Tiers.of(JitPrograms.countdown(indirect, JitPrograms.Bottom.RETURN, new int[1]), Host.NONE);
            Limits l = Limits.DEFAULT.withMaxCallDepth(5_000);
            Tiers.Outcome[] box = (Tiers.Outcome[]) Tiers.onThread(128 << 10, () -> new Tiers.Outcome[] {
                t.interpret(0, List.of(Value.i64(1_000)), l), t.compile(0, List.of(Value.i64(1_000)), l)});
            assertEquals(List.of(Value.i64(1_000)), box[0].results(), "the interpreter: " + box[0]);
            Tiers.assertSame(box[0], box[1], () -> "down(1000) on a 128 KB stack, indirect " + indirect);
        }
    }

    /**
     * The register limit holds whatever the size of the context's register file: a run that a
     * fresh context stops with heap_limit_exceeded stops the same way in a context that an earlier
     * run grew, and a run within the file's initial 256 registers still keeps a smaller limit.
     */
    @Test
    void theRegisterLimitDoesNotDependOnTheContext() {
        Tiers t = Tiers.of(JitPrograms.countdown(false, JitPrograms.Bottom.RETURN, new int[1]), Host.NONE);
        Limits big = Limits.DEFAULT.withMaxCallDepth(100_000);
        Limits small = big.withMaxRegisters(2_000);
        for (Vm vm : new Vm[] {t.interpreted, t.compiled}) {
            Tiers.Outcome fresh = Tiers.run(vm, null, new ExecutionContext(), 0, List.of(Value.i64(1_000)), small,
                    null);
            assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, fresh.kind(), "1,001 frames of 8 registers need 8,008");
            ExecutionContext ctx = new ExecutionContext();
            Tiers.run(vm, null, ctx, 0, List.of(Value.i64(5_000)), big, null);
            Tiers.Outcome reused = Tiers.run(vm, null, ctx, 0, List.of(Value.i64(1_000)), small, null);
            Tiers.assertSame("fresh context", fresh, "reused context", reused, () -> "down(1000), 2,000 registers");
            // 21 frames of 8 registers need 168 registers: more than a limit of 10
            Tiers.Outcome tiny = Tiers.run(vm, null, new ExecutionContext(), 0, List.of(Value.i64(20)),
                    Limits.DEFAULT.withMaxRegisters(10), null);
            assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, tiny.kind(), "down(20) under a limit of 10 registers: " + tiny);
        }
    }

    private static int[] range(int from, int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = from + i;
        }
        return r;
    }

    private static <T> List<T> rotate(List<T> xs) {
        List<T> r = new ArrayList<>(xs.subList(1, xs.size()));
        r.add(xs.get(0));
        return r;
    }

    private static int[] rotate(int[] xs) {
        int[] r = new int[xs.length];
        for (int i = 0; i < xs.length; i++) {
            r[i] = xs[(i + 1) % xs.length];
        }
        return r;
    }

    private static int[] unrotate(int[] xs) {
        int[] r = new int[xs.length];
        for (int i = 0; i < xs.length; i++) {
            r[(i + 1) % xs.length] = xs[i];
        }
        return r;
    }
}
