package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import dev.tape.vm.internal.CompileView;

import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

import java.util.List;

import static dev.tape.jit.JitCompiler.C;
import static dev.tape.jit.JitCompiler.CTX;
import static dev.tape.jit.JitCompiler.VM;
import static org.objectweb.asm.Opcodes.ACONST_NULL;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.ASTORE;
import static org.objectweb.asm.Opcodes.DOUBLE;
import static org.objectweb.asm.Opcodes.DUP;
import static org.objectweb.asm.Opcodes.GOTO;
import static org.objectweb.asm.Opcodes.ICONST_0;
import static org.objectweb.asm.Opcodes.ICONST_1;
import static org.objectweb.asm.Opcodes.IFEQ;
import static org.objectweb.asm.Opcodes.IFGE;
import static org.objectweb.asm.Opcodes.IFLT;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.INTEGER;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.ISTORE;
import static org.objectweb.asm.Opcodes.L2I;
import static org.objectweb.asm.Opcodes.LCMP;
import static org.objectweb.asm.Opcodes.LCONST_0;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LONG;
import static org.objectweb.asm.Opcodes.LSTORE;

/**
 * Arrays a compiled method keeps in locals, as {@link VirtualStructs} keeps structs: an
 * {@code array.new} of 1 to {@link #MAX_ELEMENTS} word elements whose register is otherwise read
 * only by {@code array.len}, {@code array.get}s of a word element with an immediate index, up to
 * {@link #MAX_SWITCH_READS} {@code array.get}s of a word element with a register index, and at
 * most {@link #MAX_OTHER_READS} other operands, writes no object. It makes the interpreter's heap
 * charge (on the method's heap room local, {@link HeapLocal}, or {@code JitRuntime.chargeAggregate}
 * on the context: the same bytes at the same pc, {@code heap_limit_exceeded} there) and keeps the
 * elements in {@code long} locals, with an {@code int} flag local set to 1 and the register's own
 * local null.
 *
 * <p><b>Reads.</b> While the flag is 1, {@code array.len} is the element count (a constant), an
 * immediate-index {@code array.get} within the count reads its element's local, and a
 * register-index one tests the index (unsigned, below the count) and picks the element's local by
 * a {@code tableswitch}; an index out of range, like any read while the flag is 0, takes the read
 * of the object, which materialises the array first (and so traps {@code index_out_of_bounds}
 * exactly as the interpreter's read). Every other read of the register goes through the method's
 * {@code loadR} (a call's or host call's argument, {@code ret}, a move, a spill to the register
 * file in the hand-over handler that every pause, snapshot and hand-over passes through), which
 * materialises the array when the flag is 1 and the register's local is null
 * ({@code JitRuntime.virtualArray}: the aggregate the interpreter's {@code array.new} made, with
 * no heap charge, as it was charged at the {@code array.new}) and keeps it in the local, so every
 * later read sees that one object. Anything else that writes the register writes its local through
 * {@code storeR}, which sets the flag to 0; so do the prologue and {@link DeadAggregates}' clearing.
 *
 * <p><b>Which.</b> Only when leaf calls are inlined ({@code Jit.compileFramed} keeps objects); at
 * most {@link #MAX_REGISTERS} registers, each a reference register that is not an argument and is
 * the destination of an {@code array.new} of word elements (the first such instruction is the one
 * kept; any other writer stores an object). The bytecode this adds to a method is at most
 * {@link #MAX_BYTES}.
 */
