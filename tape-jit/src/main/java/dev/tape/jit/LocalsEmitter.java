package dev.tape.jit;

import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.verify.internal.LOp;
import dev.tape.vm.internal.CompileView;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import java.util.List;

import static dev.tape.jit.JitCompiler.BASE;
import static dev.tape.jit.JitCompiler.C;
import static dev.tape.jit.JitCompiler.CTX;
import static dev.tape.jit.JitCompiler.FIRST_REGISTER;
import static dev.tape.jit.JitCompiler.FUEL;
import static dev.tape.jit.JitCompiler.FUEL_IN_CONTEXT;
import static dev.tape.jit.JitCompiler.NUMERICS;
import static dev.tape.jit.JitCompiler.OBJECT;
import static dev.tape.jit.JitCompiler.R;
import static dev.tape.jit.JitCompiler.SELF;
import static dev.tape.jit.JitCompiler.SITE_N;
import static dev.tape.jit.JitCompiler.VALUES;
import static dev.tape.jit.JitCompiler.W;
import static dev.tape.jit.JitCompiler.pushTo;
import static org.objectweb.asm.Opcodes.AALOAD;
import static org.objectweb.asm.Opcodes.AASTORE;
import static org.objectweb.asm.Opcodes.ACONST_NULL;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.ASTORE;
import static org.objectweb.asm.Opcodes.DUP;
import static org.objectweb.asm.Opcodes.GETFIELD;
import static org.objectweb.asm.Opcodes.IADD;
import static org.objectweb.asm.Opcodes.IFGE;
import static org.objectweb.asm.Opcodes.IFLT;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.INTEGER;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.INVOKEVIRTUAL;
import static org.objectweb.asm.Opcodes.ISTORE;
import static org.objectweb.asm.Opcodes.LALOAD;
import static org.objectweb.asm.Opcodes.LASTORE;
import static org.objectweb.asm.Opcodes.LCMP;
import static org.objectweb.asm.Opcodes.LCONST_0;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LONG;
import static org.objectweb.asm.Opcodes.LSTORE;
import static org.objectweb.asm.Opcodes.LSUB;
import static org.objectweb.asm.Opcodes.PUTFIELD;

/**
 * Where a compiled method keeps its state, and the bytecode that reads and writes it: each
 * register's JVM local (a word register a {@code long}, a reference register an {@code Object},
 * a decimal register an unboxed {@code long} mantissa and {@code int} scale, -1 while it holds no
 * value; a unit register none), the types of all locals for the stack map frames, the copies
 * between the locals and the context's register files ({@link #spill}, {@link #reload}), and the
 * fuel left, held in the {@link JitCompiler#FUEL} local and charged per basic block
 * ({@link #fuelCheck}). {@link InstructionEmitter} emits the instructions on top of it.
 */
abstract class LocalsEmitter extends CallSiteEmitter {
    /**
     * the slot of the heap room's {@code long} local ({@link HeapLocal}), after the leaves'
     * locals, followed by the heap threshold's, or -1 when the method charges the context's field
     */
    final int heap;
    /**
     * the slot of the {@code long} local of the one-to-three-word host calls not yet counted in the
     * context ({@link HostCount}), or -1 when the method makes no such call
     */
    final int hosts;
    /** with {@link #hosts}: per code index, whether a one-to-three-word host call starts there */
    private final boolean[] few;
    /** per code index, the heap bytes its instruction charges on {@link #heap}; null when there is no such local */
    private final long[] charges;
    /** with {@link #charges}: per code index, whether an instruction starts there */
    private final boolean[] starts;
    /** with {@link #charges}: the largest of them (at least 1), the heap threshold's rate */
    private final long maxCharge;
    /** the arrays this method keeps out of the heap ({@link VirtualArrays}), null when none */
    final VirtualArrays arrays;
    /** the looping callees this method's direct calls may run inline ({@link LoopInliner}), null when inlining is off */
    final LoopInliner loops;
    /** the {@code double} locals of the counted loops' inner copies ({@link F64Locals}), or null when none */
    final F64Locals f64Locals;
    /** per register: its local slot, or -1 for a unit register (no storage) */
    final int[] slot;
    /** per register: LOp.WORD_CLASS, REF_CLASS or UNIT_CLASS */
    final int[] cls;
    /** per register: whether it is a decimal, held unboxed (mantissa at its slot, scale at slot + 2) */
    final boolean[] dec;
    /**
     * The types of all locals, the same at every point after the prologue (it gives every
     * local its one type), so every stack map frame is this plus a stack.
     */
    final Object[] locals;

