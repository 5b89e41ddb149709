package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An attack on loop peeling ({@code LoopPeel}): random control flow graphs dense in calls. Each of
 * {@code main}'s blocks counts a step and leaves for {@code done} after {@code n} steps, then runs
 * random operations and jumps to any block, before or after it, or branches on the data to two: so
 * the loops have several headers, are irreducible, nest, are entered from several places (the
 * prologue branches to one of two blocks), have back edges to blocks before the least loop header
 * and first iterations that trap or pause. The operations: {@code call.indirect} of a closure over
 * a leaf that reads its environment, one that ignores it, one over a function that is no leaf, one
 * picked by the step (a different closure every step), one made fresh at each step, a func value;
 * direct calls of leaves (one with a division that traps at one step, one wider than the room the
 * others make, one taking a struct), of a function that is no leaf and of a recursive one; host
 * calls (one that suspends, a boxed one that starts a nested run of {@code side}, itself a peeled
 * loop); structs and arrays (an index out of bounds now and then) and divisions by zero. Each
 * program goes through {@link AttackAllDriver}: the interpreter, the compiled tier and the stepped
 * interpreter (an INSTR trace) must agree line by line at every fuel, heap, depth, host-call and
 * register limit, paused at slices with restores on the other tier and forks, no run may end in
 * {@code internal_error}, and with {@code -Dtape.before.jar=FILE} (the build before peeling) the
 * old build's transcripts must equal these.
 *
 * <p>It runs 8 programs (2 missed a steady-copy site jumping to another site's first-copy label;
 * seed 6 catches it); {@code -Dattack.peel.from=N -Dattack.peel.seeds=M} runs others. Nothing
 * differed, between the tiers and stepped runs or against the build before peeling (main at
 * 43c3fc1), in 1,500 programs of an earlier form of this generator ({@code rec} without a loop,
 * never past the call depth) on f491315 and 300 of this one on dee2415 (with
 * {@code -Dattack.driver.points=40}). It stays as a regression test.
 */
class AttackLoopPeelTest {
    private static String ireg(SplittableRandom rnd) {
        return "r" + (7 + rnd.nextInt(3));
    }

    /** One random operation of a block, {@code u} a number unique in the program for its labels. */
    private static void op(StringBuilder s, SplittableRandom rnd, int u, int trapAt) {
        String a = ireg(rnd);
        String b = ireg(rnd);
        String dst = ireg(rnd);
        switch (rnd.nextInt(17)) {
            case 0, 1 -> s.append("    call.indirect r0, one, r30, r0, [").append(a).append("] -> [").append(dst)
                    .append("]\n");
            case 2 -> s.append("    call.indirect r0, one, r32, r0, [").append(a).append("] -> [").append(dst)
                    .append("]\n");
            case 3 -> s.append("    call.indirect r0, one, r34, r0, [").append(a).append("] -> [").append(dst)
                    .append("]\n");
            case 4 -> {
                // a different closure at each step: picked by the step counter
                int k = 2 + rnd.nextInt(2);
                s.append("    const.i64 r13, ").append(k).append("\n    i64.rem r21, r5, r13\n");
                s.append("    const.i64 r13, 0\n    i64.eq r22, r21, r13\n    mov r23, r30\n");
                s.append("    br r22, pick").append(u).append(", other").append(u).append('\n');
                s.append("other").append(u).append(":\n    const.i64 r13, 1\n    i64.eq r22, r21, r13\n");
                s.append("    mov r23, r32\n    br r22, pick").append(u).append(", last").append(u).append('\n');
                s.append("last").append(u).append(":\n    mov r23, r").append(34)
                        .append("\n    jmp pick").append(u).append('\n');
                s.append("pick").append(u).append(":\n    call.indirect r0, one, r23, r0, [").append(a)
                        .append("] -> [").append(dst).append("]\n");
            }
            case 5 -> s.append("    tuple.new r24, [").append(a).append("]\n    closure.new r25, r35, r24\n")
                    .append("    call.indirect r0, one, r25, r0, [").append(b).append("] -> [").append(dst).append("]\n");
            case 6 -> s.append("    call.indirect r0, one, r36, r0, [").append(a).append("] -> [").append(dst)
                    .append("]\n");
            case 7 -> s.append("    call r0, plain, r0, [").append(a).append("] -> [").append(dst).append("]\n");
            case 8 -> s.append("    call r0, leafd, r0, [r5] -> [").append(dst).append("]\n");
            case 9 -> s.append("    const.i64 r13, ").append(trapAt + rnd.nextInt(3)).append("\n    i64.eq r16, r5, r13\n")
                    .append("    br r16, wide").append(u).append(", after").append(u).append("\nwide").append(u)
                    .append(":\n    call r0, leafw, r0, [").append(a).append("] -> [").append(dst).append("]\n    jmp after")
                    .append(u).append("\nafter").append(u).append(":\n");
            case 10 -> s.append("    struct.new r20, S, [").append(a).append(", ").append(b)
                    .append("]\n    call r0, leafs, r0, [r20] -> [").append(dst).append("]\n");
            case 11 -> s.append("    call r0, deep, r0, [").append(a).append("] -> [").append(dst).append("]\n");
            case 12 -> s.append("    call r0, rec, r0, [r3, ").append(a).append("] -> [").append(dst).append("]\n");
            case 13 -> s.append(switch (rnd.nextInt(3)) {
                case 0 -> "    host_call r0, hf, r0, [" + a + "] -> [" + dst + "]\n";
                case 1 -> "    host_call r0, hw, r0, [" + a + ", " + b + "] -> [" + dst + ", r9]\n";
                default -> "    host_call r0, hx, r0, [" + a + "] -> [" + dst + "]\n";
            });
            case 14 -> s.append("    array.new r26, ints, [r7, r8, r5]\n    const.u64 r28, ")
                    .append(rnd.nextInt(8) == 0 ? 3 : rnd.nextInt(3)).append("\n    array.get ").append(dst)
                    .append(", r26, r28\n");
            case 15 -> s.append("    const.i64 r13, ").append(trapAt).append("\n    i64.sub r13, r5, r13\n")
                    .append("    i64.div ").append(dst).append(", r4, r13\n");
            default -> s.append("    i64.").append(rnd.nextBoolean() ? "add" : "xor").append(' ').append(dst)
                    .append(", ").append(a).append(", ").append(b).append('\n');
        }
        s.append("    i64.add r4, r4, ").append(dst).append('\n');
    }

