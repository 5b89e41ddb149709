package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A compiled method that builds structs, in locals ({@code VirtualStructs}) or as objects, keeps
 * the heap room in a local ({@code HeapLocal} covers {@code struct.new}) and charges each struct
 * on it. Random loops dense in struct building (word structs kept in locals, a second word struct
 * and a struct holding a reference, which are objects), field reads, calls of an inlined leaf of
 * several blocks, of a function that is no leaf, tuples and block starts end alike on both tiers
 * at every fuel limit and every heap limit around each allocation (result or trap with kind, pc,
 * span, stack, fuel left, heap bytes), and pause alike at every slice (frames, fuel, snapshot
 * bytes, which hold the heap count; runs restored from the compiled run's snapshot end alike on
 * both tiers).
 */
class JitStructHeapLocalTest {
    /**
     * main(n, x): n turns of a body of {@code ops} random uses of structs over the word registers
     * r5..r7; r20 is a struct S kept in locals (its other reads are few), r21 an S that escapes
     * (moved, so an object), r22 a struct P holding r21 (a reference field).
     */
    static String program(Random rnd, int ops) {
        StringBuilder s = new StringBuilder("""
                program structheap
                struct S = { a: i64, b: i64, c: i64 }
                struct P = { k: i64, s: agg }
                func main(n: i64, x: i64) -> (i64) {
                    const.i64 r3, 0
                    const.i64 r4, 0
                    const.i64 r5, 1
                    const.i64 r6, 3
                    const.i64 r7, 5
                    const.i64 r8, 1
                    struct.new r21, S, [r5, r6, r7]
                    jmp head
                head:
                    i64.lt r13, r3, r1
                    br r13, body, done
                body:
                    i64.add r5, r5, r3
                    i64.add r6, r6, r2
                    struct.new r20, S, [r5, r6, r3]
                """);
        int others = 0;
        for (int j = 0; j < ops; j++) {
            int d = 5 + rnd.nextInt(3);
            String a = "r" + (5 + rnd.nextInt(3));
            String b = "r" + (5 + rnd.nextInt(3));
            int kind = rnd.nextInt(9);
            if (kind == 2 && others >= 3) {
                kind = 0; // at most 4 reads of r20 other than its field reads: it stays kept
            }
            switch (kind) {
                case 0 -> s.append("    struct.get r").append(d).append(", r20, ").append(rnd.nextInt(3)).append('\n');
                case 1 -> s.append("    call r0, leaf, r0, [r20, ").append(a).append("] -> [r").append(d).append("]\n");
                case 2 -> {
                    s.append("    call r0, heavy, r0, [r20] -> [r").append(d).append("]\n");
                    others++;
                }
                case 3 -> s.append("    struct.new r21, S, [").append(a).append(", ").append(b).append(", r3]\n")
                        .append("    mov r23, r21\n    struct.get r").append(d).append(", r23, ")
                        .append(rnd.nextInt(3)).append('\n');
                case 4 -> s.append("    struct.new r22, P, [").append(a).append(", r21]\n")
                        .append("    struct.get r24, r22, 1\n    call r0, leaf, r0, [r24, ").append(b)
                        .append("] -> [r").append(d).append("]\n");
                case 5 -> s.append("    call r0, side, r0, [").append(a).append("] -> [r").append(d).append("]\n");
                case 6 -> s.append("    tuple.new r25, [").append(a).append(", ").append(b).append("]\n")
                        .append("    tuple.get r").append(d).append(", r25, 1\n");
                case 7 -> s.append("    jmp next").append(j).append("\nnext").append(j).append(":\n");
                default -> s.append("    i64.").append(rnd.nextBoolean() ? "add" : "xor").append(" r").append(d)
                        .append(", ").append(a).append(", ").append(b).append('\n');
            }
        }
        s.append("""
                    struct.get r14, r20, 1
                    i64.add r4, r4, r14
                    i64.add r4, r4, r5
                    i64.add r3, r3, r8
                    jmp head
                done:
                    ret r0, [r4]
                }
                func leaf(s: agg struct S, y: i64) -> (i64) {
                    struct.get r3, r1, 0
                    struct.get r4, r1, 2
                    i64.lt r5, r3, r2
                    br r5, lo, hi
                lo:
                    i64.mul r3, r3, r4
                    jmp mid
                hi:
                    i64.sub r3, r3, r2
                    const.i64 r6, 7
                    i64.gt r5, r3, r6
                    br r5, big, mid
                big:
                    i64.add r3, r3, r6
                    jmp out
                mid:
                    i64.xor r3, r3, r2
                    jmp out
                out:
                    ret r0, [r3]
                }
                func heavy(s: agg struct S) -> (i64) {
                    struct.get r2, r1, 1
                    const.i64 r3, 3
                    i64.div r2, r2, r3
                    ret r0, [r2]
                }
                func side(x: i64) -> (i64) {
                    struct.new r2, S, [r1, r1, r1]
                    struct.get r3, r2, 2
                    i64.add r3, r3, r1
                    ret r0, [r3]
                }
                """);
        return s.toString();
    }

