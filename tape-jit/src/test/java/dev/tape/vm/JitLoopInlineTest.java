package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Callees that loop over an array their caller keeps out of the heap, run inline in the caller
 * ({@code LoopInliner}: speculatively, abandoned for the real call at a short fuel, an index out of
 * range, a kept array that is an object, or no room for the frame). Random programs build an array
 * of 1 to 16 i64 elements per iteration (from the iteration's values) and call a function that
 * walks it from a start at and around its bounds (0, 1, the last index, the count, 2<sup>32</sup>,
 * 2<sup>32</sup> plus the last index, 2<sup>63</sup>, 2<sup>64</sup> - 1) to an end that is the
 * count, one past it (so the walk traps at the end) or a large value: the benchmark's shape (an
 * entry block that loops to itself) or a loop with a test block, a backward {@code jmp}, an
 * {@code array.len} and an immediate read (sometimes one past the end, which the callee must
 * trap) and, now and then, a {@code u64.to_i64} of the start (which traps from 2<sup>63</sup>);
 * the array sometimes is an array of u64 elements the callee declares as i64 (its reads trap), is
 * replaced by another array (an object), escapes through a {@code mov}, has its length read after
 * the call, or is passed twice; a block start before the call is a point where a slice can pause
 * with the array kept, after which the run resumes with it as an object. The loop is in
 * {@code main} or one call deeper. Both tiers agree in result or trap (kind, pc, stack), fuel
 * and heap bytes, at every fuel limit, every heap limit around what the run allocates, every
 * call-depth limit 0 to 3 and register limit 1 to 60, and paused at every slice of a random size
 * (frames, fuel, registers in use, snapshot bytes, runs restored on both tiers).
 */
class JitLoopInlineTest {
    /** One generated program and the entry's arguments. */
    record Generated(String source, long n, long x, long k, boolean inlinable) {}

    /** A walk's starting points: at and around the bounds of a {@code len}-element array. */
    private static long start(SplittableRandom rnd, int len) {
        long[] at = {0, 0, 0, 1, len - 1, len, 1L << 32, (1L << 32) + len - 1, Long.MIN_VALUE, -1};
        return at[rnd.nextInt(at.length)];
    }

