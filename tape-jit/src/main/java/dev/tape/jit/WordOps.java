package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.verify.internal.LOp;

import org.objectweb.asm.MethodVisitor;

import static org.objectweb.asm.Opcodes.L2I;
import static org.objectweb.asm.Opcodes.LADD;
import static org.objectweb.asm.Opcodes.LAND;
import static org.objectweb.asm.Opcodes.LCONST_1;
import static org.objectweb.asm.Opcodes.LMUL;
import static org.objectweb.asm.Opcodes.LOR;
import static org.objectweb.asm.Opcodes.LSHL;
import static org.objectweb.asm.Opcodes.LSHR;
import static org.objectweb.asm.Opcodes.LSUB;
import static org.objectweb.asm.Opcodes.LUSHR;
import static org.objectweb.asm.Opcodes.LXOR;

/**
 * The word operations that cannot trap, emitted the same way by the compiled method
 * ({@code InstructionEmitter}), the inliners' bodies ({@code InlineBody.common}) and the fast clones
 * ({@link FastClone}): each reads its operands through an {@link InlineOps.Emitter}'s
 * {@code loadW} and writes its result through {@code storeW}, so each of the three keeps its own
 * register layout. The semantics are the spec's (docs/reference, the opcode table): two's-complement
 * wrapping {@code add}/{@code sub}/{@code mul}, bitwise {@code and}/{@code or}/{@code xor} (a bool is
 * the word 0 or 1), a shift count taken modulo 64 and {@code bool.not} as {@code x ^ 1}. Operands
 * are the lowered instruction's ints at global index {@code g} of {@code code}: the destination at
 * {@code g + 1}, the sources at {@code g + 2} and {@code g + 3}. Static and allocation-free.
 */
final class WordOps {
    private WordOps() {
    }

    /**
     * Emits the plain word operation {@code op} at {@code g}, if it is one: {@code nop}, the word
     * {@code mov} and {@code const}, {@code bool.not}, i64/u64/bool add, sub, mul, and, or, xor and
     * the i64/u64 shifts.
     *
     * @param e the method's registers
     * @param code the code image
     * @param g the instruction's global index
     * @param op its plain op ({@code LOp.plain})
     * @return whether {@code op} was one of them (else nothing was emitted)
     */
    static boolean plain(InlineOps.Emitter e, int[] code, int g, int op) {
        MethodVisitor mv = e.mv();
        switch (op) {
            case Op.NOP -> {
            }
            case LOp.MOV_W -> {
                e.loadW(code[g + 2]);
                e.storeW(code[g + 1]);
            }
            case LOp.CONST_W -> {
                mv.visitLdcInsn((code[g + 2] & 0xFFFFFFFFL) | ((long) code[g + 3] << 32));
                e.storeW(code[g + 1]);
            }
            case Op.BOOL_NOT -> {
                e.loadW(code[g + 2]);
                mv.visitInsn(LCONST_1);
                mv.visitInsn(LXOR);
                e.storeW(code[g + 1]);
            }
            case Op.I64_ADD, Op.U64_ADD -> binary(e, code, g, LADD);
            case Op.I64_SUB, Op.U64_SUB -> binary(e, code, g, LSUB);
            case Op.I64_MUL, Op.U64_MUL -> binary(e, code, g, LMUL);
            case Op.I64_AND, Op.U64_AND, Op.BOOL_AND -> binary(e, code, g, LAND);
            case Op.I64_OR, Op.U64_OR, Op.BOOL_OR -> binary(e, code, g, LOR);
            case Op.I64_XOR, Op.U64_XOR, Op.BOOL_XOR -> binary(e, code, g, LXOR);
            case Op.I64_SHL, Op.U64_SHL -> shift(e, code, g, LSHL);
            case Op.I64_SHR -> shift(e, code, g, LSHR);
            case Op.U64_SHR -> shift(e, code, g, LUSHR);
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * A two-operand long operation: {@code dst = a insn b}.
     *
     * @param insn the JVM long instruction ({@code LADD}, {@code LSUB}, {@code LMUL}, {@code LAND},
     *     {@code LOR}, {@code LXOR})
     */
    static void binary(InlineOps.Emitter e, int[] code, int g, int insn) {
        e.loadW(code[g + 2]);
        e.loadW(code[g + 3]);
        e.mv().visitInsn(insn);
        e.storeW(code[g + 1]);
    }

    /**
     * A shift: {@code dst = a insn (int) b}; the JVM masks a long shift count to its low 6 bits, as
     * the spec does.
     *
     * @param insn {@code LSHL}, {@code LSHR} or {@code LUSHR}
     */
    static void shift(InlineOps.Emitter e, int[] code, int g, int insn) {
        e.loadW(code[g + 2]);
        e.loadW(code[g + 3]);
        e.mv().visitInsn(L2I);
        e.mv().visitInsn(insn);
        e.storeW(code[g + 1]);
    }
}
