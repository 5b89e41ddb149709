package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import dev.tape.vm.internal.CompileView;

import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

import java.util.ArrayList;
import java.util.List;

import static dev.tape.jit.JitCompiler.CLASS;
import static dev.tape.jit.JitCompiler.CTX;
import static org.objectweb.asm.Opcodes.ACC_STATIC;
import static org.objectweb.asm.Opcodes.ACC_SYNTHETIC;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.ATHROW;
import static org.objectweb.asm.Opcodes.F_NEW;
import static org.objectweb.asm.Opcodes.GETFIELD;
import static org.objectweb.asm.Opcodes.GETSTATIC;
import static org.objectweb.asm.Opcodes.GOTO;
import static org.objectweb.asm.Opcodes.ICONST_1;
import static org.objectweb.asm.Opcodes.IFEQ;
import static org.objectweb.asm.Opcodes.IFLE;
import static org.objectweb.asm.Opcodes.IFLT;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.INTEGER;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.ISUB;
import static org.objectweb.asm.Opcodes.LCMP;
import static org.objectweb.asm.Opcodes.LCONST_0;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LONG;
import static org.objectweb.asm.Opcodes.LRETURN;
import static org.objectweb.asm.Opcodes.LSTORE;
import static org.objectweb.asm.Opcodes.LSUB;
import static org.objectweb.asm.Opcodes.PUTFIELD;

/**
 * Fast clones: for a <em>pure</em> function, a second static method next to the compiled ones,
 * {@code static long fast<id>(long a1, ..., long ak, ExecutionContext c, int nest, long fuel)}, its
 * word arguments as {@code long} parameters and its one word result as the JVM return. It has no
 * exception handler, frame record, register-file access, pause poll or hand-over: its registers
 * are {@code long} locals and it does the function's word operations and nothing else, charging
 * each block's length in fuel units at the block's start (an instruction costs 1, as in the
 * interpreter) on its {@code fuel} parameter, the fuel left, which its caller passes (in a machine
 * register: no store and load around the call) and which it writes to {@code c.fuel} at its return,
 * where its caller reads it back. Whatever the compiled tier would have to report or
 * materialise makes it throw {@code JitRuntime.Bail}: fuel short, or its nesting budget spent
 * ({@code nest}, from {@code JitRuntime.fastNest}: the calls it may still nest within every limit).
 * A pure callee is called directly, {@code fast<g>(args, c, nest - 1, fuel)}, after {@code nest > 0}.
 *
 * <p><b>Fuel tests.</b> The charge at a block's start is not tested; the fuel left is tested
 * ({@code fuel < 0}: bail) only before each {@code ret} and each branch that may go back (a
 * {@code br} or {@code jmp} with a target at or before it). The fuel only decreases, so a clone
 * that passes its {@code ret}'s test had fuel left at every earlier point: every block it ran was
 * affordable in full, the interpreter (which charges 1 before each instruction) would not have
 * run out either, and the fuel it returns is exactly the interpreter's. A clone whose fuel goes
 * negative has no effect but the fuel (restored by the bail), and runs on only until its next test:
 * the rest of a path of forward blocks, and calls nested down that path, each of which runs at most
 * a path of forward blocks before its own {@code ret} or back edge, at most {@code nest} deep. So
 * the work past the fuel's end is at most {@code (nest + 1) * MAX_CODE} instructions, once a run
 * (the call's re-run on the tier's path then runs out of fuel and traps). Measured by hand-written
 * models of fib's clone (docs/PERFORMANCE-LOG.md, fast25): a test per block cost about 20 % over
 * tests at rets only; a test before each call as well about 9 %.
 *
 * <p><b>Compares.</b> A compare followed by a {@code br} on its register in the same block is one
 * branch on the comparison (the register written 1 or 0 on each edge, {@code InlineOps.branchCompare}):
 * C2 does not fold the bit made from {@code lcmp} and tested again, so fib's clone tested each
 * compare twice; fused, fib's clone runs about 1.3x hand-written Java where it ran 1.7x (fib26,
 * docs/PERFORMANCE-LOG.md).
 *
 * <p><b>Pure</b>: every function reachable from it by direct calls (itself included, at most
 * {@link #MAX_FUNCTIONS} of them) has only word parameters (at most {@link #MAX_ARGS}), one word result and registers that
 * are words or unit; has at most {@link #MAX_CODE} ints of lowered code and {@link #MAX_REGISTERS}
 * registers (so a clone's bytecode is at most {@link #bytesBound}, under the method limit); and every instruction is one of
 * {@code nop}, the word {@code mov} and {@code const}, i64/u64/bool add, sub, mul, and, or, xor,
 * shl, shr, not, the i64/u64/f64 compares (fused or not), {@code select} of words, {@code br},
 * {@code jmp}, {@code ret} and a direct {@code call} whose arguments and result are within the
 * copy budget's free values. None of these traps, allocates or reads anything but registers:
 * the greatest fixed point of "locally so and every direct callee pure" is exactly "every
 * reachable function locally so". A call site of a compiled method whose callee is pure enters the
 * clone ({@code CallSiteEmitter}); each function's class holds the clones of the pure callees its
 * sites enter and of everything they reach.
 */