    /**
     * Lays out the method's locals: the fixed ones ({@link JitCompiler#VM} to
     * {@link JitCompiler#FUEL}), then each register's by its type.
     *
     * @param view the program and tier
     * @param linking whether calls go through the tier's call sites
     * @param mv the method being generated
     * @param f its function
     * @param inline what may run inline or be kept in locals ({@link Inlining})
     */
    LocalsEmitter(CompileView view, boolean linking, MethodVisitor mv, int f, Inlining inline) {
        super(view, linking, mv, f, inline);
        int n = fn.regCount();
        slot = new int[n];
        cls = new int[n];
        dec = new boolean[n];
        int next = FIRST_REGISTER;
        List<Object> types = new java.util.ArrayList<>(List.of("dev/tape/vm/Vm", CTX, INTEGER, INTEGER, INTEGER,
                INTEGER, INTEGER, "[J", "[Ljava/lang/Object;", "[I", INTEGER, INTEGER, LONG, INTEGER, INTEGER, SITE_N,
                VALUES, VALUES, INTEGER, LONG));
        for (int i = 0; i < n; i++) {
            ValueType t = fn.regType(i);
            ValueKind k = t == null ? ValueKind.UNIT : t.kind();
            if (k == ValueKind.UNIT) {
                cls[i] = LOp.UNIT_CLASS;
                slot[i] = -1;
            } else if (Aggregate.isWord(k)) {
                cls[i] = LOp.WORD_CLASS;
                slot[i] = next;
                next += 2;
                types.add(LONG);
            } else if (k == ValueKind.DECIMAL) {
                cls[i] = LOp.REF_CLASS;
                dec[i] = true;
                slot[i] = next;
                next += 3;
                types.add(LONG);
                types.add(INTEGER);
            } else {
                cls[i] = LOp.REF_CLASS;
                slot[i] = next++;
                types.add(OBJECT);
            }
        }
        // the inlined leaves' registers: a long and an object local per register, shared by the sites
        leafLongs = next;
        for (int i = 0; i < leafRegs; i++) {
            types.add(LONG);
        }
        leafObjects = next + 2 * leafRegs;
        for (int i = 0; i < leafRegs; i++) {
            types.add(OBJECT);
        }
        charges = HeapLocal.charges(fn, cls);
        if (charges != null) {
            heap = leafObjects + leafRegs;
            types.add(LONG);
            types.add(LONG);
            starts = new boolean[charges.length];
            long most = 1;
            for (int s = 0; s < fn.instructionCount(); s++) {
                starts[fn.instructionStart(s)] = true;
                most = Math.max(most, charges[fn.instructionStart(s)]);
            }
            maxCharge = most;
        } else {
            starts = null;
            maxCharge = 0;
            heap = -1;
        }
        if (inline.aggregates()) {
            // after the heap room's two longs when the method has them
            structs = VirtualStructs.of(view, fn, code, entry, cls, dec, next + 3 * leafRegs + (heap >= 0 ? 4 : 0),
                    types);
        }
        arrays = inline.aggregates() ? VirtualArrays.of(view, fn, code, entry, cls, dec, types) : null;
        loops = inline.loops() ? new LoopInliner(view, fn, code, entry) : null;
        leafRoom = LeafRoom.slot(inline.any() && leafRegs > 0, types);
        closures = inline.any() && leafRegs > 0 && structs == null ? ClosureCache.of(fn, code, entry, types) : null;
        few = HostCount.fewCalls(fn, code, entry, view);
        hosts = HostCount.slot(few, types);
        f64Locals = F64Locals.of(fn, code, entry, inline.chunks(), types);
        locals = types.toArray();
    }

