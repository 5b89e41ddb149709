package dev.tape.vm;

import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.tape.program.ValueType.I64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A compiled method whose function builds tuples and arrays and has nothing that charges the heap
 * count in a helper keeps the heap room in a local ({@code HeapLocal} in tape-jit), checks it with
 * the fuel at the start of each block that allocates, and writes the count back before calls, host
 * calls, returns, traps and hand-overs. Random loops of tuple and array construction and reads, word
 * host calls (one throws for some arguments), calls of a callee that allocates the same way and of
 * one whose {@code str.concat} charges the context, and arithmetic end alike on both tiers under
 * every heap limit up to the run's use, every fuel limit and every host-call limit (results, trap
 * kind, pc, span, stack, fuel left, host calls, heap bytes), and pause alike at every slice of fuel
 * (frames, fuel left, host calls, position, main's registers, snapshot bytes, which hold the heap count,
 * runs restored on either tier).
 */
class JitHeapLocalTest {
    static final Signature SIG1 = Signature.of(List.of(I64), List.of(I64));

    /** w.f(a) = 3a + 1, throwing for a mod 61 = 17. */
    static long f(long a) {
        if (Math.floorMod(a, 61) == 17) {
            throw new IllegalStateException("f refuses " + a);
        }
        return 3 * a + 1;
    }

    static HostRegistry host() {
        return new HostRegistry().registerWords("w.f", SIG1, JitHeapLocalTest::f);
    }

    /**
     * main(n, k): n turns of one body of {@code ops} random instructions over the word registers
     * r5..r7 and the aggregates r10 (a word pair), r11 (a pair holding r10: a reference element)
     * and r12 (an i64 array): tuple and array construction and reads (an array read past the end
     * traps now and then), host calls of w.f, calls of side (which builds a tuple) and of strs
     * (whose {@code str.concat} charges the heap in its helper), i64 arithmetic; the body's last
     * word result is added to r4, which main returns.
     */
    static String program(Random rnd, int ops) {
        StringBuilder s = new StringBuilder("""
                program heaploop
                host hf = "w.f" (i64) -> (i64)
                array ints = i64
                func main(n: i64, k: i64) -> (i64) {
                    const.i64 r3, 0
                    const.i64 r4, 0
                    const.i64 r5, 1
                    const.i64 r6, 3
                    const.i64 r7, 5
                    const.i64 r8, 1
                    tuple.new r10, [r5, r6]
                    tuple.new r11, [r10, r5]
                    array.new r12, ints, [r5, r6, r7]
                    jmp head
                head:
                    i64.lt r13, r3, r1
                    br r13, body, done
                body:
                    i64.add r5, r5, r3
                    i64.add r6, r6, r2
                """);
        int last = 5;
        for (int j = 0; j < ops; j++) {
            int d = 5 + rnd.nextInt(3);
            String a = "r" + (5 + rnd.nextInt(3));
            String b = "r" + (5 + rnd.nextInt(3));
            switch (rnd.nextInt(9)) {
                case 0, 1 -> s.append("    tuple.new r10, [").append(a).append(", ").append(b).append("]\n")
                        .append("    tuple.get r").append(d).append(", r10, ").append(rnd.nextInt(2)).append('\n');
                case 2 -> s.append("    tuple.new r11, [r10, ").append(a).append("]\n")
                        .append("    tuple.get r10, r11, 0\n")
                        .append("    tuple.get r").append(d).append(", r11, 1\n");
                case 3 -> {
                    // an index of 3 (past the end) in about one body in eight
                    s.append("    array.new r12, ints, [").append(a).append(", ").append(b).append(", r7]\n");
                    s.append("    const.u64 r14, ").append(rnd.nextInt(8) == 0 ? 3 : rnd.nextInt(3)).append('\n');
                    s.append("    array.get r").append(d).append(", r12, r14\n");
                }
                case 4 -> s.append("    host_call r0, hf, r0, [").append(a).append("] -> [r").append(d).append("]\n");
                case 5 -> s.append("    call r0, side, r0, [").append(a).append("] -> [r").append(d).append("]\n");
                case 6 -> s.append("    call r0, strs, r0, [").append(a).append("] -> [r").append(d).append("]\n");
                default -> s.append("    i64.").append(rnd.nextBoolean() ? "add" : "sub").append(" r").append(d)
                        .append(", ").append(a).append(", ").append(b).append('\n');
            }
            last = d;
        }
        s.append("    i64.add r4, r4, r").append(last).append('\n');
        s.append("""
                    i64.add r3, r3, r8
                    jmp head
                done:
                    ret r0, [r4]
                }
                func side(x: i64) -> (i64) {
                    tuple.new r2, [r1, r1]
                    tuple.get r3, r2, 1
                    ret r0, [r3]
                }
                func strs(x: i64) -> (i64) {
                    const.pool r2, str:"ab"
                    str.concat r3, r2, r2
                    str.len r4, r3
                    u64.to_i64 r5, r4
                    i64.add r6, r1, r5
                    ret r0, [r6]
                }
                """);
        return s.toString();
    }