final class FastClone {
    private FastClone() {
    }

    /** Most functions one fast entry's clones may reach (each is a method of the caller's class). */
    static final int MAX_FUNCTIONS = 8;

    /**
     * Most bytes of clones' bytecode one class holds, summing {@link #bytesBound}: a call site whose
     * callee's clones would take the class past it enters none (a real call). Two clones of the
     * largest pure function: a class with clones is at most this much larger than it was without
     * (their stack map frames, one same-locals frame per block, and constant pool entries are a few
     * bytes a block), so a class that fitted {@code JitTier.MAX_CLASS_BYTES} (64 KiB) by this much
     * before the clones still does.
     */
    static final int MAX_CLASS_BYTES = 16_000;

    /** Most ints of lowered code a function may have to get a clone. */
    static final int MAX_CODE = 150;

    /**
     * Most word arguments a function may have to get a clone: its descriptor ({@link #desc}) takes
     * two JVM slots per argument and four more (the context, the nest, the fuel), and the JVM allows
     * 255 (JVMS 4.3.3); a clone of more would make its caller's class fail to load.
     */
    static final int MAX_ARGS = (255 - 4) / 2;

    /** Most registers a function may have to get a clone (its prologue sets each). */
    static final int MAX_REGISTERS = 256;

    /**
     * A bound on a clone's bytecode, in bytes: 40 per int of lowered code (the largest, a call, takes
     * at most 30 fixed bytes and 4 per argument, each argument an int; a block's charge 8, a fuel
     * test 7 before a {@code ret} or a back edge, and a label's frame none), 6 per register (its prologue's load and store) and 64 for the rest
     * (the fuel's read, the bail). At most 7,600 for a pure function ({@link #MAX_CODE},
     * {@link #MAX_REGISTERS}): under {@code JitCompiler.MAX_METHOD_BYTES}, so a clone never makes its
     * class fail to load or HotSpot refuse to compile it.
     *
     * @param fn a pure function
     * @return the bound
     */
    static int bytesBound(LoweredFunction fn) {
        return 64 + 40 * fn.code().length + 6 * fn.regCount();
    }

    /** The name of function {@code g}'s clone. */
    static String name(int g) {
        return "fast" + g;
    }

    /** The descriptor of a clone with {@code k} word parameters: {@code (J...JLExecutionContext;IJ)J}. */
    static String desc(int k) {
        return "(" + "J".repeat(k) + "L" + CTX + ";IJ)J";
    }

    /** What one class's sites enter: the functions whose clones the class holds. */
    static final class Sites {
        private final CompileView view;
        /** the functions whose clones the class must hold, in the order first needed */
        final List<Integer> cloned = new ArrayList<>();
        /** per function checked so far: the functions its clone reaches, or an empty list when it is not pure */
        private final java.util.Map<Integer, List<Integer>> reach = new java.util.HashMap<>();

        /** @param view the program and tier */
        Sites(CompileView view) {
            this.view = view;
        }

        /**
         * @param g a function a direct call calls
         * @return the functions its clone reaches (itself first), or an empty list when it is not pure
         */
        List<Integer> reach(int g) {
            List<Integer> r = reach.get(g);
            if (r == null) {
                r = closure(view, g);
                reach.put(g, r);
            }
            return r;
        }

        /** the sum of {@link #bytesBound} over {@link #cloned} */
        private long bytes;

