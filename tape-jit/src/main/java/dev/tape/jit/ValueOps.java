package dev.tape.jit;

import dev.tape.format.Op;
import org.objectweb.asm.MethodVisitor;

import static org.objectweb.asm.Opcodes.CHECKCAST;
import static org.objectweb.asm.Opcodes.DUP;
import static org.objectweb.asm.Opcodes.GETSTATIC;
import static org.objectweb.asm.Opcodes.I2L;
import static org.objectweb.asm.Opcodes.INVOKESPECIAL;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.INVOKEVIRTUAL;
import static org.objectweb.asm.Opcodes.L2I;
import static org.objectweb.asm.Opcodes.NEW;

/**
 * The last v1 instructions the compiled tier used to leave to the generic path (operands written
 * to the register files, {@code Ops.slow}, the destination read back): {@code bytes.get},
 * {@code bytes.get_imm}, {@code bytes.slice}, {@code str.slice}, {@code str.to_bytes},
 * {@code bytes.to_str}, {@code tuple.len}, {@code struct.field_count} and {@code closure.new}.
 * Each is compiled, as {@link InlineOps} compiles its instructions, into a call of the very code
 * {@code Ops.slow} runs for it ({@code Texts}' helpers, {@code Ops.agg} then
 * {@code Aggregate.size}, {@code ExecutionContext.allocate} of the interpreter's 24 bytes then the
 * {@code Value.Closure} record) on the operands' locals, after recording the instruction's position
 * ({@link InlineOps.Emitter#trapPoint()}), so results, traps (kind, message, pc) and heap charges are
 * the interpreter's by construction. With these, no v1 opcode takes the generic path
 * (issue 14: "no generic slow path for any v1 opcode that appears in a loop").
 *
 * <p>Operand layouts are the image's ({@code Ops.slow} reads the same slots): {@code [op, dst, a]}
 * for the conversions and counts, {@code [op, dst, bytes, index]} for the reads (a register, or an
 * immediate u32 for {@code get_imm}), {@code [op, dst, text, start, end]} for slices and
 * {@code [op, dst, func, env]} for {@code closure.new}. At most 30 bytes of bytecode each.
 */
final class ValueOps {
    private ValueOps() {}

    private static final String TEXTS = "dev/tape/vm/Texts";
    private static final String CTX = "Ldev/tape/vm/ExecutionContext;";
    private static final String OBJ = "Ljava/lang/Object;";
    private static final String AGG = "dev/tape/value/Aggregate";
    private static final String KIND = "dev/tape/value/Aggregate$Kind";
    private static final String CLOSURE = "dev/tape/value/Value$Closure";

    /**
     * Emits instruction {@code code[g]} when it is one of those this class covers.
     *
     * @param e the method's emitter
     * @param code the program's code image
     * @param g the instruction's global index in {@code code}: opcode, then operands
     * @return whether it was emitted (else the caller takes the generic path)
     */
    static boolean emit(InlineOps.Emitter e, int[] code, int g) {
        MethodVisitor mv = e.mv();
        int dst = code[g + 1];
        int a = code[g + 2];
        switch (code[g]) {
            case Op.BYTES_GET -> {
                e.trapPoint();
                e.loadR(a);
                e.loadW(code[g + 3]);
                mv.visitMethodInsn(INVOKESTATIC, TEXTS, "get", "(" + OBJ + "J)J", false);
                e.storeW(dst);
            }
            case Op.BYTES_GET_IMM -> {
                e.trapPoint();
                e.loadR(a);
                mv.visitLdcInsn(code[g + 3] & 0xFFFFFFFFL);
                mv.visitMethodInsn(INVOKESTATIC, TEXTS, "get", "(" + OBJ + "J)J", false);
                e.storeW(dst);
            }
            case Op.BYTES_SLICE -> slice(e, code, g, "bytesSlice", "Ldev/tape/value/Value$Bytes;");
            case Op.STR_SLICE -> slice(e, code, g, "strSlice", "Ldev/tape/value/Value$Str;");
            case Op.STR_TO_BYTES -> convert(e, dst, a, "toBytes", "Ldev/tape/value/Value$Bytes;");
            case Op.BYTES_TO_STR -> convert(e, dst, a, "toStr", "Ldev/tape/value/Value$Str;");
            case Op.TUPLE_LEN -> count(e, dst, a, "TUPLE");
            case Op.STRUCT_FIELD_COUNT -> count(e, dst, a, "STRUCT");
            case Op.CLOSURE_NEW -> {
                e.trapPoint();
                e.loadContext();
                mv.visitLdcInsn(24L);
                mv.visitMethodInsn(INVOKEVIRTUAL, "dev/tape/vm/ExecutionContext", "allocate", "(J)V", false);
                mv.visitTypeInsn(NEW, CLOSURE);
                mv.visitInsn(DUP);
                e.loadW(a);
                mv.visitInsn(L2I);
                e.loadR(code[g + 3]);
                mv.visitTypeInsn(CHECKCAST, AGG);
                mv.visitMethodInsn(INVOKESPECIAL, CLOSURE, "<init>", "(IL" + AGG + ";)V", false);
                e.storeR(dst);
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** {@code bytes.slice}/{@code str.slice} [op, dst, text, start, end]: {@code Texts.NAME(c, text, start, end)}. */
    private static void slice(InlineOps.Emitter e, int[] code, int g, String name, String result) {
        e.trapPoint();
        e.loadContext();
        e.loadR(code[g + 2]);
        e.loadW(code[g + 3]);
        e.loadW(code[g + 4]);
        e.mv().visitMethodInsn(INVOKESTATIC, TEXTS, name, "(" + CTX + OBJ + "JJ)" + result, false);
        e.storeR(code[g + 1]);
    }

    /** {@code str.to_bytes}/{@code bytes.to_str}: {@code Texts.NAME(c, a)}, which charges and checks. */
    private static void convert(InlineOps.Emitter e, int dst, int a, String name, String result) {
        e.trapPoint();
        e.loadContext();
        e.loadR(a);
        e.mv().visitMethodInsn(INVOKESTATIC, TEXTS, name, "(" + CTX + OBJ + ")" + result, false);
        e.storeR(dst);
    }

    /** {@code tuple.len}/{@code struct.field_count}: {@code Ops.agg(a, KIND).size()}, as a long. */
    private static void count(InlineOps.Emitter e, int dst, int a, String kind) {
        MethodVisitor mv = e.mv();
        e.trapPoint();
        e.loadR(a);
        mv.visitFieldInsn(GETSTATIC, KIND, kind, "L" + KIND + ";");
        mv.visitMethodInsn(INVOKESTATIC, "dev/tape/vm/Ops", "agg", "(" + OBJ + "L" + KIND + ";)L" + AGG + ";", false);
        mv.visitMethodInsn(INVOKEVIRTUAL, AGG, "size", "()I", false);
        mv.visitInsn(I2L);
        e.storeW(dst);
    }
}
