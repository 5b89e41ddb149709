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
import static org.objectweb.asm.Opcodes.DUP;
import static org.objectweb.asm.Opcodes.GOTO;
import static org.objectweb.asm.Opcodes.ICONST_0;
import static org.objectweb.asm.Opcodes.ICONST_1;
import static org.objectweb.asm.Opcodes.IFEQ;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.INTEGER;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.ISTORE;
import static org.objectweb.asm.Opcodes.LCONST_0;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LONG;
import static org.objectweb.asm.Opcodes.LSTORE;

/**
 * Structs and word tuples a compiled method keeps in locals: a {@code struct.new} of word fields
 * (or a lowered {@code tuple.new} of word elements, {@code LOp.TUPLE_NEW_W}: below, a tuple is a
 * struct whose fields are its elements, read by {@code tuple.get}s) whose register is
 * otherwise read only by {@code struct.get}s of its fields, and by a few other operands (a
 * call's argument, say), writes no object: it makes the interpreter's heap charge
 * ({@code JitRuntime.chargeAggregate}, or on the heap room's local, {@link HeapLocal}: the same
 * bytes at the same pc, {@code heap_limit_exceeded} there) and keeps the fields in {@code long} locals, with an {@code int} flag local set to 1 and
 * the register's own local null. So no object exists on the paths that only read fields, and
 * C2 has nothing to scalar-replace (its escape analysis gives up on an object that a hand-over
 * handler or a call's slow path may see, which every such struct had).
 *
 * <p><b>Reads.</b> A {@code struct.get} of a field, while the flag is 1, reads the field's local;
 * an inlined leaf callee ({@link LeafInliner}) that is passed the register reads the caller's field
 * locals the same way (the flag tested in its guard). Every other read of the register goes
 * through the method's {@code loadR} (a real call's argument, a spill to the register file in the
 * hand-over handler, before a pause, snapshot or hand-over), which materialises the struct first
 * when the flag is 1 and the register's local is null ({@code JitRuntime.virtualStruct}: the
 * aggregate the interpreter's {@code struct.new} would have made, or {@code JitRuntime.virtualTuple}:
 * its {@code tuple.new}'s, with no heap charge, as it was
 * made at the {@code struct.new}) and keeps it in the local, so every later read sees that one
 * object. A trap needs no registers. Anything else that writes the register writes its local
 * through {@code storeR}, which sets the flag to 0; so do the prologue and
 * {@link DeadAggregates}' clearing.
 *
 * <p><b>Which.</b> Only when leaf calls are inlined ({@code Jit.compileFramed} keeps objects); at
 * most {@link #MAX_REGISTERS} registers of structs and as many of tuples, each a reference
 * register that is not an argument and is the destination of a {@code struct.new} (or word
 * {@code tuple.new}) of 1 to {@link #MAX_FIELDS} word fields (the first such instruction is the
 * one kept in locals; any other writer stores an object), a tuple's named by no
 * {@code closure.new} (an environment is an object anyway), {@code struct.new} or
 * {@code array.new}, a struct's the destination of no {@code array.new} (which
 * {@link VirtualArrays} may keep in locals too, leaving the struct's flag), and read in at most {@link #MAX_OTHER_READS} operands other than those of
 * {@code struct.get}s (a tuple's: {@code tuple.get}s) of its fields that match that struct's
 * shape (counted conservatively: every operand of an instruction that is not a word-only one
 * that names the register). The bytecode this adds to a method is at
 * most {@link #MAX_BYTES}.
 */
final class VirtualStructs {
    /** Most registers of one function kept in locals as structs; as many more as tuples. */
    static final int MAX_REGISTERS = 2;
    /** Most fields of a struct kept in locals. */
    static final int MAX_FIELDS = 8;
    /** Most operands other than matching {@code struct.get}s' that may read a register kept in locals. */
    static final int MAX_OTHER_READS = 4;
    /**
     * A bound on the bytecode the structs kept in locals add to a method, beyond what their
     * instructions' own bounds cover (a materialisation is at most 64 bytes, one per other read
     * and one in the hand-over handler per register; the prologue's set-up at most 40 per register).
     */
    static final int MAX_BYTES = 2 * MAX_REGISTERS * ((MAX_OTHER_READS + 1) * 64 + 40);