        /**
         * Whether a site may enter {@code g}'s clone: {@code g} is pure and the class's clones,
         * with those {@code g}'s reaches, take at most {@link #MAX_CLASS_BYTES} of bytecode
         * ({@link #bytesBound} each).
         *
         * @param g a function a direct call calls
         */
        boolean admits(int g) {
            List<Integer> r = reach(g);
            if (r.isEmpty()) {
                return false;
            }
            long more = bytes;
            for (int h : r) {
                if (!cloned.contains(h)) {
                    more += bytesBound(view.function(h));
                }
            }
            return more <= MAX_CLASS_BYTES;
        }

        /**
         * Records that a site enters {@code g}'s clone (which must be pure and admitted, {@link #admits}).
         *
         * @return the most registers of any function that clone reaches
         */
        int enter(int g) {
            int m = 0;
            for (int h : reach(g)) {
                if (!cloned.contains(h)) {
                    cloned.add(h);
                    bytes += bytesBound(view.function(h));
                }
                m = Math.max(m, view.function(h).regCount());
            }
            return m;
        }

        /** Adds the clones the sites entered to the class. */
        void emit(ClassWriter cw) {
            for (int h : cloned) {
                new Emitter(view, cw, h).emit();
            }
        }
    }

    /**
     * @return the functions reachable from {@code g} by direct calls, {@code g} first, when all
     *     are locally pure and at most {@link #MAX_FUNCTIONS}; else an empty list
     */
    static List<Integer> closure(CompileView view, int g) {
        List<Integer> seen = new ArrayList<>();
        seen.add(g);
        for (int k = 0; k < seen.size(); k++) {
            int h = seen.get(k);
            List<Integer> callees = local(view, h);
            if (callees == null) {
                return List.of();
            }
            for (int c : callees) {
                if (!seen.contains(c)) {
                    if (seen.size() == MAX_FUNCTIONS) {
                        return List.of();
                    }
                    seen.add(c);
                }
            }
        }
        return List.copyOf(seen);
    }

    /** Whether a value of type {@code t} is a word (a unit or absent type is not). */
    private static boolean word(ValueType t) {
        return t != null && t.kind() != ValueKind.UNIT && Aggregate.isWord(t.kind());
    }

    /**
     * @return the direct callees of function {@code f} when it is locally pure (see the class
     *     comment), else null
     */
    static List<Integer> local(CompileView view, int f) {
        if (f < 0 || f >= view.program().functions().size()) {
            return null;
        }
        LoweredFunction fn = view.function(f);
        List<ValueType> rets = view.program().functions().get(f).sig().rets();
        if (fn == null || fn.instructionCount() == 0 || fn.code().length > MAX_CODE || fn.regCount() > MAX_REGISTERS
                || fn.argCount() > MAX_ARGS || !ends(view, f, fn) || rets.size() != 1 || !word(rets.get(0))
                || !view.direct(rets)) {
            return null;
        }
        for (int reg = 0; reg < fn.regCount(); reg++) {
            ValueType t = fn.regType(reg);
            boolean arg = reg >= 1 && reg <= fn.argCount();
            if (arg ? !word(t) : t != null && t.kind() != ValueKind.UNIT && !Aggregate.isWord(t.kind())) {
                return null;
            }
        }
        int[] code = view.image().code();
        int entry = view.image().entry(f);
        List<Integer> callees = new ArrayList<>();
        for (int s = 0; s < fn.instructionCount(); s++) {
            int g = entry + fn.instructionStart(s);
            int op = code[g];
            if (op == Op.CALL) {
                int argc = code[g + 2];
                int pos = g + 3 + argc;
                if (code[pos] != 1 || !view.movesFree(argc + 1)) {
                    return null;
                }
                for (int j = 0; j < argc; j++) {
                    if ((code[g + 3 + j] & 3) != LOp.WORD_CLASS) {
                        return null;
                    }
                }
                callees.add(code[g + 1]);
            } else if (op == Op.RET) {
                if (code[g + 1] != 1 || (code[g + 2] & 3) != LOp.WORD_CLASS) {
                    return null;
                }
            } else if (!plainWordOp(op)) {
                return null;
            }
        }
        return callees;
    }

    /**
     * Whether function {@code f}'s last instruction is a {@code ret}, {@code br} or {@code jmp}, so
     * that no path of its clone falls off the end of the method (an empty body has none: the
     * tier hands its call over, and it gets no clone).
     */
    private static boolean ends(CompileView view, int f, LoweredFunction fn) {
        int last = view.image().code()[view.image().entry(f) + fn.instructionStart(fn.instructionCount() - 1)];
        return last == Op.RET || last == Op.BR || last == Op.JMP;
    }

