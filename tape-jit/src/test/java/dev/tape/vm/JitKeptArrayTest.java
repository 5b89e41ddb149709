package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Arrays that compiled code keeps out of the heap ({@code VirtualArrays}: the elements of an
 * {@code array.new} of word elements in a scratch {@code long[]}, no aggregate until something
 * other than {@code array.len} and word {@code array.get}s reads the register). Random programs
 * build an array of 1 to 16 i64 elements per loop iteration (from the iteration's values, so a
 * wrong element shows) and then, in random order: read it at an immediate index (now and then
 * one past the end, which traps), at a register index that walks from a random start (0, the
 * last element, the count, 2<sup>32</sup> and 2<sup>32</sup> plus an element's index, whose low
 * 32 bits are an element's, 2<sup>63</sup>, 2<sup>64</sup> - 1) or that wraps below a modulus of
 * up to the count plus one, sum it by an inner loop over {@code array.len} (the benchmark
 * array_loop's old shape), pass it to a function that is no leaf, to an inlined leaf, through
 * {@code call.indirect}, let it escape into a tuple that stays live and into a copy read by
 * index (read again after the next iteration's build), write the register with another array (an
 * object), and cross a block start (a point
 * where a slice can pause with the array kept). Before the loop another array is kept across
 * block starts where a restored run resumes, and a callee builds and returns one (its
 * {@code ret} materialises it). Both tiers must agree in every detail (result or trap with its
 * pc and stack, fuel, heap bytes): at every fuel limit, at every heap limit from well under to
 * just over what the run allocates (each array's charge and the register files' growth trap
 * {@code heap_limit_exceeded} at their pcs), at every call-depth and register limit, and paused
 * at every slice of a random size (frames, fuel, registers in use, snapshot bytes, which hold every
 * register the run may still read; runs restored from the snapshots end alike on both tiers).
 */
class JitKeptArrayTest {
    /**
     * tape-bench's array_loop.tasm as it was before the eighth round: its inner loop reads the array
     * in a loop body, which only the verifier's extension accepts ({@code Tiers.verified} verifies
     * with it; the benchmark now sums in the entry block of a function, as the reference needs).
     */
    static final String ARRAY_LOOP = """
            program array_loop

            array ints = i64

            func array_loop(n: i64) -> (total: i64) {
                const.i64 r2, 0                     ; total
                const.i64 r3, 0                     ; i
                const.i64 r4, 1
                const.u64 r5, 1
                i64.lt r6, r3, r1
                br r6, build, done
            build:
                i64.add r7, r3, r4                  ; the elements i + 1 ... i + 15
                i64.add r8, r7, r4
                i64.add r9, r8, r4
                i64.add r10, r9, r4
                i64.add r11, r10, r4
                i64.add r12, r11, r4
                i64.add r13, r12, r4
                i64.add r14, r13, r4
                i64.add r15, r14, r4
                i64.add r16, r15, r4
                i64.add r17, r16, r4
                i64.add r18, r17, r4
                i64.add r19, r18, r4
                i64.add r20, r19, r4
                i64.add r21, r20, r4
                array.new r22, ints, [r3, r7, r8, r9, r10, r11, r12, r13, r14, r15, r16, r17, r18, r19, r20, r21]
                array.len r23, r22
                const.u64 r24, 0                    ; j
                u64.lt r25, r24, r23
                br r25, sum, next
            sum:
                array.get r26, r22, r24
                i64.add r2, r2, r26                 ; total += a[j]
                u64.add r24, r24, r5
                u64.lt r25, r24, r23
                br r25, sum, next
            next:
                i64.add r3, r3, r4
                i64.lt r6, r3, r1
                br r6, build, done
            done:
                ret r0, [r2]
            }
            """;

    /** One generated program and the entry's arguments. */
    record Generated(String source, long n, long x, long k) {}

    /** The register index's starting points: at and around the bounds of a {@code len}-element array. */
    private static long start(SplittableRandom rnd, int len) {
        long[] at = {0, 1, len - 1, len, 1L << 32, (1L << 32) + len - 1, Long.MIN_VALUE, -1, rnd.nextInt(3)};
        return at[rnd.nextInt(at.length)];
    }

    /** A program: {@code main(n, x, k)} loops {@code n} times over an array and its uses. */
    static Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int len = 1 + rnd.nextInt(16);
        int pre = 1 + rnd.nextInt(4);
        StringBuilder s = new StringBuilder("program keptarrays\narray A = i64\ncallsig one = (agg) -> (i64)\n");
        s.append("func main(n: i64, x: i64, k: u64) -> (i64, u64) {\n");
        s.append("    const.i64 r10, 0\n    const.i64 r11, 1\n    const.u64 r5, 1\n    mov r12, r2\n");
        s.append("    const.u64 r13, 0\n    mov r6, r3\n    const.func r30, total\n");
        // before the loop, an array kept across block starts where a restored run resumes
        s.append("    array.new r28, A, [");
        for (int j = 0; j < pre; j++) {
            s.append(j == 0 ? "" : ", ").append(j % 2 == 0 ? "r2" : "r1");
        }
        s.append("]\n    jmp pre1\npre1:\n    array.get_imm r21, r28, ").append(rnd.nextInt(pre))
                .append("\n    i64.add r12, r12, r21\n    jmp pre2\npre2:\n    array.len r22, r28\n")
                .append("    u64.add r13, r13, r22\n    const.u64 r24, ").append(rnd.nextInt(pre))
                .append("\n    array.get r21, r28, r24\n    i64.xor r12, r12, r21\n");
        s.append("    call r0, make, r0, [r2] -> [r29]\n    call r0, total, r0, [r29] -> [r21]\n    i64.add r12, r12, r21\n");
        s.append("    mov r27, r28\n    jmp loop\nloop:\n    i64.lt r14, r10, r1\n    br r14, body, done\nbody:\n");
        // the elements: i, acc, acc + i, i * 7
        String[] values = {"r10", "r12", "r15", "r16"};
        s.append("    i64.add r15, r12, r10\n    const.i64 r16, 7\n    i64.mul r16, r16, r10\n");
        s.append("    array.new r20, A, [");
        for (int j = 0; j < len; j++) {
            s.append(j == 0 ? "" : ", ").append(values[(j + (int) (seed % 4)) % 4]);
        }
        // the copy an earlier iteration let escape (case 8), read after this iteration's build
        s.append("]\n    array.get_imm r21, r27, 0\n    i64.add r12, r12, r21\n");
        int uses = 2 + rnd.nextInt(6);
        int others = 0;
        for (int u = 0; u < uses; u++) {
            int kind = rnd.nextInt(11);
            if (kind >= 5 && others >= 3) {
                kind = rnd.nextInt(5); // at most 4 other reads: the array stays kept
            }
            switch (kind) {
                case 0 -> s.append("    array.get_imm r21, r20, ")
                        .append(rnd.nextInt(25) == 0 ? len : rnd.nextInt(len))
                        .append("\n    i64.add r12, r12, r21\n");
                case 1 -> s.append("    array.get r21, r20, r6\n    i64.add r12, r12, r21\n");
                case 2 -> s.append("    const.u64 r31, ").append(1 + rnd.nextInt(len + 1))
                        .append("\n    u64.rem r23, r6, r31\n    array.get r21, r20, r23\n    i64.sub r12, r12, r21\n");
                case 3 -> {
                    // array_loop's inner loop: every element by an index below array.len
                    s.append("    array.len r22, r20\n    u64.add r13, r13, r22\n    const.u64 r24, 0\n");
                    s.append("    jmp head").append(u).append("\nhead").append(u).append(":\n");
                    s.append("    u64.lt r25, r24, r22\n    br r25, sum").append(u).append(", end").append(u)
                            .append("\nsum").append(u).append(":\n    array.get r21, r20, r24\n");
                    s.append("    i64.xor r12, r12, r21\n    i64.add r12, r12, r11\n    u64.add r24, r24, r5\n");
                    s.append("    jmp head").append(u).append("\nend").append(u).append(":\n");
                }
                case 4 -> s.append("    jmp next").append(u).append("\nnext").append(u).append(":\n");
                case 5 -> {
                    s.append("    call r0, total, r0, [r20] -> [r21]\n    i64.add r12, r12, r21\n");
                    others++;
                }
                case 6 -> {
                    s.append("    call r0, leaf, r0, [r20, r10] -> [r21]\n    i64.xor r12, r12, r21\n");
                    others++;
                }
                case 7 -> {
                    s.append("    call.indirect r0, one, r30, r0, [r20] -> [r21]\n    i64.sub r12, r12, r21\n");
                    others++;
                }
                case 8 -> {
                    // into a tuple that stays live (in snapshots) and a copy that is read
                    s.append("    tuple.new r26, [r20]\n    mov r27, r20\n    array.get_imm r21, r27, ")
                            .append(rnd.nextInt(len)).append("\n    i64.sub r12, r12, r21\n");
                    others += 2;
                }
                case 9 -> {
                    // another writer: an object (the array before the loop), read after it
                    s.append("    mov r20, r28\n    array.get_imm r21, r20, 0\n    i64.add r12, r12, r21\n");
                    s.append("    array.len r22, r20\n    u64.add r13, r13, r22\n");
                    others++;
                }
                default -> {
                    // a second array.new of the register: an object
                    s.append("    array.new r20, A, [r12, r10]\n    array.get r21, r20, r6\n    i64.add r12, r12, r21\n");
                    others++;
                }
            }
        }
        s.append("    i64.add r10, r10, r11\n    u64.add r6, r6, r5\n    jmp loop\ndone:\n    ret r0, [r12, r13]\n}\n");
        // not a leaf (a loop): needs the object
        s.append("func total(a: agg array A) -> (i64) {\n    const.i64 r2, 0\n    const.u64 r3, 0\n")
                .append("    const.u64 r4, 1\n    array.len r5, r1\n    jmp head\nhead:\n    u64.lt r6, r3, r5\n")
                .append("    br r6, body, done\nbody:\n    array.get r7, r1, r3\n    i64.add r2, r2, r7\n")
                .append("    u64.add r3, r3, r4\n    jmp head\ndone:\n    ret r0, [r2]\n}\n");
        // a leaf (inlined), passed the array, which it does not read
        s.append("func leaf(a: agg array A, i: i64) -> (i64) {\n    i64.add r3, r2, r2\n    ret r0, [r3]\n}\n");
        // builds, reads and returns an array (kept until its ret)
        s.append("func make(x: i64) -> (agg) {\n    const.i64 r2, 5\n    i64.add r3, r1, r2\n")
                .append("    array.new r4, A, [r1, r2, r3, r1]\n    array.get_imm r5, r4, 1\n")
                .append("    i64.add r3, r3, r5\n    array.len r6, r4\n    const.u64 r7, 3\n")
                .append("    array.get r5, r4, r7\n    i64.add r3, r3, r5\n")
                .append("    ret r0, [r4]\n}\n");
        return new Generated(s.toString(), 1 + rnd.nextInt(6), rnd.nextLong(1000), start(rnd, len));
    }

    private static List<Value> args(Generated g) {
        return List.of(Value.i64(g.n()), Value.i64(g.x()), new Value.U64(g.k()));
    }

    private static Tiers tiers(Generated g) throws Exception {
        return Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
    }

    /** Whether {@code main}'s method keeps some array out of the heap (it materialises somewhere). */
    private static boolean keeps(Generated g) throws Exception {
        return JitKeptStructTest.calls(JitLeafInlineTest.verified(g.source()), 0, "virtualArray") > 0;
    }

    /** Every fuel limit up to what the run uses, and every heap limit around what it allocates. */
    @Test
    void everyFuelAndHeapLimit() throws Exception {
        int kept = 0;
        int heapTraps = 0;
        int indexTraps = 0;
        int ended = 0;
        for (long seed = 0; seed < 40; seed++) {
            Generated g = program(seed);
            Tiers t = tiers(g);
            String what = "seed " + seed + ", k " + Long.toUnsignedString(g.k()) + "\n" + g.source();
            if (keeps(g)) {
                kept++;
            }
            Tiers.Outcome full = t.check(0, args(g), Limits.DEFAULT, what);
            if (full.trapped() && full.kind() == TrapKind.AGG_ERROR) {
                indexTraps++;
            } else if (!full.trapped()) {
                ended++;
            }
            t.everyFuel(0, args(g), full, what);
            long heap = full.heapBytes();
            for (long b = Math.max(0, heap - 600); b <= heap + 1; b++) {
                Tiers.Outcome o = t.check(0, args(g), Limits.DEFAULT.withMaxHeapBytes(b), what + " heap " + b);
                if (o.kind() == TrapKind.HEAP_LIMIT_EXCEEDED) {
                    heapTraps++;
                }
            }
        }
        assertTrue(kept >= 30, "programs whose loop array is kept: " + kept);
        assertTrue(heapTraps >= 1000, "runs that ran out of heap: " + heapTraps);
        assertTrue(indexTraps >= 5 && indexTraps <= 35, "runs that read out of bounds: " + indexTraps);
        assertTrue(ended >= 5, "runs that ended with results: " + ended);
    }

    /** Every call-depth limit and register limits around what the run needs. */
    @Test
    void everyDepthAndRegisterLimit() throws Exception {
        for (long seed = 100; seed < 125; seed++) {
            Generated g = program(seed);
            Tiers t = tiers(g);
            String what = "seed " + seed + "\n" + g.source();
            t.everyDepthThenRegisters(0, args(g), 3, 60, what);
        }
    }

    /** Paused at every slice of a random size: frames, fuel, live registers (snapshots) compared and restored on both tiers. */
    @Test
    void pausedAtEverySlice() throws Exception {
        int pauses = 0;
        for (long seed = 200; seed < 240; seed++) {
            Generated g = program(seed);
            Tiers t = tiers(g);
            long slice = 1 + new SplittableRandom(seed).nextInt(12);
            String what = "seed " + seed + " slice " + slice + "\n" + g.source();
            // the registers a run may still read are in the snapshot bytes lockstep compares
            // (Run.registers may show another value for a dead one on the compiled tier)
            pauses += t.lockstep(0, args(g), slice, 2, what, (a, b, pause) ->
                    assertEquals(a.registersInUse(), b.registersInUse(), what + " pause " + pause));
        }
        assertTrue(pauses >= 300, "pauses: " + pauses);
    }

    /**
     * The old array_loop ({@link #ARRAY_LOOP}) builds no aggregate: one heap charge on the heap room local, no
     * aggregate helper; and it runs alike on both tiers, at every fuel limit and paused at every
     * slice of 7.
     */
    @Test
    void arrayLoopBuildsNoAggregate() throws Exception {
        VerifiedProgram p = Tiers.verified(JitCornerCasesTest.asm(ARRAY_LOOP));
        assertEquals(0, JitKeptStructTest.calls(p, 0, "aggregateCharged"));
        assertEquals(0, JitKeptStructTest.calls(p, 0, "aggregate"));
        assertEquals(3, JitKeptStructTest.calls(p, 0, "virtualArray"), "the object paths of array.len and array.get, the hand-over handler");
        Tiers t = Tiers.of(p, Host.NONE);
        Jit.precompile(t.compiled);
        Tiers.Outcome o = t.check(0, List.of(Value.i64(40)), Limits.DEFAULT, "array_loop 40");
        assertEquals(List.of(Value.i64(16L * 40 * 39 / 2 + 120 * 40)), o.results());
        long used = o.used(Limits.DEFAULT);
        for (long fuel = 0; fuel <= used; fuel += 1 + fuel / 500) {
            t.check(0, List.of(Value.i64(40)), Limits.DEFAULT.withFuel(fuel), "array_loop fuel " + fuel);
        }
        for (long heap = 0; heap <= o.heapBytes() + 1; heap++) {
            t.check(0, List.of(Value.i64(40)), Limits.DEFAULT.withMaxHeapBytes(heap), "array_loop heap " + heap);
        }
        assertTrue(t.lockstep(0, List.of(Value.i64(3)), 7, 5, "array_loop 3", (a, b, pause) -> { }) > 40);
    }
}