    static List<Value> args(long n, long k) {
        return List.of(Value.i64(n), Value.i64(k));
    }

    @Test
    void randomAllocatingLoopsEndAlikeUnderEveryHeapFuelAndHostCallLimit() {
        Random rnd = new Random(0x4ea914);
        int heapTraps = 0;
        int finished = 0;
        for (int p = 0; p < 20; p++) {
            String text = program(rnd, 2 + rnd.nextInt(7));
            VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(text));
            Tiers t = Tiers.ofWords(vp, host());
            assertEquals(3, Jit.precompile(t.compiled), text);
            List<Value> a = args(1 + rnd.nextInt(8), rnd.nextInt(40) - 20);
            if (p < 3) {
                // hot, so that C2's code is what the short runs use
                for (int k = 0; k < 300; k++) {
                    t.check(0, args(30, k), Limits.DEFAULT, "hot " + k);
                }
            }
            Tiers.Outcome whole = t.check(0, a, Limits.DEFAULT, text + a);
            finished += whole.trapped() ? 0 : 1;
            long used = whole.used(Limits.DEFAULT);
            assertTrue(used > 0 && used < 5_000, "uses " + used);
            assertTrue(whole.heapBytes() > 0 && whole.heapBytes() < 20_000, "heap " + whole.heapBytes());
            heapTraps += t.everyHeapTrapsBelow(0, a, whole, text + a);
            t.everyFuelTrapsBelow(0, a, whole, text + a);
            for (long calls = 0; calls <= whole.hostCalls() + 1; calls++) {
                t.check(0, a, Limits.DEFAULT.withMaxHostCalls(calls), text + a + " calls " + calls);
            }
            t.fuelAndHeapShort(0, a, whole, 16, text + a);
        }
        assertTrue(finished >= 3 && heapTraps > 1_000, finished + " finished, " + heapTraps + " heap traps");
    }

    @Test
    void randomAllocatingLoopsPauseAlikeAtEverySlice() throws Exception {
        Random rnd = new Random(0x5a11ce);
        int pauses = 0;
        for (int p = 0; p < 8; p++) {
            String text = program(rnd, 2 + rnd.nextInt(7));
            Tiers t = Tiers.ofWords(Tiers.verified(JitResumeTest.asm(text)), host());
            assertEquals(3, Jit.precompile(t.compiled), text);
            List<Value> a = args(1 + rnd.nextInt(6), rnd.nextInt(40) - 20);
            Vm vm = t.interpreted;
            boolean[] read = JitResume.mayRead(vm.image.code(), vm.image.entry(0), vm.funcs[0].codeLength(),
                    vm.funcs[0]);
            for (long slice = 1; slice <= 40; slice++) {
                pauses += t.lockstep(0, a, slice, 7, text + a + " slice " + slice, (x, y, n) -> {
                    assertEquals(x.hostCallsMade(), y.hostCallsMade());
                    assertEquals(x.position(), y.position());
                    int entryFrame = x.frames().size() - 1;
                    assertEquals(readOnly(x.registers(entryFrame), read), readOnly(y.registers(entryFrame), read));
                });
            }
        }
        assertTrue(pauses > 1_000, pauses + " pauses");
    }

    /** The registers some instruction may read (see {@code JitWordHostBlockTest.readOnly}). */
    private static List<Value> readOnly(List<Value> regs, boolean[] read) {
        List<Value> out = new ArrayList<>();
        for (int r = 0; r < regs.size(); r++) {
            out.add(read[r] ? regs.get(r) : null);
        }
        return out;
    }
}
