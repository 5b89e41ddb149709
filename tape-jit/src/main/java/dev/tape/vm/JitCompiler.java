package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.verify.CodeImage;
import dev.tape.verify.LOp;
import dev.tape.verify.LoweredFunction;

import org.objectweb.asm.ClassTooLargeException;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodTooLargeException;
import org.objectweb.asm.MethodVisitor;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;

import static org.objectweb.asm.Opcodes.AALOAD;
import static org.objectweb.asm.Opcodes.AASTORE;
import static org.objectweb.asm.Opcodes.ACC_FINAL;
import static org.objectweb.asm.Opcodes.ACC_STATIC;
import static org.objectweb.asm.Opcodes.ACC_SUPER;
import static org.objectweb.asm.Opcodes.ACC_SYNTHETIC;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.ASTORE;
import static org.objectweb.asm.Opcodes.ATHROW;
import static org.objectweb.asm.Opcodes.BIPUSH;
import static org.objectweb.asm.Opcodes.DADD;
import static org.objectweb.asm.Opcodes.DCMPG;
import static org.objectweb.asm.Opcodes.DDIV;
import static org.objectweb.asm.Opcodes.DMUL;
import static org.objectweb.asm.Opcodes.DSUB;
import static org.objectweb.asm.Opcodes.GETFIELD;
import static org.objectweb.asm.Opcodes.GOTO;
import static org.objectweb.asm.Opcodes.IADD;
import static org.objectweb.asm.Opcodes.ICONST_0;
import static org.objectweb.asm.Opcodes.ICONST_1;
import static org.objectweb.asm.Opcodes.IFEQ;
import static org.objectweb.asm.Opcodes.IFGE;
import static org.objectweb.asm.Opcodes.IFGT;
import static org.objectweb.asm.Opcodes.IFLE;
import static org.objectweb.asm.Opcodes.IFLT;
import static org.objectweb.asm.Opcodes.IFNE;
import static org.objectweb.asm.Opcodes.IF_ICMPLT;
import static org.objectweb.asm.Opcodes.IF_ICMPNE;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.INVOKEVIRTUAL;
import static org.objectweb.asm.Opcodes.ISTORE;
import static org.objectweb.asm.Opcodes.L2D;
import static org.objectweb.asm.Opcodes.L2I;
import static org.objectweb.asm.Opcodes.LADD;
import static org.objectweb.asm.Opcodes.LALOAD;
import static org.objectweb.asm.Opcodes.LAND;
import static org.objectweb.asm.Opcodes.LASTORE;
import static org.objectweb.asm.Opcodes.LCMP;
import static org.objectweb.asm.Opcodes.LCONST_0;
import static org.objectweb.asm.Opcodes.LCONST_1;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LMUL;
import static org.objectweb.asm.Opcodes.LOR;
import static org.objectweb.asm.Opcodes.LRETURN;
import static org.objectweb.asm.Opcodes.LSHL;
import static org.objectweb.asm.Opcodes.LSHR;
import static org.objectweb.asm.Opcodes.LSTORE;
import static org.objectweb.asm.Opcodes.LSUB;
import static org.objectweb.asm.Opcodes.LUSHR;
import static org.objectweb.asm.Opcodes.LXOR;
import static org.objectweb.asm.Opcodes.POP;
import static org.objectweb.asm.Opcodes.POP2;
import static org.objectweb.asm.Opcodes.PUTFIELD;
import static org.objectweb.asm.Opcodes.SIPUSH;
import static org.objectweb.asm.Opcodes.V17;

/**
 * Compiles a verified program's functions to JVM bytecode: one static method per function in one
 * hidden class, {@code long f<id>(Vm vm, ExecutionContext c, int base, int depth)}.
 *
 * <p>The code works on the interpreter's state, as a baseline compiler does: registers stay in the
 * context's {@code long[]}/{@code Object[]} files at {@code base + index}, a call writes the same
 * frame record the interpreter writes, and rare instructions call the interpreter's own helpers
 * ({@code Ops.slow}). What goes away is the dispatch: operands are constants in the code, branches
 * are JVM jumps, and a call is a JVM call that C2 can inline. Fuel is charged once per basic
 * block (a block ends at a branch target, after a terminator and after every call and host call);
 * a block whose fuel is short hands the run to the interpreter, which meters it instruction by
 * instruction and traps at the exact pc. A trap inside a block gives back the fuel of the block's
 * instructions that did not run. So fuel, traps, pcs and spans are those of the interpreter.
 *
 * <p>A function's result comes back as the method's {@code long} when it is one word value
 * (bool, i64, u64, f64, func), else through the context's result arrays. A function whose method
 * would be larger than {@link #MAX_METHOD_BYTES} (HotSpot does not JIT-compile methods over 8,000
 * bytes of bytecode) gets no method; a call to it hands over to the interpreter.
 */
