package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.internal.LoweredFunction;
import dev.tape.vm.internal.CompileView;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on fib26's fused compare and br in fast clones (attack-f26): random pure functions whose
 * blocks end in a compare and a {@code br} on its register, in shapes the clones' own test
 * ({@link JitFastCloneCompareTest}) does not make. The clone {@code c(a, b, p, q, x, y, n)} (i64,
 * u64 and f64 operands at their edges: MIN/MAX, 0, -1, NaN both ways, -0.0, infinities) runs 2 to
 * 4 segments; each is one of:
 * <ul>
 *   <li>an edge compare (every i64/u64/f64 compare op) whose br goes forward: to the next
 *       segment, a later one, the end, or both targets the same block; the compare at the block's
 *       start or after an add, or an add between compare and br (not fused), or the br alone in
 *       a block of its own after a {@code jmp} (not fused);</li>
 *   <li>a loop latch on a shared counter (decremented first, so the run ends) whose br's taken
 *       block or other block is a back edge: to the segment itself (a self-loop) or an earlier
 *       one, with i64 or u64 compares in either operand order (an f64 counter would need f64 arithmetic, which no clone runs).</li>
 * </ul>
 * Every compare's register is read afterwards (selects in later segments, the result, and the
 * recursive call's argument), and {@code c} recurses {@code n} levels (its self-call enters the
 * clone). Both tiers must agree (result or trap, pc, fuel left) at every fuel limit to one past
 * the use, at call-depth limits 0-4 and register limits 1-80, and paused and restored on the
 * other tier.
 */
class AttackFastCloneFusedTest {
    private static final String[] INT_OPS = {"i64.eq", "i64.lt", "i64.gt", "i64.le", "i64.ge"};
    private static final String[] U_OPS = {"u64.eq", "u64.lt", "u64.gt", "u64.le", "u64.ge"};
    private static final String[] F_OPS = {"f64.eq", "f64.lt", "f64.gt", "f64.le", "f64.ge"};

    /** Registers: the arguments r1-r7, one r8, the sum r9, zero r10, the i64 counter r11 (down), the u64 counter r13 (up to r14, by r30), compares r20-r25. */
    static Tiers.Generated program(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int segs = 2 + rnd.nextInt(3);
        StringBuilder s = new StringBuilder("program fused\n");
        s.append("func main(a: i64, b: i64, p: u64, q: u64, x: f64, y: f64) -> (i64) {\n");
        s.append("    const.i64 r7, ").append(1 + rnd.nextInt(3)).append('\n');
        s.append("    call r0, c, r0, [r1, r2, r3, r4, r5, r6, r7] -> [r8]\n");
        s.append("    ret r0, [r8]\n}\n");
        s.append("func c(a: i64, b: i64, p: u64, q: u64, x: f64, y: f64, n: i64) -> (i64) {\n");
        s.append("    const.i64 r8, 1\n    const.i64 r10, 0\n    const.i64 r9, ").append(rnd.nextInt(9)).append('\n');
        s.append("    const.i64 r11, ").append(rnd.nextInt(6)).append('\n');
        s.append("    const.u64 r13, 0\n    const.u64 r30, 1\n    const.u64 r14, ").append(rnd.nextInt(6)).append('\n');
        for (int j = 0; j < segs; j++) {
            s.append("    const.bool r").append(20 + j).append(", false\n");
        }
        s.append("    jmp s0\n");
        for (int j = 0; j < segs; j++) {
            String d = "r" + (20 + j);
            s.append("s").append(j).append(":\n");
            // read an earlier compare's register
            if (j > 0 && rnd.nextInt(3) == 0) {
                s.append("    select r12, r").append(20 + rnd.nextInt(j)).append(", r8, r10\n");
                s.append("    i64.add r9, r9, r12\n");
            }
            boolean loop = j > 0 && rnd.nextInt(3) == 0 || j == 0 && rnd.nextInt(4) == 0;
            String taken;
            String other;
            String cmp;
            if (loop) {
                String back = "s" + (j == 0 ? 0 : rnd.nextInt(j + 1));
                String fwd = forward(rnd, j, segs);
                boolean onTaken = rnd.nextBoolean();
                if (rnd.nextBoolean()) {
                    // i64: counter > 0 (or 0 < counter), or its negation
                    s.append("    i64.sub r11, r11, r8\n");
                    boolean swap = rnd.nextBoolean();
                    String op = onTaken ? (swap ? "i64.lt" : "i64.gt") : (swap ? "i64.ge" : "i64.le");
                    cmp = op + " " + d + ", " + (swap ? "r10, r11" : "r11, r10");
                } else {
                    // u64: a counter up from 0 (never wraps) below its limit r14, or its negation
                    s.append("    u64.add r13, r13, r30\n");
                    boolean swap = rnd.nextBoolean();
                    String op = onTaken ? (swap ? "u64.gt" : "u64.lt") : (swap ? "u64.le" : "u64.ge");
                    cmp = op + " " + d + ", " + (swap ? "r14, r13" : "r13, r14");
                }
                taken = onTaken ? back : fwd;
                other = onTaken ? fwd : back;
            } else {
                int kind = rnd.nextInt(3);
                String[] ops = kind == 0 ? INT_OPS : kind == 1 ? U_OPS : F_OPS;
                String op = ops[rnd.nextInt(ops.length)];
                String[] regs = kind == 0 ? new String[] {"r1", "r2", "r9", "r10"}
                        : kind == 1 ? new String[] {"r3", "r4"} : new String[] {"r5", "r6"};
                cmp = op + " " + d + ", " + regs[rnd.nextInt(regs.length)] + ", " + regs[rnd.nextInt(regs.length)];
                taken = forward(rnd, j, segs);
                other = rnd.nextInt(6) == 0 ? taken : forward(rnd, j, segs);
            }
            int shape = rnd.nextInt(8);
            if (shape == 1) {
                s.append("    i64.add r9, r9, r8\n");
            }
            s.append("    ").append(cmp).append('\n');
            if (shape == 2) {
                s.append("    i64.add r9, r9, r8\n");
            } else if (shape == 3) {
                s.append("    jmp t").append(j).append("\nt").append(j).append(":\n");
            }
            s.append("    br ").append(d).append(", ").append(taken).append(", ").append(other).append('\n');
        }
        s.append("fin:\n");
        for (int j = segs - 2; j < segs; j++) {
            s.append("    i64.add r9, r9, r9\n    select r12, r").append(20 + j).append(", r8, r10\n");
            s.append("    i64.add r9, r9, r12\n");
        }
        s.append("    i64.le r17, r7, r10\n    br r17, done, more\ndone:\n    ret r0, [r9]\nmore:\n");
        s.append("    i64.sub r18, r7, r8\n");
        s.append("    call r0, c, r0, [r9, r2, r3, r4, r5, r6, r18] -> [r19]\n");
        s.append("    i64.add r9, r9, r19\n    ret r0, [r9]\n}\n");
        long[] ints = CompareBranchEdges.I64;
        long[] fs = CompareBranchEdges.F64;
        List<Value> args = List.of(Value.i64(ints[rnd.nextInt(ints.length)]), Value.i64(ints[rnd.nextInt(ints.length)]),
                CompareBranchEdges.value("u64", ints[rnd.nextInt(ints.length)]),
                CompareBranchEdges.value("u64", ints[rnd.nextInt(ints.length)]),
                CompareBranchEdges.value("f64", fs[rnd.nextInt(fs.length)]),
                CompareBranchEdges.value("f64", fs[rnd.nextInt(fs.length)]));
        return new Tiers.Generated(s.toString(), args);
    }

