package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.value.Aggregate;
import dev.tape.verify.internal.LOp;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

import static org.objectweb.asm.Opcodes.AASTORE;
import static org.objectweb.asm.Opcodes.ACONST_NULL;
import static org.objectweb.asm.Opcodes.ANEWARRAY;
import static org.objectweb.asm.Opcodes.BIPUSH;
import static org.objectweb.asm.Opcodes.DCMPG;
import static org.objectweb.asm.Opcodes.DCMPL;
import static org.objectweb.asm.Opcodes.DUP;
import static org.objectweb.asm.Opcodes.GETSTATIC;
import static org.objectweb.asm.Opcodes.I2L;
import static org.objectweb.asm.Opcodes.IADD;
import static org.objectweb.asm.Opcodes.IAND;
import static org.objectweb.asm.Opcodes.ICONST_0;
import static org.objectweb.asm.Opcodes.ICONST_1;
import static org.objectweb.asm.Opcodes.IFEQ;
import static org.objectweb.asm.Opcodes.IFGE;
import static org.objectweb.asm.Opcodes.IFGT;
import static org.objectweb.asm.Opcodes.IFLE;
import static org.objectweb.asm.Opcodes.IFLT;
import static org.objectweb.asm.Opcodes.INEG;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.INVOKEVIRTUAL;
import static org.objectweb.asm.Opcodes.IUSHR;
import static org.objectweb.asm.Opcodes.IXOR;
import static org.objectweb.asm.Opcodes.DUP2;
import static org.objectweb.asm.Opcodes.GOTO;
import static org.objectweb.asm.Opcodes.LCONST_1;
import static org.objectweb.asm.Opcodes.IF_ICMPGT;
import static org.objectweb.asm.Opcodes.IF_ICMPNE;
import static org.objectweb.asm.Opcodes.IFNE;
import static org.objectweb.asm.Opcodes.L2I;
import static org.objectweb.asm.Opcodes.LADD;
import static org.objectweb.asm.Opcodes.LCONST_0;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LMUL;
import static org.objectweb.asm.Opcodes.LSTORE;
import static org.objectweb.asm.Opcodes.LSUB;
import static org.objectweb.asm.Opcodes.SIPUSH;
import static org.objectweb.asm.Opcodes.LAND;
import static org.objectweb.asm.Opcodes.LASTORE;
import static org.objectweb.asm.Opcodes.LCMP;
import static org.objectweb.asm.Opcodes.LXOR;
import static org.objectweb.asm.Opcodes.NEWARRAY;
import static org.objectweb.asm.Opcodes.POP2;
import static org.objectweb.asm.Opcodes.POP;
import static org.objectweb.asm.Opcodes.T_LONG;

/**
 * Instructions compiled inline as a call of the very helper the interpreter's {@code Ops.slow}
 * runs for them ({@code Numerics}, {@code Texts} in tape-core), on the operands' locals, instead
 * of {@link JitCompiler}'s generic path, which writes every operand to the register files, calls
 * {@code Ops.slow} (too big for HotSpot to inline) and reads the destination back. The results,
 * traps (kind and message) and heap charges are the interpreter's by construction; an instruction
 * that can trap first records its position ({@link Emitter#trapPoint()}) so the trap has its pc
 * and the block's fuel is refunded as on the generic path.
 *
 * <p>Covered: f64 neg, abs, rem, min, max, min_num, max_num, to_bits, from_bits, the
 * float-integer conversions, i64 and u64 div and rem, u64/i64 casts, the decimal arithmetic and
 * conversions (on registers held unboxed, {@code Numerics}' primitive methods, which return the
 * same results and traps as the boxed ones the interpreter runs), str/bytes len, eq and concat, building tuples, structs and arrays ({@code JitRuntime.aggregate}), the element reads of tuples, structs and arrays and {@code array.len} ({@code JitRuntime}'s getW, getR and
 * arrayLen: the interpreter's checks, then its projection, which traps, when they fail); and the three-way comparison every compare is
 * compiled from ({@link #compareInts}, {@link #jumpOf}: i64, u64 and f64 compares, fused or not). Any other instruction goes to {@link ValueOps}.
 */
final class InlineOps {
    private InlineOps() {}

    private static final String NUM = "dev/tape/vm/Numerics";
    private static final String TEXTS = "dev/tape/vm/Texts";
    private static final String CTX = "Ldev/tape/vm/ExecutionContext;";
    private static final String OBJ = "Ljava/lang/Object;";
    private static final String INTERNALS = "dev/tape/value/ValueInternals";
    private static final String RT = "dev/tape/vm/JitRuntime";
    private static final String KIND = "dev/tape/value/Aggregate$Kind";

    /** What the compiler of one method gives: its visitor and its registers' locals. */
    interface Emitter {
        /** @return the method's visitor */
        MethodVisitor mv();

        /** Pushes word register {@code reg}'s value (a long). */
        void loadW(int reg);

