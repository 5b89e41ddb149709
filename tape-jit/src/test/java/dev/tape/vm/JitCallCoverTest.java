package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One fuel test for a block ending in a call of an inlined leaf, the leaf and the block after the
 * call ({@code CallCover}): the block's test covers its length, the leaf's costliest path and the
 * next block's test; the leaf's guard tests the room alone and the inlined path jumps past the next
 * block's test to its charge, which the real call's path (and every other way in) still passes.
 * A test one unit short, a real path charging one more or an inlined path that skips the next
 * block's charge changes a run's fuel or trap at some fuel limit, which the sweeps here compare.
 *
 * <p>The programs: {@code f(n, x)} loops {@code n} times over a block of random length that calls
 * the leaf {@code g} (and, in half the seeds, builds a tuple first: a block tested against the heap
 * threshold), whose two paths differ in length (the worst one longer than the taken one in half
 * the iterations), then a block of random length that may trap (a division by a value that reaches
 * zero) and, in the seeds without a loop (not peeled, so {@code FuelCover} is on), ends in a
 * diamond whose arms it covers; both tiers must agree at every fuel limit, every depth and
 * register limit (the real call's path) and in pauses at every slice of 1 to 12, restored on both.
 */
class JitCallCoverTest {
    /**
     * A random program (see the class comment).
     *
     * @param seed the seed
     * @return its text, and {@code f}'s arguments
     */
    static Tiers.Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        boolean loop = rnd.nextInt(3) != 0;
        boolean heap = rnd.nextBoolean();
        boolean traps = rnd.nextInt(3) == 0;
        StringBuilder s = new StringBuilder("program callcover\nfunc f(n: i64, x: i64) -> (i64) {\n");
        s.append("    const.i64 r3, 0\n    const.i64 r4, 1\n    const.i64 r5, 0\n    const.i64 r6, 7\n");
        s.append("    const.i64 r12, ").append(1 + rnd.nextInt(6)).append('\n');
        int calls = loop ? 1 : 1 + rnd.nextInt(3);
        if (loop) {
            s.append("    i64.lt r7, r3, r1\n    br r7, body, done\nbody:\n");
        } else {
            s.append("    jmp body\nbody:\n");
        }
        for (int c = 0; c < calls; c++) {
            s.append("    i64.and r8, r3, r6\n");
            pad(s, rnd, 4);
            if (heap) {
                s.append("    tuple.new r9, [r8, r2]\n    call r0, h, r0, [r9, r2] -> [r10]\n");
            } else {
                s.append("    call r0, g, r0, [r8, r2] -> [r10]\n");
            }
            pad(s, rnd, 4);
            if (traps) {
                // traps when i reaches r12 (a division by zero)
                s.append("    i64.sub r11, r12, r3\n    i64.div r11, r5, r11\n");
            }
            s.append("    i64.add r5, r5, r10\n    i64.add r3, r3, r4\n");
        }
        if (loop) {
            s.append("    i64.lt r7, r3, r1\n    br r7, body, done\n");
        } else {
            // a diamond the block before it covers (FuelCover)
            s.append("    i64.lt r7, r5, r12\n    br r7, left, right\nleft:\n");
            pad(s, rnd, 3);
            s.append("    jmp done\nright:\n");
            pad(s, rnd, 5);
            s.append("    jmp done\n");
        }
        s.append("done:\n    i64.add r5, r5, r2\n    ret r0, [r5]\n}\n");
        leaf(s, rnd, "g", "a: i64, b: i64", "");
        leaf(s, rnd, "h", "t: agg tuple(i64, i64), b: i64", "    tuple.get r1, r1, 0\n");
        long n = 1 + rnd.nextInt(6);
        return new Tiers.Generated(s.toString(), List.of(Value.i64(n), Value.i64(rnd.nextInt(40))));
    }

    /**
     * A leaf: a branch on its first argument, then paths of different lengths to one ret
     * ({@code AttackCallCoverMixTest}'s too).
     */
    static void leaf(StringBuilder s, SplittableRandom rnd, String name, String params, String first) {
        s.append("func ").append(name).append('(').append(params).append(") -> (i64) {\n");
        s.append(first.replace("r1, r1", "r3, r1"));
        if (first.isEmpty()) {
            s.append("    mov r3, r1\n");
        }
        s.append("    const.i64 r4, ").append(rnd.nextInt(8)).append('\n')
                .append("    i64.lt r5, r3, r4\n    br r5, short, long\nshort:\n");
        leafPad(s, rnd, 2);
        s.append("    jmp out\nlong:\n");
        leafPad(s, rnd, 9);
        s.append("    i64.gt r5, r2, r4\n    br r5, more, out\nmore:\n");
        leafPad(s, rnd, 5);
        s.append("    jmp out\nout:\n    ret r0, [r2]\n}\n");
    }

    private static void leafPad(StringBuilder s, SplittableRandom rnd, int max) {
        for (int k = rnd.nextInt(max + 1); k > 0; k--) {
            s.append(rnd.nextBoolean() ? "    i64.add r2, r2, r3\n" : "    i64.xor r2, r2, r4\n");
        }
    }

    /** Up to {@code max} instructions that change r2 (the running value). */
    private static void pad(StringBuilder s, SplittableRandom rnd, int max) {
        for (int k = rnd.nextInt(max + 1); k > 0; k--) {
            s.append(rnd.nextBoolean() ? "    i64.add r2, r2, r6\n" : "    i64.xor r2, r2, r4\n");
        }
    }

    /** Every fuel limit from 0 to one past what the run uses (and heap limits) on both tiers. */
    @Test
    void everyFuelLimit() throws Exception {
        int[] covered = {0};
        Tiers.fuelAndHeapSweep(0, 80, JitCallCoverTest::program, (g, vp, t, full, what) -> {
            assertTrue(Jit.compiledFunctions(t.compiled) >= 1, what);
            covered[0] += coveredSites(t, g.source());
        });
        assertTrue(covered[0] >= 60, "covered sites " + covered[0]);
    }

    /** Every call-depth limit from 0 to 4, then every register limit from 1 to 80. */
    @Test
    void everyDepthAndRegisterLimit() throws Exception {
        Tiers.depthAndRegisterSweep(100, 150, JitCallCoverTest::program);
    }

    /** Pauses at every slice of 1 to 12 fuel, the snapshots compared and restored on both tiers. */
    @Test
    void pausesAroundCoveredCalls() throws Exception {
        int pauses = Tiers.pauseSweep(200, 280, JitCallCoverTest::program);
        assertTrue(pauses >= 1000, "pauses " + pauses);
    }

    /**
     * The sites a program's {@code f} covers: jumps to a label right before a charge with no test
     * (the inlined leaf's path into the block after its call). Counted after a run has compiled it.
     */
    private static int coveredSites(Tiers t, String what) {
        JitTier tier = (JitTier) t.compiled.tier;
        return Shape.of(JitTestAccess.generate(tier.view, 0).bytes()).jumpsPastTests();
    }

    /**
     * rules' loop (the bench workload): the body block's heap test covers its 5 instructions,
     * score's costliest path (16) and the 4 of the block after the call (25), in both copies of the
     * peeled loop; score's guard tests no fuel (no test of 16); its inlined path jumps to the next block's charge,
     * past its test (left for the real call's path). So one iteration passes one fuel test.
     */
    @Test
    void rulesTestsItsFuelOncePerIteration() throws Exception {
        String src = Files.readString(Path.of("../tape-bench/src/main/resources/dev/tape/bench/rules.tasm"));
        JitTier tier = (JitTier) Jit.compile(JitLeafInlineTest.verified(src), Host.NONE).tier;
        Shape shape = Shape.of(JitTestAccess.generate(tier.view, 0).bytes());
        // the entry (8), then per copy the next block's test for the real call's path (4) and the
        // exit's (1); the body's heap test is made twice when the first fails (the threshold anew)
        assertEquals(List.of(8L, 4L, 1L, 4L, 1L), shape.plain, "plain tests " + shape);
        assertEquals(List.of(25L, 25L, 25L, 25L), shape.heap, "heap tests " + shape);
        assertEquals(2, shape.jumpsPastTests(), "inlined paths past the next block's test " + shape);
    }

    /**
     * The fuel tests and charges of a generated class's method {@code f0}, read from its bytecode:
     * a plain test is {@code lload fuel; ldc n; lcmp}, a heap test {@code lload fuel; ldc n; lsub;
     * lload t; lcmp}, a charge {@code lload fuel; ldc n; lsub; lstore fuel}.
     */
    static final class Shape {
        /** the instructions, one string each ("L" + label number for a label) */
        final List<String> code = new ArrayList<>();
        /** the plain tests' constants, in code order */
        final List<Long> plain = new ArrayList<>();
        /** the heap tests' constants, in code order */
        final List<Long> heap = new ArrayList<>();
        private final Map<Label, Integer> ids = new HashMap<>();

        static Shape of(byte[] bytes) {
            Shape shape = new Shape();
            new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String m, String desc, String sig, String[] ex) {
                    return !m.equals("f0") ? null : new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public void visitLabel(Label label) {
                            shape.code.add("L" + shape.id(label));
                        }

                        @Override
                        public void visitJumpInsn(int op, Label label) {
                            shape.code.add("J" + op + " L" + shape.id(label));
                        }

                        @Override
                        public void visitVarInsn(int op, int var) {
                            shape.code.add("V" + op + " " + var);
                        }

                        @Override
                        public void visitLdcInsn(Object value) {
                            shape.code.add(value instanceof Long l ? "C " + l : "C?");
                        }

                        @Override
                        public void visitInsn(int op) {
                            shape.code.add("I" + op);
                        }

                        @Override
                        public void visitMethodInsn(int op, String owner, String name, String d, boolean itf) {
                            shape.code.add("M " + name);
                        }
                    };
                }
            }, ClassReader.SKIP_FRAMES);
            shape.read();
            return shape;
        }

        private int id(Label l) {
            return ids.computeIfAbsent(l, k -> ids.size());
        }

        private void read() {
            for (int k = 0; k + 2 < code.size(); k++) {
                if (!code.get(k).startsWith("V" + Opcodes.LLOAD + " ") || !code.get(k + 1).startsWith("C ")) {
                    continue;
                }
                long n = Long.parseLong(code.get(k + 1).substring(2));
                if (code.get(k + 2).equals("I" + Opcodes.LCMP)) {
                    plain.add(n);
                } else if (code.get(k + 2).equals("I" + Opcodes.LSUB) && k + 4 < code.size()
                        && code.get(k + 3).startsWith("V" + Opcodes.LLOAD + " ")
                        && code.get(k + 4).equals("I" + Opcodes.LCMP)) {
                    heap.add(n);
                }
            }
        }

        /**
         * @return the labels a charge follows directly that both a fuel test passes to
         *     ({@code ifge}) and a {@code goto} jumps to: a block after a covered call, whose test the
         *     real call's path passes and the inlined leaf's path skips
         */
        int jumpsPastTests() {
            Map<String, Integer> at = new HashMap<>();
            Map<String, String> into = new HashMap<>();
            for (int k = 0; k < code.size(); k++) {
                String c = code.get(k);
                if (c.startsWith("L")) {
                    at.put(c, k);
                } else if (c.startsWith("J")) {
                    into.merge(c.substring(c.indexOf(' ') + 1), c.substring(0, c.indexOf(' ')) + ",", String::concat);
                }
            }
            int n = 0;
            for (Map.Entry<String, String> e : into.entrySet()) {
                if (!e.getValue().contains("J" + Opcodes.IFGE + ",") || !e.getValue().contains("J" + Opcodes.GOTO + ",")) {
                    continue;
                }
                int k = at.get(e.getKey());
                while (code.get(k).startsWith("L")) {
                    k++;
                }
                String load = code.get(k);
                if (load.startsWith("V" + Opcodes.LLOAD + " ") && code.get(k + 1).startsWith("C ")
                        && code.get(k + 2).equals("I" + Opcodes.LSUB)
                        && code.get(k + 3).equals("V" + Opcodes.LSTORE + " " + load.substring(load.indexOf(' ') + 1))) {
                    n++;
                }
            }
            return n;
        }

        @Override
        public String toString() {
            return "plain " + plain + " heap " + heap;
        }
    }
}
