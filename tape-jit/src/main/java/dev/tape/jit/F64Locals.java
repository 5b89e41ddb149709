package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

import java.util.List;

import static org.objectweb.asm.Opcodes.DADD;
import static org.objectweb.asm.Opcodes.DCMPG;
import static org.objectweb.asm.Opcodes.DCMPL;
import static org.objectweb.asm.Opcodes.DCONST_0;
import static org.objectweb.asm.Opcodes.DDIV;
import static org.objectweb.asm.Opcodes.DLOAD;
import static org.objectweb.asm.Opcodes.DMUL;
import static org.objectweb.asm.Opcodes.DOUBLE;
import static org.objectweb.asm.Opcodes.DSTORE;
import static org.objectweb.asm.Opcodes.DSUB;
import static org.objectweb.asm.Opcodes.GOTO;
import static org.objectweb.asm.Opcodes.IFNE;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.L2D;
import static org.objectweb.asm.Opcodes.LONG;

/**
 * The f64 registers of a {@link CountedLoop}'s inner copy held in JVM {@code double} locals
 * (issue 14, twenty-first round in {@code docs/PERFORMANCE-LOG.md}): there an f64 add, sub, mul
 * or div, an {@code i64.to_f64} or {@code u64.to_f64} and an f64 compare (the "double operations")
 * read and write the {@code double} local, with no {@code Double.longBitsToDouble}/{@code doubleToRawLongBits} move
 * between the register's {@code long} local and the operation, so a loop's f64 accumulator chain
 * is plain {@code double} arithmetic. The arithmetic is the interpreter's, on doubles
 * ({@code Numerics.addD} and the others: the hardware result when it is not NaN, else the NaN
 * rule of {@code Numerics.nanBits} on the operands' raw bits), so every result has the
 * interpreter's bits, NaNs included.
 *
 * <p><b>The pool</b>: a method with f64 registers whose counted loops may run in chunks gets up to
 * {@link #MAX} {@code double} locals, after all its others, set to 0.0 in the prologue (each local
 * has one type at every point, as the stack map frames want). A loop's plan maps the f64
 * registers its double operations touch, in first-touch order, to the pool's locals
 * ({@link #choose}); one touched past the pool's size stays in its {@code long} local (its
 * operations convert, as in the blocks). The loops' ranges are disjoint and each chunk writes its
 * registers back before it leaves, so the plans share the pool.
 *
 * <p><b>Exact bits</b>: on entry to a chunk each mapped register's {@code double} local is set from
 * its {@code long} local ({@code Double.longBitsToDouble}); inside, each mapped register has a
 * {@code long} copy, a {@code double} copy, or both current ({@link Trip}): an instruction that
 * reads the register as a word (a move, {@code to_bits}, neg, abs, min, max, rem, a leaf's argument)
 * first gets the {@code long} from the {@code double} ({@code doubleToRawLongBits}), one that
 * writes it as a word makes the {@code long} the current copy, and the {@code double} is set from
 * it before the next double operation reads it and at the trip's end; when the chunk leaves (the
 * latch's count is done, the only way out: nothing in a chunk can trap, pause or hand over) every
 * mapped register whose {@code long} is not current gets it from the {@code double}. A {@code
 * long} is got from a {@code double} that a double operation made (a number, or a quiet NaN of the
 * NaN rule), with one exception: on a chunk's first trip, a register the loop last writes with a
 * double operation and reads as a word before that write gets its {@code long} from the {@code
 * double} set at the chunk's entry, a round trip of the value that came in, which may be a
 * signalling NaN (the trips share one emission, whose start state is the later trips'). Its bits
 * survive the round trip on x86-64 and AArch64 (register moves, not arithmetic; {@code
 * JitCountedF64LocalsTest}, {@code AttackF64LocalsRandomTest}; attack-j21 corrected this paragraph,
 * which said no {@code long} was ever got from a value that came in).
 *
 * <p><b>Segments</b> ({@link Trip#segment}): two or more consecutive f64 add, sub, mul, div and
 * {@code i64}/{@code u64.to_f64} of one block, on mapped registers, run on the hardware's
 * {@code dadd}/{@code dsub}/{@code dmul}/{@code ddiv} into temporaries, with one NaN test of each
 * result that no later instruction of the segment reads (add, sub, mul and div give NaN for a NaN
 * operand, so a NaN anywhere in the segment reaches one of those). None is NaN: each result is
 * the hardware's, which is the interpreter's for a result that is not NaN, and the temporaries go
 * to the registers. One is: the segment runs again from its inputs (the registers, not yet
 * written) through {@code Numerics.addD}..{@code divD}, which apply the NaN rule. The bench's
 * f64_loop body is one segment with one test (five before).
 *
 * <p><b>Cost</b>: a chunk adds at most {@link #CHUNK_BYTES} bytes of bytecode for the moves at its
 * entry, trip end and exit, and the prologue {@link #PROLOGUE_BYTES} for the pool; an instruction
 * of the inner copy, a segment's twice emitted, stays within {@link MethodSize}'s 80 bytes per
 * int of code (an f64 add in a segment: at most about 75 bytes of its 320). Generating is linear
 * in the loop's range: {@link #choose}, {@link Trip}'s set-up and each {@link Trip#segmentEnd}
 * look at most {@link CountedLoop#MAX_INTS} ints and {@link #MAX} registers each.
 */