        /** Pops a long into word register {@code reg}. */
        void storeW(int reg);

        /** Pushes reference register {@code reg}'s value. */
        void loadR(int reg);

        /** Pops a reference into register {@code reg}. */
        void storeR(int reg);

        /** Pushes the run's {@code ExecutionContext}. */
        void loadContext();

        /** Records the instruction's position for a trap it may throw. */
        void trapPoint();

        /** Pushes the code image's array, the instruction's global index in it and the register base. */
        void loadPosition();

        /** @return whether register {@code reg} has a local (a unit register has none) */
        boolean hasLocal(int reg);

        /** @return register {@code reg}'s class: {@code LOp.WORD_CLASS}, {@code REF_CLASS} or {@code UNIT_CLASS} */
        int regClass(int reg);

        /** Pushes operand {@code p} (1 is the first) of the instruction, read from the image at run time. */
        void loadOperand(int p);

        /** Pushes the tag list ({@code byte[]}) that operand {@code p} of the instruction names, read at run time. */
        void loadTags(int p);

        /** @return whether register {@code reg} is a decimal held unboxed (a long mantissa and an int scale) */
        boolean isDecimal(int reg);

        /** Pushes unboxed decimal register {@code reg}: its mantissa (a long), then its scale (an int). */
        void loadDecimal(int reg);

        /** Pushes unboxed decimal register {@code reg}'s scale (an int). */
        void loadScale(int reg);

        /** Pushes unboxed decimal register {@code reg}'s mantissa (a long). */
        void loadMantissa(int reg);

        /**
         * Declares the stack map frame (the method's fixed locals, an empty stack) at the label just
         * visited, a branch target inside one instruction's code.
         */
        void frameHere();

        /**
         * @return whether the function's {@code dec.add}, {@code dec.sub}, {@code dec.mul} and
         *     {@code i64.to_dec} take their inline fast paths: when it has at most
         *     {@link #MAX_FAST_DECIMALS} of them (each fast path adds bytecode, and a method with many
         *     would reach the size fallback's steps sooner)
         */
        boolean decimalFastPaths();

        /** Pops a mantissa (a long) and a scale (an int, on top) into unboxed decimal register {@code reg}. */
        void storeDecimal(int reg);

        /**
         * Emits the {@code struct.new} at global {@code g} when the method keeps its struct in
         * locals ({@link VirtualStructs}).
         *
         * @return whether it did (else the instruction builds its object)
         */
        default boolean keepsStruct(int[] code, int g) {
            return false;
        }

        /**
         * Emits the {@code struct.get} at global {@code g} when its register is a struct the
         * method keeps in locals and the read matches its shape: the field's local, or
         * {@code object} (the read of the object) when the struct is not in locals at run time.
         *
         * @return whether it did (else {@code object} is the whole read)
         */
        default boolean keptGet(int[] code, int g, Runnable object) {
            return false;
        }

        /**
         * Emits the {@code array.new} at global {@code g} when the method keeps its array out of
         * the heap ({@link VirtualArrays}).
         *
         * @return whether it did (else the instruction builds its object)
         */
        default boolean keepsArray(int[] code, int g) {
            return false;
        }

        /**
         * Emits the {@code array.len} or {@code array.get} at global {@code g} when its register
         * is an array the method keeps out of the heap and the read is one it keeps: from its
         * scratch elements, or {@code object} (the read of the object) when the array is an object
         * at run time or the index is out of range.
         *
         * @return whether it did (else {@code object} is the whole read)
         */
        default boolean keptArrayRead(int[] code, int g, Runnable object) {
            return false;
        }

        /**
         * When the method counts heap bytes in a local ({@link HeapLocal}), emits the heap charge
         * of an aggregate of {@code n} elements (with its references' part when {@code refs})
         * on it and returns true; otherwise emits nothing and returns false (the aggregate's
         * helper charges the context).
         */
        default boolean chargeAggregate(int n, boolean refs) {
            return false;
        }
    }