    static List<Value> args(long n, long k) {
        return List.of(Value.i64(n), Value.i64(k));
    }

    private static int calls(VerifiedProgram p, int f, String name) {
        return JitKeptStructTest.calls(p, f, name);
    }

    @Test
    void structLoopsEndAlikeAtEveryFuelAndHeapLimit() {
        Random rnd = new Random(0x57c7);
        int heapTraps = 0;
        int finished = 0;
        for (int p = 0; p < 24; p++) {
            String text = program(rnd, 2 + rnd.nextInt(8));
            VerifiedProgram vp = Tiers.verified(JitResumeTest.asm(text));
            // main and side charge their structs on the heap room's local, never on the context
            assertEquals(0, calls(vp, 0, "chargeAggregate"), text);
            assertTrue(calls(vp, 0, "heapThreshold") > 0, text);
            assertTrue(calls(vp, 3, "heapThreshold") > 0, text);
            Tiers t = Tiers.of(vp, Host.NONE);
            Jit.precompile(t.compiled);
            List<Value> a = args(1 + rnd.nextInt(6), rnd.nextInt(40) - 20);
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
            t.fuelAndHeapShort(0, a, whole, 12, text + a);
        }
        assertTrue(finished == 24 && heapTraps > 1_000, finished + " finished, " + heapTraps + " heap traps");
    }

    @Test
    void structLoopsPauseAlikeAtEverySlice() throws Exception {
        Random rnd = new Random(0x51ce5);
        int pauses = 0;
        for (int p = 0; p < 8; p++) {
            String text = program(rnd, 2 + rnd.nextInt(8));
            Tiers t = Tiers.of(Tiers.verified(JitResumeTest.asm(text)), Host.NONE);
            Jit.precompile(t.compiled);
            List<Value> a = args(1 + rnd.nextInt(5), rnd.nextInt(40) - 20);
            for (long slice = 1; slice <= 30; slice++) {
                pauses += t.lockstep(0, a, slice, 5, text + a + " slice " + slice, (x, y, n) -> {
                    assertEquals(x.position(), y.position());
                });
            }
        }
        assertTrue(pauses > 1_000, pauses + " pauses");
    }

    /** tape-bench's rules charges its order on the heap room's local: no heap helper in its loop. */
    @Test
    void rulesChargesItsOrderOnTheLocal() {
        VerifiedProgram p = Tiers.verified(JitCornerCasesTest.asm(JitLeafInlinedTest.RULES));
        assertEquals(0, calls(p, 0, "chargeAggregate"));
        assertEquals(0, calls(p, 0, "aggregate"));
        assertTrue(calls(p, 0, "heapThreshold") > 0);
    }
}