final class VirtualArrays {
    /** Most registers of one function kept in locals. */
    static final int MAX_REGISTERS = 2;
    /** Most elements of an array kept in locals. */
    static final int MAX_ELEMENTS = 16;
    /** Most operands other than the kept reads that may read a register kept in locals. */
    static final int MAX_OTHER_READS = 4;
    /** Most register-index reads of one array that pick its element by a switch (later ones are other reads). */
    static final int MAX_SWITCH_READS = 4;
    /** A bound on one materialisation's bytecode (16 wide {@code lload}s and the helper call). */
    private static final int MATERIALISE_BYTES = 128;
    /** A bound on what a switch read adds beyond its instruction's own bound (the switch and its 16 cases). */
    private static final int SWITCH_BYTES = 320;
    /** A bound on one array's set-up in the prologue. */
    private static final int INIT_BYTES = 96;
    /**
     * A bound on the bytecode the arrays kept in locals add to a method, beyond what their
     * instructions' own bounds cover: a materialisation per other read and one in the hand-over
     * handler per register, the switch reads and the prologue's set-up.
     */
    static final int MAX_BYTES = MAX_REGISTERS * ((MAX_OTHER_READS + 1) * MATERIALISE_BYTES
            + MAX_SWITCH_READS * SWITCH_BYTES + INIT_BYTES);

    /** per array kept: its register */
    final int[] reg;
    /** per array: the code index of its {@code array.new} */
    final int[] site;
    /** per array: its element count */
    final int[] elements;
    /** per array: its array type id and its tag list's index in the code image */
    final int[] type;
    final int[] tagList;
    /** per array: its element tags */
    final byte[][] tags;
    /** per array: the code indexes of its switch reads */
    final int[][] switches;
    /** per array: its flag local, then its element locals (two slots each) */
    final int[] flag;

    private VirtualArrays(int n) {
        reg = new int[n];
        site = new int[n];
        elements = new int[n];
        type = new int[n];
        tagList = new int[n];
        tags = new byte[n][];
        switches = new int[n][];
        flag = new int[n];
    }

    /**
     * Picks the registers of function {@code fn} (entry {@code entry} in {@code code}) to keep in
     * locals, in time linear in its code, and lays out their locals after {@code types}.
     *
     * @param view the program
     * @param fn the function
     * @param code the code image
     * @param entry the function's entry in it
     * @param cls per register, its class
     * @param dec per register, whether it is a decimal
     * @param types the locals' types so far (stack map form, a {@code long} as one entry), to which theirs are appended
     * @return the arrays, or null when none
     */
    static VirtualArrays of(CompileView view, LoweredFunction fn, int[] code, int entry, int[] cls, boolean[] dec,
                            List<Object> types) {
        int count = fn.instructionCount();
        int[] sites = new int[MAX_REGISTERS];
        int[] regs = new int[MAX_REGISTERS];
        int n = 0;
        for (int s = 0; s < count && n < MAX_REGISTERS; s++) {
            int i = fn.instructionStart(s);
            int g = entry + i;
            if (code[g] != Op.ARRAY_NEW) {
                continue;
            }
            int dst = code[g + 1];
            int k = code[g + 4];
            boolean ok = dst > fn.argCount() && dst < cls.length && cls[dst] == LOp.REF_CLASS && !dec[dst]
                    && k >= 1 && k <= MAX_ELEMENTS && indexOf(regs, n, dst) < 0;
            for (int j = 0; ok && j < k; j++) {
                int e = code[g + 5 + j];
                ok = e >= 0 && e < cls.length && cls[e] == LOp.WORD_CLASS;
            }
            if (ok) {
                regs[n] = dst;
                sites[n++] = i;
            }
        }
        if (n == 0) {
            return null;
        }
        byte[][] all = view.image().tags();
        int[] others = new int[n];
        int[][] switchAt = new int[n][MAX_SWITCH_READS];
        int[] switchN = new int[n];
        for (int s = 0; s < count; s++) {
            int i = fn.instructionStart(s);
            int g = entry + i;
            int end = s + 1 < count ? fn.instructionStart(s + 1) : fn.codeLength();
            int op = LOp.plain(code[g]);
            if (VirtualStructs.wordOnly(op)) {
                continue;
            }
            for (int v = 0; v < n; v++) {
                int r = regs[v];
                if (i == sites[v]) {
                    continue;
                }
                byte[] t = all[code[entry + sites[v] + 3]];
                if (kept(t, code, g, end - i, r)) {
                    continue;
                }
                if (op == LOp.ARRAY_GET_W && end - i == 5 && code[g + 2] == r && code[g + 1] != r
                        && switchN[v] < MAX_SWITCH_READS && allTagged(t, code[g + 4])) {
                    switchAt[v][switchN[v]++] = i;
                    continue;
                }
                for (int p = i + 1; p < end; p++) {
                    int x = code[entry + p];
                    if (x == r || x >>> 2 == r) {
                        others[v]++; // each operand: an instruction may read the register many times
                    }
                }
            }
        }
        int kept = 0;
        for (int v = 0; v < n; v++) {
            if (others[v] <= MAX_OTHER_READS) {
                regs[kept] = regs[v];
                sites[kept] = sites[v];
                switchAt[kept] = java.util.Arrays.copyOf(switchAt[v], switchN[v]);
                kept++;
            }
        }
        if (kept == 0) {
            return null;
        }
        int next = 0;
        for (Object t : types) {
            next += LONG.equals(t) || DOUBLE.equals(t) ? 2 : 1;
        }
        VirtualArrays out = new VirtualArrays(kept);
        for (int v = 0; v < kept; v++) {
            int g = entry + sites[v];
            out.reg[v] = regs[v];
            out.site[v] = sites[v];
            out.type[v] = code[g + 2];
            out.tagList[v] = code[g + 3];
            out.tags[v] = all[code[g + 3]];
            out.elements[v] = code[g + 4];
            out.switches[v] = switchAt[v];
            out.flag[v] = next;
            types.add(INTEGER);
            next++;
            for (int j = 0; j < out.elements[v]; j++) {
                types.add(LONG);
                next += 2;
            }
        }
        return out;
    }