final class F64Locals {
    /** Most {@code double} locals a method's pool has. */
    static final int MAX = 16;
    /** Bytecode one move between a register's two locals takes at most (wide load 4, invokestatic 3, wide store 4). */
    static final int MOVE_BYTES = 11;
    /** Bytecode a chunk's moves at its entry, trip end and exit take at most. */
    static final int CHUNK_BYTES = 3 * MAX * MOVE_BYTES;
    /** Bytecode the pool's set-up in the prologue takes at most ({@code dconst_0}, wide {@code dstore}; registers and temporaries). */
    static final int PROLOGUE_BYTES = 2 * 5 * MAX;

    private static final String NUM = "dev/tape/vm/Numerics";
    private static final String DBL = "java/lang/Double";

    /** the first slot of the pool: {@link #size} registers' locals, then as many segment temporaries' */
    final int first;
    /** the pool's size in registers, 1 to {@link #MAX} (and as many temporaries) */
    final int size;

    private F64Locals(int first, int size) {
        this.first = first;
        this.size = size;
    }

    /** @return the slot of the temporary of a segment's instruction {@code j} ({@link Trip#segment}) */
    private int temp(int j) {
        return first + 2 * (size + j);
    }

    /**
     * The pool of a method, its locals' types added to {@code types}.
     *
     * @param fn the function
     * @param code the lowered code of the program
     * @param entry the function's first code index in {@code code}
     * @param chunks whether its counted loops may run in chunks ({@link Inlining#chunks})
     * @param types the method's local types so far (a long or double takes two slots)
     * @return the pool, or null when the function has no f64 register, no chunk runs or no
     *     backward {@code br} spans a double operation (no loop of it can use the pool)
     */
    static F64Locals of(LoweredFunction fn, int[] code, int entry, boolean chunks, List<Object> types) {
        if (!chunks || !loopsWithDoubles(fn, code, entry)) {
            return null;
        }
        int n = 0;
        for (int i = 0; i < fn.regCount() && n < MAX; i++) {
            ValueType t = fn.regType(i);
            n += t != null && t.kind() == ValueKind.F64 ? 1 : 0;
        }
        if (n == 0) {
            return null;
        }
        int slot = 0;
        for (Object t : types) {
            slot += LONG.equals(t) || DOUBLE.equals(t) ? 2 : 1;
        }
        for (int i = 0; i < 2 * n; i++) {
            types.add(DOUBLE);
        }
        return new F64Locals(slot, n);
    }