    static AttackPrograms.Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder("program peelattack\n");
        s.append("host hf = \"w.f\" (i64) -> (i64)\nhost hw = \"w.w\" (i64, i64) -> (i64, i64)\n");
        s.append("host hx = \"w.x\" (i64) -> (i64)\n");
        s.append("array ints = i64\nstruct S = { f0: i64, f1: i64 }\ncallsig one = (i64) -> (i64)\n");
        int blocks = 2 + rnd.nextInt(6);
        int trapAt = rnd.nextInt(3) == 0 ? rnd.nextInt(6) : 1000;
        s.append("func main(n: i64, x: i64, d: i64) -> (i64) {\n");
        AttackPrograms.mainStart(s, rnd).append("    struct.new r20, S, [r2, r6]\n");
        s.append("    array.new r26, ints, [r7]\n");
        s.append("    const.func r29, leafe\n    const.i64 r13, ").append(1 + rnd.nextInt(40))
                .append("\n    tuple.new r31, [r13]\n    closure.new r30, r29, r31\n");
        s.append("    const.func r29, leafn\n    tuple.new r33, []\n    closure.new r32, r29, r33\n");
        s.append("    const.func r29, heavy\n    closure.new r34, r29, r31\n");
        s.append("    const.func r35, leafe\n    const.func r36, plain\n    mov r23, r30\n");
        // every register written with its one type where reachable code starts (blocks may be unreachable)
        s.append("    const.u64 r28, 0\n    tuple.new r24, [r7]\n    closure.new r25, r35, r24\n    const.i64 r21, 0\n");
        s.append("    i64.eq r22, r21, r21\n    i64.lt r14, r21, r21\n");
        // the prologue enters the graph at one of two blocks
        s.append("    i64.and r15, r2, r6\n    i64.eq r16, r15, r6\n    br r16, b").append(rnd.nextInt(blocks))
                .append(", b").append(rnd.nextInt(blocks)).append('\n');
        int u = 0;
        for (int k = 0; k < blocks; k++) {
            s.append('b').append(k).append(":\n    i64.add r5, r5, r6\n    i64.lt r14, r5, r1\n    br r14, g")
                    .append(k).append(", done\ng").append(k).append(":\n");
            for (int j = 0, ops = rnd.nextInt(4); j < ops; j++) {
                op(s, rnd, u++, trapAt);
            }
            switch (rnd.nextInt(3)) {
                case 0 -> s.append("    jmp b").append(rnd.nextInt(blocks)).append('\n');
                case 1 -> s.append("    const.i64 r13, ").append(1 << rnd.nextInt(3)).append("\n    i64.and r15, ")
                        .append(rnd.nextBoolean() ? "r5" : ireg(rnd)).append(", r13\n    i64.eq r16, r15, r13\n    br r16, b")
                        .append(rnd.nextInt(blocks)).append(", b").append(rnd.nextInt(blocks)).append('\n');
                default -> s.append(k + 1 < blocks ? "    jmp b" + (k + 1) + "\n" : "    jmp b0\n");
            }
        }
        s.append("done:\n    ret r0, [r4]\n}\n");
        // side: function 1, the boxed host function's nested run, a peeled loop of its own
        s.append("""
                func side(x: i64) -> (i64) {
                    const.i64 r2, 0
                    const.i64 r3, 1
                    const.i64 r4, 3
                    jmp head
                head:
                    i64.lt r5, r2, r4
                    br r5, body, out
                body:
                    call r0, leafd, r0, [r1] -> [r6]
                    i64.add r1, r1, r6
                    i64.add r2, r2, r3
                    jmp head
                out:
                    ret r0, [r1]
                }
                """);
        s.append("func leafe(env: agg tuple(i64), x: i64) -> (i64) {\n    tuple.get r3, r1, 0\n    const.i64 r")
                .append(3 + rnd.nextInt(20)).append(", 7\n    i64.add r3, r3, r2\n    ret r0, [r3]\n}\n");
        s.append("func leafn(env: agg tuple(), x: i64) -> (i64) {\n    const.i64 r").append(3 + rnd.nextInt(20))
                .append(", 3\n    i64.mul r3, r2, r2\n    ret r0, [r3]\n}\n");
        s.append(AttackPrograms.HEAVY_PLAIN).append("""
                func deep(x: i64) -> (i64) {
                    const.i64 r2, 2
                    i64.rem r2, r1, r2
                    call r0, plain, r0, [r2] -> [r3]
                    ret r0, [r3]
                }
                func leafs(s: agg struct S) -> (i64) {
                    struct.get r2, r1, 0
                    struct.get r3, r1, 1
                    i64.mul r2, r2, r3
                    ret r0, [r2]
                }
                func rec(d: i64, x: i64) -> (i64) {
                    const.i64 r3, 0
                    i64.le r4, r1, r3
                    br r4, base, step
                base:
                    ret r0, [r2]
                step:
                    const.i64 r5, 1
                    i64.sub r6, r1, r5
                    const.i64 r7, 0
                    const.i64 r8, 2
                    jmp head
                head:
                    i64.lt r9, r7, r8
                    br r9, body, out
                body:
                    call r0, plain, r0, [r2] -> [r2]
                    i64.add r7, r7, r5
                    jmp head
                out:
                    call r0, rec, r0, [r6, r2] -> [r10]
                    ret r0, [r10]
                }
                """);
        s.append("func leafd(x: i64) -> (i64) {\n    const.i64 r2, ").append(trapAt == 1000 ? 1000 : trapAt + 1)
                .append("\n    i64.sub r2, r1, r2\n    const.i64 r3, 100\n    i64.div r3, r3, r2\n    ret r0, [r3]\n}\n");
        s.append("func leafw(x: i64) -> (i64) {\n    const.i64 r").append(12 + rnd.nextInt(30))
                .append(", 5\n    i64.mul r2, r1, r1\n    ret r0, [r2]\n}\n");
        // now and then past the default call depth: the Java stack may run short first (a hand-over)
        long depth = rnd.nextInt(10) == 0 ? 1018 + rnd.nextInt(8) : rnd.nextInt(6);
        return new AttackPrograms.Generated(s.toString(), 2 + rnd.nextInt(14), rnd.nextLong(1000), depth);
    }

    /** @return how many call sites main's method runs inline in its steady copy (room tests that make no room) */
    private static int steadySites(String source) {
        VerifiedProgram p = Verifier.verifyWithShapesAcrossBlocks(Assembler.assemble(source, "p"));
        JitTier tier = (JitTier) Jit.compile(p, Host.NONE, Tiers.LAZY).tier;
        byte[] bytes = JitTestAccess.generate(tier.view, 0).bytes();
        return JitTestAccess.methodCalls(bytes, "dev/tape/vm/JitRuntime", "leafFits")
                - JitTestAccess.methodCalls(bytes, "dev/tape/vm/JitRuntime", "leafMakeRoom");
    }

    @Test
    void tiersSteppedAndTheBuildBeforeAgree() throws Exception {
        TierCompare.Seeds seeds = TierCompare.Seeds.of("attack.peel", 8);
        int[] peeled = {0};
        int[] results = {0};
        TierCompare.sweep(seeds, AttackLoopPeelTest::program, g -> (int) (g.d() + 2) * 12 + 110, (seed, g, what, now) -> {
            peeled[0] += steadySites(g.source()) > 0 ? 1 : 0;
            results[0] += now[0].startsWith("full done") ? 1 : 0;
        });
        System.out.println("AttackLoopPeelTest: programs " + seeds.count() + ", main peeled " + peeled[0] + ", results "
                + results[0]);
        // main is peeled in most programs, and most end with results
        assertTrue(peeled[0] * 2 >= seeds.count() && results[0] * 3 >= seeds.count(),
                "peeled " + peeled[0] + ", results " + results[0]);
    }
}