    /** Whether lowered op {@code op} is one of the word operations a clone runs (not call or ret). */
    private static boolean plainWordOp(int op) {
        return switch (LOp.plain(op)) {
            case Op.NOP, LOp.MOV_W, LOp.CONST_W, Op.I64_ADD, Op.U64_ADD, Op.I64_SUB, Op.U64_SUB, Op.I64_MUL,
                    Op.U64_MUL, Op.I64_AND, Op.U64_AND, Op.BOOL_AND, Op.I64_OR, Op.U64_OR, Op.BOOL_OR, Op.I64_XOR,
                    Op.U64_XOR, Op.BOOL_XOR, Op.I64_SHL, Op.U64_SHL, Op.I64_SHR, Op.U64_SHR, Op.BOOL_NOT, Op.BR,
                    Op.JMP, LOp.SELECT_W -> true;
            default -> compare(op);
        };
    }

    /** Whether {@code op} is a compare a clone runs (as {@code InstructionEmitter}'s compares). */
    private static boolean compare(int op) {
        return switch (op) {
            case Op.I64_EQ, Op.U64_EQ, Op.I64_LT, Op.I64_GT, Op.I64_LE, Op.I64_GE, Op.U64_LT, Op.F64_LT,
                    LOp.I64_EQ_BR, LOp.I64_LT_BR, LOp.I64_GT_BR, LOp.I64_LE_BR, LOp.I64_GE_BR, LOp.U64_LT_BR,
                    LOp.F64_LT_BR, Op.U64_GT, Op.U64_LE, Op.U64_GE, Op.F64_EQ, Op.F64_GT, Op.F64_LE,
                    Op.F64_GE -> true;
            default -> false;
        };
    }

    /** One clone's bytecode. */
    private static final class Emitter {
        private final int[] code;
        private final int entry;
        private final int f;
        private final LoweredFunction fn;
        private final ClassWriter cw;
        private MethodVisitor mv;
        /** the parameters' count; the context's, nest's, fuel's and the registers' first slots */
        private final int k;
        private final int ctx;
        private final int nest;
        private final int fuel;
        private final int regs;
        private final Object[] locals;
        private final Label bail = new Label();
        private int lastFrame = -1;
        /** whether the next instruction, a br, was emitted with the compare before it ({@link #compare}) */
        private boolean skipBr;
        /** this clone's registers as {@link WordOps} and the compares read them */
        private final Ops ops = new Ops(this);

        Emitter(CompileView view, ClassWriter cw, int f) {
            this.cw = cw;
            this.f = f;
            this.fn = view.function(f);
            this.code = view.image().code();
            this.entry = view.image().entry(f);
            k = fn.argCount();
            ctx = 2 * k;
            nest = ctx + 1;
            fuel = nest + 1;
            regs = fuel + 2;
            List<Object> types = new ArrayList<>();
            for (int j = 0; j < k; j++) {
                types.add(LONG);
            }
            types.add(CTX);
            types.add(INTEGER);
            types.add(LONG);
            for (int r = 0; r < fn.regCount(); r++) {
                types.add(LONG);
            }
            locals = types.toArray();
        }

        private void frame(Object... stack) {
            Label here = new Label();
            mv.visitLabel(here);
            if (here.getOffset() == lastFrame) {
                return;
            }
            lastFrame = here.getOffset();
            mv.visitFrame(F_NEW, locals.length, locals, stack.length, stack);
        }

        private void loadW(int reg) {
            mv.visitVarInsn(LLOAD, regs + 2 * reg);
        }

        private void storeW(int reg) {
            mv.visitVarInsn(LSTORE, regs + 2 * reg);
        }

        private boolean start(int i) {
            return fn.pcOf()[i] >= 0;
        }

        private int next(int i) {
            int j = i + 1;
            while (j < fn.code().length && !start(j)) {
                j++;
            }
            return j;
        }

