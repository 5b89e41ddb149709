package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trampoline of a function with word parameters ({@code WordParams}) is a separate method of
 * at most {@code WordParams.TRAMPOLINE_BYTES} bytes of bytecode, as docs/SECURITY.md states,
 * wherever its word arguments sit among its arguments: its eight word arguments after 1, 120 or
 * 150 str arguments (registers past 127 take a {@code sipush}), and the program runs
 * alike on both tiers.
 */
class AttackWordParamsSizeTest {
    /** f(s1..sN: str, a1..a8: i64): a1 counts down, the sum of the others and the strings' lengths. */
    static String program(int strs) {
        int argc = strs + 8;
        StringBuilder p = new StringBuilder();
        StringBuilder self = new StringBuilder();
        for (int j = 1; j <= argc; j++) {
            p.append(j == 1 ? "" : ", ").append("a").append(j).append(": ").append(j <= strs ? "str" : "i64");
            self.append(j == 1 ? "" : ", ").append('r').append(j == strs + 1 ? argc + 3 : j);
        }
        int c = strs + 1;
        int r = argc + 1;
        StringBuilder s = new StringBuilder("program wide\nfunc f(").append(p).append(") -> (i64) {\n");
        s.append("    const.i64 r").append(r).append(", 0\n")
                .append("    i64.lt r").append(r + 1).append(", r").append(r).append(", r").append(c).append('\n')
                .append("    br r").append(r + 1).append(", big, small\nsmall:\n");
        for (int j = strs + 2; j <= argc; j++) {
            s.append("    i64.add r").append(r).append(", r").append(r).append(", r").append(j).append('\n');
        }
        s.append("    str.len r").append(r + 5).append(", r").append(strs).append('\n')
                .append("    u64.to_i64 r").append(r + 6).append(", r").append(r + 5).append('\n')
                .append("    i64.add r").append(r).append(", r").append(r).append(", r").append(r + 6).append('\n')
                .append("    ret r0, [r").append(r).append("]\nbig:\n")
                .append("    const.i64 r").append(r + 3).append(", 1\n")
                .append("    i64.sub r").append(argc + 3).append(", r").append(c).append(", r").append(r + 3).append('\n')
                .append("    call r0, f, r0, [").append(self).append("] -> [r").append(r + 4).append("]\n")
                .append("    i64.add r").append(r + 4).append(", r").append(r + 4).append(", r").append(c).append('\n')
                .append("    ret r0, [r").append(r + 4).append("]\n}\n");
        return s.toString();
    }

    /** The bytes of bytecode of method {@code name} in a class file. */
    static int codeLength(byte[] bytes, String name) {
        int[] len = {-1};
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9, new ClassWriter(0)) {
            @Override
            public MethodVisitor visitMethod(int access, String m, String desc, String sig, String[] ex) {
                MethodVisitor mv = super.visitMethod(access, m, desc, sig, ex);
                return !m.equals(name) ? mv : new MethodVisitor(Opcodes.ASM9, mv) {
                    @Override
                    public void visitMaxs(int stack, int locals) {
                        Label end = new Label();
                        super.visitLabel(end);
                        len[0] = end.getOffset();
                        super.visitMaxs(stack, locals);
                    }
                };
            }
        }, 0);
        return len[0];
    }

    @Test
    void theTrampolineKeepsItsDocumentedSize() throws Exception {
        for (int strs : new int[] {1, 120, 150}) {
            String src = program(strs);
            var vp = JitLeafInlineTest.verified(src);
            JitTier tier = (JitTier) Jit.compile(vp, Host.NONE).tier;
            byte[] bytes = JitTestAccess.generate(tier.view, 0).bytes();
            int len = codeLength(bytes, "t0");
            assertTrue(len > 0, "a trampoline t0, " + strs + " str arguments");
            assertTrue(len <= dev.tape.jit.AttackWordParamsAccess.trampolineBytes(), "the trampoline of f with 8 word arguments after "
                    + strs + " str arguments: " + len + " bytes, documented at most " + dev.tape.jit.AttackWordParamsAccess.trampolineBytes());
            List<Value> args = new ArrayList<>();
            for (int j = 0; j < strs; j++) {
                args.add(Value.str("ab"));
            }
            args.add(Value.i64(6));
            for (int j = 1; j < 8; j++) {
                args.add(Value.i64(j * 10));
            }
            Tiers t = Tiers.of(vp, Host.NONE);
            Tiers.Outcome o = t.check(0, args, Limits.DEFAULT, strs + " strs");
            assertEquals(List.of(Value.i64(280 + 2 + 21)).toString(), o.results().toString());
        }
    }
}
