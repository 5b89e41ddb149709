package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Word tuples that compiled code keeps in locals ({@code VirtualStructs}, as structs). Random
 * programs build a tuple of 1 to 4 words per loop iteration (from the iteration's values, so a
 * wrong element shows) and then, in random order: read elements in the caller, pass it to an
 * inlined leaf that reads its elements, to a function that is no leaf (a real call, which needs the
 * object), read its length, let it escape into a tuple and a copy read by element on one branch
 * only (the other path keeps it in locals), cross a block start (a point where a slice can pause
 * with the tuple kept), and write the register with another tuple (an object). Before the loop
 * another tuple is kept across block starts where a restored run resumes. Both tiers must agree in
 * every detail (result or trap with its stack, fuel, heap bytes): at every fuel limit, at every
 * heap limit around what the run allocates (the tuple's charge traps {@code heap_limit_exceeded}
 * at its pc), at every call-depth limit, traced one instruction at a time, and paused at every
 * slice of a random size (frames, fuel, snapshot bytes; runs restored from the snapshots end alike
 * on both tiers).
 */
class JitKeptTupleTest {
    private static String list(String[] values, int k, int shift) {
        StringBuilder s = new StringBuilder("[");
        for (int j = 0; j < k; j++) {
            s.append(j == 0 ? "" : ", ").append(values[(j + shift) % values.length]);
        }
        return s.append(']').toString();
    }

    private static String type(int k) {
        StringBuilder s = new StringBuilder("agg tuple(");
        for (int j = 0; j < k; j++) {
            s.append(j == 0 ? "" : ", ").append("i64");
        }
        return s.append(')').toString();
    }