    /**
     * In the prologue: gives the inlined leaves' locals their types (zero and null), and the other
     * kept locals theirs: virtual structs and arrays, the closure cache, the f64 pool ({@link
     * F64Locals}).
     */
    void leafLocals() {
        for (int i = 0; i < leafRegs; i++) {
            mv.visitInsn(LCONST_0);
            mv.visitVarInsn(LSTORE, leafLongs + 2 * i);
            mv.visitInsn(ACONST_NULL);
            mv.visitVarInsn(ASTORE, leafObjects + i);
        }
        if (structs != null) {
            structs.init(mv);
        }
        if (arrays != null) {
            arrays.init(mv);
        }
        if (closures != null) {
            closures.init(mv);
        }
        if (f64Locals != null) {
            f64Locals.init(mv);
        }
    }

    /**
     * {@inheritDoc} The {@code struct.new} of a struct kept in locals ({@link VirtualStructs}).
     */
    @Override
    public boolean keepsStruct(int[] code, int g) {
        int v = structs == null ? -1 : structs.at(g - entry);
        if (v < 0) {
            return false;
        }
        int[] elements = new int[structs.fields[v]];
        for (int j = 0; j < elements.length; j++) {
            elements[j] = code[g + structs.firstElement(v) + j];
        }
        structs.build(this, v, elements, slot[code[g + 1]]);
        return true;
    }

    /** {@inheritDoc} A field of a struct kept in locals ({@link VirtualStructs}). */
    @Override
    public boolean keptGet(int[] code, int g, Runnable object) {
        int v = structs == null ? -1 : structs.of(code[g + 2]);
        int j = v < 0 ? -1 : structs.fieldOf(v, code, g);
        if (j < 0) {
            return false;
        }
        structs.get(this, v, j, code[g + 1], object);
        return true;
    }

    /** {@inheritDoc} The {@code array.new} of an array kept out of the heap ({@link VirtualArrays}). */
    @Override
    public boolean keepsArray(int[] code, int g) {
        int v = arrays == null ? -1 : arrays.at(g - entry);
        if (v < 0) {
            return false;
        }
        arrays.build(this, v, code, g, slot[code[g + 1]]);
        return true;
    }

    /** {@inheritDoc} A length or element of an array kept out of the heap ({@link VirtualArrays}). */
    @Override
    public boolean keptArrayRead(int[] code, int g, Runnable object) {
        int v = arrays == null ? -1 : arrays.of(code[g + 2]);
        return v >= 0 && arrays.read(this, v, code, g, object);
    }

    /** After {@link DeadAggregates}' clearing of register {@code reg}'s local: no struct kept in locals or array kept out of the heap either. */
    void cleared(int reg) {
        int v = structs == null ? -1 : structs.of(reg);
        if (v >= 0) {
            structs.stored(mv, v);
        }
        keptArrayStored(reg);
    }

    /** After a store of an object (or null) into register {@code reg}'s local: no array kept out of the heap there. */
    private void keptArrayStored(int reg) {
        int v = arrays == null ? -1 : arrays.of(reg);
        if (v >= 0) {
            arrays.stored(mv, v);
        }
    }

    /**
     * Pushes the three-way comparison (an int) of the fuel less {@code blockLen} with the heap
     * threshold (neither side overflows: the fuel is -1 or more and the threshold at most the fuel
     * it was computed from).
     */
    private void fuelOverThreshold(long blockLen) {
        mv.visitVarInsn(LLOAD, FUEL);
        mv.visitLdcInsn(blockLen);
        mv.visitInsn(LSUB);
        mv.visitVarInsn(LLOAD, heap + 2);
        mv.visitInsn(LCMP);
    }