    /**
     * {@code tuple.new} ([op, dst, tags, n, regs...]), {@code struct.new} and {@code array.new}
     * ([op, dst, type, tags, n, regs...]): the elements' words and references from their locals
     * into a {@code long[n]} and, when an element is a reference (the verifier has checked each
     * register against its element's tag, so a register's class is its tag's), an
     * {@code Object[n]}, then {@code JitRuntime.aggregate}: the heap charges and the aggregate of
     * the interpreter's {@code Ops.build}. At most 12 bytes of bytecode per element.
     */
    private static void newAggregate(Emitter e, int[] code, int g, Aggregate.Kind kind) {
        if (kind == Aggregate.Kind.STRUCT && e.keepsStruct(code, g)
                || kind == Aggregate.Kind.ARRAY && e.keepsArray(code, g)) {
            return;
        }
        MethodVisitor mv = e.mv();
        boolean typed = kind != Aggregate.Kind.TUPLE;
        int first = typed ? 5 : 4;
        int n = code[g + first - 1];
        boolean refs = false;
        for (int j = 0; j < n; j++) {
            refs |= e.regClass(code[g + first + j]) == LOp.REF_CLASS;
        }
        e.trapPoint();
        boolean charged = e.chargeAggregate(n, refs);
        if (!charged) {
            e.loadContext();
        }
        mv.visitFieldInsn(GETSTATIC, KIND, kind.name(), "L" + KIND + ";");
        if (typed) {
            e.loadOperand(2);
        } else {
            mv.visitInsn(ICONST_0);
        }
        e.loadTags(typed ? 3 : 2);
        JitCompiler.pushTo(mv, n);
        mv.visitIntInsn(NEWARRAY, T_LONG);
        for (int j = 0; j < n; j++) {
            int reg = code[g + first + j];
            if (e.regClass(reg) == LOp.WORD_CLASS) {
                mv.visitInsn(DUP);
                JitCompiler.pushTo(mv, j);
                e.loadW(reg);
                mv.visitInsn(LASTORE);
            }
        }
        if (refs) {
            JitCompiler.pushTo(mv, n);
            mv.visitTypeInsn(ANEWARRAY, "java/lang/Object");
            for (int j = 0; j < n; j++) {
                int reg = code[g + first + j];
                if (e.regClass(reg) == LOp.REF_CLASS) {
                    mv.visitInsn(DUP);
                    JitCompiler.pushTo(mv, j);
                    e.loadR(reg);
                    mv.visitInsn(AASTORE);
                }
            }
        } else {
            mv.visitInsn(ACONST_NULL);
        }
        if (charged) {
            mv.visitMethodInsn(INVOKESTATIC, RT, "aggregateCharged",
                    "(L" + KIND + ";I[B[J[" + OBJ + ")Ldev/tape/value/Aggregate;", false);
        } else {
            mv.visitMethodInsn(INVOKESTATIC, RT, "aggregate",
                    "(" + CTX + "L" + KIND + ";I[B[J[" + OBJ + ")Ldev/tape/value/Aggregate;", false);
        }
        e.storeR(code[g + 1]);
    }

    /**
     * Emits one instruction inline when it is one of those covered.
     *
     * @param e the method's emitter
     * @param code the program's code image
     * @param g the instruction's global index in {@code code}: opcode, then operands
     * @return whether it was emitted (else the caller takes its generic path)
     */
    static boolean emit(Emitter e, int[] code, int g) {
        if (unboxed(e, code, g)) {
            // decimal registers are always held unboxed (the verifier types every operand of these);
            // were one not, the instruction would take the generic path
            decimal(e, code, g);
            return true;
        }
        MethodVisitor mv = e.mv();
        int dst = code[g + 1];
        int a = code[g + 2];
        switch (code[g]) {
            case Op.F64_NEG -> wordMask(e, dst, a, LXOR, Long.MIN_VALUE);
            case Op.F64_ABS -> wordMask(e, dst, a, LAND, Long.MAX_VALUE);
            case Op.F64_TO_BITS, Op.F64_FROM_BITS -> {
                e.loadW(a);
                e.storeW(dst);
            }
            case Op.F64_REM -> words(e, dst, a, code[g + 3], "rem", "(JJ)J", false);
            case Op.F64_MIN, Op.F64_MIN_NUM -> minMax(e, dst, a, code[g + 3], "min", code[g] == Op.F64_MIN_NUM);
            case Op.F64_MAX, Op.F64_MAX_NUM -> minMax(e, dst, a, code[g + 3], "max", code[g] == Op.F64_MAX_NUM);
            case Op.I64_DIV -> words(e, dst, a, code[g + 3], "i64Div", "(JJ)J", true);
            case Op.I64_REM -> words(e, dst, a, code[g + 3], "i64Rem", "(JJ)J", true);
            case Op.U64_DIV -> words(e, dst, a, code[g + 3], "u64Div", "(JJ)J", true);
            case Op.U64_REM -> words(e, dst, a, code[g + 3], "u64Rem", "(JJ)J", true);
            case Op.U64_TO_I64 -> word(e, dst, a, "u64ToI64");
            case Op.I64_TO_U64 -> word(e, dst, a, "i64ToU64");
            case Op.F64_TO_I64 -> word(e, dst, a, "toI64");
            case Op.F64_TO_U64 -> word(e, dst, a, "toU64");
            case Op.U64_TO_F64 -> {
                e.loadW(a);
                mv.visitMethodInsn(INVOKESTATIC, NUM, "u64ToF64", "(J)D", false);
                mv.visitMethodInsn(INVOKESTATIC, "java/lang/Double", "doubleToRawLongBits", "(D)J", false);
                e.storeW(dst);
            }
            case Op.STR_LEN, Op.BYTES_LEN -> {
                e.trapPoint();
                e.loadR(a);
                mv.visitMethodInsn(INVOKESTATIC, TEXTS, "lengthOf", "(" + OBJ + ")I", false);
                mv.visitInsn(I2L);
                e.storeW(dst);
            }
            case Op.STR_EQ, Op.BYTES_EQ -> {
                e.trapPoint();
                e.loadContext();
                e.loadR(a);
                e.loadR(code[g + 3]);
                mv.visitMethodInsn(INVOKESTATIC, TEXTS, "eq", "(" + CTX + OBJ + OBJ + ")Z", false);
                mv.visitInsn(I2L);
                e.storeW(dst);
            }
            case Op.STR_CONCAT -> {
                e.trapPoint();
                e.loadContext();
                e.loadR(a);
                e.loadR(code[g + 3]);
                mv.visitMethodInsn(INVOKESTATIC, TEXTS, "strConcat", "(" + CTX + OBJ + OBJ + ")Ldev/tape/value/Value$Str;",
                        false);
                e.storeR(dst);
            }
            case Op.BYTES_CONCAT -> {
                e.trapPoint();
                mv.visitFieldInsn(GETSTATIC, TEXTS, "V", "L" + INTERNALS + ";");
                e.loadContext();
                e.loadR(a);
                e.loadR(code[g + 3]);
                mv.visitMethodInsn(INVOKESTATIC, TEXTS, "concat", "(" + CTX + OBJ + OBJ + ")[B", false);
                mv.visitMethodInsn(INVOKEVIRTUAL, INTERNALS, "adoptBytes", "([B)Ldev/tape/value/Value$Bytes;", false);
                e.storeR(dst);
            }
            case LOp.TUPLE_GET_W, LOp.TUPLE_GET_R, LOp.STRUCT_GET_W, LOp.STRUCT_GET_R -> {
                ObjectRead object = new ObjectRead(e, code, g);
                if (!e.keptGet(code, g, object)) {
                    object.run();
                }
            }
            case LOp.ARRAY_GET_IMM_W, LOp.ARRAY_GET_IMM_R, LOp.ARRAY_GET_W, LOp.ARRAY_GET_R, Op.ARRAY_LEN -> {
                ObjectRead object = new ObjectRead(e, code, g);
                if (!e.keptArrayRead(code, g, object)) {
                    object.run();
                }
            }
            case Op.TUPLE_NEW -> newAggregate(e, code, g, Aggregate.Kind.TUPLE);
            case Op.STRUCT_NEW -> newAggregate(e, code, g, Aggregate.Kind.STRUCT);
            case Op.ARRAY_NEW -> newAggregate(e, code, g, Aggregate.Kind.ARRAY);
            default -> {
                return ValueOps.emit(e, code, g);
            }
        }
        return true;
    }

