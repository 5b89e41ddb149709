package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static dev.tape.program.ValueType.I64;
import static dev.tape.program.ValueType.STR;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on the heap room a compiled method keeps in a local ({@code HeapLocal} in tape-jit) at
 * the extremes of its threshold arithmetic. {@code main} first builds an array of {@code K}
 * elements (so the method's largest single charge, the threshold's rate, is thousands of bytes
 * while the loop's own charges are 50 to 66), then loops over a block of three constructions with
 * a one-word host call between the first two (which keeps the block), then calls an allocating
 * callee directly and through {@code call.indirect}, an inlined leaf, a boxed host function
 * that sees its fuel and one that returns a string, and a callee that allocates and then traps
 * for some arguments, and a function that allocates on each level of a recursion before and after
 * its call. Each run is compared on the interpreter untraced, the interpreter stepped
 * (an INSTR trace sink) and the compiled tier, under heap limits of 0, 1 and every count the run
 * passes through, less one, exactly and plus one (the limit smaller than one charge, the room
 * exactly one charge, the sum of a block's charges crossing the limit in its middle), the heap
 * limit {@link Long#MAX_VALUE}, every fuel limit up to the run's use, fuel 2<sup>63</sup>-1 and
 * 2<sup>64</sup>-1, every call depth limit with the run's last heap counts as the limit, and fuel
 * and heap both short together; and paused at every slice of fuel under heap limits the run
 * reaches in the middle, with the boxed host function suspending the run for odd arguments (the
 * same frames, fuel left, host calls, position and snapshot bytes, which hold the heap count, at
 * each pause and after each {@code resumeWith}; runs restored from the compiled run's snapshot on
 * either tier, into a fresh context or one whose last run trapped on a heap limit of 0, end alike). No defect found: kept as a regression test (a threshold that ignores the rate, or a
 * charge without its references' part, fails it).
 */
class AttackHeapLocalTest {
    static final Signature SIG1 = Signature.of(List.of(I64), List.of(I64));

    static HostRegistry host() {
        return new HostRegistry()
                .registerWords("w.f", SIG1, a -> 3 * a + 1)
                .register("b.fuel", SIG1, (args, out, ctx) -> {
                    long a = ((Value.I64) args[0]).value();
                    if (ctx.canSuspend() && (a & 1) == 1) {
                        ctx.suspend();
                    }
                    out[0] = Value.i64((a & 0xFFFF) + (ctx.fuelRemaining() & 0xFF));
                })
                .register("b.str", Signature.of(List.of(I64), List.of(STR)),
                        (args, out, ctx) -> out[0] = Value.str("s" + ((Value.I64) args[0]).value()));
    }

    /** The program, with a first array of {@code k} elements. */
    static String program(int k) {
        StringBuilder big = new StringBuilder();
        for (int j = 0; j < k; j++) {
            big.append(j == 0 ? "" : ", ").append("r1");
        }
        return """
                program heapatk
                host hf = "w.f" (i64) -> (i64)
                host hb = "b.fuel" (i64) -> (i64)
                host hs = "b.str" (i64) -> (str)
                callsig unary = (i64) -> (i64)
                array ints = i64
                func main(n: i64, k: i64) -> (i64, agg, str, agg) {
                    const.i64 r3, 0
                    const.i64 r4, 0
                    const.i64 r5, 1
                    const.func r20, side
                    array.new r12, ints, [%s]
                    tuple.new r11, [r12, r5]
                    const.pool r15, str:"none"
                    jmp head
                head:
                    i64.lt r13, r3, r1
                    br r13, body, done
                body:
                    tuple.new r10, [r3, r4]
                    host_call r0, hf, r0, [r3] -> [r6]
                    tuple.new r11, [r10, r6]
                    array.new r14, ints, [r6, r3, r4]
                    i64.add r4, r4, r6
                    call r0, side, r0, [r4] -> [r7]
                    i64.add r4, r4, r7
                    call.indirect r0, unary, r20, r0, [r4] -> [r7]
                    tuple.new r10, [r7, r7]
                    call r0, leaf, r0, [r4] -> [r8]
                    tuple.new r10, [r8, r7]
                    tuple.new r16, [r10, r11, r14]
                    host_call r0, hb, r0, [r4] -> [r9]
                    i64.add r4, r4, r9
                    call r0, trapper, r0, [r4, r2] -> [r9]
                    i64.add r4, r4, r9
                    call r0, rec, r0, [r3] -> [r9]
                    i64.add r4, r4, r9
                    host_call r0, hs, r0, [r4] -> [r15]
                    i64.add r3, r3, r5
                    jmp head
                done:
                    ret r0, [r4, r11, r15, r12]
                }
                func side(x: i64) -> (i64) {
                    tuple.new r2, [r1, r1]
                    tuple.get r3, r2, 1
                    i64.add r3, r3, r3
                    ret r0, [r3]
                }
                func rec(x: i64) -> (i64) {
                    tuple.new r2, [r1, r1]
                    const.i64 r3, 0
                    i64.lt r4, r3, r1
                    br r4, more, out
                more:
                    const.i64 r5, 1
                    i64.sub r6, r1, r5
                    call r0, rec, r0, [r6] -> [r7]
                    tuple.new r8, [r2, r7]
                    i64.add r7, r7, r1
                    ret r0, [r7]
                out:
                    ret r0, [r1]
                }
                func leaf(x: i64) -> (i64) {
                    i64.add r2, r1, r1
                    ret r0, [r2]
                }
                func trapper(x: i64, k: i64) -> (i64) {
                    array.new r3, ints, [r1, r2]
                    i64.and r4, r1, r2
                    i64.to_u64 r5, r4
                    array.get r6, r3, r5
                    ret r0, [r6]
                }
                """.formatted(big);
    }

    /** Every instruction run counted. */
    static final class Steps implements TraceSink {
        long n;

        @Override
        public int mask() {
            return TraceMask.INSTR;
        }

        @Override
        public void instr(int func, int pc, long span, int opcode) {
            n++;
        }
    }

    /** Runs on the three ways and asserts they end alike. */
    static Tiers.Outcome three(Tiers t, List<Value> args, Limits limits, String what) {
        Tiers.Outcome stepped = Tiers.run(t.interpreted, null, new ExecutionContext(), 0, args, limits, new Steps());
        Tiers.Outcome both = t.check(0, args, limits, what);
        Tiers.Outcome plain = new Tiers.Outcome(both.results(), both.literals(), both.trap(), both.fuelRemaining(),
                both.hostCalls(), both.heapBytes(), List.of());
        Tiers.assertSame("stepped", stepped, "interpreted", plain, () -> what + " " + limits);
        return both;
    }

    /** The heap counts a run passes through: the count at every fuel limit up to its use. */
    static TreeSet<Long> counts(Tiers t, List<Value> args, long used) {
        TreeSet<Long> out = new TreeSet<>();
        for (long fuel = 0; fuel <= used; fuel++) {
            out.add(t.interpret(0, args, Limits.DEFAULT.withFuel(fuel)).heapBytes());
        }
        return out;
    }

    @Test
    void extremesOfTheThresholdEndAlikeOnEveryWay() {
        for (int k : new int[] {1, 40, 500}) {
            VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(program(k)));
            Tiers t = Tiers.ofWords(vp, host());
            assertEquals(5, Jit.precompile(t.compiled), "k " + k);
            for (long kk : new long[] {1, 3}) {
                List<Value> args = List.of(Value.i64(5), Value.i64(kk));
                String what = "k " + k + " args " + args;
                Tiers.Outcome whole = three(t, args, Limits.DEFAULT, what);
                long used = whole.used(Limits.DEFAULT);
                TreeSet<Long> counts = counts(t, args, used);
                assertTrue(counts.size() > 6, what + " counts " + counts);
                long before = t.compiledHost.fromCompiledCode;
                List<Long> heaps = new ArrayList<>(List.of(0L, 1L, Long.MAX_VALUE, Long.MAX_VALUE - 1));
                for (long c : counts) {
                    heaps.add(c - 1);
                    heaps.add(c);
                    heaps.add(c + 1);
                }
                int heapTraps = 0;
                for (long heap : heaps) {
                    if (heap < 0) {
                        continue;
                    }
                    Tiers.Outcome o = three(t, args, Limits.DEFAULT.withMaxHeapBytes(heap), what + " heap " + heap);
                    heapTraps += o.kind() == TrapKind.HEAP_LIMIT_EXCEEDED ? 1 : 0;
                    // the same with fuel 2^63-1 and 2^64-1
                    three(t, args, Limits.DEFAULT.withMaxHeapBytes(heap).withFuel(Long.MAX_VALUE),
                            what + " heap " + heap + " fuel max");
                    three(t, args, Limits.DEFAULT.withMaxHeapBytes(heap).withFuel(-1L),
                            what + " heap " + heap + " fuel 2^64-1");
                }
                assertTrue(heapTraps > counts.size(), what + ": " + heapTraps + " heap traps");
                for (long fuel = 0; fuel <= used + 2; fuel++) {
                    three(t, args, Limits.DEFAULT.withFuel(fuel), what + " fuel " + fuel);
                }
                // the recursion reaches depth 6: every call depth limit up to past it, with the heap
                // limits of the run's last few counts
                for (long depth = 0; depth <= 9; depth++) {
                    for (long heap : counts.descendingSet().stream().limit(4).toList()) {
                        three(t, args, Limits.DEFAULT.withMaxCallDepth(depth).withMaxHeapBytes(heap),
                                what + " depth " + depth + " heap " + heap);
                    }
                }
                // both short: each count as the limit, with the fuel from a bit before to a bit after
                // where the run reaches it
                long[] at = new long[counts.size()];
                int j = 0;
                for (long c : counts) {
                    at[j++] = c;
                }
                for (int q = 1; q < at.length; q += Math.max(1, at.length / 12)) {
                    for (long fuel = 0; fuel <= used; fuel += 1 + used / 40) {
                        three(t, args, Limits.DEFAULT.withMaxHeapBytes(at[q]).withFuel(fuel),
                                what + " heap " + at[q] + " fuel " + fuel);
                        three(t, args, Limits.DEFAULT.withMaxHeapBytes(at[q] - 1).withFuel(fuel),
                                what + " heap " + (at[q] - 1) + " fuel " + fuel);
                    }
                }
                assertTrue(t.compiledHost.fromCompiledCode > before, what + ": host calls from compiled code");
            }
        }
    }

    /** Host calls that suspended their run in {@link #pauses}, over all runs. */
    static int suspensions;

    /**
     * Runs main on the interpreter, stepped and compiled in slices of {@code slice} fuel under
     * {@code limits} (its fuel replaced), side by side: the same outcome after each slice, and at
     * each pause the same frames, fuel left, host calls, position and snapshot bytes (which hold
     * the heap count); at every third pause, runs restored from the compiled run's snapshot on
     * either tier end alike.
     *
     * @return the number of pauses
     */
    static int pauses(Tiers t, List<Value> args, Limits limits, long slice, String what) {
        Limits l = limits.withFuel(slice);
        Run a = t.interpreted.start(new ExecutionContext(), 0, args, l, new Steps());
        Run b = t.compiled.start(0, args, l);
        int pauses = 0;
        while (true) {
            dev.tape.vm.Outcome oa = a.resume();
            dev.tape.vm.Outcome ob = b.resume();
            assertEquals(Tiers.view(oa), Tiers.view(ob), what + " pause " + pauses);
            if (!(oa instanceof dev.tape.vm.Outcome.Paused paused)) {
                return pauses;
            }
            pauses++;
            boolean suspended = paused.reason() instanceof PauseReason.HostSuspended;
            assertEquals(a.frames(), b.frames(), what + " pause " + pauses);
            assertEquals(a.fuelRemaining(), b.fuelRemaining(), what + " pause " + pauses);
            assertEquals(a.hostCallsMade(), b.hostCallsMade(), what + " pause " + pauses);
            assertEquals(a.position(), b.position(), what + " pause " + pauses);
            byte[] snap = b.snapshot();
            assertArrayEquals(a.snapshot(), snap, what + " pause " + pauses);
            if (pauses % 3 == 1) {
                boolean reused = pauses % 2 == 0;
                // each suspended host call of the rest gets the result 5
                List<Value> five = List.of(Value.i64(5));
                assertEquals(Tiers.finish(restore(t.interpreted, snap, reused), five),
                        Tiers.finish(restore(t.compiled, snap, !reused), five), what + " restored at pause " + pauses);
            }
            if (suspended) {
                suspensions++;
                // the results the function would have given, then the run goes on in its slice
                List<Value> results = List.of(Value.i64(pauses));
                oa = a.resumeWith(results);
                ob = b.resumeWith(results);
                assertEquals(Tiers.view(oa), Tiers.view(ob), what + " resumed with results at pause " + pauses);
                if (!(oa instanceof dev.tape.vm.Outcome.Paused)) {
                    return pauses;
                }
                assertArrayEquals(a.snapshot(), b.snapshot(), what + " after resumeWith at pause " + pauses);
                if (((dev.tape.vm.Outcome.Paused) oa).reason() instanceof PauseReason.HostSuspended) {
                    continue;
                }
            }
            a.addFuel(slice);
            b.addFuel(slice);
        }
    }

    /** Limits no snapshot of these runs exceeds (the heap up to {@link Long#MAX_VALUE}). */
    static final Limits CEILING = new Limits(-1L, -1L, -1L, Long.MAX_VALUE, Limits.DEFAULT_REGISTERS);

    /**
     * Restores a snapshot under {@link #CEILING} into a fresh context or, when {@code reused}, into
     * one whose last run (of the same VM) had a heap limit of 0 and trapped on it.
     */
    static Run restore(Vm vm, byte[] snap, boolean reused) {
        ExecutionContext ctx = new ExecutionContext();
        if (reused) {
            Tiers.Outcome o = Tiers.run(vm, null, ctx, 0, List.of(Value.i64(3), Value.i64(1)),
                    Limits.DEFAULT.withMaxHeapBytes(0), null);
            assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, o.kind());
        }
        return vm.restore(ctx, snap, CEILING, null);
    }

    @Test
    void pausesAtEverySliceUnderShortHeapsAreAlike() {
        int pauses = 0;
        for (int k : new int[] {1, 500}) {
            Tiers t = Tiers.ofWords(Tiers.verified(JitResumeTest.asm(program(k))), host());
            assertEquals(5, Jit.precompile(t.compiled), "k " + k);
            List<Value> args = List.of(Value.i64(4), Value.i64(1));
            Tiers.Outcome whole = t.interpret(0, args, Limits.DEFAULT);
            long used = whole.used(Limits.DEFAULT);
            TreeSet<Long> counts = counts(t, args, used);
            List<Long> heaps = new ArrayList<>(List.of(whole.heapBytes()));
            int q = 0;
            for (long c : counts) {
                if (q++ % Math.max(1, counts.size() / 4) == 2) {
                    heaps.add(c);
                    heaps.add(c - 1);
                }
            }
            for (long heap : heaps) {
                for (long slice = 1; slice <= 20; slice++) {
                    pauses += pauses(t, args, Limits.DEFAULT.withMaxHeapBytes(heap), slice,
                            "k " + k + " heap " + heap + " slice " + slice);
                }
            }
        }
        assertTrue(pauses > 1_000 && suspensions > 100, pauses + " pauses, " + suspensions + " suspensions");
    }
}
