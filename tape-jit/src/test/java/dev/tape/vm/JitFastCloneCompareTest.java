package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fast clone's compare followed by a {@code br} on its register (in the same block) is one branch
 * on the comparison, the register written 1 or 0 on each edge (fib26: the bit made from
 * {@code lcmp} and tested again by the br cost fib's clone a second branch per compare). Read from
 * the generated class (no compare's bit is made, {@code I2L}, in fib's clone nor in the clones
 * below), and run on both tiers: every compare op at the edges of its type, its register read after
 * the br, and two loops whose back edge is the br's taken block or its other one, at every fuel
 * limit, call-depth and register limits hit inside the clones, and pauses restored on the other tier.
 */
class JitFastCloneCompareTest {
    private static final String[] OPS = CompareBranchEdges.OPS;

    /**
     * Seed {@code s}: compare op {@code s % 15} on a pair of its type's edge values (drawn from the
     * seed), in {@code c(a, b, n)}, which recurses {@code n} (1 to 4) times, so its self-call enters
     * its clone; {@code main(a, b)} calls it.
     */
    static Tiers.Generated program(long seed) {
        int k = (int) (seed % OPS.length);
        String op = OPS[k];
        String t = CompareBranchEdges.type(op);
        long[] values = t.equals("f64") ? CompareBranchEdges.F64 : CompareBranchEdges.I64;
        long pick = seed / OPS.length;
        long a = values[(int) (pick % values.length)];
        long b = values[(int) ((pick / values.length + seed) % values.length)];
        int n = 1 + (int) ((seed / 7) % 4);
        String src = "program fastcmp\n"
                + "func main(a: " + t + ", b: " + t + ") -> (i64) {\n"
                + "    const.i64 r3, " + n + "\n"
                + "    call r0, c, r0, [r1, r2, r3] -> [r4]\n"
                + "    ret r0, [r4]\n}\n"
                + "func c(a: " + t + ", b: " + t + ", n: i64) -> (i64) {\n"
                + "    " + op + " r4, r1, r2\n"
                + """
                    br r4, yes, no
                yes:
                    const.i64 r5, 11
                    jmp join
                no:
                    const.i64 r5, 22
                    jmp join
                join:
                    const.i64 r6, 0
                    const.i64 r7, 1
                    const.i64 r8, 3
                    mov r9, r6
                    jmp up
                up:
                    i64.add r9, r9, r7
                    i64.ge r10, r9, r8
                    br r10, out, up
                out:
                    mov r11, r6
                    jmp up2
                up2:
                    i64.add r11, r11, r7
                    i64.lt r12, r11, r8
                    br r12, up2, out2
                out2:
                    select r13, r4, r5, r6
                    select r14, r10, r9, r6
                    i64.add r13, r13, r14
                    select r14, r12, r7, r11
                    i64.add r13, r13, r14
                    i64.le r15, r3, r6
                    br r15, done, more
                done:
                    ret r0, [r13]
                more:
                    i64.sub r16, r3, r7
                    call r0, c, r0, [r1, r2, r16] -> [r17]
                    i64.add r18, r17, r13
                    ret r0, [r18]
                }
                """;
        return new Tiers.Generated(src, List.of(CompareBranchEdges.value(t, a), CompareBranchEdges.value(t, b)));
    }

    /** @return how many {@code I2L} (the end of a compare's bit) the class's clones hold */
    private static int bitsInClones(byte[] bytes) {
        int[] bits = new int[1];
        int[] clones = new int[1];
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                if (!name.startsWith("fast")) {
                    return null;
                }
                clones[0]++;
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitInsn(int opcode) {
                        if (opcode == Opcodes.I2L) {
                            bits[0]++;
                        }
                    }
                };
            }
        }, 0);
        assertTrue(clones[0] > 0, "the class holds a clone");
        return bits[0];
    }

    /** fib's clone and every program's: each compare is one branch with its br; the clones run. */
    @Test
    void theClonesBranchOnTheirCompares() throws Exception {
        Vm fib = Jit.compile(JitLeafInlineTest.verified(Files.readString(Path.of("../examples/fib.tasm"))), Host.NONE);
        assertEquals(0, bitsInClones(JitTestAccess.generate(((JitTier) fib.tier).view, 0).bytes()), "fib's clone");
        for (long seed = 0; seed < OPS.length; seed++) {
            Tiers.Generated g = program(seed);
            Vm vm = Jit.compile(JitLeafInlineTest.verified(g.source()), Host.NONE);
            assertEquals(0, bitsInClones(JitTestAccess.generate(((JitTier) vm.tier).view, 1).bytes()), OPS[(int) seed]);
            ExecutionContext ctx = new ExecutionContext();
            vm.run(ctx, 0, g.args(), Limits.DEFAULT, null);
            assertTrue(ctx.fastEntries > 0, OPS[(int) seed] + ": the clone was entered");
        }
    }

    /** Every op on every pair of its type's edge values: both tiers agree, both ways are taken. */
    @Test
    void everyOpAtTheEdges() throws Exception {
        int seeds = OPS.length * 64;
        int holds = 0;
        for (long seed = 0; seed < seeds; seed++) {
            Tiers.Generated g = program(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            Tiers.Outcome o = t.check(0, g.args(), Limits.DEFAULT, "seed " + seed + "\n" + g.source());
            // each of the n + 1 levels adds 11 (the compare held) or 22, and 3 + 3 from the loops
            int n = 1 + (int) ((seed / 7) % 4);
            holds += o.results().equals(List.of(Value.i64(17L * (n + 1)))) ? 1 : 0;
        }
        assertTrue(holds > seeds / 5 && holds < seeds * 4 / 5, "held " + holds + " of " + seeds);
    }

    /** Every fuel limit over the use (and the heap limits), for two seeds of each op. */
    @Test
    void everyFuelLimit() throws Exception {
        Tiers.fuelAndHeapSweep(0, 2L * OPS.length, JitFastCloneCompareTest::program, (g, vp, t, full, what) -> { });
    }

    /** Call-depth limits 0 to 4 and 5 to 12 and register limits, hit inside the clones. */
    @Test
    void depthAndRegisterLimits() throws Exception {
        Tiers.depthAndRegisterSweep(100, 100 + OPS.length, JitFastCloneCompareTest::program);
        for (long seed = 130; seed < 130 + OPS.length; seed++) {
            Tiers.Generated g = program(seed);
            Tiers t = Tiers.of(JitLeafInlineTest.verified(g.source()), Host.NONE);
            for (long d = 5; d <= 12; d++) {
                t.check(0, g.args(), Limits.DEFAULT.withMaxCallDepth(d), "seed " + seed + " depth " + d);
            }
        }
    }

    /** Paused runs (the tier's path) restored on the other tier agree. */
    @Test
    void pausesAndRestores() throws Exception {
        int pauses = Tiers.pauseSweep(200, 200 + OPS.length, JitFastCloneCompareTest::program);
        assertTrue(pauses >= 30, "pauses " + pauses);
    }
}