    /**
     * The read of the object of a {@code struct.get}, {@code array.get}, {@code array.get_imm} or
     * {@code array.len} at global {@code g}: the whole instruction when its aggregate is not kept in
     * locals, else the path taken when the aggregate is an object at run time
     * ({@link Emitter#keptGet}, {@link Emitter#keptArrayRead}). A plain class, not a lambda, so that
     * a JVM's first compile of a method with these reads spins no lambda class and method-handle
     * form on the running thread (the warm-up links this one).
     */
    private static final class ObjectRead implements Runnable {
        private final Emitter e;
        private final int[] code;
        private final int g;

        ObjectRead(Emitter e, int[] code, int g) {
            this.e = e;
            this.code = code;
            this.g = g;
        }

        @Override
        public void run() {
            switch (code[g]) {
                case LOp.TUPLE_GET_W, LOp.TUPLE_GET_R -> get(e, code, g, code[g + 3] & 0xFFFFFFFFL, -1,
                        Aggregate.Kind.TUPLE, code[g] == LOp.TUPLE_GET_W);
                case LOp.STRUCT_GET_W, LOp.STRUCT_GET_R -> get(e, code, g, code[g + 3] & 0xFFFFFFFFL, -1,
                        Aggregate.Kind.STRUCT, code[g] == LOp.STRUCT_GET_W);
                case LOp.ARRAY_GET_IMM_W, LOp.ARRAY_GET_IMM_R -> get(e, code, g, code[g + 3] & 0xFFFFFFFFL, -1,
                        Aggregate.Kind.ARRAY, code[g] == LOp.ARRAY_GET_IMM_W);
                case LOp.ARRAY_GET_W, LOp.ARRAY_GET_R -> get(e, code, g, 0, code[g + 3], Aggregate.Kind.ARRAY,
                        code[g] == LOp.ARRAY_GET_W);
                case Op.ARRAY_LEN -> {
                    e.trapPoint();
                    e.loadR(code[g + 2]);
                    e.mv().visitMethodInsn(INVOKESTATIC, RT, "arrayLen", "(" + OBJ + ")J", false);
                    e.storeW(code[g + 1]);
                }
                default -> throw new IllegalStateException("no object read: op " + code[g]);
            }
        }
    }