final class JitCompiler {
    private JitCompiler() {}

    /** Largest method compiled, in bytes of JVM bytecode: under HotSpot's 8,000-byte limit. */
    static final int MAX_METHOD_BYTES = 7_900;

    private static final String CLASS = "dev/tape/vm/JitCode";
    private static final String DESC = "(Ldev/tape/vm/Vm;Ldev/tape/vm/ExecutionContext;II)J";
    private static final MethodType TYPE = MethodType.methodType(long.class, Vm.class, ExecutionContext.class,
            int.class, int.class);
    private static final String CTX = "dev/tape/vm/ExecutionContext";
    private static final String RT = "dev/tape/vm/JitRuntime";
    private static final String UNWIND = "Ldev/tape/vm/JitRuntime$Unwind;";

    // local variable slots of a compiled method
    private static final int VM = 0;
    private static final int C = 1;
    private static final int BASE = 2;
    private static final int DEPTH = 3;
    private static final int W = 4;
    private static final int R = 5;
    private static final int CODE = 6;
    private static final int IP = 7;
    private static final int REFUND = 8;
    private static final int TMP = 9; // a long: slots 9 and 10
    private static final int NB = 11;
    private static final int CALLEE = 12;

    /**
     * Compiles every function that fits into one hidden class.
     *
     * @return the tier, with a null handle for each function left to the interpreter
     * @throws IllegalStateException when the generated class cannot be defined (a bug)
     */
    static JitTier compile(Vm vm) {
        int n = vm.funcs.length;
        boolean[] take = new boolean[n];
        java.util.Arrays.fill(take, true);
        // pass 1: measure each method on its own
        for (int f = 0; f < n; f++) {
            ClassWriter cw = writer();
            cw.visit(V17, ACC_FINAL | ACC_SUPER | ACC_SYNTHETIC, CLASS, null, "java/lang/Object", null);
            try {
                take[f] = new JitCompiler.Method(vm, cw, f, take).emit() <= MAX_METHOD_BYTES;
            } catch (MethodTooLargeException e) {
                take[f] = false;
            }
        }
        // pass 2: one class; when its constant pool overflows, compile the first half of what is left
        int limit = n;
        while (true) {
            boolean[] in = new boolean[n];
            for (int f = 0; f < limit; f++) {
                in[f] = take[f];
            }
            ClassWriter cw = writer();
            cw.visit(V17, ACC_FINAL | ACC_SUPER | ACC_SYNTHETIC, CLASS, null, "java/lang/Object", null);
            for (int f = 0; f < n; f++) {
                if (in[f]) {
                    new JitCompiler.Method(vm, cw, f, in).emit();
                }
            }
            cw.visitEnd();
            byte[] bytes;
            try {
                bytes = cw.toByteArray();
            } catch (ClassTooLargeException | MethodTooLargeException e) {
                if (limit == 0) {
                    throw new IllegalStateException("an empty compiled class is too large", e);
                }
                limit /= 2;
                continue;
            }
            return define(bytes, in, maxResults(vm));
        }
    }