        private Label[] leaders() {
            int len = fn.code().length;
            Label[] labels = new Label[len + 1];
            labels[0] = new Label();
            for (int i = 0; i < len; i = next(i)) {
                int g = entry + i;
                switch (code[g]) {
                    case Op.BR -> {
                        mark(labels, code[g + 2] - entry);
                        mark(labels, code[g + 3] - entry);
                        mark(labels, next(i));
                    }
                    case Op.JMP -> {
                        mark(labels, code[g + 1] - entry);
                        mark(labels, next(i));
                    }
                    case Op.RET -> mark(labels, next(i));
                    default -> {
                    }
                }
            }
            return labels;
        }

        private static void mark(Label[] labels, int i) {
            if (i >= 0 && i < labels.length && labels[i] == null) {
                labels[i] = new Label();
            }
        }

        void emit() {
            mv = cw.visitMethod(ACC_STATIC | ACC_SYNTHETIC, name(f), desc(k), null, null);
            mv.visitCode();
            for (int r = 0; r < fn.regCount(); r++) {
                if (r >= 1 && r <= k) {
                    mv.visitVarInsn(LLOAD, 2 * (r - 1));
                } else {
                    mv.visitInsn(LCONST_0);
                }
                storeW(r);
            }
            Label[] labels = leaders();
            int len = fn.code().length;
            for (int i = 0; i < len; i = next(i)) {
                if (labels[i] != null) {
                    mv.visitLabel(labels[i]);
                    frame();
                    int n = 0;
                    for (int j = i; j < len && (j == i || labels[j] == null); j = next(j)) {
                        n++;
                    }
                    // fuel -= n, untested: the test is at the next ret or back edge (fuelTest)
                    mv.visitVarInsn(LLOAD, fuel);
                    mv.visitLdcInsn((long) n);
                    mv.visitInsn(LSUB);
                    mv.visitVarInsn(LSTORE, fuel);
                }
                instruction(entry + i, labels);
            }
            // the code ends in a ret, br or jmp (verified): nothing falls off the end
            mv.visitLabel(bail);
            frame();
            mv.visitFieldInsn(GETSTATIC, "dev/tape/vm/JitRuntime$Bail", "INSTANCE", "Ldev/tape/vm/JitRuntime$Bail;");
            mv.visitInsn(ATHROW);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
        }

        /**
         * Bails when the fuel left is negative: before each {@code ret} and each branch that may go
         * back (a target at or before the branch), the only places a test is needed (see the class
         * comment).
         */
        private void fuelTest() {
            mv.visitVarInsn(LLOAD, fuel);
            mv.visitInsn(LCONST_0);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFLT, bail);
        }

        /** Whether a branch at global index {@code g} to global index {@code target} may go back. */
        private static boolean back(int g, int target) {
            return target <= g;
        }

        private void fuelOut() {
            mv.visitVarInsn(ALOAD, ctx);
            mv.visitVarInsn(LLOAD, fuel);
            mv.visitFieldInsn(PUTFIELD, CTX, "fuel", "J");
        }

        private void instruction(int g, Label[] labels) {
            int op = code[g];
            if (skipBr) {
                // the br after a compare, emitted with it (compare)
                skipBr = false;
                return;
            }
            if (WordOps.plain(ops, code, g, LOp.plain(op))) {
                return;
            }
            switch (LOp.plain(op)) {
                case Op.BR -> {
                    if (back(g, code[g + 2]) || back(g, code[g + 3])) {
                        fuelTest();
                    }
                    InlineOps.br(ops, code[g + 1], labels[code[g + 2] - entry], labels[code[g + 3] - entry]);
                }
                case Op.JMP -> {
                    if (back(g, code[g + 1])) {
                        fuelTest();
                    }
                    mv.visitJumpInsn(GOTO, labels[code[g + 1] - entry]);
                }
                case LOp.SELECT_W -> select(g);
                case Op.RET -> {
                    fuelTest();
                    fuelOut();
                    loadW(code[g + 2] >>> 2);
                    mv.visitInsn(LRETURN);
                }
                case Op.CALL -> call(g);
                default -> compare(g, labels);
            }
        }