    /**
     * @return whether instruction {@code code[g]} is a decimal one ({@code dec.*}, {@code *.to_dec})
     *     whose decimal operands and result are all registers held unboxed (the verifier's types
     *     make them so)
     */
    private static boolean unboxed(Emitter e, int[] code, int g) {
        return switch (code[g]) {
            case Op.DEC_ADD, Op.DEC_SUB, Op.DEC_MUL -> e.isDecimal(code[g + 1]) && e.isDecimal(code[g + 2])
                    && e.isDecimal(code[g + 3]);
            case Op.DEC_TO_I64, Op.DEC_TO_U64 -> e.isDecimal(code[g + 2]);
            case Op.I64_TO_DEC, Op.U64_TO_DEC -> e.isDecimal(code[g + 1]);
            default -> false;
        };
    }

    /**
     * The most {@code dec.add}, {@code dec.sub}, {@code dec.mul} and {@code i64.to_dec} a function
     * may have for them to take inline fast paths ({@link Emitter#decimalFastPaths()}).
     */
    static final int MAX_FAST_DECIMALS = 16;

    /**
     * A decimal instruction on unboxed registers. Add, sub, mul and {@code i64.to_dec} first take
     * a fast path inline when their operands cannot trap (scales equal and no overflow for an add;
     * both mantissas within an int and the scales' sum at most 255 for a mul; a scale of 0, or of
     * at most 9 on a mantissa within an int, for a conversion), which calls nothing: a first run
     * spends most of its loop in HotSpot's bytecode interpreter, where a call costs more than the
     * arithmetic. Anything else takes the slow path, {@link #decimalCall}, which checks and traps
     * exactly as before, so the fast path's result is the one the slow path would give. In a function
     * with more than {@link #MAX_FAST_DECIMALS} of them only the conversion at scale 0 (shorter than
     * the call) is inline.
     */
    private static void decimal(Emitter e, int[] code, int g) {
        MethodVisitor mv = e.mv();
        int op = code[g];
        int dst = code[g + 1];
        int a = code[g + 2];
        if (!e.decimalFastPaths() && !(op == Op.I64_TO_DEC && code[g + 3] == 0)) {
            decimalCall(e, code, g);
            return;
        }
        Label slow = new Label();
        Label done = new Label();
        switch (op) {
            case Op.DEC_ADD, Op.DEC_SUB -> {
                int b = code[g + 3];
                e.loadScale(a);
                e.loadScale(b);
                mv.visitJumpInsn(IF_ICMPNE, slow);
                e.loadMantissa(a);
                e.loadMantissa(b);
                mv.visitInsn(op == Op.DEC_SUB ? LSUB : LADD);
                // TMP is free between instructions; decimals are unboxed in a method's own emitter only
                mv.visitVarInsn(LSTORE, JitCompiler.TMP);
                // overflow iff both operands of the add (b negated for sub) have the sign the result
                // lacks: Numerics.decAdd's test
                e.loadMantissa(a);
                if (op == Op.DEC_SUB) {
                    e.loadMantissa(b);
                } else {
                    mv.visitVarInsn(LLOAD, JitCompiler.TMP);
                }
                mv.visitInsn(LXOR);
                e.loadMantissa(op == Op.DEC_SUB ? a : b);
                mv.visitVarInsn(LLOAD, JitCompiler.TMP);
                mv.visitInsn(LXOR);
                mv.visitInsn(LAND);
                mv.visitInsn(LCONST_0);
                mv.visitInsn(LCMP);
                mv.visitJumpInsn(IFLT, slow);
                mv.visitVarInsn(LLOAD, JitCompiler.TMP);
                e.loadScale(a);
                e.storeDecimal(dst);
            }
            case Op.DEC_MUL -> {
                int b = code[g + 3];
                // |a|, |b| <= 2^31: the product fits an i64
                fitsInt(e, a, slow);
                fitsInt(e, b, slow);
                e.loadScale(a);
                e.loadScale(b);
                mv.visitInsn(IADD);
                mv.visitIntInsn(SIPUSH, 255);
                mv.visitJumpInsn(IF_ICMPGT, slow);
                e.loadMantissa(a);
                e.loadMantissa(b);
                mv.visitInsn(LMUL);
                e.loadScale(a);
                e.loadScale(b);
                mv.visitInsn(IADD);
                e.storeDecimal(dst);
            }
            case Op.I64_TO_DEC -> {
                int scale = code[g + 3];
                if (scale > 9) {
                    decimalCall(e, code, g);
                    return;
                }
                if (scale > 0) {
                    // |a| <= 2^31, 10^scale < 2^30: the product fits an i64
                    e.loadW(a);
                    mv.visitInsn(DUP2);
                    mv.visitInsn(L2I);
                    mv.visitInsn(I2L);
                    mv.visitInsn(LCMP);
                    mv.visitJumpInsn(IFNE, slow);
                }
                e.loadW(a);
                if (scale > 0) {
                    mv.visitLdcInsn(pow10(scale));
                    mv.visitInsn(LMUL);
                }
                JitCompiler.pushTo(mv, scale);
                e.storeDecimal(dst);
                if (scale == 0) {
                    return;
                }
            }
            default -> {
                decimalCall(e, code, g);
                return;
            }
        }
        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(slow);
        e.frameHere();
        decimalCall(e, code, g);
        mv.visitLabel(done);
        e.frameHere();
    }