    /** Sets the heap threshold local from the fuel and room locals ({@code JitRuntime.heapThreshold}). */
    private void threshold() {
        mv.visitVarInsn(LLOAD, FUEL);
        mv.visitVarInsn(LLOAD, heap);
        mv.visitLdcInsn(maxCharge);
        mv.visitMethodInsn(INVOKESTATIC, "dev/tape/vm/JitRuntime", "heapThreshold", "(JJJ)J", false);
        mv.visitVarInsn(LSTORE, heap + 2);
    }

    /**
     * The heap bytes one instruction charges on the heap room's local, for a counted loop's bound
     * ({@link CountedLoop}).
     *
     * @param i a code index of the function
     * @return the heap bytes the instruction starting at {@code i} charges on the heap room's local
     *     ({@link HeapLocal#charges}), 0 when it charges none or the method has no such local
     */
    final long heapCharge(int i) {
        return charges == null ? 0 : charges[i];
    }

    /**
     * The heap bytes the {@code blockLen} instructions from code index {@code i} charge on the
     * heap room's local ({@link HeapLocal}); 0 when the method has none.
     */
    private long blockBytes(int i, int blockLen) {
        if (charges == null) {
            return 0;
        }
        long sum = 0;
        int seen = 0;
        for (int j = i; j < charges.length && seen < blockLen; j++) {
            sum += charges[j];
            seen += starts[j] ? 1 : 0;
        }
        return sum;
    }

    /**
     * Charges a block's fuel at its start, from the {@link #FUEL} local, or hands over when
     * there is not enough (the hand-over handler writes the fuel left back to the context); in a
     * method that keeps the heap room in a local ({@link HeapLocal}), a block that allocates
     * tests the fuel left after it against the heap threshold instead, which covers the room for
     * its charges too, and computes the threshold again once before it hands over; a block with
     * one-to-three-word host calls tests it against the host-call threshold ({@link HostCount}),
     * which covers the room under the host-call limit for its calls, first.
     */
    void fuelCheck(int i, int blockLen) {
        fuelCheck(i, blockLen, 0);
    }

    /**
     * {@link #fuelCheck(int, int)}, whose test, when the block makes no one-to-three-word host
     * call ({@link #noFewHostCalls}), also covers {@code cover} more: the fuel of the successors it
     * covers ({@link FuelCover}), which then charge theirs with no test, and of an inlined leaf and
     * the block after it ({@link CallCover}); in a block that allocates against the heap room local
     * the test is {@code fuel - (len + cover) >= threshold}. Only the block's own length is charged.
     */
    void fuelCheck(int i, int blockLen, long cover) {
        fuelCheck(i, blockLen, cover, new Label());
    }

    /**
     * {@link #fuelCheck(int, int, long)} with the label {@code ok} visited where the test has
     * passed and the block's charge starts: an inlined leaf's path that the block before it covered
     * ({@link CallCover}) jumps there, past the test. A block with one-to-three-word host calls
     * must have no {@code cover} (its test is the host-call threshold's).
     *
     * @param ok a label not yet visited
     */
    void fuelCheck(int i, int blockLen, long cover, Label ok) {
        long bytes = blockBytes(i, blockLen);
        if (few != null && HostCount.inBlock(fn, few, i, blockLen) > 0) {
            // fuel - len >= the host-call threshold: the fuel, and the room for this block's calls
            Label pass = new Label();
            HostCount.test(mv, hosts, blockLen, pass);
            handover(SELF, i, BASE, false);
            mv.visitLabel(pass);
            frame();
            if (bytes == 0) {
                charge(blockLen);
                return;
            }
        }
        if (bytes > 0) {
            // fuel - (len + cover) >= threshold: the fuel, the covered fuel (the threshold is 0 or
            // more, or the fuel itself when a local is not current, which fails), and the room for
            // this block's charges (HeapLocal)
            fuelOverThreshold(blockLen + cover);
            mv.visitJumpInsn(IFGE, ok);
            threshold();
            fuelOverThreshold(blockLen + cover);
        } else {
            mv.visitVarInsn(LLOAD, FUEL);
            mv.visitLdcInsn(blockLen + cover);
            mv.visitInsn(LCMP);
        }
        mv.visitJumpInsn(IFGE, ok);
        handover(SELF, i, BASE, false);
        mv.visitLabel(ok);
        frame();
        charge(blockLen);
    }