        /**
         * A compare (plain or fused with its br; {@link #local} admits nothing else here). When the
         * next instruction is a {@code br} on the compare's register that starts no block, the two
         * are one branch on the three-way comparison ({@link InlineOps#branchCompare}: the register
         * written 1 or 0 on each edge, the rule of the tier's own methods and inlined leaves) and
         * the br emits nothing ({@link #skipBr}); its fuel test, when it may go back, comes first
         * (no charge comes between the two, so the test sees the same fuel). Otherwise the
         * comparison is turned into 1 or 0 without a branch. The bit's shape ({@code lcmp},
         * {@code >>> 31}, then compared with 0 again by the br) is one C2 does not fold: it made
         * fib's clone test each compare twice, by a {@code jl} and a {@code jne} (fib26).
         */
        private void compare(int g, Label[] labels) {
            int op = code[g];
            int dst = code[g + 1];
            int n = next(g - entry);
            int br = entry + n;
            if (n < fn.code().length && labels[n] == null && InlineOps.brOnCompare(code, g, br)) {
                if (back(br, code[br + 2]) || back(br, code[br + 3])) {
                    fuelTest();
                }
                InlineOps.branchCompare(ops, op, dst, code[g + 2], code[g + 3], labels[code[br + 2] - entry],
                        labels[code[br + 3] - entry], InlineOps.backOther(code, br, entry));
                skipBr = true;
                return;
            }
            InlineOps.compareInts(ops, op, code[g + 2], code[g + 3]);
            InlineOps.bitOfCompare(mv, InlineOps.jumpOf(op));
            storeW(dst);
        }

        private void select(int g) {
            Label second = new Label();
            Label done = new Label();
            loadW(code[g + 2]);
            mv.visitInsn(LCONST_0);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFEQ, second);
            loadW(code[g + 3]);
            mv.visitJumpInsn(GOTO, done);
            mv.visitLabel(second);
            frame();
            loadW(code[g + 4]);
            mv.visitLabel(done);
            frame(LONG);
            storeW(code[g + 1]);
        }

        /** A direct call of a pure callee: its clone, one level deeper, given the fuel; the fuel it left read back. */
        private void call(int g) {
            int callee = code[g + 1];
            int argc = code[g + 2];
            mv.visitVarInsn(ILOAD, nest);
            mv.visitJumpInsn(IFLE, bail);
            for (int j = 0; j < argc; j++) {
                loadW(code[g + 3 + j] >>> 2);
            }
            mv.visitVarInsn(ALOAD, ctx);
            mv.visitVarInsn(ILOAD, nest);
            mv.visitInsn(ICONST_1);
            mv.visitInsn(ISUB);
            mv.visitVarInsn(LLOAD, fuel);
            mv.visitMethodInsn(INVOKESTATIC, CLASS, name(callee), desc(argc), false);
            storeW(code[g + 3 + argc + 1]);
            mv.visitVarInsn(ALOAD, ctx);
            mv.visitFieldInsn(GETFIELD, CTX, "fuel", "J");
            mv.visitVarInsn(LSTORE, fuel);
        }
    }

    /** {@link InlineOps.Emitter} for the compares: word registers only. */
    private static final class Ops implements InlineOps.Emitter {
        private final Emitter e;

        Ops(Emitter e) {
            this.e = e;
        }

        @Override
        public MethodVisitor mv() {
            return e.mv;
        }

        @Override
        public void loadW(int reg) {
            e.loadW(reg);
        }

        @Override
        public void storeW(int reg) {
            e.storeW(reg);
        }

        private static UnsupportedOperationException no() {
            return new UnsupportedOperationException("a fast clone runs word compares only");
        }

        @Override
        public void loadR(int reg) {
            throw no();
        }

        @Override
        public void storeR(int reg) {
            throw no();
        }

        @Override
        public void loadContext() {
            throw no();
        }

        @Override
        public void trapPoint() {
            throw no();
        }

        @Override
        public void loadPosition() {
            throw no();
        }

        @Override
        public boolean hasLocal(int reg) {
            return true;
        }

        @Override
        public int regClass(int reg) {
            return LOp.WORD_CLASS;
        }

        @Override
        public void loadOperand(int p) {
            throw no();
        }

        @Override
        public void loadTags(int p) {
            throw no();
        }

        @Override
        public boolean isDecimal(int reg) {
            return false;
        }

        @Override
        public void loadDecimal(int reg) {
            throw no();
        }

        @Override
        public void loadScale(int reg) {
            throw no();
        }

        @Override
        public void loadMantissa(int reg) {
            throw no();
        }

        @Override
        public void frameHere() {
            e.frame();
        }

        @Override
        public boolean decimalFastPaths() {
            return false;
        }

        @Override
        public void storeDecimal(int reg) {
            throw no();
        }
    }
}
