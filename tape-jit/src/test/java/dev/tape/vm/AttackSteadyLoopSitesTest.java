package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.internal.Lowered;
import dev.tape.verify.internal.LoweredFunction;
import dev.tape.vm.internal.Generated;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the tenth round's steady-copy looping sites ({@code LoopInliner} in a {@code LoopPeel}'s
 * steady copy: the plain room compare, a short room jumping to the same site in the first copy, the
 * steady copy's allowance starting again where the first copy's stood at the loop's first block).
 * Random programs ({@link #program}) whose loop keeps one or two arrays out of the heap and calls,
 * at up to seven sites a turn, looping callees of several sizes ({@code walk}, padded to 10 to 31
 * registers so the room it needs ranges from what the loop's other calls leave to more;
 * {@code dot}; the small {@code tiny}) so that both copies fill their allowance and inline a
 * prefix of the sites: unguarded, in the first turn only, from a later turn on (first made in the
 * steady copy), on odd turns, in an inner loop, after a leaf call (its own room test) or a deep
 * recursive call (which raises the register mark); a second back edge from the middle of the body
 * ({@code continue}), an entry into the body past the loop's header (irreducible), an array built
 * before the loop too (so the loop's build stores an object: flag 0) or only there, a block start
 * where slices pause, and a site after the loop. The loop is in {@code main} or in {@code mid},
 * which first calls itself {@code d} deep (so the loop runs at every depth, its room local
 * differing). The loop's method must compile and be defined, every method be within its size bound
 * ({@code MethodSize}), and {@link AttackAllDriver}'s transcripts (every fuel limit with each pause
 * restored on the other tier, heap, call-depth and register limits near the run's, slices with
 * restores) must agree on the interpreter, the compiled tier and the stepped interpreter, with no
 * {@code internal_error}, and with {@code -Dtape.before.jar=FILE} (the build before the round)
 * equal the old build's.
 *
 * <p>It runs 16 programs; {@code -Dattack.b10.from=N -Dattack.b10.seeds=M} runs others. Nothing
 * differed on beb6f42 (between its tiers and stepped runs, or against 81f983f, the build before
 * the round) in 1,600 programs: seeds 100 to 1199 of a form without arrays built only before the
 * loop (100 to 799 against the build before too) and 100 to 599 of this one, against it; about
 * four in five with steady-copy room compares.
 */
class AttackSteadyLoopSitesTest {
    private static final String[] STARTS = {"0", "0", "1", "2", "15", "16", "4294967296", "9223372036854775808",
        "18446744073709551615"};

    /** One looping call on array register {@code arr}. */
    private static String loopCall(SplittableRandom rnd, String arr, String other) {
        return switch (rnd.nextInt(5)) {
            case 0, 1 -> "    call r0, walk, r0, [" + arr + ", r8, r4, r9] -> [r4]\n";
            case 2 -> "    call r0, dot, r0, [" + arr + ", " + other + ", r7] -> [r10]\n    i64.xor r4, r4, r10\n";
            default -> "    call r0, tiny, r0, [" + arr + "] -> [r10]\n    i64.add r4, r4, r10\n";
        };
    }

    /** A program (see the class comment). */
    static AttackPrograms.Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int len = 1 + rnd.nextInt(rnd.nextInt(3) == 0 ? 16 : 5);
        boolean second = rnd.nextBoolean();
        boolean before = rnd.nextInt(8) == 0;
        boolean irreducible = rnd.nextInt(4) == 0;
        boolean after = rnd.nextInt(3) == 0;
        int pad = 9 + rnd.nextInt(22);
        boolean deeper = rnd.nextInt(3) == 0;
        StringBuilder s = new StringBuilder("program b10\narray A = i64\n");
        s.append("func main(n: i64, x: i64, d: i64) -> (i64) {\n");
        if (deeper) {
            // the loop in mid, which first calls itself d deep: its loop runs at every depth to d + 1
            s.append("    call r0, mid, r0, [r1, r2, r3] -> [r4]\n    ret r0, [r4]\n}\n");
            s.append("func mid(n: i64, x: i64, d: i64) -> (i64) {\n    const.i64 r4, 0\n    const.i64 r13, 0\n")
                    .append("    i64.le r12, r3, r13\n    br r12, top, deep\ndeep:\n    const.i64 r13, 1\n")
                    .append("    i64.sub r11, r3, r13\n    call r0, mid, r0, [r1, r2, r11] -> [r4]\n    jmp top\ntop:\n");
        } else {
            s.append("    const.i64 r4, 0\n");
        }
        s.append("    const.i64 r5, 0\n    const.i64 r6, 1\n    mov r7, r2\n");
        s.append("    const.u64 r8, ").append(STARTS[rnd.nextInt(STARTS.length)]).append("\n    const.u64 r9, ")
                .append(rnd.nextBoolean() ? Integer.toString(len + rnd.nextInt(3) - 1)
                        : STARTS[rnd.nextInt(STARTS.length)]).append('\n');
        if (before) {
            s.append("    array.new r20, A, ").append(AttackPrograms.elements(rnd, len)).append('\n');
            s.append("    call r0, walk, r0, [r20, r8, r4, r9] -> [r4]\n");
        }
        if (new SplittableRandom(seed * 31 + 7).nextInt(6) == 0) {
            s.append("    array.new r20, A, [r5, r6, r7]\n");
        }
        if (irreducible) {
            s.append("    const.i64 r13, 0\n    i64.lt r12, r2, r13\n    br r12, body, loop\n");
        } else {
            s.append("    jmp loop\n");
        }
        // now and then the array is built once, before the loop, and read by the loop's sites
        // (drawn apart, so that the other programs stay as they were)
        boolean hoisted = new SplittableRandom(seed * 31 + 7).nextInt(6) == 0;
        String build = "    array.new r20, A, " + AttackPrograms.elements(rnd, len) + "\n";
        s.append("loop:\n    i64.lt r14, r5, r1\n    br r14, body, done\nbody:\n");
        s.append("    i64.add r7, r7, r5\n").append(hoisted ? "" : build);
        if (second) {
            s.append("    array.new r21, A, ").append(AttackPrograms.elements(rnd, rnd.nextBoolean() ? len : 1 + rnd.nextInt(16)))
                    .append('\n');
        }
        String other = second ? "r21" : "r20";
        boolean cont = false;
        for (int u = 0, sites = 1 + rnd.nextInt(7); u < sites; u++) {
            String arr = rnd.nextInt(3) == 0 ? other : "r20";
            String call = loopCall(rnd, arr, rnd.nextBoolean() ? other : "r20");
            switch (rnd.nextInt(12)) {
                case 0, 1, 2 -> s.append(call);
                case 3 -> s.append("    const.i64 r13, 1\n    i64.lt r12, r5, r13\n    br r12, c").append(u)
                        .append(", s").append(u).append("\nc").append(u).append(":\n").append(call)
                        .append("    jmp s").append(u).append("\ns").append(u).append(":\n");
                case 4 -> s.append("    const.i64 r13, ").append(1 + rnd.nextInt(2)).append("\n    i64.lt r12, r5, r13\n")
                        .append("    br r12, s").append(u).append(", c").append(u).append("\nc").append(u).append(":\n")
                        .append(call).append("    jmp s").append(u).append("\ns").append(u).append(":\n");
                case 5 -> s.append("    const.i64 r13, 2\n    i64.rem r11, r5, r13\n    const.i64 r13, 0\n")
                        .append("    i64.eq r12, r11, r13\n    br r12, s").append(u).append(", c").append(u)
                        .append("\nc").append(u).append(":\n").append(call).append("    jmp s").append(u)
                        .append("\ns").append(u).append(":\n");
                case 6 -> s.append("    const.i64 r16, 0\n    const.i64 r18, ").append(1 + rnd.nextInt(3))
                        .append("\n    jmp h").append(u).append("\nh").append(u).append(":\n    i64.lt r17, r16, r18\n")
                        .append("    br r17, c").append(u).append(", s").append(u).append("\nc").append(u).append(":\n")
                        .append(call).append("    i64.add r16, r16, r6\n    jmp h").append(u).append("\ns").append(u)
                        .append(":\n");
                case 7 -> s.append("    call r0, leaf, r0, [r7, r5] -> [r10]\n    i64.add r4, r4, r10\n").append(call);
                case 8 -> s.append("    call r0, rec, r0, [r3, r7] -> [r10]\n    i64.add r4, r4, r10\n").append(call);
                case 9 -> s.append("    jmp p").append(u).append("\np").append(u).append(":\n").append(call);
                case 10 -> {
                    // a second back edge from the middle of the body, on turns divisible by 3
                    cont = true;
                    s.append(call).append("    const.i64 r13, 3\n    i64.rem r11, r5, r13\n    const.i64 r13, 0\n")
                            .append("    i64.eq r12, r11, r13\n    br r12, cont, s").append(u).append("\ns").append(u)
                            .append(":\n");
                }
                default -> s.append("    array.new r20, A, ").append(AttackPrograms.elements(rnd, len)).append('\n').append(call);
            }
        }
        s.append("    i64.add r5, r5, r6\n    jmp loop\n");
        if (cont) {
            s.append("cont:\n    i64.add r4, r4, r6\n    i64.add r5, r5, r6\n    jmp loop\n");
        }
        s.append("done:\n");
        if (after) {
            s.append("    array.new r21, A, ").append(AttackPrograms.elements(rnd, 1 + rnd.nextInt(4))).append('\n')
                    .append("    call r0, tiny, r0, [r21] -> [r10]\n    i64.add r4, r4, r10\n");
        }
        s.append("    ret r0, [r4]\n}\n");
        // walk: from j while j < end, by a step, its registers padded to pad + 1
        s.append("func walk(xs: agg array A, j: u64, acc: i64, end: u64) -> (i64) {\n");
        s.append("    const.u64 r6, ").append(rnd.nextInt(4) == 0 ? "18446744073709551615" : "1")
                .append("\n    const.i64 r").append(pad).append(", 0\n    jmp check\ncheck:\n");
        s.append(rnd.nextInt(3) == 0 ? "    array.len r8, r1\n    u64.lt r7, r2, r8\n" : "    u64.lt r7, r2, r4\n");
        s.append("    br r7, step, out\nstep:\n    array.get r5, r1, r2\n    i64.add r3, r3, r5\n")
                .append("    u64.add r2, r2, r6\n    jmp check\nout:\n    ret r0, [r3]\n}\n");
        // dot: two arrays (or one twice) walked by the first's length, an immediate read at or past the count
        s.append("func dot(xs: agg array A, ys: agg array A, k: i64) -> (i64) {\n    array.len r4, r1\n")
                .append("    const.u64 r6, 0\n    const.u64 r7, 1\n    jmp head\nhead:\n    u64.lt r8, r6, r4\n")
                .append("    br r8, b, out\nb:\n    array.get r9, r1, r6\n    array.get r10, r2, r6\n")
                .append("    i64.mul r9, r9, r10\n    i64.add r3, r3, r9\n    array.get_imm r11, r2, ")
                .append(rnd.nextInt(len + 1)).append("\n    i64.sub r3, r3, r11\n")
                .append("    u64.add r6, r6, r7\n    jmp head\nout:\n    ret r0, [r3]\n}\n");
        // tiny: counts down the length
        s.append("func tiny(xs: agg array A) -> (i64) {\n    array.len r2, r1\n    const.u64 r3, 1\n")
                .append("    const.i64 r4, 0\n    jmp h\nh:\n    const.u64 r5, 0\n    u64.gt r6, r2, r5\n")
                .append("    br r6, b, out\nb:\n    u64.sub r2, r2, r3\n    array.get r7, r1, r2\n")
                .append("    i64.add r4, r4, r7\n    jmp h\nout:\n    ret r0, [r4]\n}\n");
        s.append("func leaf(a: i64, b: i64) -> (i64) {\n    i64.add r3, r1, r2\n    const.i64 r").append(3 + rnd.nextInt(28))
                .append(", 0\n    ret r0, [r3]\n}\n");
        // rec: d deep, a wide frame each
        s.append("func rec(d: i64, x: i64) -> (i64) {\n    const.i64 r3, 0\n    const.i64 r40, 0\n")
                .append("    i64.le r4, r1, r3\n    br r4, base, more\nbase:\n    ret r0, [r2]\nmore:\n")
                .append("    const.i64 r3, 1\n    i64.sub r1, r1, r3\n    call r0, rec, r0, [r1, r2] -> [r5]\n")
                .append("    ret r0, [r5]\n}\n");
        return new AttackPrograms.Generated(s.toString(), rnd.nextInt(5), rnd.nextLong(40) - 20, rnd.nextInt(4));
    }

    /**
     * The method of the loop's function (main, or mid): it compiles (no compiler bug, within the
     * limit), and every function's is within its size bound.
     *
     * @return its steady copy's room compares with no making ({@code leafFits} less {@code leafMakeRoom})
     */
    static int steadySites(String source, String what) throws Exception {
        VerifiedProgram p = JitLeafInlineTest.verified(source);
        int looper = source.contains("func mid") ? 1 : 0;
        Vm compiled = Jit.compile(p, Host.NONE);
        JitTier tier = (JitTier) compiled.tier;
        Generated g = JitTestAccess.generate(tier.view, looper);
        assertNotNull(g, "the loop's method too large\n" + what);
        // its class is defined (the JVM's verifier passes it): the tier does not leave it to the interpreter
        Jit.precompile(compiled);
        assertTrue(!tier.failed(looper), "the loop's method failed to compile\n" + what);
        Vm vm = new Vm(p, Host.NONE, Tiers.LAZY);
        for (LoweredFunction fn : Lowered.functions(p)) {
            int size = JitTestAccess.measure(new JitView(vm, null), fn.id());
            int bound = JitTestAccess.sizeBound(fn);
            assertTrue(size <= bound, what + "\nfunction " + fn.id() + ": " + size + " bytes, bound " + bound);
        }
        return JitTestAccess.methodCalls(g.bytes(), "dev/tape/vm/JitRuntime", "leafFits")
                - JitTestAccess.methodCalls(g.bytes(), "dev/tape/vm/JitRuntime", "leafMakeRoom");
    }

    /** Random programs' transcripts agree on the tiers, stepped and (with {@code -Dtape.before.jar}) with the build before. */
    @Test
    void tiersSteppedAndTheBuildBeforeAgree() throws Exception {
        TierCompare.Seeds seeds = TierCompare.Seeds.of("attack.b10", 16);
        int[] steady = {0};
        int[] results = {0};
        int[] traps = {0};
        TierCompare.sweep(seeds, AttackSteadyLoopSitesTest::program, g -> (int) (g.d() + 2) * 45 + 40,
                (seed, g, what, now) -> {
                    try {
                        steady[0] += steadySites(g.source(), what) > 0 ? 1 : 0;
                    } catch (Exception e) {
                        throw new AssertionError(what, e);
                    }
                    if (now[0].startsWith("full done")) {
                        results[0]++;
                    } else {
                        traps[0]++;
                    }
                });
        System.out.println("AttackSteadyLoopSitesTest: " + steady[0] + " with steady sites, " + results[0] + " results, "
                + traps[0] + " traps");
        assertTrue(steady[0] >= seeds.count() / 3, "programs with a steady copy's room compare: " + steady[0]);
    }

    /**
     * main: {@code pre} (0 or 1) sites of {@code walk} on an array built before the loop, then a
     * loop of n turns that builds an array and calls {@code walk} on it at {@code sites} sites (1
     * to 4), the start {@code k}.
     */
    static String allowance(int pre, int sites) {
        StringBuilder s = new StringBuilder("program allow\narray A = i64\n");
        s.append("func main(n: i64, x: i64, k: u64) -> (i64) {\n    const.i64 r4, 0\n    const.i64 r5, 0\n")
                .append("    const.i64 r6, 1\n    const.u64 r9, 3\n");
        if (pre > 0) {
            s.append("    array.new r21, A, [r2, r1, r2]\n    call r0, walk, r0, [r21, r3, r4, r9] -> [r4]\n");
        }
        s.append("    jmp loop\nloop:\n    i64.lt r14, r5, r1\n    br r14, body, done\nbody:\n")
                .append("    i64.add r7, r2, r5\n    array.new r20, A, [r7, r5, r4]\n");
        for (int u = 0; u < sites; u++) {
            s.append("    call r0, walk, r0, [r20, r3, r4, r9] -> [r4]\n");
        }
        s.append("    i64.add r5, r5, r6\n    jmp loop\ndone:\n    ret r0, [r4]\n}\n");
        s.append("func walk(xs: agg array A, j: u64, acc: i64, end: u64) -> (total: i64) {\ntop:\n")
                .append("    array.get r5, r1, r2\n    i64.add r3, r3, r5\n    const.u64 r6, 1\n    u64.add r2, r2, r6\n")
                .append("    u64.lt r7, r2, r4\n    br r7, top, out\nout:\n    ret r0, [r3]\n}\n");
        return s.toString();
    }

    /** main's method's room tests: {@code leafMakeRoom} calls (the first copy's sites), then the steady copy's compares. */
    private static int[] roomTests(String source) throws Exception {
        VerifiedProgram p = JitLeafInlineTest.verified(source);
        JitTier tier = (JitTier) Jit.compile(p, Host.NONE).tier;
        byte[] b = JitTestAccess.generate(tier.view, 0).bytes();
        int make = JitTestAccess.methodCalls(b, "dev/tape/vm/JitRuntime", "leafMakeRoom");
        return new int[] {make, JitTestAccess.methodCalls(b, "dev/tape/vm/JitRuntime", "leafFits") - make};
    }

    /**
     * The steady copy inlines exactly the loop's sites the first copy inlined, however much of the
     * allowance a site before the loop took and however many sites the loop has (so more sites than
     * fit in one allowance: a prefix of them in each copy); and every such program's tiers agree at
     * every fuel limit, every call-depth then register limit, and paused at slices of 1 to 5 with
     * restores (the start k at 0, past the count, and where the walk traps).
     */
    @Test
    void steadyCopyInlinesTheFirstCopysLoopSites() throws Exception {
        boolean bites = false;
        for (int pre = 0; pre < 2; pre++) {
            int before = roomTests(allowance(pre, 0))[0];
            assertEquals(pre, before, "the site before the loop runs inline");
            for (int sites = 1; sites <= 4; sites++) {
                String src = allowance(pre, sites);
                int[] rooms = roomTests(src);
                int inLoop = rooms[0] - before;
                assertEquals(inLoop, rooms[1], "the steady copy's sites are the first copy's in the loop\n" + src);
                assertTrue(inLoop >= 1, "the loop's first site runs inline in both copies\n" + src);
                bites |= inLoop < sites;
                VerifiedProgram p = JitLeafInlineTest.verified(src);
                Tiers t = Tiers.of(p, Host.NONE);
                Jit.precompile(t.compiled);
                for (long k : new long[] {0, 2, 4, 1L << 63}) {
                    List<Value> args = List.of(Value.i64(3), Value.i64(-5), new Value.U64(k));
                    String what = "k " + k + "\n" + src;
                    Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, what);
                    t.everyFuel(0, args, full, what);
                    t.everyDepthThenRegisters(0, args, 3, 40, what);
                    t.lockstep(0, args, 1 + k % 5, 2, what, (a, b, pause) ->
                            assertEquals(a.registersInUse(), b.registersInUse(), what + " pause " + pause));
                }
            }
        }
        assertTrue(bites, "some loop has more sites than its copy's allowance covers");
    }

    /**
     * A walk that never ends from the loop's second turn on (its end is 0 then: the unsigned index
     * never reaches it), run in the steady copy at 2<sup>64</sup>-1 fuel: the compiled run still
     * pauses for {@link Run#interrupt()} and a deadline, and the paused run restored on the
     * interpreter goes on the same way.
     */
    @Test
    void endlessWalkInTheSteadyCopyIsInterruptible() throws Exception {
        String src = """
                program spin2
                array A = i64
                func main(n: i64) -> (i64) {
                    const.i64 r5, 0
                    const.i64 r6, 1
                    const.u64 r9, 2
                    const.i64 r4, 0
                    jmp loop
                loop:
                    i64.lt r14, r5, r1
                    br r14, body, done
                body:
                    array.new r20, A, [r1, r5]
                    const.u64 r8, 1
                    call r0, walk, r0, [r20, r8, r4, r9] -> [r4]
                    const.u64 r9, 0
                    i64.add r5, r5, r6
                    jmp loop
                done:
                    ret r0, [r4]
                }
                func walk(xs: agg array A, j: u64, acc: i64, end: u64) -> (total: i64) {
                top:
                    const.u64 r6, 1
                    u64.and r2, r2, r6
                    array.get r5, r1, r2
                    i64.add r3, r3, r5
                    u64.add r2, r2, r6
                    u64.eq r7, r2, r4
                    br r7, out, top
                out:
                    ret r0, [r3]
                }
                """;
        VerifiedProgram p = JitLeafInlineTest.verified(src);
        int[] rooms = roomTests(src);
        assertEquals(1, rooms[0], "the first copy runs walk inline");
        assertEquals(1, rooms[1], "so does the steady copy");
        AttackLoopInlineTest.endlessRunStops(p);
    }

    /**
     * A loop as large as the method limit allows: {@link #allowance}'s four walk sites on one array
     * and four on a second, two leaf calls and {@code pad} more instructions a turn. Whatever
     * {@code pad}, the method is within its size bound; when the peeled method (measured whole)
     * is within the method limit it is the one generated, with the steady copy's sites; over it,
     * the method generated is the loop unpeeled (no steady compare), its sites still inline,
     * or none at all once even that is over; and the tiers agree on the run.
     */
    @Test
    void peeledToTheMethodLimitAndPast() throws Exception {
        int peeled = 0;
        int unpeeled = 0;
        for (int pad = 0; pad <= 700; pad += 25) {
            StringBuilder s = new StringBuilder("program big\narray A = i64\n");
            s.append("func main(n: i64, x: i64, k: u64) -> (i64) {\n    const.i64 r4, 0\n    const.i64 r5, 0\n")
                    .append("    const.i64 r6, 1\n    const.u64 r9, 3\n    mov r7, r2\n")
                    .append("    jmp loop\nloop:\n    i64.lt r14, r5, r1\n    br r14, body, done\nbody:\n")
                    .append("    i64.add r7, r2, r5\n    array.new r20, A, [r7, r5, r4]\n    array.new r21, A, [r4, r7]\n");
            for (int u = 0; u < 4; u++) {
                s.append("    call r0, walk, r0, [r20, r3, r4, r9] -> [r4]\n");
                s.append("    call r0, walk, r0, [r21, r3, r4, r9] -> [r4]\n");
                if (u < 2) {
                    s.append("    call r0, leaf, r0, [r4, r7] -> [r4]\n");
                }
            }
            for (int j = 0; j < pad; j++) {
                s.append(j % 2 == 0 ? "    i64.add r7, r7, r6\n" : "    i64.xor r4, r4, r7\n");
            }
            s.append("    i64.add r5, r5, r6\n    jmp loop\ndone:\n    ret r0, [r4]\n}\n");
            s.append("func walk(xs: agg array A, j: u64, acc: i64, end: u64) -> (total: i64) {\ntop:\n")
                    .append("    array.get r5, r1, r2\n    i64.add r3, r3, r5\n    const.u64 r6, 1\n    u64.add r2, r2, r6\n")
                    .append("    u64.lt r7, r2, r4\n    br r7, top, out\nout:\n    ret r0, [r3]\n}\n");
            s.append("func leaf(a: i64, b: i64) -> (i64) {\n    i64.mul r3, r1, r2\n    i64.add r3, r3, r1\n")
                    .append("    ret r0, [r3]\n}\n");
            String src = s.toString();
            String what = "pad " + pad + "\n" + src;
            VerifiedProgram p = JitLeafInlineTest.verified(src);
            Vm measuring = new Vm(p, Host.NONE, Tiers.LAZY);
            LoweredFunction fn = Lowered.functions(p).get(0);
            int whole = JitTestAccess.measure(new JitView(measuring, null), 0);
            int bound = JitTestAccess.sizeBound(fn);
            assertTrue(whole <= bound, what + "\n" + whole + " bytes peeled, bound " + bound);
            JitTier tier = (JitTier) Jit.compile(p, Host.NONE).tier;
            Generated g = JitTestAccess.generate(tier.view, 0);
            if (whole <= JitTestAccess.maxMethodBytes()) {
                assertNotNull(g, what);
                peeled++;
                int make = JitTestAccess.methodCalls(g.bytes(), "dev/tape/vm/JitRuntime", "leafMakeRoom");
                int fits = JitTestAccess.methodCalls(g.bytes(), "dev/tape/vm/JitRuntime", "leafFits");
                assertTrue(make >= 3 && fits - make == make, "peeled, both copies inline the same sites: " + make
                        + " made, " + fits + " compares\n" + what);
            } else if (g != null) {
                unpeeled++;
                int make = JitTestAccess.methodCalls(g.bytes(), "dev/tape/vm/JitRuntime", "leafMakeRoom");
                int fits = JitTestAccess.methodCalls(g.bytes(), "dev/tape/vm/JitRuntime", "leafFits");
                assertEquals(make, fits, "not peeled: no steady copy's compare\n" + what);
            }
            Tiers t = Tiers.of(p, Host.NONE);
            Jit.precompile(t.compiled);
            for (long k : new long[] {0, 2, 1L << 63}) {
                List<Value> args = List.of(Value.i64(3), Value.i64(-5), new Value.U64(k));
                Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, "k " + k + " " + what);
                for (long fuel = 0; fuel < full.used(Limits.DEFAULT); fuel += 1 + fuel / 7) {
                    t.check(0, args, Limits.DEFAULT.withFuel(fuel), "fuel " + fuel + " k " + k + " " + what);
                }
            }
        }
        // measured on 3f10b04: 7,118 bytes peeled at pad 0, 14 bytes more per pad, none generated at 700
        assertTrue(peeled >= 2 && unpeeled >= 2, "peeled " + peeled + ", unpeeled " + unpeeled);
    }

    /** A loop calling walk, then tiny, on the array it builds: the two do not fit in one copy's allowance. */
    static final String RACE = """
            program race
            array A = i64
            func main(n: i64, x: i64, k: u64) -> (i64) {
                const.i64 r4, 0
                const.i64 r5, 0
                const.i64 r6, 1
                const.u64 r9, 3
                jmp loop
            loop:
                i64.lt r14, r5, r1
                br r14, body, done
            body:
                i64.add r7, r2, r5
                array.new r20, A, [r7, r5, r4]
                call r0, walk, r0, [r20, r3, r4, r9] -> [r4]
                call r0, tiny, r0, [r20] -> [r10]
                i64.add r4, r4, r10
                i64.add r5, r5, r6
                jmp loop
            done:
                ret r0, [r4]
            }
            """ + AttackPrograms.WALK + """
            func tiny(xs: agg array A) -> (i64) {
                array.len r2, r1
                const.u64 r3, 1
                const.i64 r4, 0
                jmp h
            h:
                const.u64 r5, 0
                u64.gt r6, r2, r5
                br r6, b, out
            b:
                u64.sub r2, r2, r3
                array.get r7, r1, r2
                i64.add r4, r4, r7
                jmp h
            out:
                ret r0, [r4]
            }
            """;

    /**
     * A compiled tier whose generator, for main, is told that {@code walk} failed to compile from
     * its {@code after}-th question on (as when another thread's compile of it fails, or the
     * budget is spent, while main's method is being generated): a site the first copy inlined may
     * then be a real call in the steady copy, whose allowance is then larger.
     */
    private static Vm toldWalkFailed(VerifiedProgram p, int after) {
        return JitTier.compile(p, Host.NONE, Tiers.LAZY, JitTier.Budget.DEFAULT, JitTier.hidden(), told(after));
    }

    /** {@link #toldWalkFailed}'s generator. */
    private static dev.tape.vm.internal.Codegen told(int after) {
        dev.tape.vm.internal.Codegen real = JitTestAccess.codegen();
        return new dev.tape.vm.internal.Codegen() {
            @Override
            public Generated generate(dev.tape.vm.internal.CompileView view, int func) {
                int[] asked = {0};
                dev.tape.vm.internal.CompileView v = (dev.tape.vm.internal.CompileView) java.lang.reflect.Proxy
                        .newProxyInstance(getClass().getClassLoader(),
                                new Class<?>[] {dev.tape.vm.internal.CompileView.class}, (proxy, m, a) -> {
                                    if (func == 0 && m.getName().equals("failed") && (int) a[0] == 1) {
                                        return asked[0]++ >= after || view.failed(1);
                                    }
                                    try {
                                        return m.invoke(view, a);
                                    } catch (java.lang.reflect.InvocationTargetException e) {
                                        throw e.getCause();
                                    }
                                });
                return real.generate(v, func);
            }

            @Override
            public int stackCost(int regCount) {
                return real.stackCost(regCount);
            }
        };
    }

    /**
     * The steady copy inlining a site the first copy did not ({@link #toldWalkFailed}: the first
     * copy inlines walk, which leaves no allowance for tiny; the steady copy, told walk failed,
     * makes walk's real call and inlines tiny, whose first-copy site does not exist): the steady
     * site makes its own room ({@code leafMakeRoom}), main's class is defined, and the run agrees
     * with the interpreter's at every fuel limit, every call depth then register limit.
     */
    @Test
    void steadyCopyInliningASiteTheFirstCopyDidNot() throws Exception {
        VerifiedProgram p = JitLeafInlineTest.verified(RACE);
        int[] rooms = roomTests(RACE);
        assertEquals(1, rooms[0], "the first copy inlines walk only");
        assertEquals(1, rooms[1], "so does the steady copy");
        Vm interpreted = new Vm(p, Host.NONE, Tiers.LAZY);
        boolean steadyOwn = false;
        for (int after = 0; after <= 6; after++) {
            Vm vm = toldWalkFailed(p, after);
            JitTier tier = (JitTier) vm.tier;
            Jit.precompile(vm);
            assertTrue(!tier.failed(0), "main compiled, told walk failed after " + after);
            byte[] b = toldWalkFailedBytes(p, after);
            int make = JitTestAccess.methodCalls(b, "dev/tape/vm/JitRuntime", "leafMakeRoom");
            int fits = JitTestAccess.methodCalls(b, "dev/tape/vm/JitRuntime", "leafFits");
            steadyOwn |= make == 2 && fits == 2;
            for (long k : new long[] {0, 2, 4, 1L << 63}) {
                List<Value> args = List.of(Value.i64(3), Value.i64(-5), new Value.U64(k));
                String what = "told walk failed after " + after + ", k " + k;
                Tiers.Outcome full = Tiers.run(interpreted, null, new ExecutionContext(), 0, args, Limits.DEFAULT, null);
                for (long fuel = 0; fuel <= full.used(Limits.DEFAULT) + 1; fuel++) {
                    Limits l = Limits.DEFAULT.withFuel(fuel);
                    long f = fuel;
                    Tiers.assertSame(Tiers.run(interpreted, null, new ExecutionContext(), 0, args, l, null),
                            Tiers.run(vm, null, new ExecutionContext(), 0, args, l, null), () -> what + " fuel " + f);
                }
                for (long depth = 0; depth <= 2; depth++) {
                    for (int regs = 1; regs <= 60; regs++) {
                        Limits l = Limits.DEFAULT.withMaxCallDepth(depth).withMaxRegisters(regs);
                        long d = depth;
                        int r = regs;
                        Tiers.assertSame(Tiers.run(interpreted, null, new ExecutionContext(), 0, args, l, null),
                                Tiers.run(vm, null, new ExecutionContext(), 0, args, l, null),
                                () -> what + " depth " + d + " registers " + r);
                    }
                }
            }
        }
        assertTrue(steadyOwn, "some steady copy inlines tiny with its own room test");
    }

    /** main's class as {@link #toldWalkFailed}'s generator makes it. */
    private static byte[] toldWalkFailedBytes(VerifiedProgram p, int after) {
        Vm vm = toldWalkFailed(p, after);
        return told(after).generate(((JitTier) vm.tier).view, 0).bytes();
    }
}
