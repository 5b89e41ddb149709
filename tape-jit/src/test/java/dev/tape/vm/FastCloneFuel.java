package dev.tape.vm;

import dev.tape.jit.JitTestAccess;
import dev.tape.vm.internal.CompileView;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fixture of the fast clones' fuel tests ({@link JitFastCloneFuelTest},
 * {@link AttackFastCloneFuelTest}): the spinning pure program, and the reader that checks, in a
 * generated class, that every branch of a clone that may go back and every return is preceded in
 * its block by a fuel test.
 */
final class FastCloneFuel {
    private FastCloneFuel() {}

    /**
     * A pure program whose callee {@code spin} (not a leaf: it may call itself, so no inliner takes
     * it) returns at once on 0 (main's first call, which compiles it) and else, for a positive
     * argument, runs the block {@code loop:} forever: {@code LOOP} stands for that block's code
     * (it may use r1, r2 = 1, r3 = 0, r7 = true and the label {@code zero}).
     */
    static final String SPIN = """
            program spin
            func main(n: i64) -> (i64) {
                const.i64 r2, 0
                call r0, spin, r0, [r2] -> [r3]
                call r0, spin, r0, [r1] -> [r4]
                ret r0, [r4]
            }
            func spin(a: i64) -> (i64) {
                const.i64 r2, 1
                const.i64 r3, 0
                const.bool r7, true
                i64.eq r4, r1, r3
                br r4, zero, next
            zero:
                ret r0, [r1]
            next:
                i64.lt r6, r1, r3
                br r6, neg, loop
            neg:
                call r0, spin, r0, [r2] -> [r5]
                ret r0, [r5]
            loop:
                LOOP
            }
            """;

    /** @return {@link #SPIN} with {@code loop} as the endless block's code */
    static String spin(String loop) {
        return SPIN.replace("LOOP", loop);
    }

    /**
     * Reads the clones (methods {@code fast*}) of function 0's generated class and asserts that
     * each back edge (a jump to a label already placed) and each {@code LRETURN} follows a fuel
     * test in its block: an {@code IFLT} to the clone's bail (the label whose code throws), not any
     * {@code IFLT} (a compare's would hide a missing test).
     *
     * @return {back edges, returns} seen over the clones
     */
    static int[] fuelTests(CompileView view) {
        byte[] bytes = JitTestAccess.generate(view, 0).bytes();
        int[] counts = new int[2];
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                if (!name.startsWith("fast")) {
                    return null;
                }
                return new TestedEdges(counts);
            }
        }, 0);
        return counts;
    }

    /**
     * Checks one clone's back edges and returns (counts[0]: back edges, counts[1]: returns). It
     * records the method's labels, jumps, returns and throws, and checks them at its end, when the
     * bail's label (the one whose code throws, emitted last) is known.
     */
    private static final class TestedEdges extends MethodVisitor {
        private final int[] counts;
        /** the method's events in order: a Label, an Object[] {jump opcode, target}, or LRETURN */
        private final List<Object> events = new ArrayList<>();
        /** labels whose code throws before the next label (the bail: the Bail's GETSTATIC and ATHROW) */
        private final Set<Label> throwing = new HashSet<>();
        /** the last label visited */
        private Label last;

        TestedEdges(int[] counts) {
            super(Opcodes.ASM9);
            this.counts = counts;
        }

        @Override
        public void visitLabel(Label label) {
            events.add(label);
            last = label;
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            events.add(new Object[] {opcode, label});
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode == Opcodes.LRETURN) {
                events.add(Opcodes.LRETURN);
            }
            if (opcode == Opcodes.ATHROW && last != null) {
                throwing.add(last);
            }
        }

        @Override
        public void visitEnd() {
            assertTrue(!throwing.isEmpty(), "a clone without its bail");
            Set<Label> seen = new HashSet<>();
            boolean tested = false; // a fuel test since the last label
            for (Object e : events) {
                if (e instanceof Label l) {
                    seen.add(l);
                    tested = false;
                } else if (e instanceof Object[] jump) {
                    Label target = (Label) jump[1];
                    if (seen.contains(target)) {
                        assertTrue(tested, "a back edge without a fuel test in its block");
                        counts[0]++;
                    }
                    if ((int) jump[0] == Opcodes.IFLT && throwing.contains(target)) {
                        tested = true;
                    }
                } else {
                    assertTrue(tested, "a return without a fuel test before it");
                    counts[1]++;
                }
            }
        }
    }
}
