package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.host.HostRegistry;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A loop closed by a compare and a {@code br} on its register (the method's own, or an inlined
 * leaf's) has its back edge as the conditional jump on the comparison, whichever side of the br
 * the loop head is ({@code InlineOps.branchCompare}, the twenty-fifth round, host25, issue 14).
 * The twenty-fourth round's shape put a {@code goto} to the loop head behind the test (after the
 * write of 1 on the taken edge), C2 kept such a loop uncounted and compiled {@code host_loop} and
 * {@code tuple_loop} ran 2.4-3.5 times slower. The shape is checked on the generated class (no
 * backward {@code goto} but a chunk's way back to its loop head; a backward conditional jump), not timed; random loops of both polarities
 * agree on both tiers at every fuel and when paused and restored on the other tier.
 */
class JitLoopBackEdgeTest {
    private static final String[] LT = {"i64.lt", "i64.gt", "i64.le", "i64.ge", "i64.eq"};

    /**
     * A counted loop over a host call (as {@code host_loop}) or a tuple (as {@code tuple_loop}),
     * its latch {@code lt; br c, top, done} ({@code backOnZero} false) or {@code ge; br c, done, top}.
     */
    private static String counted(String body, boolean backOnZero) {
        String latch = backOnZero ? "    i64.ge r5, r3, r1\n    br r5, done, top\n"
                : "    i64.lt r5, r3, r1\n    br r5, top, done\n";
        return "program back\nhost hw = \"w.f\" (i64) -> (i64)\n"
                + "func f(n: i64) -> (i64) {\n    const.i64 r2, 0\n    const.i64 r3, 0\n    const.i64 r4, 1\n"
                + "    i64.lt r5, r3, r1\n    br r5, top, done\ntop:\n" + body
                + "    i64.add r3, r3, r4\n" + latch + "done:\n    ret r0, [r2]\n}\n";
    }

    private static final String HOST_BODY = "    host_call r0, hw, r0, [r3] -> [r6]\n    i64.add r2, r2, r6\n";
    private static final String TUPLE_BODY = "    tuple.new r6, [r3, r2]\n    tuple.get r7, r6, 0\n"
            + "    tuple.get r8, r6, 1\n    i64.add r2, r7, r8\n";

    /** A loop calling a leaf that loops itself (inlined, {@code LoopInliner}), each latch of the given polarity. */
    private static String leafLoop(boolean backOnZero) {
        String latch = backOnZero ? "    i64.ge r5, r3, r1\n    br r5, done, top\n"
                : "    i64.lt r5, r3, r1\n    br r5, top, done\n";
        return "program leafback\n"
                + "func f(n: i64) -> (i64) {\n    const.i64 r2, 0\n    const.i64 r3, 0\n    const.i64 r4, 1\n"
                + "    i64.lt r5, r3, r1\n    br r5, top, done\ntop:\n"
                + "    call r0, g, r0, [r3] -> [r6]\n    i64.add r2, r2, r6\n    i64.add r3, r3, r4\n" + latch
                + "done:\n    ret r0, [r2]\n}\n"
                + "func g(m: i64) -> (i64) {\n    const.i64 r2, 0\n    const.i64 r3, 0\n    const.i64 r4, 1\n"
                + "    i64.lt r5, r3, r1\n    br r5, top, done\ntop:\n    i64.add r2, r2, r3\n    i64.add r3, r3, r4\n"
                + latch + "done:\n    ret r0, [r2]\n}\n";
    }

    static Host host() {
        return new HostRegistry().registerWords("w.f", JitWordHostBlockTest.SIG1, a -> a * 3 + 1);
    }

    /** The jumps of a generated method, as {bytecode offset of the jump, of its target, opcode}. */
    private static List<int[]> jumps(byte[] bytes, String method) {
        List<int[]> out = new ArrayList<>();
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                if (!name.equals(method)) {
                    return null;
                }
                return new MethodVisitor(Opcodes.ASM9) {
                    final Map<Label, Integer> placed = new HashMap<>();
                    final List<Object[]> pending = new ArrayList<>();
                    int offset;

                    @Override
                    public void visitLabel(Label label) {
                        placed.put(label, offset);
                    }

                    @Override
                    public void visitInsn(int opcode) {
                        offset++;
                    }

                    @Override
                    public void visitJumpInsn(int opcode, Label label) {
                        pending.add(new Object[] {offset, label, opcode});
                        offset++;
                    }

                    // every other instruction: counted as one, enough to order them
                    @Override
                    public void visitVarInsn(int opcode, int var) {
                        offset++;
                    }

                    @Override
                    public void visitIntInsn(int opcode, int operand) {
                        offset++;
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        offset++;
                    }

                    @Override
                    public void visitMethodInsn(int op, String o, String n, String d, boolean i) {
                        offset++;
                    }

                    @Override
                    public void visitFieldInsn(int op, String o, String n, String d) {
                        offset++;
                    }

                    @Override
                    public void visitTypeInsn(int op, String t) {
                        offset++;
                    }

                    @Override
                    public void visitIincInsn(int var, int inc) {
                        offset++;
                    }

                    @Override
                    public void visitEnd() {
                        for (Object[] p : pending) {
                            out.add(new int[] {(Integer) p[0], placed.get((Label) p[1]), (Integer) p[2]});
                        }
                    }
                };
            }
        }, 0);
        return out;
    }

    /**
     * Asserts the method of function {@code func} closes its loops with backward conditional jumps:
     * its only backward {@code goto}s are its chunks' ways back to their loop heads (a loop run in
     * chunks, {@code CountedLoop}, leaves its inner copy so; the inner copy's own back edge is
     * conditional), at most one per chunk preamble.
     */
    static void backEdgesAreConditional(VerifiedProgram p, Host host, int func, int loops, String what) {
        JitTier tier = (JitTier) Jit.compile(p, host).tier;
        dev.tape.vm.internal.Generated g = JitTestAccess.generate(tier.view, func);
        assertNotNull(g, what);
        int chunks = CountedLoopPrograms.preambles(tier, func);
        int conditional = 0;
        int gotos = 0;
        String first = "";
        for (int[] j : jumps(g.bytes(), g.method())) {
            if (j[1] <= j[0]) {
                if (j[2] == Opcodes.GOTO) {
                    first = gotos++ == 0 ? " (the first at " + j[0] + " to " + j[1] + ")" : first;
                } else {
                    conditional++;
                }
            }
        }
        assertTrue(gotos <= chunks, what + ": backward gotos " + gotos + first + ", chunk preambles " + chunks);
        assertTrue(conditional >= loops, what + ": backward conditional jumps " + conditional);
    }

    @Test
    void hostAndTupleLoopsCloseOnTheirCompare() {
        for (boolean backOnZero : new boolean[] {false, true}) {
            for (String body : new String[] {HOST_BODY, TUPLE_BODY}) {
                String src = counted(body, backOnZero);
                backEdgesAreConditional(Tiers.verified(JitCornerCasesTest.asm(src)), host(), 0, 1, src);
            }
            String src = leafLoop(backOnZero);
            backEdgesAreConditional(Tiers.verified(JitCornerCasesTest.asm(src)), Host.NONE, 0, 1, src);
        }
    }

    /** A random loop: its latch and its head's own branch drawn from the seed, each of either polarity. */
    static Tiers.Generated loop(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        String op = LT[rnd.nextInt(LT.length)];
        String[] regs = {"r1", "r2", "r3", "r10"};
        String headCmp = op + " r9, " + regs[rnd.nextInt(4)] + ", " + regs[rnd.nextInt(4)];
        String headBr = rnd.nextBoolean() ? "    br r9, a, b\n" : "    br r9, b, a\n";
        boolean backOnZero = rnd.nextBoolean();
        String latch = backOnZero ? "    i64.ge r5, r3, r1\n    br r5, done, top\n"
                : "    i64.lt r5, r3, r1\n    br r5, top, done\n";
        String body = rnd.nextInt(3) == 0 ? HOST_BODY : rnd.nextBoolean() ? TUPLE_BODY : "    i64.add r2, r2, r3\n";
        String src = "program randback\nhost hw = \"w.f\" (i64) -> (i64)\n"
                + "func f(n: i64, x: i64) -> (i64, i64, bool, bool) {\n    const.i64 r2, 0\n    const.i64 r3, 0\n"
                + "    const.i64 r4, 1\n    const.i64 r10, 0\n    i64.eq r9, r3, r4\n    i64.lt r5, r3, r1\n"
                + "    br r5, top, done\n"
                + "top:\n" + body + "    " + headCmp + "\n" + headBr
                + "a:\n    i64.add r10, r10, r4\n    jmp latch\n"
                + "b:\n    i64.add r10, r10, r2\n    jmp latch\n"
                + "latch:\n    i64.add r3, r3, r4\n" + latch
                + "done:\n    ret r0, [r2, r10, r5, r9]\n}\n";
        long n = seed == 0 ? 5 : rnd.nextInt(9);
        return new Tiers.Generated(src, List.of(Value.i64(n), Value.i64(rnd.nextInt(7) - 2)));
    }

    @Test
    void randomLoopsOfBothPolaritiesAgreeWithEveryFuel() throws Exception {
        int zero = 0;
        for (long seed = 0; seed < 100; seed++) {
            Tiers.Generated g = loop(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), host());
            assertEquals(1, Jit.precompile(t.compiled), g.source());
            String what = "seed " + seed + "\n" + g.source();
            Tiers.Outcome o = t.check(0, g.args(), Limits.DEFAULT, what);
            assertTrue(o.trap() == null, what);
            t.everyFuelTrapsBelow(0, g.args(), o, what);
            zero += g.source().contains("br r5, done, top") ? 1 : 0;
        }
        assertTrue(zero > 20 && zero < 80, "back edges on zero: " + zero);
    }

    @Test
    void randomLoopsPausedAtEverySliceRestoreOnTheOtherTier() throws Exception {
        int pauses = 0;
        for (long seed = 0; seed < 60; seed++) {
            Tiers.Generated g = loop(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), host());
            long slice = 1 + new SplittableRandom(seed).nextInt(12);
            pauses += t.lockstep(0, g.args(), slice, 2, "seed " + seed + " slice " + slice + "\n" + g.source(),
                    (a, b, pause) -> { });
        }
        assertTrue(pauses >= 60, "pauses " + pauses);
    }
}