    /**
     * @return whether the block at code index {@code i} ({@code blockLen} instructions) tests its
     *     fuel alone: it makes no one-to-three-word host call ({@link HostCount}) and allocates
     *     nothing charged against a heap room local ({@link HeapLocal}), so its test is one
     *     compare of the {@link #FUEL} local with a constant
     */
    final boolean plainFuel(int i, int blockLen) {
        return (few == null || HostCount.inBlock(fn, few, i, blockLen) == 0) && blockBytes(i, blockLen) == 0;
    }

    /**
     * @return whether the block at code index {@code i} ({@code blockLen} instructions) makes no
     *     one-to-three-word host call ({@link HostCount}), so its test is the fuel's, or the fuel's
     *     against the heap threshold ({@link HeapLocal}), and can cover more fuel
     */
    final boolean noFewHostCalls(int i, int blockLen) {
        return few == null || HostCount.inBlock(fn, few, i, blockLen) == 0;
    }

    /**
     * Whether the instruction at a code index is a host call of a one-to-three-word function, which
     * {@link CountedLoop} may make inside a chunk.
     *
     * @param i a code index of the method's function
     * @return whether a one-to-three-word host call ({@link HostCount}) starts at {@code i}
     */
    final boolean fewHostCall(int i) {
        return few != null && few[i];
    }

    /** Takes a block's fuel from the {@link #FUEL} local (its test has passed, or cannot fail: {@link CountedLoop}). */
    final void charge(int blockLen) {
        mv.visitVarInsn(LLOAD, FUEL);
        mv.visitLdcInsn((long) blockLen);
        mv.visitInsn(LSUB);
        mv.visitVarInsn(LSTORE, FUEL);
    }

    /**
     * Reads the context's fuel into the {@link #FUEL} local (at entry and after a call-out), and
     * the heap room, when the method keeps it in a local ({@link HeapLocal}): the limit less the
     * context's count (negative, so never enough for a block that allocates, should the count be
     * over the limit).
     */
    @Override
    void fuelIn() {
        mv.visitVarInsn(ALOAD, C);
        mv.visitFieldInsn(GETFIELD, CTX, "fuel", "J");
        mv.visitVarInsn(LSTORE, FUEL);
        HostCount.reset(mv, hosts);
        if (leafRoom >= 0) {
            LeafRoom.refresh(mv, leafRoom, fn.regCount());
        }
        if (heap >= 0) {
            limit();
            mv.visitVarInsn(ALOAD, C);
            mv.visitFieldInsn(GETFIELD, CTX, "heapBytes", "J");
            mv.visitInsn(LSUB);
            mv.visitVarInsn(LSTORE, heap);
            threshold();
        }
    }

    /** Pushes the run's heap limit (a long). */
    private void limit() {
        mv.visitVarInsn(ALOAD, C);
        mv.visitFieldInsn(GETFIELD, CTX, "limits", "Ldev/tape/vm/Limits;");
        mv.visitMethodInsn(INVOKEVIRTUAL, "dev/tape/vm/Limits", "maxHeapBytes", "()J", false);
    }