    /** A program: {@code main(n, x)} loops {@code n} times over a tuple and its uses. */
    static Tiers.Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int k = 1 + rnd.nextInt(4);
        String[] values = {"r10", "r12", "r15", "r16"};
        StringBuilder s = new StringBuilder("program keptt\n");
        s.append("func main(n: i64, x: i64) -> (i64) {\n");
        // before the loop, a tuple kept across block starts where a restored run resumes
        s.append("    tuple.new r28, ").append(list(new String[] {"r2", "r1"}, k, 0)).append('\n');
        s.append("    mov r12, r2\n    jmp pre1\npre1:\n    call r0, leaf, r0, [r28] -> [r21]\n");
        s.append("    i64.add r12, r12, r21\n    jmp pre2\npre2:\n    tuple.get r21, r28, ").append(k - 1)
                .append("\n    i64.add r12, r12, r21\n");
        s.append("    const.i64 r10, 0\n    const.i64 r11, 1\n    jmp loop\n");
        s.append("loop:\n    i64.lt r14, r10, r1\n    br r14, body, done\nbody:\n");
        s.append("    i64.add r15, r12, r10\n    const.i64 r16, 7\n    i64.mul r16, r16, r10\n");
        s.append("    tuple.new r20, ").append(list(values, k, (int) (seed % 4))).append('\n');
        int uses = 2 + rnd.nextInt(5);
        int others = 0;
        for (int u = 0; u < uses; u++) {
            int kind = rnd.nextInt(8);
            if (kind >= 2 && others >= 3) {
                kind = rnd.nextInt(2); // at most 4 reads other than element reads: the tuple stays kept
            }
            switch (kind) {
                case 0, 1 -> s.append("    tuple.get r21, r20, ").append(rnd.nextInt(k))
                        .append("\n    i64.add r12, r12, r21\n");
                case 2 -> {
                    s.append("    call r0, leaf, r0, [r20] -> [r21]\n    i64.xor r12, r12, r21\n");
                    others++;
                }
                case 3 -> {
                    s.append("    call r0, heavy, r0, [r20] -> [r21]\n    i64.add r12, r12, r21\n");
                    others++;
                }
                case 4 -> {
                    s.append("    tuple.len r22, r20\n    u64.to_i64 r21, r22\n    i64.add r12, r12, r21\n");
                    others++;
                }
                case 5 -> {
                    // escapes on one path only: into a tuple that stays live (in snapshots) and a copy
                    s.append("    const.i64 r23, 2\n    i64.rem r24, r10, r23\n    const.i64 r23, 0\n");
                    s.append("    i64.eq r25, r24, r23\n    br r25, esc").append(u).append(", stay").append(u)
                            .append('\n');
                    s.append("esc").append(u).append(":\n    tuple.new r26, [r20]\n    mov r27, r20\n");
                    s.append("    tuple.get r21, r27, ").append(rnd.nextInt(k)).append("\n    i64.sub r12, r12, r21\n");
                    s.append("    jmp stay").append(u).append("\nstay").append(u).append(":\n");
                    others += 2;
                }
                case 6 -> {
                    // another writer: an object, read by element after it
                    s.append("    tuple.new r20, ").append(list(values, k, 1)).append('\n');
                    s.append("    tuple.get r21, r20, ").append(rnd.nextInt(k)).append("\n    i64.add r12, r12, r21\n");
                    others++;
                }
                default -> s.append("    jmp next").append(u).append("\nnext").append(u).append(":\n");
            }
        }
        s.append("    i64.add r10, r10, r11\n    jmp loop\ndone:\n    ret r0, [r12]\n}\n");
        // a leaf: reads elements, branches
        s.append("func leaf(t: ").append(type(k)).append(") -> (i64) {\n    tuple.get r2, r1, ")
                .append(rnd.nextInt(k)).append("\n    tuple.get r3, r1, ").append(rnd.nextInt(k)).append('\n');
        s.append("    i64.lt r4, r2, r3\n    br r4, a, b\na:\n    i64.mul r2, r2, r3\n    jmp b\nb:\n    ret r0, [r2]\n}\n");
        s.append("func heavy(t: ").append(type(k)).append(") -> (i64) {\n    tuple.get r2, r1, ")
                .append(rnd.nextInt(k)).append("\n    const.i64 r3, 3\n    i64.div r2, r2, r3\n    ret r0, [r2]\n}\n");
        return new Tiers.Generated(s.toString(),
                List.of(Value.i64(1 + rnd.nextInt(6)), Value.i64(rnd.nextLong(1000))));
    }

    /** Every fuel limit up to what the run uses (traced too), and every heap limit around what it allocates. */
    @Test
    void everyFuelAndHeapLimit() throws Exception {
        int[] kept = {0};
        int heapTraps = Tiers.fuelAndHeapSweep(0, 40, JitKeptTupleTest::program, (g, vp, t, full, what) -> {
            if (JitKeptStructTest.calls(vp, 0, "virtualTuple") > 0) {
                kept[0]++;
            }
            long used = full.used(Limits.DEFAULT);
            for (long fl = 0; fl <= used + 1; fl += 3) {
                long fuel = fl;
                Limits limits = Limits.DEFAULT.withFuel(fuel);
                Tiers.Outcome c = t.check(0, g.args(), limits, what + " fuel " + fuel);
                Tiers.Outcome stepped = Tiers.run(t.interpreted, t.interpretedHost, new ExecutionContext(), 0,
                        g.args(), limits, new JitDifferentialTest.Steps());
                Tiers.assertSame("stepped", stepped, "compiled", c, () -> what + " fuel " + fuel);
            }
            JitDifferentialTest.Steps steps = new JitDifferentialTest.Steps();
            Tiers.run(t.interpreted, t.interpretedHost, new ExecutionContext(), 0, g.args(), Limits.DEFAULT, steps);
            assertEquals(used, steps.count, "every instruction traced, one fuel unit each: " + what);
        });
        assertTrue(kept[0] >= 30, "programs whose tuples are kept in locals: " + kept[0]);
        assertTrue(heapTraps >= 1000, "runs that ran out of heap: " + heapTraps);
    }

    /** Every call-depth limit and register limits around what the run needs. */
    @Test
    void everyDepthAndRegisterLimit() throws Exception {
        Tiers.depthAndRegisterSweep(100, 130, JitKeptTupleTest::program);
    }

    /** Paused at every slice of a random size, snapshots compared and restored on both tiers. */
    @Test
    void pausedAtEverySlice() throws Exception {
        int pauses = Tiers.pauseSweep(200, 240, JitKeptTupleTest::program);
        assertTrue(pauses >= 200, "pauses: " + pauses);
    }

    /**
     * tape-bench's tuple_loop (a pair built and read back per trip) keeps its pair in locals: no
     * aggregate built (so no tag list read), the element reads of the object only where the flag
     * is 0; both tiers alike.
     */
    @Test
    void tupleLoopKeepsItsPairInLocals() throws Exception {
        String text = JitDeadAggregatesTest.PAIRS;
        VerifiedProgram p = JitLeafInlineTest.verified(text);
        for (String helper : List.of("pair", "pairCharged", "tuple", "tupleCharged")) {
            assertEquals(0, JitKeptStructTest.calls(p, 0, helper), helper);
        }
        // the reads of the object remain, each on the path a resumed run takes (the flag 0), in the
        // loop's blocks and in its chunk's inner copy (CountedLoop)
        assertEquals(4, JitKeptStructTest.calls(p, 0, "getW"));
        assertTrue(JitKeptStructTest.calls(p, 0, "virtualTuple") > 0, "materialised in the hand-over handler");
        Tiers t = Tiers.of(p, Host.NONE);
        List<Value> args = List.of(Value.i64(50));
        Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, text);
        t.everyFuel(0, args, full, text);
        for (long b = 0; b <= full.heapBytes() + 1; b += 7) {
            t.check(0, args, Limits.DEFAULT.withMaxHeapBytes(b), text + " heap " + b);
        }
        t.lockstep(0, args, 5, 2, text, (a, b, pause) -> { });
    }
}