    private static JitTier define(byte[] bytes, boolean[] in, int maxResults) {
        MethodHandle[] handles = new MethodHandle[in.length];
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClass(bytes, true);
            for (int f = 0; f < in.length; f++) {
                if (in[f]) {
                    handles[f] = lookup.findStatic(lookup.lookupClass(), "f" + f, TYPE);
                }
            }
        } catch (IllegalAccessException | NoSuchMethodException e) {
            throw new IllegalStateException("the compiled class could not be linked", e);
        }
        return new JitTier(handles, maxResults);
    }

    private static int maxResults(Vm vm) {
        int max = 0;
        for (var fn : vm.program.functions()) {
            max = Math.max(max, fn.sig().rets().size());
        }
        for (var cs : vm.program.callSigs()) {
            max = Math.max(max, cs.rets().size());
        }
        return max;
    }

    private static ClassWriter writer() {
        return new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected String getCommonSuperClass(String a, String b) {
                // frames only ever merge identical types here; never load classes to find out
                return a.equals(b) ? a : "java/lang/Object";
            }
        };
    }

    /** @return whether a function with these results returns them as the method's {@code long} */
    private static boolean direct(List<ValueType> rets) {
        return rets.size() == 1 && Aggregate.isWord(rets.get(0).kind());
    }

    /** One function's method. */
    private static final class Method {
        private final Vm vm;
        private final CodeImage image;
        private final int[] code;
        private final int f;
        private final LoweredFunction fn;
        private final int entry;
        private final boolean[] compiled;
        private final MethodVisitor mv;
        private final Label[] labels;
        private final Label end = new Label();

        Method(Vm vm, ClassWriter cw, int f, boolean[] compiled) {
            this.vm = vm;
            this.image = vm.image;
            this.code = image.code();
            this.f = f;
            this.fn = vm.funcs[f];
            this.entry = image.entry(f);
            this.compiled = compiled;
            this.mv = cw.visitMethod(ACC_STATIC | ACC_SYNTHETIC, "f" + f, DESC, null, null);
            this.labels = new Label[fn.code().length];
        }

        private boolean isStart(int i) {
            return fn.pcOf()[i] >= 0;
        }

        private int next(int i) {
            int len = fn.code().length;
            int j = i + 1;
            while (j < len && !isStart(j)) {
                j++;
            }
            return j;
        }

        private void leader(int i) {
            if (i < labels.length && labels[i] == null) {
                labels[i] = new Label();
            }
        }

        /** Emits the method. @return its size in bytes of bytecode */
        int emit() {
            int len = fn.code().length;
            leader(0);
            for (int i = 0; i < len; i = next(i)) {
                int g = entry + i;
                switch (code[g]) {
                    case Op.BR -> {
                        leader(code[g + 2] - entry);
                        leader(code[g + 3] - entry);
                        leader(next(i));
                    }
                    case Op.JMP -> {
                        leader(code[g + 1] - entry);
                        leader(next(i));
                    }
                    case Op.RET, Op.TRAP, Op.CALL, LOp.CALL_INDIRECT_FUNC, LOp.CALL_INDIRECT_CLOSURE, Op.HOST_CALL ->
                            leader(next(i));
                    default -> {
                    }
                }
            }
            mv.visitCode();
            mv.visitVarInsn(ALOAD, C);
            mv.visitFieldInsn(GETFIELD, CTX, "w", "[J");
            mv.visitVarInsn(ASTORE, W);
            mv.visitVarInsn(ALOAD, C);
            mv.visitFieldInsn(GETFIELD, CTX, "r", "[Ljava/lang/Object;");
            mv.visitVarInsn(ASTORE, R);
            mv.visitVarInsn(ALOAD, VM);
            mv.visitFieldInsn(GETFIELD, "dev/tape/vm/Vm", "image", "Ldev/tape/verify/CodeImage;");
            mv.visitMethodInsn(INVOKEVIRTUAL, "dev/tape/verify/CodeImage", "code", "()[I", false);
            mv.visitVarInsn(ASTORE, CODE);
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, IP);
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, REFUND);
            mv.visitInsn(LCONST_0);
            mv.visitVarInsn(LSTORE, TMP);
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, NB);
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, CALLEE);
            Label tryStart = new Label();
            Label tryEnd = new Label();
            Label handler = new Label();
            mv.visitTryCatchBlock(tryStart, tryEnd, handler, "dev/tape/vm/VmTrap");
            mv.visitLabel(tryStart);
            int blockLen = 0;
            int k = 0;
            for (int i = 0; i < len; i = next(i)) {
                if (labels[i] != null) {
                    mv.visitLabel(labels[i]);
                    blockLen = 1;
                    for (int j = next(i); j < len && labels[j] == null; j = next(j)) {
                        blockLen++;
                    }
                    fuelCheck(i, blockLen);
                    k = 0;
                }
                instruction(i, blockLen - k - 1);
                k++;
            }
            mv.visitLabel(tryEnd);
            mv.visitLabel(handler);
            mv.visitVarInsn(ALOAD, C);
            push(f);
            mv.visitVarInsn(ILOAD, IP);
            mv.visitVarInsn(ILOAD, BASE);
            mv.visitVarInsn(ILOAD, DEPTH);
            mv.visitVarInsn(ILOAD, REFUND);
            mv.visitMethodInsn(INVOKESTATIC, RT, "trapped", "(Ldev/tape/vm/VmTrap;L" + CTX + ";IIIII)" + UNWIND,
                    false);
            mv.visitInsn(ATHROW);
            mv.visitLabel(end);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            return end.getOffset();
        }

        /** Charges a block's fuel at its start, or hands over when there is not enough. */
        private void fuelCheck(int i, int blockLen) {
            Label ok = new Label();
            mv.visitVarInsn(ALOAD, C);
            mv.visitFieldInsn(GETFIELD, CTX, "fuel", "J");
            mv.visitLdcInsn((long) blockLen);
            mv.visitInsn(LSUB);
            mv.visitVarInsn(LSTORE, TMP);
            mv.visitVarInsn(LLOAD, TMP);
            mv.visitInsn(LCONST_0);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFGE, ok);
            handover(f, i, () -> mv.visitVarInsn(ILOAD, BASE), false);
            mv.visitLabel(ok);
            mv.visitVarInsn(ALOAD, C);
            mv.visitVarInsn(LLOAD, TMP);
            mv.visitFieldInsn(PUTFIELD, CTX, "fuel", "J");
        }

        /** Throws the hand-over at function {@code func}, ip {@code ip}, base from {@code base}. */
        private void handover(int func, int ip, Runnable base, boolean deeper) {
            mv.visitVarInsn(ALOAD, C);
            push(func);
            push(ip);
            base.run();
            mv.visitVarInsn(ILOAD, DEPTH);
            if (deeper) {
                mv.visitInsn(ICONST_1);
                mv.visitInsn(IADD);
            }
            mv.visitMethodInsn(INVOKESTATIC, RT, "handover", "(L" + CTX + ";IIII)" + UNWIND, false);
            mv.visitInsn(ATHROW);
        }

        private void push(int v) {
            if (v >= -1 && v <= 5) {
                mv.visitInsn(ICONST_0 + v);
            } else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) {
                mv.visitIntInsn(BIPUSH, v);
            } else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) {
                mv.visitIntInsn(SIPUSH, v);
            } else {
                mv.visitLdcInsn(v);
            }
        }

        private void index(int reg) {
            mv.visitVarInsn(ILOAD, BASE);
            if (reg != 0) {
                push(reg);
                mv.visitInsn(IADD);
            }
        }

        private void loadW(int reg) {
            mv.visitVarInsn(ALOAD, W);
            index(reg);
            mv.visitInsn(LALOAD);
        }

        private void loadD(int reg) {
            loadW(reg);
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Double", "longBitsToDouble", "(J)D", false);
        }

        private void loadR(int reg) {
            mv.visitVarInsn(ALOAD, R);
            index(reg);
            mv.visitInsn(AALOAD);
        }

        /** Pushes the word file and a slot: a value and LASTORE follow. */
        private void atW(int reg) {
            mv.visitVarInsn(ALOAD, W);
            index(reg);
        }

        private void atR(int reg) {
            mv.visitVarInsn(ALOAD, R);
            index(reg);
        }

        private void reloadFiles() {
            mv.visitVarInsn(ALOAD, C);
            mv.visitFieldInsn(GETFIELD, CTX, "w", "[J");
            mv.visitVarInsn(ASTORE, W);
            mv.visitVarInsn(ALOAD, C);
            mv.visitFieldInsn(GETFIELD, CTX, "r", "[Ljava/lang/Object;");
            mv.visitVarInsn(ASTORE, R);
        }

        /** Records where the next instruction is, for its trap: ip and the block fuel to give back. */
        private void at(int i, int refund) {
            push(i);
            mv.visitVarInsn(ISTORE, IP);
            push(refund);
            mv.visitVarInsn(ISTORE, REFUND);
        }

        private void binary(int g, int insn) {
            atW(code[g + 1]);
            loadW(code[g + 2]);
            loadW(code[g + 3]);
            mv.visitInsn(insn);
            mv.visitInsn(LASTORE);
        }

        private void shift(int g, int insn) {
            atW(code[g + 1]);
            loadW(code[g + 2]);
            loadW(code[g + 3]);
            mv.visitInsn(L2I); // the JVM masks a long shift count to its low 6 bits, as the spec does
            mv.visitInsn(insn);
            mv.visitInsn(LASTORE);
        }

        private void f64(int g, int insn) {
            atW(code[g + 1]);
            loadD(code[g + 2]);
            loadD(code[g + 3]);
            mv.visitInsn(insn);
            mv.visitMethodInsn(INVOKESTATIC, "java/lang/Double", "doubleToRawLongBits", "(D)J", false);
            mv.visitInsn(LASTORE);
        }

        /** Stores 1 or 0 by a jump on the int on the stack ({@code jump} taken means 1). */
        private void bool(int jump) {
            Label one = new Label();
            Label done = new Label();
            mv.visitJumpInsn(jump, one);
            mv.visitInsn(LCONST_0);
            mv.visitJumpInsn(GOTO, done);
            mv.visitLabel(one);
            mv.visitInsn(LCONST_1);
            mv.visitLabel(done);
            mv.visitInsn(LASTORE);
        }

        private void compare(int g, int jump) {
            atW(code[g + 1]);
            loadW(code[g + 2]);
            loadW(code[g + 3]);
            mv.visitInsn(LCMP);
            bool(jump);
        }

        private void instruction(int i, int refund) {
            int g = entry + i;
            int op = code[g];
            switch (op) {
                case Op.NOP -> {
                }
                case LOp.MOV_W -> {
                    atW(code[g + 1]);
                    loadW(code[g + 2]);
                    mv.visitInsn(LASTORE);
                }
                case LOp.MOV_R -> {
                    atR(code[g + 1]);
                    loadR(code[g + 2]);
                    mv.visitInsn(AASTORE);
                }
                case LOp.CONST_W -> {
                    atW(code[g + 1]);
                    mv.visitLdcInsn((code[g + 2] & 0xFFFFFFFFL) | ((long) code[g + 3] << 32));
                    mv.visitInsn(LASTORE);
                }
                case LOp.CONST_R -> {
                    atR(code[g + 1]);
                    mv.visitVarInsn(ALOAD, VM);
                    mv.visitFieldInsn(GETFIELD, "dev/tape/vm/Vm", "image", "Ldev/tape/verify/CodeImage;");
                    mv.visitMethodInsn(INVOKEVIRTUAL, "dev/tape/verify/CodeImage", "refs", "()[Ljava/lang/Object;",
                            false);
                    push(code[g + 2]);
                    mv.visitInsn(AALOAD);
                    mv.visitInsn(AASTORE);
                }
                case Op.I64_ADD, Op.U64_ADD -> binary(g, LADD);
                case Op.I64_SUB, Op.U64_SUB -> binary(g, LSUB);
                case Op.I64_MUL, Op.U64_MUL -> binary(g, LMUL);
                case Op.I64_AND, Op.U64_AND, Op.BOOL_AND -> binary(g, LAND);
                case Op.I64_OR, Op.U64_OR, Op.BOOL_OR -> binary(g, LOR);
                case Op.I64_XOR, Op.U64_XOR, Op.BOOL_XOR -> binary(g, LXOR);
                case Op.I64_SHL, Op.U64_SHL -> shift(g, LSHL);
                case Op.I64_SHR -> shift(g, LSHR);
                case Op.U64_SHR -> shift(g, LUSHR);
                case Op.I64_EQ, Op.U64_EQ, LOp.I64_EQ_BR -> compare(g, IFEQ);
                case Op.I64_LT, LOp.I64_LT_BR -> compare(g, IFLT);
                case Op.I64_GT, LOp.I64_GT_BR -> compare(g, IFGT);
                case Op.I64_LE, LOp.I64_LE_BR -> compare(g, IFLE);
                case Op.I64_GE, LOp.I64_GE_BR -> compare(g, IFGE);
                case Op.U64_LT, LOp.U64_LT_BR -> {
                    atW(code[g + 1]);
                    loadW(code[g + 2]);
                    loadW(code[g + 3]);
                    mv.visitMethodInsn(INVOKESTATIC, "java/lang/Long", "compareUnsigned", "(JJ)I", false);
                    bool(IFLT);
                }
                case Op.F64_LT, LOp.F64_LT_BR -> {
                    atW(code[g + 1]);
                    loadD(code[g + 2]);
                    loadD(code[g + 3]);
                    mv.visitInsn(DCMPG); // NaN gives 1: not less
                    bool(IFLT);
                }
                case Op.BOOL_NOT -> {
                    atW(code[g + 1]);
                    loadW(code[g + 2]);
                    mv.visitInsn(LCONST_1);
                    mv.visitInsn(LXOR);
                    mv.visitInsn(LASTORE);
                }
                case Op.F64_ADD -> f64(g, DADD);
                case Op.F64_SUB -> f64(g, DSUB);
                case Op.F64_MUL -> f64(g, DMUL);
                case Op.F64_DIV -> f64(g, DDIV);
                case Op.I64_TO_F64 -> {
                    atW(code[g + 1]);
                    loadW(code[g + 2]);
                    mv.visitInsn(L2D);
                    mv.visitMethodInsn(INVOKESTATIC, "java/lang/Double", "doubleToRawLongBits", "(D)J", false);
                    mv.visitInsn(LASTORE);
                }
                case Op.BR -> {
                    loadW(code[g + 1]);
                    mv.visitInsn(LCONST_0);
                    mv.visitInsn(LCMP);
                    mv.visitJumpInsn(IFNE, labels[code[g + 2] - entry]);
                    mv.visitJumpInsn(GOTO, labels[code[g + 3] - entry]);
                }
                case Op.JMP -> mv.visitJumpInsn(GOTO, labels[code[g + 1] - entry]);
                case LOp.SELECT_W, LOp.SELECT_R -> select(g, op == LOp.SELECT_W);
                case Op.CALL -> {
                    at(i, refund);
                    int callee = code[g + 1];
                    int argc = code[g + 2];
                    int pos = g + 3 + argc;
                    mv.visitVarInsn(ALOAD, C);
                    mv.visitVarInsn(ILOAD, DEPTH);
                    mv.visitVarInsn(ILOAD, BASE);
                    push(fn.regCount());
                    push(image.regCount(callee));
                    push(g);
                    push(pos);
                    mv.visitMethodInsn(INVOKESTATIC, RT, "enter", "(L" + CTX + ";IIIIII)I", false);
                    mv.visitVarInsn(ISTORE, NB);
                    reloadFiles();
                    arguments(g + 3, argc, 1);
                    if (!compiled[callee]) {
                        handover(callee, 0, () -> mv.visitVarInsn(ILOAD, NB), true);
                        return;
                    }
                    Label go = new Label();
                    mv.visitVarInsn(ILOAD, DEPTH);
                    push(JitRuntime.MAX_NESTING);
                    mv.visitJumpInsn(IF_ICMPLT, go);
                    handover(callee, 0, () -> mv.visitVarInsn(ILOAD, NB), true);
                    mv.visitLabel(go);
                    mv.visitVarInsn(ALOAD, VM);
                    mv.visitVarInsn(ALOAD, C);
                    mv.visitVarInsn(ILOAD, NB);
                    mv.visitVarInsn(ILOAD, DEPTH);
                    mv.visitInsn(ICONST_1);
                    mv.visitInsn(IADD);
                    mv.visitMethodInsn(INVOKESTATIC, CLASS, "f" + callee, DESC, false);
                    results(pos, direct(vm.program.functions().get(callee).sig().rets()));
                }
                case LOp.CALL_INDIRECT_FUNC, LOp.CALL_INDIRECT_CLOSURE -> {
                    at(i, refund);
                    boolean closure = op == LOp.CALL_INDIRECT_CLOSURE;
                    int argc = code[g + 3];
                    int pos = g + 4 + argc;
                    mv.visitVarInsn(ALOAD, VM);
                    mv.visitVarInsn(ALOAD, C);
                    mv.visitVarInsn(ALOAD, CODE);
                    push(g);
                    mv.visitVarInsn(ILOAD, BASE);
                    mv.visitMethodInsn(INVOKESTATIC, "dev/tape/vm/Calls", "indirectCallee",
                            "(Ldev/tape/vm/Vm;L" + CTX + ";[III)I", false);
                    mv.visitVarInsn(ISTORE, CALLEE);
                    mv.visitVarInsn(ALOAD, VM);
                    mv.visitVarInsn(ALOAD, C);
                    mv.visitVarInsn(ILOAD, DEPTH);
                    mv.visitVarInsn(ILOAD, BASE);
                    push(fn.regCount());
                    mv.visitVarInsn(ILOAD, CALLEE);
                    push(g);
                    push(pos);
                    mv.visitMethodInsn(INVOKESTATIC, RT, "enterIndirect", "(Ldev/tape/vm/Vm;L" + CTX + ";IIIIII)I",
                            false);
                    mv.visitVarInsn(ISTORE, NB);
                    reloadFiles();
                    if (closure) {
                        mv.visitVarInsn(ALOAD, R);
                        mv.visitVarInsn(ILOAD, NB);
                        mv.visitInsn(ICONST_1);
                        mv.visitInsn(IADD);
                        loadR(code[g + 2]);
                        mv.visitMethodInsn(INVOKESTATIC, RT, "env", "(Ljava/lang/Object;)Ljava/lang/Object;", false);
                        mv.visitInsn(AASTORE);
                    }
                    arguments(g + 4, argc, closure ? 2 : 1);
                    mv.visitVarInsn(ALOAD, VM);
                    mv.visitVarInsn(ALOAD, C);
                    mv.visitVarInsn(ILOAD, CALLEE);
                    mv.visitVarInsn(ILOAD, NB);
                    mv.visitVarInsn(ILOAD, DEPTH);
                    mv.visitMethodInsn(INVOKESTATIC, RT, "invoke", "(Ldev/tape/vm/Vm;L" + CTX + ";III)J", false);
                    results(pos, direct(vm.program.callSigs().get(code[g + 1]).rets()));
                }
                case Op.RET -> ret(i, g);
                case Op.HOST_CALL -> {
                    at(i, refund);
                    mv.visitVarInsn(ALOAD, VM);
                    mv.visitVarInsn(ALOAD, C);
                    mv.visitVarInsn(ALOAD, CODE);
                    push(g);
                    mv.visitVarInsn(ILOAD, BASE);
                    mv.visitVarInsn(ALOAD, C);
                    mv.visitFieldInsn(GETFIELD, CTX, "fuel", "J");
                    mv.visitMethodInsn(INVOKESTATIC, "dev/tape/vm/Calls", "host",
                            "(Ldev/tape/vm/Vm;L" + CTX + ";[IIIJ)J", false);
                    mv.visitVarInsn(LSTORE, TMP);
                    Label none = new Label();
                    mv.visitVarInsn(LLOAD, TMP);
                    mv.visitInsn(LCONST_0);
                    mv.visitInsn(LCMP);
                    mv.visitJumpInsn(IFEQ, none);
                    mv.visitVarInsn(ALOAD, C);
                    mv.visitVarInsn(LLOAD, TMP);
                    mv.visitMethodInsn(INVOKESTATIC, RT, "charge", "(L" + CTX + ";J)V", false);
                    mv.visitLabel(none);
                    reloadFiles();
                }
                case LOp.TUPLE_NEW_W -> {
                    at(i, refund);
                    atR(code[g + 1]);
                    mv.visitVarInsn(ALOAD, C);
                    mv.visitVarInsn(ALOAD, VM);
                    mv.visitFieldInsn(GETFIELD, "dev/tape/vm/Vm", "image", "Ldev/tape/verify/CodeImage;");
                    mv.visitMethodInsn(INVOKEVIRTUAL, "dev/tape/verify/CodeImage", "tags", "()[[B", false);
                    push(code[g + 2]);
                    mv.visitInsn(AALOAD);
                    mv.visitVarInsn(ALOAD, W);
                    mv.visitVarInsn(ALOAD, CODE);
                    push(g + 4);
                    push(code[g + 3]);
                    mv.visitVarInsn(ILOAD, BASE);
                    mv.visitMethodInsn(INVOKESTATIC, "dev/tape/vm/Ops", "tupleOfWords",
                            "(L" + CTX + ";[B[J[IIII)Ldev/tape/value/Aggregate;", false);
                    mv.visitInsn(AASTORE);
                }
                case LOp.TUPLE_GET_W -> {
                    at(i, refund);
                    atW(code[g + 1]);
                    mv.visitVarInsn(ALOAD, C);
                    loadR(code[g + 2]);
                    mv.visitVarInsn(ALOAD, CODE);
                    push(g);
                    mv.visitVarInsn(ILOAD, BASE);
                    mv.visitMethodInsn(INVOKESTATIC, RT, "tupleGetW", "(L" + CTX + ";Ljava/lang/Object;[III)J", false);
                    mv.visitInsn(LASTORE);
                }
                case Op.TRAP -> {
                    at(i, refund);
                    push(code[g + 1]);
                    mv.visitMethodInsn(INVOKESTATIC, RT, "trapInstruction", "(I)Ldev/tape/vm/VmTrap;", false);
                    mv.visitInsn(ATHROW);
                }
                default -> {
                    // everything the interpreter leaves to Ops.slow, through the same helper
                    at(i, refund);
                    mv.visitVarInsn(ALOAD, VM);
                    mv.visitVarInsn(ALOAD, C);
                    mv.visitVarInsn(ALOAD, CODE);
                    push(g);
                    mv.visitVarInsn(ILOAD, BASE);
                    mv.visitMethodInsn(INVOKESTATIC, "dev/tape/vm/Ops", "slow",
                            "(Ldev/tape/vm/Vm;L" + CTX + ";[III)I", false);
                    mv.visitInsn(POP);
                    reloadFiles();
                }
            }
        }

        private void select(int g, boolean word) {
            Label second = new Label();
            Label done = new Label();
            if (word) {
                atW(code[g + 1]);
            } else {
                atR(code[g + 1]);
            }
            loadW(code[g + 2]);
            mv.visitInsn(LCONST_0);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFEQ, second);
            if (word) {
                loadW(code[g + 3]);
            } else {
                loadR(code[g + 3]);
            }
            mv.visitJumpInsn(GOTO, done);
            mv.visitLabel(second);
            if (word) {
                loadW(code[g + 4]);
            } else {
                loadR(code[g + 4]);
            }
            mv.visitLabel(done);
            mv.visitInsn(word ? LASTORE : AASTORE);
        }

        /** Copies call arguments (classed registers at {@code code[at..at+n)}) to {@code NB + to + i}. */
        private void arguments(int at, int n, int to) {
            for (int j = 0; j < n; j++) {
                int e = code[at + j];
                int cls = e & 3;
                if (cls == LOp.UNIT_CLASS) {
                    continue;
                }
                mv.visitVarInsn(ALOAD, cls == LOp.WORD_CLASS ? W : R);
                mv.visitVarInsn(ILOAD, NB);
                push(to + j);
                mv.visitInsn(IADD);
                if (cls == LOp.WORD_CLASS) {
                    loadW(e >>> 2);
                    mv.visitInsn(LASTORE);
                } else {
                    loadR(e >>> 2);
                    mv.visitInsn(AASTORE);
                }
            }
        }

        /** Stores a returned call's results into its destination registers ([retc, dsts...] at pos). */
        private void results(int pos, boolean direct) {
            int retc = code[pos];
            if (direct) {
                mv.visitVarInsn(LSTORE, TMP);
            } else {
                mv.visitInsn(POP2);
            }
            reloadFiles();
            for (int j = 0; j < retc; j++) {
                int dst = code[pos + 1 + j];
                ValueKind k = fn.regType(dst).kind();
                if (k == ValueKind.UNIT) {
                    continue;
                }
                if (Aggregate.isWord(k)) {
                    atW(dst);
                    if (direct) {
                        mv.visitVarInsn(LLOAD, TMP);
                    } else {
                        mv.visitVarInsn(ALOAD, C);
                        mv.visitFieldInsn(GETFIELD, CTX, "retW", "[J");
                        push(j);
                        mv.visitInsn(LALOAD);
                    }
                    mv.visitInsn(LASTORE);
                } else {
                    atR(dst);
                    mv.visitVarInsn(ALOAD, C);
                    mv.visitFieldInsn(GETFIELD, CTX, "retR", "[Ljava/lang/Object;");
                    push(j);
                    mv.visitInsn(AALOAD);
                    mv.visitInsn(AASTORE);
                }
            }
        }

        private void ret(int i, int g) {
            Label callee = new Label();
            mv.visitVarInsn(ILOAD, DEPTH);
            mv.visitInsn(ICONST_1);
            mv.visitJumpInsn(IF_ICMPNE, callee);
            mv.visitVarInsn(ALOAD, C);
            push(f);
            push(i);
            mv.visitVarInsn(ILOAD, BASE);
            mv.visitMethodInsn(INVOKESTATIC, RT, "returned", "(L" + CTX + ";III)V", false);
            mv.visitInsn(LCONST_0);
            mv.visitInsn(LRETURN);
            mv.visitLabel(callee);
            int n = code[g + 1];
            if (direct(vm.program.functions().get(f).sig().rets())) {
                loadW(code[g + 2] >>> 2);
                mv.visitInsn(LRETURN);
                return;
            }
            for (int j = 0; j < n; j++) {
                int e = code[g + 2 + j];
                int cls = e & 3;
                if (cls == LOp.WORD_CLASS) {
                    mv.visitVarInsn(ALOAD, C);
                    mv.visitFieldInsn(GETFIELD, CTX, "retW", "[J");
                    push(j);
                    loadW(e >>> 2);
                    mv.visitInsn(LASTORE);
                } else if (cls == LOp.REF_CLASS) {
                    mv.visitVarInsn(ALOAD, C);
                    mv.visitFieldInsn(GETFIELD, CTX, "retR", "[Ljava/lang/Object;");
                    push(j);
                    loadR(e >>> 2);
                    mv.visitInsn(AASTORE);
                }
            }
            mv.visitInsn(LCONST_0);
            mv.visitInsn(LRETURN);
        }
    }
}