    /** per struct kept: its register */
    final int[] reg;
    /** per struct: the code index of its {@code struct.new} */
    final int[] site;
    /** per struct: its field count */
    final int[] fields;
    /** per struct: its struct type id and its tag list's index in the code image */
    final int[] type;
    final int[] tagList;
    /** per struct: its field tags */
    final byte[][] tags;
    /** per struct: its flag local, then its field locals (two slots each) */
    final int[] flag;
    /** per struct: whether it is a tuple ({@code tuple.new} of words, read by {@code tuple.get}s) */
    final boolean[] tuple;

    private VirtualStructs(int n) {
        tuple = new boolean[n];
        reg = new int[n];
        site = new int[n];
        fields = new int[n];
        type = new int[n];
        tagList = new int[n];
        tags = new byte[n][];
        flag = new int[n];
    }

    /**
     * Picks the registers of function {@code fn} (entry {@code entry} in {@code code}) to keep in
     * locals, in time linear in its code.
     *
     * @param view the program
     * @param fn the function
     * @param code the code image
     * @param entry the function's entry in it
     * @param cls per register, its class
     * @param dec per register, whether it is a decimal
     * @param next the first free local slot; the structs' locals are laid out from there
     * @param types the locals' types, to which theirs are appended
     * @return the structs, or null when none
     */
    static VirtualStructs of(CompileView view, LoweredFunction fn, int[] code, int entry, int[] cls, boolean[] dec,
                             int next, List<Object> types) {
        int count = fn.instructionCount();
        int[] structRegs = new int[MAX_REGISTERS];
        int[] structSites = new int[MAX_REGISTERS];
        int structs = candidates(fn, code, entry, cls, dec, Op.STRUCT_NEW, MAX_FIELDS, structRegs, structSites);
        int[] tupleRegs = new int[MAX_REGISTERS];
        int[] tupleSites = new int[MAX_REGISTERS];
        int tuples = candidates(fn, code, entry, cls, dec, LOp.TUPLE_NEW_W, MAX_FIELDS, tupleRegs, tupleSites);
        int[] sites = java.util.Arrays.copyOf(structSites, 2 * MAX_REGISTERS);
        int[] regs = java.util.Arrays.copyOf(structRegs, 2 * MAX_REGISTERS);
        int n = structs;
        for (int v = 0; v < tuples; v++) {
            if (indexOf(regs, structs, tupleRegs[v]) < 0) { // a register also a kept struct's: an object
                regs[n] = tupleRegs[v];
                sites[n++] = tupleSites[v];
            }
        }
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
            if (wordOnly(op)) {
                continue;
            }
            for (int v = 0; v < n; v++) {
                int r = regs[v];
                if (i == sites[v]) {
                    continue;
                }
                boolean tuple = code[entry + sites[v]] == LOp.TUPLE_NEW_W;
                if (op == (tuple ? LOp.TUPLE_GET_W : LOp.STRUCT_GET_W) && code[g + 2] == r && end - i == 5) {
                    byte[] t = all[code[entry + sites[v] + (tuple ? 2 : 3)]];
                    long index = code[g + 3] & 0xFFFFFFFFL;
                    if (index < t.length && t[(int) index] == code[g + 4] && code[g + 1] != r) {
                        continue;
                    }
                }
                for (int p = i + 1; p < end; p++) {
                    int x = code[entry + p];
                    if (x == r || x >>> 2 == r) {
                        others[v]++; // each operand: an instruction may read the register many times
                        if (tuple && (op == Op.CLOSURE_NEW || op == Op.STRUCT_NEW || op == Op.ARRAY_NEW)) {
                            // a closure's environment (an object anyway), or a register a struct or
                            // an array kept in locals may also hold: not kept
                            others[v] += MAX_OTHER_READS;
                        } else if (op == Op.ARRAY_NEW && p == i + 1) {
                            // an array.new into a struct's register: VirtualArrays may keep that
                            // array in locals, whose build leaves this struct's flag: not kept
                            others[v] += MAX_OTHER_READS;
                        }
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
        VirtualStructs out = new VirtualStructs(kept);
        for (int v = 0; v < kept; v++) {
            int g = entry + sites[v];
            // a tuple's [op, dst, tags, n, regs...]; a struct's [op, dst, type, tags, n, regs...]
            boolean tuple = code[g] == LOp.TUPLE_NEW_W;
            int t = tuple ? 2 : 3;
            out.reg[v] = regs[v];
            out.site[v] = sites[v];
            out.tuple[v] = tuple;
            out.type[v] = tuple ? 0 : code[g + 2];
            out.tagList[v] = code[g + t];
            out.tags[v] = all[code[g + t]];
            out.fields[v] = code[g + t + 1];
            out.flag[v] = next;
            types.add(INTEGER);
            next++;
            for (int j = 0; j < out.fields[v]; j++) {
                types.add(LONG);
                next += 2;
            }
        }
        return out;
    }

    /** Whether an instruction of op {@code op} (plain) reads and writes word registers only. */
    static boolean wordOnly(int op) {
        return switch (op) {
            case Op.NOP, LOp.MOV_W, LOp.CONST_W, Op.BOOL_NOT, Op.I64_ADD, Op.U64_ADD, Op.I64_SUB, Op.U64_SUB,
                 Op.I64_MUL, Op.U64_MUL, Op.I64_AND, Op.U64_AND, Op.BOOL_AND, Op.I64_OR, Op.U64_OR, Op.BOOL_OR,
                 Op.I64_XOR, Op.U64_XOR, Op.BOOL_XOR, Op.I64_SHL, Op.U64_SHL, Op.I64_SHR, Op.U64_SHR, Op.I64_EQ,
                 Op.U64_EQ, Op.I64_LT, Op.I64_GT, Op.I64_LE, Op.I64_GE, Op.U64_LT, Op.F64_LT, LOp.I64_EQ_BR,
                 LOp.I64_LT_BR, LOp.I64_GT_BR, LOp.I64_LE_BR, LOp.I64_GE_BR, LOp.U64_LT_BR, LOp.F64_LT_BR, Op.U64_GT,
                 Op.U64_LE, Op.U64_GE, Op.F64_EQ, Op.F64_GT, Op.F64_LE, Op.F64_GE, Op.BR, Op.JMP -> true;
            default -> false;
        };
    }

    /**
     * Finds the constructions a method may keep in locals: the first {@code regs.length} sites of
     * {@code op} ({@code struct.new} or {@code array.new}, whose destination is operand 1 and
     * whose count of word operands is operand 4; or the lowered {@code tuple.new} of words,
     * {@code LOp.TUPLE_NEW_W}, whose count is operand 3) writing a reference register that is not an argument, not a
     * decimal, not written by an earlier candidate, with 1 to {@code max} operands all of the word
     * class.
     *
     * @param fn the function
     * @param code the lowered code image
     * @param entry the function's entry in it
     * @param cls per register, its class
     * @param dec per register, whether it is a decimal
     * @param op {@code Op.STRUCT_NEW}, {@code LOp.TUPLE_NEW_W} or {@code Op.ARRAY_NEW}
     * @param max the most operands a kept construction may have
     * @param regs filled with the candidates' registers (its length the most candidates)
     * @param sites filled with their instructions' offsets, as long as {@code regs}
     * @return how many were found, 0 to {@code regs.length}
     */
    static int candidates(LoweredFunction fn, int[] code, int entry, int[] cls, boolean[] dec, int op, int max,
                          int[] regs, int[] sites) {
        int count = fn.instructionCount();
        int n = 0;
        for (int s = 0; s < count && n < regs.length; s++) {
            int i = fn.instructionStart(s);
            int g = entry + i;
            if (code[g] != op) {
                continue;
            }
            int first = op == LOp.TUPLE_NEW_W ? 4 : 5;
            int dst = code[g + 1];
            int k = code[g + first - 1];
            boolean ok = dst > fn.argCount() && dst < cls.length && cls[dst] == LOp.REF_CLASS && !dec[dst]
                    && k >= 1 && k <= max && indexOf(regs, n, dst) < 0;
            for (int j = 0; ok && j < k; j++) {
                int e = code[g + first + j];
                ok = e >= 0 && e < cls.length && cls[e] == LOp.WORD_CLASS;
            }
            if (ok) {
                regs[n] = dst;
                sites[n++] = i;
            }
        }
        return n;
    }

    private static int indexOf(int[] a, int n, int v) {
        for (int i = 0; i < n; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }

    /** @return which struct register {@code r} keeps, or -1 when it is kept as an object */
    int of(int r) {
        return indexOf(reg, reg.length, r);
    }

    /** @return the struct kept by the {@code struct.new} at code index {@code i}, or -1 */
    int at(int i) {
        for (int v = 0; v < site.length; v++) {
            if (site[v] == i) {
                return v;
            }
        }
        return -1;
    }

    /** @return the code offset of the first element register of the construction of struct {@code v} */
    int firstElement(int v) {
        return tuple[v] ? 4 : 5;
    }

    /** @return the local of field {@code j} of struct {@code v} (a long) */
    int field(int v, int j) {
        return flag[v] + 1 + 2 * j;
    }

    /**
     * @return the field a {@code struct.get} of struct {@code v} ([op, dst, agg, index, tag] at
     *     global {@code g}) reads from its local, or -1 when the read does not match the struct's
     *     shape (then it reads the materialised object, and traps as the interpreter's)
     */
    int fieldOf(int v, int[] code, int g) {
        long index = code[g + 3] & 0xFFFFFFFFL;
        if (LOp.plain(code[g]) != (tuple[v] ? LOp.TUPLE_GET_W : LOp.STRUCT_GET_W) || index >= fields[v] || tags[v][(int) index] != code[g + 4]) {
            return -1;
        }
        return (int) index;
    }

    /** In the prologue: every struct's flag 0 (an object, if any, in its register's local) and fields 0. */
    void init(MethodVisitor mv) {
        for (int v = 0; v < reg.length; v++) {
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, flag[v]);
            for (int j = 0; j < fields[v]; j++) {
                mv.visitInsn(LCONST_0);
                mv.visitVarInsn(LSTORE, field(v, j));
            }
        }
    }

    /**
     * The {@code struct.new} of struct {@code v}: the heap charge at its trap point, then the
     * fields ({@code elements}: their word registers) into their locals, the register's local
     * null and the flag 1.
     */
    void build(LocalsEmitter e, int v, int[] elements, int slot) {
        MethodVisitor mv = e.mv;
        e.trapPoint();
        if (!e.chargeAggregate(fields[v], false)) { // on the heap room's local when the method has one
            mv.visitVarInsn(ALOAD, C);
            e.push(fields[v]);
            mv.visitMethodInsn(INVOKESTATIC, JitCompiler.RT, "chargeAggregate", "(L" + CTX + ";I)V", false);
        }
        for (int j = 0; j < fields[v]; j++) {
            e.loadW(elements[j]);
            mv.visitVarInsn(LSTORE, field(v, j));
        }
        mv.visitInsn(ACONST_NULL);
        mv.visitVarInsn(ASTORE, slot);
        mv.visitInsn(ICONST_1);
        mv.visitVarInsn(ISTORE, flag[v]);
    }

    /**
     * Pushes the register of struct {@code v} as an object: its local, after materialising the
     * struct into it when the flag is 1 and the local is null. No branch (a helper call), so it
     * may run with anything on the stack.
     */
    void load(LocalsEmitter e, int v, int slot) {
        MethodVisitor mv = e.mv;
        mv.visitVarInsn(ALOAD, slot);
        mv.visitVarInsn(ILOAD, flag[v]);
        mv.visitVarInsn(ALOAD, VM);
        if (!tuple[v]) {
            e.push(type[v]);
        }
        e.push(tagList[v]);
        e.push(fields[v]);
        for (int j = 0; j < MAX_FIELDS; j++) {
            if (j < fields[v]) {
                mv.visitVarInsn(LLOAD, field(v, j));
            } else {
                mv.visitInsn(LCONST_0);
            }
        }
        mv.visitMethodInsn(INVOKESTATIC, JitCompiler.RT, tuple[v] ? "virtualTuple" : "virtualStruct",
                "(Ljava/lang/Object;ILdev/tape/vm/Vm;" + (tuple[v] ? "" : "I") + "IIJJJJJJJJ)Ljava/lang/Object;", false);
        mv.visitInsn(DUP);
        mv.visitVarInsn(ASTORE, slot);
    }

    /** After a store of an object into the register of struct {@code v}: the flag 0. */
    void stored(MethodVisitor mv, int v) {
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ISTORE, flag[v]);
    }

    /**
     * A {@code struct.get} of field {@code j} of struct {@code v} into word register {@code dst}:
     * the field's local while the flag is 1, else {@code slow} (the read of the object).
     */
    void get(LocalsEmitter e, int v, int j, int dst, Runnable slow) {
        MethodVisitor mv = e.mv;
        Label object = new Label();
        Label done = new Label();
        mv.visitVarInsn(ILOAD, flag[v]);
        mv.visitJumpInsn(IFEQ, object);
        if (e.hasLocal(dst)) {
            mv.visitVarInsn(LLOAD, field(v, j));
            e.storeW(dst);
        }
        mv.visitJumpInsn(GOTO, done);
        mv.visitLabel(object);
        e.frame();
        slow.run();
        mv.visitLabel(done);
        e.frame();
    }
}