    /**
     * Whether some {@code br} of the function jumps back at most {@link CountedLoop#MAX_INTS} ints
     * (the only ranges {@link CountedLoop} may chunk) over a double operation: without one no plan
     * maps a register to the pool, so a method without such a loop sets up no pool in its prologue
     * (review21: a loop-free f64 function got 10 {@code dconst_0}/{@code dstore} pairs, 30 bytes
     * run at every call). Linear: at most {@code MAX_INTS} indices looked at per {@code br}.
     */
    private static boolean loopsWithDoubles(LoweredFunction fn, int[] code, int entry) {
        int[] pc = fn.pcOf();
        int len = fn.code().length;
        for (int i = 0; i < len; i++) {
            if (pc[i] < 0 || code[entry + i] != Op.BR) {
                continue;
            }
            int t = code[entry + i + 2] - entry;
            if (t < 0 || t > i || i - t > CountedLoop.MAX_INTS) {
                continue;
            }
            for (int j = t; j < i; j++) {
                if (pc[j] >= 0 && doubleOp(LOp.plain(code[entry + j]))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** In the prologue: gives the pool's locals their type (0.0). */
    void init(MethodVisitor mv) {
        for (int k = 0; k < 2 * size; k++) {
            mv.visitInsn(DCONST_0);
            mv.visitVarInsn(DSTORE, first + 2 * k);
        }
    }

    /** @return whether the plain op {@code op} is a double operation of the inner copy */
    private static boolean doubleOp(int op) {
        return switch (op) {
            case Op.F64_ADD, Op.F64_SUB, Op.F64_MUL, Op.F64_DIV, Op.I64_TO_F64, Op.U64_TO_F64, Op.F64_EQ,
                    Op.F64_LT, Op.F64_GT, Op.F64_LE, Op.F64_GE -> true;
            default -> false;
        };
    }

    /**
     * The f64 registers the double operations from code index {@code head} to {@code latch}
     * touch, in first-touch order, at most the pool's size (the rest stay in {@code long} locals).
     *
     * @param e the method
     * @param head the loop's head
     * @param latch its latch
     * @return the registers, index k held in the pool's local k; empty when none or no pool
     */
    static int[] choose(MethodEmitter e, int head, int latch) {
        F64Locals pool = e.f64Locals;
        if (pool == null) {
            return new int[0];
        }
        int[] regs = new int[pool.size];
        int n = 0;
        for (int i = head; i < latch && n < regs.length; i = e.next(i)) {
            int g = e.entry + i;
            int op = LOp.plain(e.code[g]);
            if (!doubleOp(op)) {
                continue;
            }
            boolean binary = op != Op.I64_TO_F64 && op != Op.U64_TO_F64;
            boolean compare = binary && op != Op.F64_ADD && op != Op.F64_SUB && op != Op.F64_MUL
                    && op != Op.F64_DIV;
            int[] touched = binary
                    ? compare ? new int[] {e.code[g + 2], e.code[g + 3]}
                            : new int[] {e.code[g + 2], e.code[g + 3], e.code[g + 1]}
                    : new int[] {e.code[g + 1]};
            for (int reg : touched) {
                if (n < regs.length && isF64(e, reg) && indexOf(regs, n, reg) < 0) {
                    regs[n++] = reg;
                }
            }
        }
        return java.util.Arrays.copyOf(regs, n);
    }

    private static boolean isF64(MethodEmitter e, int reg) {
        ValueType t = e.fn.regType(reg);
        return t != null && t.kind() == ValueKind.F64 && e.regClass(reg) == LOp.WORD_CLASS;
    }

    private static int indexOf(int[] regs, int n, int reg) {
        for (int k = 0; k < n; k++) {
            if (regs[k] == reg) {
                return k;
            }
        }
        return -1;
    }

    /**
     * One trip's emission in an inner copy: per mapped register, which of its two locals is
     * current. At a trip's start the {@code double} is; the {@code long} too for a register the
     * loop does not write or last writes as a word (an instruction other than a double operation:
     * the trip's end sets the {@code double} from it and keeps it), so a {@code long} is got from
     * a {@code double} that a double operation made (a number or a quiet NaN of the NaN rule),
     * except on a chunk's first trip, before the loop's write, from the value set at the entry
     * (the class's "Exact bits").
     */
    static final class Trip {
        private static final int L = 1;
        private static final int D = 2;
        private final MethodEmitter e;
        private final int[] regs;
        /** per mapped register, whether the loop writes it and its last write is a double operation */
        private final boolean[] doubleLast;
        /** per mapped register, L and/or D */
        private final int[] current;

        /**
         * @param e the method
         * @param p the loop's plan
         */
        Trip(MethodEmitter e, CountedLoop.Plan p) {
            this.e = e;
            this.regs = p.doubles();
            this.doubleLast = new boolean[regs.length];
            this.current = new int[regs.length];
            for (int i = p.head(); i < p.latch(); i = e.next(i)) {
                int g = e.entry + i;
                boolean d = i != p.compare() && doubleOp(LOp.plain(e.code[g]));
                for (int reg : writes(e.code, g)) {
                    int k = indexOf(regs, regs.length, reg);
                    if (k >= 0) {
                        doubleLast[k] = d;
                    }
                }
            }
            start();
        }

        /** The state at a trip's start. */
        private void start() {
            for (int k = 0; k < regs.length; k++) {
                current[k] = doubleLast[k] ? D : D | L;
            }
        }

        /** At the chunk's entry: every mapped register's {@code double} from its {@code long}. */
        void enter() {
            for (int k = 0; k < regs.length; k++) {
                toDouble(k);
            }
        }

        /** At the trip's end, before the latch: every {@code double} current again. */
        void tripEnd() {
            for (int k = 0; k < regs.length; k++) {
                if ((current[k] & D) == 0) {
                    toDouble(k);
                    current[k] |= D;
                }
            }
        }

        /**
         * When the chunk leaves (after {@link #tripEnd}): every mapped register's {@code long}
         * current (those a double operation wrote last get it from the {@code double}). Leaves the
         * state as at a trip's start.
         */
        void leave() {
            for (int k = 0; k < regs.length; k++) {
                if ((current[k] & L) == 0) {
                    toLong(k);
                }
            }
            start();
        }

        /**
         * Emits the instruction at global index {@code g} when it is a double operation;
         * otherwise gets the {@code long} of each mapped register it reads current.
         *
         * @return whether it emitted the instruction (else the caller does, then calls {@link #wrote})
         */
        boolean instruction(int g) {
            int[] code = e.code;
            int op = LOp.plain(code[g]);
            if (!doubleOp(op)) {
                for (int reg : reads(code, g)) {
                    int k = indexOf(regs, regs.length, reg);
                    if (k >= 0 && (current[k] & L) == 0) {
                        toLong(k);
                        current[k] |= L;
                    }
                }
                return false;
            }
            MethodVisitor mv = e.mv;
            switch (op) {
                case Op.F64_ADD -> arith(g, "addD");
                case Op.F64_SUB -> arith(g, "subD");
                case Op.F64_MUL -> arith(g, "mulD");
                case Op.F64_DIV -> arith(g, "divD");
                case Op.I64_TO_F64 -> {
                    e.loadW(code[g + 2]);
                    mv.visitInsn(L2D);
                    store(code[g + 1]);
                }
                case Op.U64_TO_F64 -> {
                    e.loadW(code[g + 2]);
                    mv.visitMethodInsn(INVOKESTATIC, NUM, "u64ToF64", "(J)D", false);
                    store(code[g + 1]);
                }
                default -> {
                    // a compare: dcmpg for lt and le, dcmpl for gt, ge and eq (InlineOps.compareInts)
                    load(code[g + 2]);
                    load(code[g + 3]);
                    mv.visitInsn(op == Op.F64_LT || op == Op.F64_LE ? DCMPG : DCMPL);
                    InlineOps.bitOfCompare(mv, InlineOps.jumpOf(op));
                    e.storeW(code[g + 1]);
                    wrote(g);
                }
            }
            return true;
        }

        /**
         * The end (exclusive code index) of the segment that starts at {@code i}, or {@code i}
         * when none does: at least two consecutive instructions of one block (no block starts
         * after {@code i}; not the latch's compare), each an f64 add, sub, mul or div or an
         * {@code i64}/{@code u64.to_f64}, at least one arithmetic, every f64 register they touch
         * mapped (so none when the method has no pool), at most the pool's size of them.
         *
         * @param p the loop's plan
         * @param i a code index in the loop's range
         * @return the segment's end
         */
        int segmentEnd(CountedLoop.Plan p, int i) {
            if (regs.length == 0) {
                return i;
            }
            int j = i;
            int n = 0;
            int arith = 0;
            while (j < p.compare() && n < e.f64Locals.size && (j == i || e.labels[j] == null)) {
                int g = e.entry + j;
                int op = LOp.plain(e.code[g]);
                boolean conv = op == Op.I64_TO_F64 || op == Op.U64_TO_F64;
                boolean ar = op == Op.F64_ADD || op == Op.F64_SUB || op == Op.F64_MUL || op == Op.F64_DIV;
                if (!conv && !ar || indexOf(regs, regs.length, e.code[g + 1]) < 0
                        || ar && (indexOf(regs, regs.length, e.code[g + 2]) < 0
                                || indexOf(regs, regs.length, e.code[g + 3]) < 0)) {
                    break;
                }
                arith += ar ? 1 : 0;
                n++;
                j = e.next(j);
            }
            return n >= 2 && arith >= 1 ? j : i;
        }

        /**
         * A segment ({@link #segmentEnd}) from code index {@code from} to {@code to}: its
         * instructions run on the hardware into temporaries, with no NaN test each; then one test
         * of each result no later instruction of the segment reads (a NaN result of one that is
         * read makes the reader's NaN: add, sub, mul and div give NaN for a NaN operand, so a NaN
         * anywhere in the segment reaches one of those). None NaN: every result is the hardware's,
         * which is the interpreter's for a result that is not NaN, so the temporaries go to the
         * registers. Else the segment runs again from its inputs (the registers, not yet
         * written), each instruction as {@link #instruction} emits it, with the NaN rule.
         *
         * @param from the segment's first code index
         * @param to its end (exclusive)
         */
        void segment(int from, int to) {
            MethodVisitor mv = e.mv;
            int[] code = e.code;
            int[] source = new int[regs.length];
            java.util.Arrays.fill(source, -1);
            boolean[] read = new boolean[e.f64Locals.size];
            boolean[] arith = new boolean[e.f64Locals.size];
            int j = 0;
            for (int i = from; i < to; i = e.next(i), j++) {
                int g = e.entry + i;
                int op = LOp.plain(code[g]);
                switch (op) {
                    case Op.I64_TO_F64 -> {
                        e.loadW(code[g + 2]);
                        mv.visitInsn(L2D);
                    }
                    case Op.U64_TO_F64 -> {
                        e.loadW(code[g + 2]);
                        mv.visitMethodInsn(INVOKESTATIC, NUM, "u64ToF64", "(J)D", false);
                    }
                    default -> {
                        operand(code[g + 2], source, read);
                        operand(code[g + 3], source, read);
                        mv.visitInsn(switch (op) {
                            case Op.F64_ADD -> DADD;
                            case Op.F64_SUB -> DSUB;
                            case Op.F64_MUL -> DMUL;
                            default -> DDIV;
                        });
                        arith[j] = true;
                    }
                }
                mv.visitVarInsn(DSTORE, e.f64Locals.temp(j));
                source[indexOf(regs, regs.length, code[g + 1])] = j;
            }
            Label slow = new Label();
            Label join = new Label();
            for (int t = 0; t < j; t++) {
                if (arith[t] && !read[t]) {
                    mv.visitVarInsn(DLOAD, e.f64Locals.temp(t));
                    mv.visitVarInsn(DLOAD, e.f64Locals.temp(t));
                    mv.visitInsn(DCMPL);
                    mv.visitJumpInsn(IFNE, slow);
                }
            }
            int[] before = current.clone();
            for (int k = 0; k < regs.length; k++) {
                if (source[k] >= 0) {
                    mv.visitVarInsn(DLOAD, e.f64Locals.temp(source[k]));
                    mv.visitVarInsn(DSTORE, e.f64Locals.first + 2 * k);
                    current[k] = D;
                }
            }
            int[] fast = current.clone();
            mv.visitJumpInsn(GOTO, join);
            mv.visitLabel(slow);
            e.frame();
            System.arraycopy(before, 0, current, 0, current.length);
            for (int i = from; i < to; i = e.next(i)) {
                instruction(e.entry + i);
            }
            for (int k = 0; k < regs.length; k++) {
                current[k] &= fast[k];
            }
            mv.visitLabel(join);
            e.frame();
        }

        /** Pushes a segment's operand: the temporary of the segment's last write of it, else the register. */
        private void operand(int reg, int[] source, boolean[] read) {
            int k = indexOf(regs, regs.length, reg);
            if (source[k] >= 0) {
                read[source[k]] = true;
                e.mv.visitVarInsn(DLOAD, e.f64Locals.temp(source[k]));
            } else {
                load(reg);
            }
        }

        /** After an instruction the caller emitted: the {@code long} of each mapped register it wrote is the current copy. */
        void wrote(int g) {
            for (int reg : writes(e.code, g)) {
                int k = indexOf(regs, regs.length, reg);
                if (k >= 0) {
                    current[k] = L;
                }
            }
        }

        private void arith(int g, String method) {
            load(e.code[g + 2]);
            load(e.code[g + 3]);
            e.mv.visitMethodInsn(INVOKESTATIC, NUM, method, "(DD)D", false);
            store(e.code[g + 1]);
        }

        /** Pushes f64 register {@code reg} as a double. */
        private void load(int reg) {
            int k = indexOf(regs, regs.length, reg);
            if (k < 0) {
                e.loadW(reg);
                e.mv.visitMethodInsn(INVOKESTATIC, DBL, "longBitsToDouble", "(J)D", false);
                return;
            }
            if ((current[k] & D) == 0) {
                toDouble(k);
                current[k] |= D;
            }
            e.mv.visitVarInsn(DLOAD, e.f64Locals.first + 2 * k);
        }

        /** Pops a double into f64 register {@code reg}. */
        private void store(int reg) {
            int k = indexOf(regs, regs.length, reg);
            if (k < 0) {
                e.mv.visitMethodInsn(INVOKESTATIC, DBL, "doubleToRawLongBits", "(D)J", false);
                e.storeW(reg);
                return;
            }
            e.mv.visitVarInsn(DSTORE, e.f64Locals.first + 2 * k);
            current[k] = D;
        }

        private void toDouble(int k) {
            e.loadW(regs[k]);
            e.mv.visitMethodInsn(INVOKESTATIC, DBL, "longBitsToDouble", "(J)D", false);
            e.mv.visitVarInsn(DSTORE, e.f64Locals.first + 2 * k);
        }

        private void toLong(int k) {
            e.mv.visitVarInsn(DLOAD, e.f64Locals.first + 2 * k);
            e.mv.visitMethodInsn(INVOKESTATIC, DBL, "doubleToRawLongBits", "(D)J", false);
            e.storeW(regs[k]);
        }
    }

    /**
     * The registers an instruction of a counted loop's range ({@link CountedLoop#plan}'s
     * admitted instructions) reads: none for a nop or constant, a direct call's arguments (their
     * registers: the code holds each shifted over its class), else
     * its operands after the destination (one or two, by its length).
     */
    static int[] reads(int[] code, int g) {
        int op = LOp.plain(code[g]);
        return switch (op) {
            case Op.NOP, LOp.CONST_W -> new int[0];
            case Op.CALL -> {
                // each argument is its register shifted left by 2 over its class
                int[] args = new int[code[g + 2]];
                for (int j = 0; j < args.length; j++) {
                    args[j] = code[g + 3 + j] >>> 2;
                }
                yield args;
            }
            default -> LOp.length(op) >= 4 ? new int[] {code[g + 2], code[g + 3]} : new int[] {code[g + 2]};
        };
    }

    /** The registers an admitted instruction writes: none for a nop, a call's results, else its destination. */
    static int[] writes(int[] code, int g) {
        int op = LOp.plain(code[g]);
        return switch (op) {
            case Op.NOP -> new int[0];
            case Op.CALL -> {
                int pos = g + 3 + code[g + 2];
                yield java.util.Arrays.copyOfRange(code, pos + 1, pos + 1 + code[pos]);
            }
            default -> new int[] {code[g + 1]};
        };
    }
}
