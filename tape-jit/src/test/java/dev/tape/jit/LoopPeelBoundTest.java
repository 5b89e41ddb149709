package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.verify.internal.LOp;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.Label;

import java.time.Duration;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LoopPeel#of} on lowered code made up here: each block one instruction (a {@code br}, a
 * {@code jmp}, a call, an indirect call or a {@code mov}, each 4 ints long), as a function's blocks
 * are after lowering. Its choice (the least back-edge target, whether some loop has a call) must be
 * that of the plain definition (every back edge's range scanned for a call), and it must stay
 * bounded for a function as large as a program may have: a chain of blocks each branching back to
 * the first, the only call after the last, is a back edge per block whose range holds no call.
 */
class LoopPeelBoundTest {
    private static final int WIDTH = 4;

    /** Lowered code: per block its op and targets; the function starts at {@code entry}. */
    private record Code(int[] code, int entry, int[] pcOf, Label[] labels, boolean[] reachable) {}

    private static Code code(int[] ops, int[] t1, int[] t2, boolean[] reachable, int entry) {
        int blocks = ops.length;
        int len = blocks * WIDTH;
        int[] code = new int[entry + len];
        int[] pcOf = new int[len];
        Label[] labels = new Label[len];
        boolean[] live = new boolean[len];
        java.util.Arrays.fill(pcOf, -1);
        for (int b = 0; b < blocks; b++) {
            int i = b * WIDTH;
            int g = entry + i;
            pcOf[i] = b;
            labels[i] = new Label();
            live[i] = reachable[b];
            code[g] = ops[b];
            if (ops[b] == Op.BR) {
                code[g + 1] = 1;
                code[g + 2] = entry + t1[b] * WIDTH;
                code[g + 3] = entry + t2[b] * WIDTH;
            } else if (ops[b] == Op.JMP) {
                code[g + 1] = entry + t1[b] * WIDTH;
            }
        }
        return new Code(code, entry, pcOf, labels, live);
    }

    /** The plain definition: the least target of a live back edge, and whether one's range holds a call. */
    private static int plain(Code c) {
        int least = c.labels().length;
        boolean wanted = false;
        boolean live = true;
        for (int i = 0; i < c.labels().length; i++) {
            if (c.pcOf()[i] < 0) {
                continue;
            }
            live = c.labels()[i] != null ? c.reachable()[i] : live;
            int g = c.entry() + i;
            int[] targets = c.code()[g] == Op.BR ? new int[] {c.code()[g + 2], c.code()[g + 3]}
                    : c.code()[g] == Op.JMP ? new int[] {c.code()[g + 1]} : new int[0];
            for (int tg : targets) {
                int t = tg - c.entry();
                if (!live || t > i) {
                    continue;
                }
                least = Math.min(least, t);
                for (int j = t; j <= i; j++) {
                    int op = c.pcOf()[j] >= 0 ? c.code()[c.entry() + j] : -1;
                    wanted |= op == Op.CALL || op == LOp.CALL_INDIRECT_FUNC || op == LOp.CALL_INDIRECT_CLOSURE;
                }
            }
        }
        return wanted ? least : -1;
    }

    private static int chosen(Code c) {
        LoopPeel p = LoopPeel.of(c.code(), c.entry(), c.pcOf(), c.labels(), c.reachable());
        return p == null ? -1 : p.from;
    }

    /** Random graphs of up to 40 blocks, some unreachable, at entries other than 0: the plain definition's choice. */
    @Test
    void choosesAsThePlainDefinition() {
        int[] pool = {Op.BR, Op.BR, Op.JMP, Op.CALL, LOp.CALL_INDIRECT_FUNC, LOp.CALL_INDIRECT_CLOSURE, Op.MOV, Op.MOV};
        int peeled = 0;
        int plainOnes = 0;
        for (long seed = 0; seed < 3000; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            int blocks = 1 + rnd.nextInt(40);
            int[] ops = new int[blocks];
            int[] t1 = new int[blocks];
            int[] t2 = new int[blocks];
            boolean[] reachable = new boolean[blocks];
            for (int b = 0; b < blocks; b++) {
                ops[b] = pool[rnd.nextInt(rnd.nextInt(3) == 0 ? pool.length : 3)];
                t1[b] = rnd.nextInt(blocks);
                t2[b] = rnd.nextInt(blocks);
                reachable[b] = rnd.nextInt(8) != 0;
            }
            Code c = code(ops, t1, t2, reachable, rnd.nextInt(50));
            int want = plain(c);
            assertEquals(want, chosen(c), "seed " + seed);
            peeled += want >= 0 ? 1 : 0;
            plainOnes += want < 0 ? 1 : 0;
        }
        assertTrue(peeled > 500 && plainOnes > 500, "peeled " + peeled + ", not " + plainOnes);
    }

    /**
     * 400,000 blocks each branching back to the first, then a call: no loop has a call, and the
     * choice is made in one pass (the range of each back edge scanned for a call is 10^11 steps).
     */
    @Test
    void boundedForAChainOfBackEdges() {
        int blocks = 400_000;
        int[] ops = new int[blocks + 1];
        int[] t1 = new int[blocks + 1];
        int[] t2 = new int[blocks + 1];
        boolean[] reachable = new boolean[blocks + 1];
        java.util.Arrays.fill(reachable, true);
        for (int b = 0; b < blocks; b++) {
            ops[b] = Op.BR;
            t2[b] = b + 1;
        }
        ops[blocks] = Op.CALL;
        Code c = code(ops, t1, t2, reachable, 7);
        assertNull(assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> LoopPeel.of(c.code(), c.entry(), c.pcOf(), c.labels(), c.reachable())));
        // the call in the first block: every back edge's range holds it, the least target is block 0
        c.code()[c.entry()] = Op.CALL;
        c.code()[c.entry() + WIDTH] = Op.JMP;
        c.code()[c.entry() + WIDTH + 1] = c.entry();
        LoopPeel p = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> LoopPeel.of(c.code(), c.entry(), c.pcOf(), c.labels(), c.reachable()));
        assertEquals(0, p.from);
    }
}