    /**
     * Whether the instruction at global {@code g} ({@code len} ints) is an {@code array.len} or an
     * immediate-index {@code array.get} of a word element of the array of element tags {@code t}
     * in register {@code r}, which reads the locals while the array is kept.
     */
    private static boolean kept(byte[] t, int[] code, int g, int len, int r) {
        int op = code[g];
        if (op == Op.ARRAY_LEN) {
            return len == 3 && code[g + 2] == r && code[g + 1] != r;
        }
        if (op == LOp.ARRAY_GET_IMM_W && len == 5 && code[g + 2] == r && code[g + 1] != r) {
            long index = code[g + 3] & 0xFFFFFFFFL;
            return index < t.length && t[(int) index] == code[g + 4];
        }
        return false;
    }

    /** Whether every tag of {@code t} is {@code tag}. */
    private static boolean allTagged(byte[] t, int tag) {
        for (byte b : t) {
            if (b != tag) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(int[] a, int n, int v) {
        for (int i = 0; i < n; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }

    /** @return which array register {@code r} keeps, or -1 when it is kept as an object */
    int of(int r) {
        return indexOf(reg, reg.length, r);
    }

    /** @return the array kept by the {@code array.new} at code index {@code i}, or -1 */
    int at(int i) {
        return indexOf(site, site.length, i);
    }

    /** @return the local of element {@code j} of array {@code v} (a long) */
    int element(int v, int j) {
        return flag[v] + 1 + 2 * j;
    }

    /** In the prologue: every array's flag 0 (an object, if any, in its register's local) and elements 0. */
    void init(MethodVisitor mv) {
        for (int v = 0; v < reg.length; v++) {
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, flag[v]);
            for (int j = 0; j < elements[v]; j++) {
                mv.visitInsn(LCONST_0);
                mv.visitVarInsn(LSTORE, element(v, j));
            }
        }
    }

    /**
     * The {@code array.new} ([op, dst, type, tags, n, regs...] at global {@code g}) of array
     * {@code v}: the heap charge at its trap point (on the heap room local when the method keeps
     * one, else on the context), then the elements into their locals, the register's local null
     * and the flag 1.
     */
    void build(LocalsEmitter e, int v, int[] code, int g, int slot) {
        MethodVisitor mv = e.mv;
        e.trapPoint();
        if (!e.chargeAggregate(elements[v], false)) {
            mv.visitVarInsn(ALOAD, C);
            e.push(elements[v]);
            mv.visitMethodInsn(INVOKESTATIC, JitCompiler.RT, "chargeAggregate", "(L" + CTX + ";I)V", false);
        }
        for (int j = 0; j < elements[v]; j++) {
            e.loadW(code[g + 5 + j]);
            mv.visitVarInsn(LSTORE, element(v, j));
        }
        mv.visitInsn(ACONST_NULL);
        mv.visitVarInsn(ASTORE, slot);
        mv.visitInsn(ICONST_1);
        mv.visitVarInsn(ISTORE, flag[v]);
    }

    /**
     * Pushes the register of array {@code v} as an object: its local, after materialising the
     * array into it when the flag is 1 and the local is null. No branch (a helper call), so it
     * may run with anything on the stack.
     */
    void load(LocalsEmitter e, int v, int slot) {
        MethodVisitor mv = e.mv;
        mv.visitVarInsn(ALOAD, slot);
        mv.visitVarInsn(ILOAD, flag[v]);
        mv.visitVarInsn(ALOAD, VM);
        e.push(type[v]);
        e.push(tagList[v]);
        e.push(elements[v]);
        for (int j = 0; j < MAX_ELEMENTS; j++) {
            if (j < elements[v]) {
                mv.visitVarInsn(LLOAD, element(v, j));
            } else {
                mv.visitInsn(LCONST_0);
            }
        }
        mv.visitMethodInsn(INVOKESTATIC, JitCompiler.RT, "virtualArray",
                "(Ljava/lang/Object;ILdev/tape/vm/Vm;IIIJJJJJJJJJJJJJJJJ)Ljava/lang/Object;", false);
        mv.visitInsn(DUP);
        mv.visitVarInsn(ASTORE, slot);
    }

    /** After a store of an object into the register of array {@code v}: the flag 0. */
    void stored(MethodVisitor mv, int v) {
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, flag[v]);
    }

    /**
     * Emits a read of array {@code v} at global {@code g} (code index {@code g - entry}) from the
     * locals while the flag is 1, with {@code object} (the read of the object) otherwise.
     *
     * @return false, emitting nothing, when the instruction is not one of the kept reads
     */
    boolean read(LocalsEmitter e, int v, int[] code, int g, int entry, Runnable object) {
        int op = code[g];
        boolean len = op == Op.ARRAY_LEN;
        boolean imm = !len && kept(tags[v], code, g, 5, reg[v]);
        boolean sw = op == LOp.ARRAY_GET_W && indexOf(switches[v], switches[v].length, g - entry) >= 0;
        if (!(len || imm || sw)) {
            return false;
        }
        MethodVisitor mv = e.mv;
        int dst = code[g + 1];
        Label slow = new Label();
        Label done = new Label();
        mv.visitVarInsn(ILOAD, flag[v]);
        mv.visitJumpInsn(IFEQ, slow);
        if (len) {
            mv.visitLdcInsn((long) elements[v]);
            e.storeW(dst);
        } else if (imm) {
            mv.visitVarInsn(LLOAD, element(v, code[g + 3]));
            e.storeW(dst);
        } else {
            int index = code[g + 3];
            e.loadW(index);
            mv.visitLdcInsn((long) elements[v]);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFGE, slow);
            e.loadW(index);
            mv.visitInsn(LCONST_0);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFLT, slow);
            Label[] cases = new Label[elements[v]];
            for (int j = 0; j < cases.length; j++) {
                cases[j] = new Label();
            }
            e.loadW(index);
            mv.visitInsn(L2I);
            mv.visitTableSwitchInsn(0, cases.length - 1, slow, cases);
            for (int j = 0; j < cases.length; j++) {
                mv.visitLabel(cases[j]);
                e.frame();
                mv.visitVarInsn(LLOAD, element(v, j));
                e.storeW(dst);
                if (j + 1 < cases.length) {
                    mv.visitJumpInsn(GOTO, done);
                }
            }
        }
        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(slow);
        e.frame();
        object.run();
        mv.visitLabel(done);
        e.frame();
        return true;
    }
}