    /** A program: {@code main(n, x, k)} builds an array per iteration and calls {@code walk} on it. */
    static Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int len = 1 + rnd.nextInt(16);
        boolean deeper = rnd.nextInt(3) == 0;
        boolean unsigned = rnd.nextInt(12) == 0;
        boolean replaced = rnd.nextInt(12) == 0;
        boolean escapes = rnd.nextInt(10) == 0;
        boolean pausePoint = rnd.nextBoolean();
        boolean readAfter = rnd.nextInt(4) == 0;
        boolean twice = rnd.nextInt(6) == 0;
        boolean shaped = rnd.nextBoolean();
        int endKind = rnd.nextInt(6);
        long k = start(rnd, len);
        StringBuilder s = new StringBuilder("program loops\narray A = i64\narray U = u64\n");
        s.append("func main(n: i64, x: i64, k: u64) -> (i64) {\n");
        if (deeper) {
            s.append("    call r0, mid, r0, [r1, r2, r3] -> [r4]\n    ret r0, [r4]\n}\n");
            s.append("func mid(n: i64, x: i64, k: u64) -> (i64) {\n");
        }
        s.append("    const.i64 r10, 0\n    const.i64 r11, 1\n    mov r12, r2\n");
        s.append("    array.new r28, A, [r2, r1]\n    jmp loop\nloop:\n    i64.lt r14, r10, r1\n    br r14, body, done\n");
        s.append("body:\n    i64.add r15, r12, r10\n    const.i64 r16, 7\n    i64.mul r16, r16, r10\n");
        String[] values = {"r10", "r12", "r15", "r16"};
        if (unsigned) {
            s.append("    i64.to_u64 r17, r11\n    array.new r20, U, [");
            for (int j = 0; j < len; j++) {
                s.append(j == 0 ? "" : ", ").append("r17");
            }
        } else {
            s.append("    array.new r20, A, [");
            for (int j = 0; j < len; j++) {
                s.append(j == 0 ? "" : ", ").append(values[(j + (int) (seed % 4)) % 4]);
            }
        }
        s.append("]\n");
        if (replaced) {
            s.append("    mov r20, r28\n");
        }
        if (escapes) {
            s.append("    mov r21, r20\n");
        }
        if (pausePoint) {
            s.append("    jmp mid1\nmid1:\n");
        }
        s.append("    array.len r23, r20\n");
        switch (endKind) {
            case 0, 1, 2 -> { }
            case 3 -> s.append("    const.u64 r22, 1\n    u64.add r23, r23, r22\n");
            case 4 -> s.append("    const.u64 r23, ").append(1 + rnd.nextInt(len)).append("\n");
            default -> s.append("    const.u64 r23, 4294967296\n");
        }
        s.append("    mov r24, r3\n");
        s.append("    call r0, walk, r0, [r20, r24, r12, r23] -> [r12]\n");
        if (twice) {
            s.append("    const.u64 r24, 0\n    call r0, walk, r0, [r20, r24, r12, r23] -> [r25]\n");
            s.append("    i64.xor r12, r12, r25\n");
        }
        if (readAfter) {
            s.append("    array.len r26, r20\n    u64.to_i64 r27, r26\n    i64.add r12, r12, r27\n");
        }
        s.append("    i64.add r10, r10, r11\n    jmp loop\ndone:\n    ret r0, [r12]\n}\n");
        s.append("func walk(xs: agg array A, j: u64, acc: i64, end: u64) -> (total: i64) {\n");
        if (shaped) {
            // the benchmark's: the entry block loops to itself
            s.append("top:\n    array.get r5, r1, r2\n    i64.add r3, r3, r5\n    const.u64 r6, 1\n");
            s.append("    u64.add r2, r2, r6\n    u64.lt r7, r2, r4\n    br r7, top, out\nout:\n    ret r0, [r3]\n}\n");
        } else {
            int imm = rnd.nextInt(10) == 0 ? len : rnd.nextInt(len);
            long step = 1 + rnd.nextInt(2);
            s.append("    array.len r8, r1\n    array.get_imm r5, r1, ").append(imm).append("\n");
            s.append("    i64.xor r3, r3, r5\n    u64.to_i64 r9, r8\n    i64.add r3, r3, r9\n");
            if (rnd.nextBoolean()) {
                // traps int_cast_overflow at a start of 2^63 or more
                s.append("    u64.to_i64 r10, r2\n    i64.add r3, r3, r10\n");
            }
            s.append("    jmp check\n");
            s.append("check:\n    u64.lt r7, r2, r4\n    br r7, step, out\n");
            s.append("step:\n    array.get r5, r1, r2\n    const.i64 r9, 3\n    i64.mul r5, r5, r9\n");
            s.append("    i64.add r3, r3, r5\n    const.u64 r6, ").append(step).append("\n");
            s.append("    u64.add r2, r2, r6\n    jmp check\nout:\n    ret r0, [r3]\n}\n");
        }
        boolean inlinable = !unsigned;
        return new Generated(s.toString(), 1 + rnd.nextInt(5), rnd.nextLong(1000), k, inlinable);
    }

    private static List<Value> args(Generated g) {
        return List.of(Value.i64(g.n()), Value.i64(g.x()), new Value.U64(g.k()));
    }

    private static Tiers tiers(Generated g) throws Exception {
        Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
        Jit.precompile(t.compiled);
        return t;
    }

    /** The function that runs the loop: main, or mid when main calls it. */
    private static int looper(Generated g) {
        return g.source().contains("func mid") ? 1 : 0;
    }

    /** Whether the looping function's method runs {@code walk} inline (its guard raises the register mark). */
    private static boolean inlines(Generated g) throws Exception {
        return JitKeptStructTest.calls(JitLeafInlineTest.verified(g.source()), looper(g), "leafMakeRoom") > 0;
    }

    /** Every fuel limit up to what the run uses, and every heap limit around what it allocates. */
    @Test
    void everyFuelAndHeapLimit() throws Exception {
        int inlined = 0;
        int traps = 0;
        int ended = 0;
        for (long seed = 0; seed < 60; seed++) {
            Generated g = program(seed);
            Tiers t = tiers(g);
            String what = "seed " + seed + ", k " + Long.toUnsignedString(g.k()) + "\n" + g.source();
            if (inlines(g)) {
                inlined++;
            }
            Tiers.Outcome full = t.check(0, args(g), Limits.DEFAULT, what);
            if (full.trapped()) {
                traps++;
            } else {
                ended++;
            }
            t.everyFuel(0, args(g), full, what);
            long heap = full.heapBytes();
            for (long b = Math.max(0, heap - 400); b <= heap + 1; b++) {
                t.check(0, args(g), Limits.DEFAULT.withMaxHeapBytes(b), what + " heap " + b);
            }
        }
        assertTrue(inlined >= 25, "programs whose walk runs inline: " + inlined);
        System.out.println("JitLoopInlineTest: " + inlined + " inlined, " + traps + " trapped, " + ended + " ended");
        assertTrue(traps >= 10, "runs that trapped: " + traps);
        assertTrue(ended >= 10, "runs that ended with results: " + ended);
    }

    /** Every call-depth limit and register limits around what the run needs. */
    @Test
    void everyDepthAndRegisterLimit() throws Exception {
        for (long seed = 100; seed < 130; seed++) {
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
        for (long seed = 200; seed < 250; seed++) {
            Generated g = program(seed);
            Tiers t = tiers(g);
            long slice = 1 + new SplittableRandom(seed).nextInt(12);
            String what = "seed " + seed + " slice " + slice + "\n" + g.source();
            pauses += t.lockstep(0, args(g), slice, 2, what, (a, b, pause) ->
                    assertEquals(a.registersInUse(), b.registersInUse(), what + " pause " + pause));
        }
        assertTrue(pauses >= 300, "pauses: " + pauses);
    }

    /** Which programs run walk inline: those whose array is kept and read as the callee reads it. */
    @Test
    void inlinedWhereTheArrayIsKept() throws Exception {
        int inlined = 0;
        for (long seed = 0; seed < 60; seed++) {
            Generated g = program(seed);
            boolean pastEnd = g.source().matches("(?s).*array\\.get_imm r5, r1, (\\d+).*")
                    && imm(g) >= elements(g);
            assertEquals(g.inlinable() && !pastEnd, inlines(g), "seed " + seed + "\n" + g.source());
            inlined += inlines(g) ? 1 : 0;
        }
        assertTrue(inlined >= 25, "inlined: " + inlined);
    }

    /**
     * {@link #program} with {@code walk} called only from iteration {@code late} on (1 or 2): the
     * loop's first iteration, which the method's first copy runs (LoopPeel), does not call, so the
     * steady copy's site is the first to run the body, with the room not yet made there; it goes to
     * the first copy's site, which makes it, and the run goes on in the first copy to the next back edge.
     */
    static Generated late(long seed) {
        Generated g = program(seed);
        long late = 1 + seed % 2;
        String call = "    call r0, walk, r0, [r20, r24, r12, r23] -> [r12]\n";
        String src = g.source().replace(call, "    const.i64 r29, " + late + "\n    i64.lt r30, r10, r29\n"
                + "    br r30, skipped, calls\ncalls:\n" + call + "    jmp skipped\nskipped:\n");
        return new Generated(src, 1 + late + seed % 3, g.x(), g.k(), g.inlinable());
    }

    /**
     * A call first made in the steady copy (see {@link #late}): both tiers agree at every fuel limit,
     * every call-depth limit and register limit, and paused at every slice of a random size; the
     * inlinable programs' loops run the body in the steady copy behind the plain room test.
     */
    @Test
    void callFirstMadeInTheSteadyCopy() throws Exception {
        int steady = 0;
        int pauses = 0;
        for (long seed = 300; seed < 330; seed++) {
            Generated g = late(seed);
            VerifiedProgram p = JitLeafInlineTest.verified(g.source());
            int fits = JitKeptStructTest.calls(p, looper(g), "leafFits") - JitKeptStructTest.calls(p, looper(g), "leafMakeRoom");
            steady += fits > 0 ? 1 : 0;
            Tiers t = tiers(g);
            String what = "late seed " + seed + ", k " + Long.toUnsignedString(g.k()) + "\n" + g.source();
            Tiers.Outcome full = t.check(0, args(g), Limits.DEFAULT, what);
            t.everyFuel(0, args(g), full, what);
            t.everyDepthThenRegisters(0, args(g), 3, 60, what);
            long slice = 1 + new SplittableRandom(seed).nextInt(12);
            pauses += t.lockstep(0, args(g), slice, 2, what + " slice " + slice, (a, b, pause) ->
                    assertEquals(a.registersInUse(), b.registersInUse(), what + " pause " + pause));
        }
        assertTrue(steady >= 12, "programs whose steady copy runs walk inline: " + steady);
        assertTrue(pauses >= 150, "pauses: " + pauses);
    }

    private static int imm(Generated g) {
        String s = g.source();
        int at = s.indexOf("array.get_imm r5, r1, ") + "array.get_imm r5, r1, ".length();
        return Integer.parseInt(s.substring(at, s.indexOf('\n', at)).trim());
    }

    private static int elements(Generated g) {
        String s = g.source();
        int at = s.indexOf("array.new r20, ");
        String line = s.substring(at, s.indexOf('\n', at));
        return line.substring(line.indexOf('[')).split(",").length;
    }

    /**
     * tape-bench's array_loop: sum runs inline in array_loop, and the program runs alike on both
     * tiers at every fuel limit (sampled), every heap limit, and paused at every slice of 7.
     */
    @Test
    void arrayLoopRunsSumInline() throws Exception {
        String src;
        try (var in = JitLoopInlineTest.class.getResourceAsStream("/dev/tape/bench/array_loop.tasm")) {
            src = in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (src == null) {
            src = java.nio.file.Files.readString(java.nio.file.Path.of(
                    "../tape-bench/src/main/resources/dev/tape/bench/array_loop.tasm"));
        }
        VerifiedProgram p = Tiers.verified(JitCornerCasesTest.asm(src));
        // its call makes LoopPeel emit the loop twice: the first copy's room test makes the room,
        // the steady copy's only compares (and goes to the first copy's site when short)
        assertEquals(1, JitKeptStructTest.calls(p, 0, "leafMakeRoom"), "the first copy's room test");
        assertEquals(1, JitKeptStructTest.calls(p, 0, "leafFits") - JitKeptStructTest.calls(p, 0, "leafMakeRoom"),
                "the steady copy's room test");
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
        for (long d = 0; d <= 2; d++) {
            t.check(0, List.of(Value.i64(40)), Limits.DEFAULT.withMaxCallDepth(d), "array_loop depth " + d);
        }
        assertTrue(t.lockstep(0, List.of(Value.i64(3)), 7, 5, "array_loop 3", (a, b, pause) -> { }) > 40);
    }
}