    /** a forward target from segment {@code j}: the next segment, a later one, or the end */
    private static String forward(SplittableRandom rnd, int j, int segs) {
        int t = j + 1 + rnd.nextInt(segs - j);
        return t >= segs ? "fin" : "s" + t;
    }

    /**
     * @return the bytecode length of the clone {@code fast1} in {@code bytes}: the offset of a
     *     label placed at its code's end in a copy of it (the copy's code is the original's)
     */
    private static int cloneBytes(byte[] bytes) {
        int[] end = {-1};
        ClassWriter w = new ClassWriter(0);
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9, w) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                if (!name.equals("fast1")) {
                    return null;
                }
                return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, name, desc, sig, ex)) {
                    @Override
                    public void visitMaxs(int stack, int locals) {
                        Label here = new Label();
                        super.visitLabel(here);
                        end[0] = here.getOffset();
                        super.visitMaxs(stack, locals);
                    }
                };
            }
        }, 0);
        return end[0];
    }

    /**
     * Random shapes at every fuel limit, the clone entered; each clone's back edges have their fuel
     * test ({@link FastCloneFuel#fuelTests}) and its bytes are within {@code FastClone.bytesBound}.
     */
    @Test
    void randomFusedShapesAtEveryFuel() throws Exception {
        int entered = 0;
        int backEdges = 0;
        List<Long> noClone = new ArrayList<>();
        for (long seed = 0; seed < 150; seed++) {
            Tiers.Generated g = program(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            String what = "seed " + seed + "\n" + g.source() + "\n" + g.args();
            Tiers.Outcome full = t.check(0, g.args(), Limits.DEFAULT, what);
            t.everyFuel(0, g.args(), full, what);
            ExecutionContext ctx = new ExecutionContext();
            t.compiled.run(ctx, 0, g.args(), Limits.DEFAULT, null);
            if (ctx.fastEntries > 0) {
                entered++;
                CompileView view = ((JitTier) t.compiled.tier).view;
                int[] tested = FastCloneFuel.fuelTests(view);
                backEdges += tested[0];
                LoweredFunction fn = view.function(1);
                int bound = 64 + 40 * fn.code().length + 6 * fn.regCount();
                int size = cloneBytes(JitTestAccess.generate(view, 0).bytes());
                assertTrue(size > 0 && size <= bound, what + ": clone of " + size + " bytes, bound " + bound);
            } else {
                noClone.add(seed);
            }
        }
        assertTrue(entered >= 100, "programs that entered the clone: " + entered + "; not: " + noClone);
        assertTrue(backEdges >= 50, "back edges with their fuel test: " + backEdges);
    }

    /** Call-depth limits 0 to 4 and register limits 1 to 80, hit inside the clones. */
    @Test
    void randomFusedShapesAtDepthAndRegisterLimits() throws Exception {
        Tiers.depthAndRegisterSweep(1_000, 1_040, AttackFastCloneFusedTest::program);
    }

    /** Paused in slices of 1 to 12 fuel, restored on the other tier every second pause. */
    @Test
    void randomFusedShapesPausedAndRestored() throws Exception {
        int pauses = Tiers.pauseSweep(2_000, 2_040, AttackFastCloneFusedTest::program);
        assertTrue(pauses >= 100, "pauses " + pauses);
    }
}
