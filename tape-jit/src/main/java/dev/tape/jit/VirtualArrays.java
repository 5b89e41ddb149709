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
import static org.objectweb.asm.Opcodes.IFNONNULL;
import static org.objectweb.asm.Opcodes.LALOAD;
import static org.objectweb.asm.Opcodes.LASTORE;
import static org.objectweb.asm.Opcodes.NEWARRAY;
import static org.objectweb.asm.Opcodes.T_LONG;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.INTEGER;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.ISTORE;
import static org.objectweb.asm.Opcodes.L2I;
import static org.objectweb.asm.Opcodes.LADD;
import static org.objectweb.asm.Opcodes.LCMP;
import static org.objectweb.asm.Opcodes.LONG;

/**
 * Arrays a compiled method keeps out of the heap, as {@link VirtualStructs} keeps structs: an
 * {@code array.new} of 1 to {@link #MAX_ELEMENTS} word elements whose register is otherwise read
 * only by {@code array.len} and {@code array.get}s of a word element (immediate or register index),
 * and by at most {@link #MAX_OTHER_READS} other operands, makes no aggregate. It makes the
 * interpreter's heap charge (on the method's heap room local, {@link HeapLocal}, or
 * {@code JitRuntime.chargeAggregate} on the context: the same bytes at the same pc,
 * {@code heap_limit_exceeded} there) and writes the elements into a {@code long[]} of the element
 * count that the method allocates at the array's first build and reuses at every later one (a
 * scratch array, never seen outside the method), with an {@code int} flag local set to 1 and the
 * register's own local null. So a loop that builds an array per iteration allocates one scratch
 * array per call of the method instead of an aggregate, a {@code long[]} and their headers per
 * iteration.
 *
 * <p><b>Reads.</b> While the flag is 1, {@code array.len} is the element count (a constant), an
 * immediate-index {@code array.get} within the count reads its scratch element, and a
 * register-index one tests the index (below the count, unsigned) and reads the scratch element it
 * names; an index out of range, like any read while the flag is 0, takes the read of the object,
 * which materialises the array first (so it traps {@code index_out_of_bounds} exactly as the
 * interpreter's read). Every other read of the register goes through the method's {@code loadR}
 * (a call's or host call's argument, {@code ret}, a move, a spill to the register file in the
 * hand-over handler that every pause, snapshot and hand-over passes through), which materialises the
 * array when the flag is 1 and the register's local is null ({@code JitRuntime.virtualArray}: the
 * aggregate the interpreter's {@code array.new} made, from a copy of the scratch elements, with no
 * heap charge, as it was charged at the {@code array.new}) and keeps it in the local, so every later
 * read sees that one object (a later build overwrites the scratch array, never the copy). Anything
 * else that writes the register writes its local through {@code storeR}, which sets the flag to 0;
 * so do the prologue and {@link DeadAggregates}' clearing.
 *
 * <p><b>Measured.</b> A first version kept the elements in 16 {@code long} locals and read a
 * register index through a {@code tableswitch}; the scratch array measured faster on tape-bench's
 * array_loop (docs/PERFORMANCE-LOG.md, eighth round).
 *
 * <p><b>Which.</b> Only when leaf calls are inlined ({@code Jit.compileFramed} keeps objects); at
 * most {@link #MAX_REGISTERS} registers, each a reference register that is not an argument and is
 * the destination of an {@code array.new} of word elements (the first such instruction is the one
 * kept; any other writer stores an object). The bytecode this adds to a method is at most
 * {@link #MAX_BYTES}.
 */
final class VirtualArrays {
    /** Most registers of one function kept out of the heap. */
    static final int MAX_REGISTERS = 2;
    /** Most elements of an array kept out of the heap. */
    static final int MAX_ELEMENTS = 16;
    /** Most operands other than the kept reads that may read a register kept out of the heap. */
    static final int MAX_OTHER_READS = 4;
    /** A bound on one materialisation's bytecode (the locals, constants and the helper call). */
    private static final int MATERIALISE_BYTES = 40;
    /** A bound on one array's set-up in the prologue. */
    private static final int INIT_BYTES = 16;
    /**
     * A bound on the bytecode the arrays kept out of the heap add to a method, beyond what their
     * instructions' own bounds cover (a kept read, its object path included, takes under 160
     * bytes, within an {@code array.get}'s 5 ints' or an {@code array.len}'s 3 ints' 80 each; a
     * build 12 per element and 30 more, within its {@code 5 + n} ints'): a materialisation per
     * other read and one in the hand-over handler per register, and the prologue's set-up.
     */
    static final int MAX_BYTES = MAX_REGISTERS * ((MAX_OTHER_READS + 1) * MATERIALISE_BYTES + INIT_BYTES);

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
    /** per array: its flag local, then its scratch array's */
    final int[] flag;