    /**
     * When the method keeps the heap room in a local ({@link HeapLocal}) that is not
     * {@link HeapLocal#IN_CONTEXT}: writes the count it stands for (the limit less the room) to the
     * context and, unless {@code keep}, marks the local {@code IN_CONTEXT}. The operand stack holds
     * {@code stack} (its types, for the frame after the test).
     */
    private void heapOutWith(boolean keep, Object... stack) {
        if (heap < 0) {
            return;
        }
        Label done = new Label();
        mv.visitVarInsn(LLOAD, heap);
        mv.visitInsn(LCONST_0);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFLT, done);
        mv.visitVarInsn(ALOAD, C);
        limit();
        mv.visitVarInsn(LLOAD, heap);
        mv.visitInsn(LSUB);
        mv.visitFieldInsn(PUTFIELD, CTX, "heapBytes", "J");
        if (!keep) {
            mv.visitLdcInsn(HeapLocal.IN_CONTEXT);
            mv.visitVarInsn(LSTORE, heap);
        }
        mv.visitLabel(done);
        frame(stack);
    }

    @Override
    void countHost() {
        HostCount.count(mv, hosts);
    }

    @Override
    void heapOut(boolean keep) {
        heapOutWith(keep);
    }

    /**
     * When the method keeps the heap room in a local: takes an aggregate's charge from it (the
     * block's start has checked that the room covers every charge of the block) and returns true.
     */
    @Override
    public boolean chargeAggregate(int n, boolean refs) {
        if (heap < 0) {
            return false;
        }
        mv.visitVarInsn(LLOAD, heap);
        mv.visitLdcInsn(HeapLocal.bytes(n, refs));
        mv.visitInsn(LSUB);
        mv.visitVarInsn(LSTORE, heap);
        return true;
    }

    @Override
    void fuelOut(boolean callOut) {
        heapOutWith(false);
        HostCount.flush(mv, hosts);
        fuelStore(callOut);
    }

    /** {@link #fuelOut}'s fuel part. */
    private void fuelStore(boolean callOut) {
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(LLOAD, FUEL);
        mv.visitFieldInsn(PUTFIELD, CTX, "fuel", "J");
        if (callOut) {
            mv.visitLdcInsn(FUEL_IN_CONTEXT);
            mv.visitVarInsn(LSTORE, FUEL);
        }
    }

    /**
     * In a handler: writes the {@link #FUEL} local back to the context unless a call-out was
     * running ({@link #FUEL_IN_CONTEXT}: the context's value is the current one, maybe set by
     * a callee). {@code caught} is the handler's exception type, on the stack.
     */
    void fuelBack(String caught) {
        heapOutWith(false, caught);
        HostCount.flush(mv, hosts);
        Label done = new Label();
        mv.visitVarInsn(LLOAD, FUEL);
        mv.visitInsn(LCONST_0);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFLT, done);
        fuelStore(false);
        mv.visitLabel(done);
        frame(caught);
    }

    @Override
    void push(int v) {
        pushTo(mv, v);
    }

    @Override
    void index(int reg) {
        mv.visitVarInsn(ILOAD, BASE);
        if (reg != 0) {
            push(reg);
            mv.visitInsn(IADD);
        }
    }

    @Override
    public int regClass(int reg) {
        return cls[reg];
    }

    @Override
    public void loadW(int reg) {
        mv.visitVarInsn(LLOAD, slot[reg]);
    }

    @Override
    public void storeW(int reg) {
        mv.visitVarInsn(LSTORE, slot[reg]);
    }

    /** {@inheritDoc} A decimal register is boxed (null when it holds no value). */
    @Override
    public void loadR(int reg) {
        if (dec[reg]) {
            loadDecimal(reg);
            mv.visitMethodInsn(INVOKESTATIC, NUMERICS, "decBox", "(JI)Ldev/tape/value/Value$Decimal;", false);
            return;
        }
        int v = structs == null ? -1 : structs.of(reg);
        if (v >= 0) {
            structs.load(this, v, slot[reg]); // materialised first when it is kept in locals
            return;
        }
        int a = arrays == null ? -1 : arrays.of(reg);
        if (a >= 0) {
            arrays.load(this, a, slot[reg]); // materialised first when it is kept out of the heap
            return;
        }
        mv.visitVarInsn(ALOAD, slot[reg]);
    }

    /** {@inheritDoc} Into a decimal register, the decimal (or null) is unboxed. */
    @Override
    public void storeR(int reg) {
        if (dec[reg]) {
            mv.visitInsn(DUP);
            mv.visitMethodInsn(INVOKESTATIC, NUMERICS, "decScale", "(Ljava/lang/Object;)I", false);
            mv.visitVarInsn(ISTORE, slot[reg] + 2);
            mv.visitMethodInsn(INVOKESTATIC, NUMERICS, "decMantissa", "(Ljava/lang/Object;)J", false);
            mv.visitVarInsn(LSTORE, slot[reg]);
            return;
        }
        mv.visitVarInsn(ASTORE, slot[reg]);
        int v = structs == null ? -1 : structs.of(reg);
        if (v >= 0) {
            structs.stored(mv, v); // an object: no struct kept in locals
        }
        keptArrayStored(reg);
    }

    @Override
    public boolean isDecimal(int reg) {
        return reg >= 0 && reg < dec.length && dec[reg];
    }

    @Override
    public void loadDecimal(int reg) {
        mv.visitVarInsn(LLOAD, slot[reg]);
        mv.visitVarInsn(ILOAD, slot[reg] + 2);
    }

    @Override
    public void loadScale(int reg) {
        mv.visitVarInsn(ILOAD, slot[reg] + 2);
    }

    @Override
    public void loadMantissa(int reg) {
        mv.visitVarInsn(LLOAD, slot[reg]);
    }

    @Override
    public void storeDecimal(int reg) {
        mv.visitVarInsn(ISTORE, slot[reg] + 2);
        mv.visitVarInsn(LSTORE, slot[reg]);
    }

    @Override
    public void loadContext() {
        mv.visitVarInsn(ALOAD, C);
    }

    @Override
    public boolean hasLocal(int reg) {
        return reg >= 0 && reg < slot.length && slot[reg] >= 0;
    }

    /** Writes a register's local to the register file (nothing for a unit register). */
    @Override
    void spill(int reg) {
        if (reg < 0 || reg >= slot.length || slot[reg] < 0) {
            return;
        }
        if (cls[reg] == LOp.WORD_CLASS) {
            mv.visitVarInsn(ALOAD, W);
            index(reg);
            loadW(reg);
            mv.visitInsn(LASTORE);
        } else {
            mv.visitVarInsn(ALOAD, R);
            index(reg);
            loadR(reg);
            mv.visitInsn(AASTORE);
        }
    }

    /** Reads a register's local back from the register file (nothing for a unit register). */
    @Override
    void reload(int reg) {
        if (slot[reg] < 0) {
            return;
        }
        if (cls[reg] == LOp.WORD_CLASS) {
            mv.visitVarInsn(ALOAD, W);
            index(reg);
            mv.visitInsn(LALOAD);
            storeW(reg);
        } else {
            mv.visitVarInsn(ALOAD, R);
            index(reg);
            mv.visitInsn(AALOAD);
            storeR(reg);
        }
    }

    @Override
    void reloadFiles() {
        mv.visitVarInsn(ALOAD, C);
        mv.visitFieldInsn(GETFIELD, CTX, "w", "[J");
        mv.visitVarInsn(ASTORE, W);
        mv.visitVarInsn(ALOAD, C);
        mv.visitFieldInsn(GETFIELD, CTX, "r", "[Ljava/lang/Object;");
        mv.visitVarInsn(ASTORE, R);
    }
}