    /**
     * @param scale 0 to 9
     * @return 10^scale, the power {@code i64.to_dec}'s fast path multiplies by (computed, not a
     *     table: this class has no static initialiser, {@code ClassInitGuardTest})
     */
    private static long pow10(int scale) {
        long p = 1;
        for (int i = 0; i < scale; i++) {
            p *= 10;
        }
        return p;
    }

    /** Jumps to {@code slow} unless unboxed decimal {@code reg}'s mantissa is within an int. */
    private static void fitsInt(Emitter e, int reg, Label slow) {
        MethodVisitor mv = e.mv();
        e.loadMantissa(reg);
        mv.visitInsn(DUP2);
        mv.visitInsn(L2I);
        mv.visitInsn(I2L);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFNE, slow);
    }

    /**
     * A decimal instruction on unboxed registers (the slow path), through {@code Numerics}' primitive methods: they
     * check the operands and return the result's mantissa; its scale is pushed here (an add's is its
     * first operand's, a mul's the sum of both, a conversion's its immediate) before either local
     * of the destination is written, so a destination that is also an operand reads right.
     */
    private static void decimalCall(Emitter e, int[] code, int g) {
        MethodVisitor mv = e.mv();
        int op = code[g];
        int dst = code[g + 1];
        int a = code[g + 2];
        e.trapPoint();
        switch (op) {
            case Op.DEC_ADD, Op.DEC_SUB -> {
                e.loadDecimal(a);
                e.loadDecimal(code[g + 3]);
                mv.visitInsn(op == Op.DEC_SUB ? ICONST_1 : ICONST_0);
                mv.visitMethodInsn(INVOKESTATIC, NUM, "decAdd", "(JIJIZ)J", false);
                e.loadScale(a);
                e.storeDecimal(dst);
            }
            case Op.DEC_MUL -> {
                int b = code[g + 3];
                e.loadDecimal(a);
                e.loadDecimal(b);
                mv.visitMethodInsn(INVOKESTATIC, NUM, "decMul", "(JIJI)J", false);
                e.loadScale(a);
                e.loadScale(b);
                mv.visitInsn(IADD);
                e.storeDecimal(dst);
            }
            case Op.DEC_TO_I64, Op.DEC_TO_U64 -> {
                e.loadDecimal(a);
                mv.visitMethodInsn(INVOKESTATIC, NUM, op == Op.DEC_TO_I64 ? "decToI64" : "decToU64", "(JI)J", false);
                e.storeW(dst);
            }
            default -> {
                // i64.to_dec, u64.to_dec
                int scale = code[g + 3];
                e.loadW(a);
                JitCompiler.pushTo(mv, scale);
                mv.visitMethodInsn(INVOKESTATIC, NUM, op == Op.I64_TO_DEC ? "i64ToDecMantissa" : "u64ToDecMantissa",
                        "(JI)J", false);
                JitCompiler.pushTo(mv, scale);
                e.storeDecimal(dst);
            }
        }
    }

    /**
     * An element of an aggregate into {@code dst}: JitRuntime's getW or getR, whose fast path is
     * the interpreter's checks and whose slow path is the interpreter's projection (which traps).
     *
     * The expected element tag (the lowered instruction's last operand: [op, dst, agg, index, tag])
     * is passed as a constant, so the fast path reads nothing of the code image.
     *
     * @param g the lowered instruction's global index in {@code code}
     * @param index the immediate index, when {@code indexReg} is -1
     * @param indexReg the word register holding the index, or -1
     */
    private static void get(Emitter e, int[] code, int g, long index, int indexReg, Aggregate.Kind kind,
                            boolean word) {
        MethodVisitor mv = e.mv();
        int dst = code[g + 1];
        int agg = code[g + 2];
        e.trapPoint();
        e.loadContext();
        e.loadR(agg);
        if (indexReg >= 0) {
            e.loadW(indexReg);
        } else {
            mv.visitLdcInsn(index);
        }
        // the kind as its enum constant (a constant to C2, so the kind check folds on an aggregate
        // whose allocation it sees)
        mv.visitFieldInsn(GETSTATIC, KIND, kind.name(), "L" + KIND + ";");
        JitCompiler.pushTo(mv, code[g + 4]);
        e.loadPosition();
        mv.visitMethodInsn(INVOKESTATIC, RT, word ? "getW" : "getR",
                "(" + CTX + OBJ + "JL" + KIND + ";I[III)" + (word ? "J" : OBJ), false);
        if (!e.hasLocal(dst)) {
            mv.visitInsn(word ? POP2 : POP); // a unit element into a unit register: nothing to keep
        } else if (word) {
            e.storeW(dst);
        } else {
            e.storeR(dst);
        }
    }

    /**
     * Pushes the three-way comparison (-1, 0 or 1) of a compare's operands: {@code lcmp} for
     * i64, {@code Long.compareUnsigned} for u64, {@code dcmpg} for f64 lt and le (NaN compares as
     * greater, so it is never less) and {@code dcmpl} for f64 gt, ge and eq (NaN compares as less,
     * so it is never greater).
     *
     * @param e the method's emitter
     * @param op a compare op (plain or fused with its br)
     * @param a its first operand register
     * @param b its second
     */
    static void compareInts(Emitter e, int op, int a, int b) {
        MethodVisitor mv = e.mv();
        switch (op) {
            case Op.U64_LT, LOp.U64_LT_BR, Op.U64_GT, Op.U64_LE, Op.U64_GE -> {
                e.loadW(a);
                e.loadW(b);
                mv.visitMethodInsn(INVOKESTATIC, "java/lang/Long", "compareUnsigned", "(JJ)I", false);
            }
            case Op.F64_LT, LOp.F64_LT_BR, Op.F64_LE -> {
                loadD(e, a);
                loadD(e, b);
                mv.visitInsn(DCMPG);
            }
            case Op.F64_GT, Op.F64_GE, Op.F64_EQ -> {
                loadD(e, a);
                loadD(e, b);
                mv.visitInsn(DCMPL);
            }
            default -> {
                e.loadW(a);
                e.loadW(b);
                mv.visitInsn(LCMP);
            }
        }
    }

    /**
     * Turns the {@code int} that {@link #compareInts} left on the stack into the compare's result as
     * a word, 1 or 0 (a {@code long}): {@code jump} is the compare's {@link #jumpOf}, the branch
     * taken when the result is 1. Stack: int to long.
     */
    static void bitOfCompare(MethodVisitor mv, int jump) {
        if (jump == IFGT || jump == IFLE) {
            mv.visitInsn(INEG);
        }
        if (jump == IFEQ) {
            mv.visitInsn(ICONST_1);
            mv.visitInsn(IAND);
            mv.visitInsn(ICONST_1);
            mv.visitInsn(IXOR);
        } else {
            mv.visitIntInsn(BIPUSH, 31);
            mv.visitInsn(IUSHR);
            if (jump == IFGE || jump == IFLE) {
                mv.visitInsn(ICONST_1);
                mv.visitInsn(IXOR);
            }
        }
        mv.visitInsn(I2L);
    }

    /**
     * The rule of every compare-and-br fusion ({@link #branchCompare}: the method's own
     * instructions, inlined leaves, fast clones): the instruction at global index {@code br},
     * the one right after the compare at global index {@code g}, is a {@code br} on the register
     * the compare writes. The caller checks that the br starts no block (no other edge reaches
     * it, and no charge comes between the two).
     *
     * @param code the lowered code image
     * @param g a compare's global index (plain or fused)
     * @param br the next instruction's global index, inside the code
     * @return whether they fuse
     */
    static boolean brOnCompare(int[] code, int g, int br) {
        return LOp.plain(code[br]) == Op.BR && code[br + 1] == code[g + 1];
    }

    /**
     * {@link #branchCompare}'s {@code backOther} for the br at global index {@code br}: its
     * zero edge goes back (to its own block or earlier) and its nonzero edge does not.
     *
     * @param code the lowered code image
     * @param br a br's global index
     * @param entry the global index of its function's first instruction
     * @return whether the conditional jump should go to the zero edge, on the negated comparison
     */
    static boolean backOther(int[] code, int br, int entry) {
        int n = br - entry;
        return code[br + 3] - entry <= n && code[br + 2] - entry > n;
    }

    /**
     * Emits a {@code br} that no compare has branched for already (its compare was not fused with
     * it, {@link #branchCompare}): word register {@code reg} compared with 0, to {@code taken}
     * when it is not 0, else to {@code other}. The inlined bodies and the fast clones emit their
     * plain br so; a br fused with its compare emits nothing.
     *
     * @param e the emitter
     * @param reg the br's word register
     * @param taken the label of the br's first target
     * @param other the label of its second target
     */
    static void br(Emitter e, int reg, Label taken, Label other) {
        MethodVisitor mv = e.mv();
        e.loadW(reg);
        mv.visitInsn(LCONST_0);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFNE, taken);
        mv.visitJumpInsn(GOTO, other);
    }

    /**
     * Emits a compare and the {@code br} on its register right after it (same block) as one
     * branch on the compare's three-way comparison: on the edge to the br's taken block the
     * register is written 1, on the edge to its other block 0, so wherever anything can read it
     * (the blocks, a loop head's hand-over, a pause) it holds what the compare and br write one
     * after the other. The comparison reads the operands before the write, so the register may
     * be one of them. Only the branch on a word made from the three-way comparison (1 or 0, then
     * compared with 0 again), which C2 does not fold, is gone; the constant writes are dead where
     * nothing reads the register after, and C2 drops them. Used by the method's own instructions
     * ({@code InstructionEmitter}) and by inlined leaves ({@code InlineBody}), the rule of the
     * twenty-fourth round.
     *
     * <p>The shape: the comparison, the write of the value one edge gives, the conditional jump
     * straight to that edge's block, then the other write and a {@code goto} to the other block.
     * The conditional jump goes to the taken block unless only the other block is a backward
     * jump (a loop's back edge on zero). So a loop's back edge is the conditional jump itself, as
     * in a plain compare and br: C2 places its loop safepoint before the exit test and makes a
     * {@code long} counted loop of it (a loop nest, unrolled). With the back edge behind the test
     * (a {@code goto} after a write on the taken edge, the twenty-fourth round's shape) C2 kept
     * the loop uncounted: compiled {@code host_loop} and {@code tuple_loop} ran 2.4-3.5 times
     * slower (the twenty-fifth round, host25). No label is placed here, so no frame is declared.
     *
     * @param e the emitter (its locals and method)
     * @param op a compare op (plain or fused with its br)
     * @param dst the compare's destination register, the one the br tests
     * @param a its first operand register
     * @param b its second
     * @param taken the label of the br's block taken on nonzero
     * @param other the label of its block taken on zero
     * @param backOther whether {@code other} is a backward jump and {@code taken} is not (the
     *     conditional jump then goes to {@code other}, on the negated comparison)
     */
    static void branchCompare(Emitter e, int op, int dst, int a, int b, Label taken, Label other,
            boolean backOther) {
        MethodVisitor mv = e.mv();
        compareInts(e, op, a, b);
        // the three-way comparison stays on the stack below the write
        mv.visitInsn(backOther ? LCONST_0 : LCONST_1);
        e.storeW(dst);
        int jump = jumpOf(op);
        mv.visitJumpInsn(backOther ? negated(jump) : jump, backOther ? other : taken);
        mv.visitInsn(backOther ? LCONST_1 : LCONST_0);
        e.storeW(dst);
        mv.visitJumpInsn(GOTO, backOther ? taken : other);
    }

    /**
     * @param jump a jump on an int compared with 0 ({@link #jumpOf})
     * @return the jump taken exactly when {@code jump} is not
     */
    static int negated(int jump) {
        return switch (jump) {
            case IFLT -> IFGE;
            case IFGE -> IFLT;
            case IFGT -> IFLE;
            case IFLE -> IFGT;
            case IFEQ -> IFNE;
            case IFNE -> IFEQ;
            default -> throw new IllegalArgumentException("not a jump on an int and 0: " + jump);
        };
    }

    /**
     * @param op a compare op (plain or fused with its br)
     * @return the jump taken when it holds, on its three-way comparison
     */
    static int jumpOf(int op) {
        return switch (LOp.unfused(op)) {
            case Op.I64_LT, Op.U64_LT, Op.F64_LT -> IFLT;
            case Op.I64_GT, Op.U64_GT, Op.F64_GT -> IFGT;
            case Op.I64_LE, Op.U64_LE, Op.F64_LE -> IFLE;
            case Op.I64_GE, Op.U64_GE, Op.F64_GE -> IFGE;
            default -> IFEQ;
        };
    }

    /** Pushes f64 register {@code reg} as a double. */
    private static void loadD(Emitter e, int reg) {
        e.loadW(reg);
        e.mv().visitMethodInsn(INVOKESTATIC, "java/lang/Double", "longBitsToDouble", "(J)D", false);
    }

    /** dst = a (op) mask, on the bits. */
    private static void wordMask(Emitter e, int dst, int a, int op, long mask) {
        e.loadW(a);
        e.mv().visitLdcInsn(mask);
        e.mv().visitInsn(op);
        e.storeW(dst);
    }

    /** dst = Numerics.method(a, b), with a trap point first when it can trap. */
    private static void words(Emitter e, int dst, int a, int b, String method, String desc, boolean traps) {
        if (traps) {
            e.trapPoint();
        }
        e.loadW(a);
        e.loadW(b);
        e.mv().visitMethodInsn(INVOKESTATIC, NUM, method, desc, false);
        e.storeW(dst);
    }

    /** dst = Numerics.method(a), which can trap. */
    private static void word(Emitter e, int dst, int a, String method) {
        e.trapPoint();
        e.loadW(a);
        e.mv().visitMethodInsn(INVOKESTATIC, NUM, method, "(J)J", false);
        e.storeW(dst);
    }

    /** dst = Numerics.min or max(a, b, numberFavoring). */
    private static void minMax(Emitter e, int dst, int a, int b, String method, boolean numberFavoring) {
        e.loadW(a);
        e.loadW(b);
        e.mv().visitInsn(numberFavoring ? ICONST_1 : ICONST_0);
        e.mv().visitMethodInsn(INVOKESTATIC, NUM, method, "(JJZ)J", false);
        e.storeW(dst);
    }
}