    private VirtualArrays(int n) {
        reg = new int[n];
        site = new int[n];
        elements = new int[n];
        type = new int[n];
        tagList = new int[n];
        tags = new byte[n][];
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
        int n = VirtualStructs.candidates(fn, code, entry, cls, dec, Op.ARRAY_NEW, MAX_ELEMENTS, regs, sites);
        if (n == 0) {
            return null;
        }
        byte[][] all = view.image().tags();
        int[] others = new int[n];
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
                sites[kept++] = sites[v];
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
            out.flag[v] = next;
            types.add(INTEGER);
            types.add("[J");
            next += 2;
        }
        return out;
    }

    /**
     * Whether the instruction at global {@code g} ({@code len} ints) is an {@code array.len}, an
     * immediate-index {@code array.get} of a word element within the count or a register-index one
     * of a word element (every element of that tag) of the array of element tags {@code t} in
     * register {@code r}: a read of the scratch elements while the array is kept.
     */
    private static boolean kept(byte[] t, int[] code, int g, int len, int r) {
        int op = code[g];
        if (op == Op.ARRAY_LEN) {
            return len == 3 && code[g + 2] == r && code[g + 1] != r;
        }
        if (len != 5 || code[g + 2] != r || code[g + 1] == r) {
            return false;
        }
        if (op == LOp.ARRAY_GET_IMM_W) {
            long index = code[g + 3] & 0xFFFFFFFFL;
            return index < t.length && t[(int) index] == code[g + 4];
        }
        return op == LOp.ARRAY_GET_W && allTagged(t, code[g + 4]);
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

    /** @return which kept array register {@code r} holds, or -1 when it is kept as an object */
    int of(int r) {
        return indexOf(reg, reg.length, r);
    }

    /** @return the array kept by the {@code array.new} at code index {@code i}, or -1 */
    int at(int i) {
        return indexOf(site, site.length, i);
    }

    /** @return the local of array {@code v}'s elements (a {@code long[]} of its element count, or null before its first build) */
    int scratch(int v) {
        return flag[v] + 1;
    }

    /** In the prologue: every array's flag 0 (an object, if any, in its register's local) and no scratch array yet. */
    void init(MethodVisitor mv) {
        for (int v = 0; v < reg.length; v++) {
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, flag[v]);
            mv.visitInsn(ACONST_NULL);
            mv.visitVarInsn(ASTORE, scratch(v));
        }
    }

    /**
     * The {@code array.new} ([op, dst, type, tags, n, regs...] at global {@code g}) of array
     * {@code v}: the heap charge at its trap point (on the heap room local when the method keeps
     * one, else on the context), then the elements into the scratch array (made at the first
     * build: a {@code long[]} of the element count), the register's local null and the flag 1.
     */
    void build(LocalsEmitter e, int v, int[] code, int g, int slot) {
        MethodVisitor mv = e.mv;
        e.trapPoint();
        if (!e.chargeAggregate(elements[v], false)) {
            mv.visitVarInsn(ALOAD, C);
            e.push(elements[v]);
            mv.visitMethodInsn(INVOKESTATIC, JitCompiler.RT, "chargeAggregate", "(L" + CTX + ";I)V", false);
        }
        Label made = new Label();
        mv.visitVarInsn(ALOAD, scratch(v));
        mv.visitJumpInsn(IFNONNULL, made);
        e.push(elements[v]);
        mv.visitIntInsn(NEWARRAY, T_LONG);
        mv.visitVarInsn(ASTORE, scratch(v));
        mv.visitLabel(made);
        e.frame();
        for (int j = 0; j < elements[v]; j++) {
            mv.visitVarInsn(ALOAD, scratch(v));
            e.push(j);
            e.loadW(code[g + 5 + j]);
            mv.visitInsn(LASTORE);
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
        mv.visitVarInsn(ALOAD, scratch(v));
        mv.visitMethodInsn(INVOKESTATIC, JitCompiler.RT, "virtualArray",
                "(Ljava/lang/Object;ILdev/tape/vm/Vm;II[J)Ljava/lang/Object;", false);
        mv.visitInsn(DUP);
        mv.visitVarInsn(ASTORE, slot);
    }

    /** After a store of an object into the register of array {@code v}: the flag 0. */
    void stored(MethodVisitor mv, int v) {
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, flag[v]);
    }

    /**
     * Emits a read of array {@code v} at global {@code g}: from the scratch elements while the flag
     * is 1 (and a register index is in range), else {@code object} (the read of the object).
     *
     * @return false, emitting nothing, when the instruction is not one of the kept reads
     */
    boolean read(LocalsEmitter e, int v, int[] code, int g, Runnable object) {
        int op = code[g];
        if (!kept(tags[v], code, g, op == Op.ARRAY_LEN ? 3 : 5, reg[v])) {
            return false;
        }
        boolean len = op == Op.ARRAY_LEN;
        boolean imm = op == LOp.ARRAY_GET_IMM_W;
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
            mv.visitVarInsn(ALOAD, scratch(v));
            e.push(code[g + 3]);
            mv.visitInsn(LALOAD);
            e.storeW(dst);
        } else {
            // 0 <= index < n: the index below the count, unsigned (each side less 2^63, signed)
            int index = code[g + 3];
            e.loadW(index);
            mv.visitLdcInsn(Long.MIN_VALUE);
            mv.visitInsn(LADD);
            mv.visitLdcInsn(Long.MIN_VALUE + elements[v]);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFGE, slow);
            mv.visitVarInsn(ALOAD, scratch(v));
            e.loadW(index);
            mv.visitInsn(L2I);
            mv.visitInsn(LALOAD);
            e.storeW(dst);
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
