package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.verify.internal.LOp;
import dev.tape.vm.internal.CompileView;

import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;

import static dev.tape.jit.JitCompiler.ARGS;
import static dev.tape.jit.JitCompiler.BASE;
import static dev.tape.jit.JitCompiler.C;
import static dev.tape.jit.JitCompiler.CALLEE;
import static dev.tape.jit.JitCompiler.CTX;
import static dev.tape.jit.JitCompiler.DEPTH;
import static dev.tape.jit.JitCompiler.DESC;
import static dev.tape.jit.JitCompiler.FUEL;
import static dev.tape.jit.JitCompiler.FUNC;
import static dev.tape.jit.JitCompiler.IP;
import static dev.tape.jit.JitCompiler.NB;
import static dev.tape.jit.JitCompiler.REFUND;
import static dev.tape.jit.JitCompiler.RESULTS;
import static dev.tape.jit.JitCompiler.RESUME;
import static dev.tape.jit.JitCompiler.RT;
import static dev.tape.jit.JitCompiler.SELF;
import static dev.tape.jit.JitCompiler.SITE;
import static dev.tape.jit.JitCompiler.TMP;
import static dev.tape.jit.JitCompiler.UNWIND;
import static org.objectweb.asm.Opcodes.ACC_STATIC;
import static org.objectweb.asm.Opcodes.ACC_SYNTHETIC;
import static org.objectweb.asm.Opcodes.ACONST_NULL;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.ASTORE;
import static org.objectweb.asm.Opcodes.ATHROW;
import static org.objectweb.asm.Opcodes.F_NEW;
import static org.objectweb.asm.Opcodes.ICONST_0;
import static org.objectweb.asm.Opcodes.ICONST_M1;
import static org.objectweb.asm.Opcodes.IFGE;
import static org.objectweb.asm.Opcodes.IFLT;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.ISTORE;
import static org.objectweb.asm.Opcodes.LCMP;
import static org.objectweb.asm.Opcodes.LCONST_0;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LSTORE;

/**
 * One function's method. Registers live in JVM locals while the method runs (a word register in
 * a {@code long} local, a reference register in an {@code Object} local, a register the verifier
 * types as decimal unboxed in a {@code long} mantissa and an {@code int} scale, -1 while it holds
 * no value), so C2 keeps them in machine registers, storing a new object into one costs no GC
 * write barrier and decimal arithmetic allocates nothing. A decimal register is boxed
 * ({@code Numerics.decBox}) wherever its value leaves the locals ({@link #loadR}) and unboxed
 * wherever one comes in ({@link #storeR}); {@link InlineOps} runs the decimal instructions on
 * the pair. They go to the
 * context's register files only where the interpreter's state must be exact: arguments for a
 * callee, the operands of an instruction left to {@code Ops.slow}, the entry frame's results,
 * and, through a handler for {@code JitRuntime.Unwind}, every register when the run is handed
 * to the interpreter (the handler also runs in each caller's frame as the unwinding passes it).
 *
 * <p>This class is the method's shape: its prologue, its blocks in order (twice from the first
 * loop header when its loops are peeled, {@link LoopPeel}), its trap and hand-over handlers, its
 * resumed entry and its size limit; {@link InstructionEmitter} emits the instructions.
 */
final class MethodEmitter extends InstructionEmitter {
    /** the size, in bytes of bytecode, past which generation stops ({@link JitCompiler.TooLarge}) */
    private final int limit;
    private final Label end = new Label();
    /** the bytecode offset of the last frame declared */
    private int lastFrame = -1;
    /** per code index: whether the method can be resumed there (a reachable block start), set by emit */
    boolean[] points;
    /** whether loops with calls are peeled ({@link LoopPeel}); the instructions emitted so far */
    final boolean peelLoops;
    /** whether some block start clears a dead aggregate register ({@link DeadAggregates}), set by emit */
    boolean cleared;
    private int emitted;
    /**
     * the loops whose trips run in chunks ({@link CountedLoop}), in code order, or null when none;
     * their ranges are disjoint
     */
    java.util.List<CountedLoop.Plan> counted;
    /** per code index, the counted loop whose head block starts there, or null; null when none */
    private CountedLoop.Plan[] countedAt;
    /** the fuel tests that cover their successors' ({@link FuelCover}), or null when none */
    private FuelCover cover;
    /**
     * per code index of a covered block that can be resumed, the label of its resumed entry (a stub
     * with the block's own fuel test, then a jump to the block); null elsewhere
     */
    private Label[] resumeAt;
    /**
     * the code index of the block after a call whose block's test covered it ({@link CallCover}),
     * emitted next with {@link #coveredNext} past its test; -1 when none
     */
    private int coveredBlock = -1;

    /**
     * @param view the program and tier
     * @param linking whether calls go through the tier's call sites (false when only measuring)
     * @param cw the class writer the method is added to
     * @param f the function
     * @param limit the size, in bytes of bytecode, past which generation stops
     * @param inline what may run inline or be kept in locals ({@link Inlining})
     * @param imageLocals whether the prologue reads the code image's locals ({@link ImageReads})
     * @param peelLoops whether loops with calls are peeled ({@link LoopPeel})
     * @param params the word argument registers the method takes as {@code long} parameters before
     *     {@link JitCompiler#DESC}'s, packed ({@link WordParams#desc}), or null for {@code DESC}
     */
    MethodEmitter(CompileView view, boolean linking, ClassWriter cw, int f, int limit, Inlining inline,
            boolean imageLocals, boolean peelLoops, int[] params) {
        super(view, linking, cw.visitMethod(ACC_STATIC | ACC_SYNTHETIC, "f" + f,
                params == null ? DESC : WordParams.desc(params.length), null, null), f, inline, imageLocals);
        this.wordParams = params;
        this.limit = limit;
        this.peelLoops = peelLoops;
    }

    /**
     * Declares the stack map frame at the label just visited: the fixed locals and this stack
     * (the class writer computes no frames: with one type per local, they are known).
     */
    @Override
    void frame(Object... stack) {
        // two labels at one offset (a host call's last label and the next block's) get one frame
        Label here = new Label();
        mv.visitLabel(here);
        if (here.getOffset() == lastFrame) {
            return;
        }
        lastFrame = here.getOffset();
        mv.visitFrame(F_NEW, locals.length, locals, stack.length, stack);
    }

    private void leader(int i) {
        if (i < labels.length && labels[i] == null) {
            labels[i] = new Label();
        }
    }

    /**
     * Emits the method.
     *
     * @return its size in bytes of bytecode
     */
    int emit() {
        int len = fn.code().length;
        leader(0);
        // whether the method makes direct calls (their frame records are written lazily)
        boolean calls = false;
        for (int i = 0; i < len; i = next(i)) {
            int g = entry + i;
            calls |= code[g] == Op.CALL;
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
                case Op.RET, Op.TRAP, LOp.NO_CODE, Op.CALL, LOp.CALL_INDIRECT_FUNC, LOp.CALL_INDIRECT_CLOSURE
                        -> leader(next(i));
                case Op.HOST_CALL -> {
                    if (!fewWordHost(g)) {
                        leader(next(i));
                    }
                }
                default -> {
                }
            }
        }
        boolean[] reachable = BlockFlow.reachable(code, entry, fn.pcOf(), labels);
        boolean[] entrances = view.entrances(f);
        int[][] clear = deadAggregates(reachable);
        cleared = clear != null;
        points = new boolean[len];
        mv.visitCode();
        if (wordParams != null) {
            // the word arguments come first (slots 0 to 2k - 1), then DESC's seven, packed: each to its local
            int k = wordParams.length;
            WordParams.unpack(mv, k);
            for (int p = RESUME; p >= 0; p--) {
                mv.visitVarInsn(p < 2 ? ASTORE : ISTORE, p);
            }
            for (int j = k - 1; j >= 0; j--) {
                mv.visitVarInsn(LSTORE, slot[wordParams[j]]);
            }
        }
        reloadFiles();
        ImageReads.prologue(mv, imageLocals);
        // every local gets its one type here (the stack map frames rely on it)
        for (int local : new int[] {IP, REFUND, NB, CALLEE}) {
            mv.visitInsn(ICONST_0);
            mv.visitVarInsn(ISTORE, local);
        }
        mv.visitInsn(LCONST_0);
        mv.visitVarInsn(LSTORE, TMP);
        fuelIn();
        publishOnce();
        for (int local : new int[] {SITE, ARGS, RESULTS}) {
            mv.visitInsn(ACONST_NULL);
            mv.visitVarInsn(ASTORE, local);
        }
        // arguments (r1..rN) from the register files, every other register zero or null (each
        // local gets its type); then a resumed frame reads those that any instruction may read
        for (int reg = 0; reg < slot.length; reg++) {
            if (slot[reg] < 0) {
                continue;
            }
            if (reg >= 1 && reg <= fn.argCount()) {
                if (wordParams == null || cls[reg] != LOp.WORD_CLASS) {
                    reload(reg);
                }
            } else if (cls[reg] == LOp.WORD_CLASS) {
                mv.visitInsn(LCONST_0);
                mv.visitVarInsn(LSTORE, slot[reg]);
            } else if (dec[reg]) {
                mv.visitInsn(LCONST_0);
                mv.visitVarInsn(LSTORE, slot[reg]);
                mv.visitInsn(ICONST_M1);
                mv.visitVarInsn(ISTORE, slot[reg] + 2);
            } else {
                mv.visitInsn(ACONST_NULL);
                mv.visitVarInsn(ASTORE, slot[reg]);
            }
        }
        leafLocals();
        Label fresh = new Label();
        mv.visitVarInsn(ILOAD, RESUME);
        mv.visitJumpInsn(IFLT, fresh);
        boolean[] read = view.mayRead(f);
        for (int reg = 0; reg < slot.length; reg++) {
            if (read[reg] && !(reg >= 1 && reg <= fn.argCount())) {
                reload(reg);
            }
        }
        mv.visitLabel(fresh);
        frame();
        Label tryStart = new Label();
        Label tryEnd = new Label();
        Label trapHandler = new Label();
        Label unwindHandler = new Label();
        Label resumed = new Label();
        // a paused frame goes on at a block start (JitResume)
        mv.visitVarInsn(ILOAD, RESUME);
        mv.visitJumpInsn(IFGE, resumed);
        mv.visitTryCatchBlock(tryStart, tryEnd, trapHandler, "dev/tape/vm/VmTrap");
        mv.visitTryCatchBlock(tryStart, tryEnd, unwindHandler, "dev/tape/vm/JitRuntime$Unwind");
        mv.visitTryCatchBlock(tryStart, tryEnd, trapHandler, "java/lang/OutOfMemoryError");
        mv.visitLabel(tryStart);
        peel = peelLoops && leafRoom >= 0 ? LoopPeel.of(code, entry, fn.pcOf(), labels, reachable) : null;
        counted = inlining.chunks() ? CountedLoop.of(this, reachable, clear) : null;
        if (counted != null) {
            countedAt = new CountedLoop.Plan[len];
            for (CountedLoop.Plan p : counted) {
                countedAt[p.head()] = p;
            }
        }
        cover = peel == null && counted == null ? FuelCover.of(this, reachable, clear) : null;
        resumeAt = new Label[len];
        blocks(0, reachable, entrances, clear);
        if (peel != null && peel.startSteady(this)) {
            blocks(peel.from, reachable, entrances, clear);
        }
        if (counted != null) {
            for (CountedLoop.Plan p : counted) {
                inner(p, clear);
                if (size() > limit) {
                    throw JitCompiler.TooLarge.INSTANCE;
                }
            }
        }
        resumeStubs();
        mv.visitLabel(tryEnd);
        handlers(trapHandler, unwindHandler, calls);
        resumeSwitch(resumed);
        mv.visitLabel(end);
        mv.visitMaxs(0, 0);
        mv.visitEnd();
        if (end.getOffset() > limit) {
            throw JitCompiler.TooLarge.INSTANCE;
        }
        return end.getOffset();
    }

    /**
     * Emits the reachable blocks from code index {@code from} on (all of them, or a
     * {@link LoopPeel}'s steady copy), each at its label of the copy being emitted.
     */
    private void blocks(int from, boolean[] reachable, boolean[] entrances, int[][] clear) {
        int len = labels.length;
        coveredBlock = -1;
        coveredCall = -1;
        int blockLen = 0;
        int k = 0;
        boolean live = true;
        for (int i = from; i < len; i = next(i)) {
            if (labels[i] != null) {
                // the verifier types reachable code only: unreachable blocks are not emitted
                live = reachable[i];
            }
            if (!live) {
                continue;
            }
            if (labels[i] != null) {
                mv.visitLabel(peel == null ? labels[i] : peel.block(labels, i));
                frame();
                blockLen = blockLength(i);
                points[i] = entrances[i];
                if (countedAt != null && countedAt[i] != null) {
                    CountedLoop.preamble(this, countedAt[i]);
                }
                clearDead(clear == null ? null : clear[i]);
                if (cover != null && cover.covered[i]) {
                    // its only predecessor's test covered it; a resumed frame enters through a stub
                    charge(blockLen);
                    if (points[i]) {
                        resumeAt[i] = new Label();
                    }
                } else if (i == coveredBlock) {
                    // the block before it covered its test: its inlined leaf's path goes on past it
                    fuelCheck(i, blockLen, cover == null ? 0 : cover.cover[i], coveredNext);
                    coveredBlock = -1;
                } else {
                    long own = cover == null ? 0 : cover.cover[i];
                    // not in methods that run loops in chunks: their outer copy runs only a chunk's
                    // leftovers, and C2 compiled call_loop's chunk 2.6 times slower with the cover
                    long more = counted != null ? 0 : CallCover.of(this, i, blockLen, reachable, clear, cover);
                    if (more > 0) {
                        int last = lastOf(i);
                        coveredBlock = next(last);
                        coveredNext = new Label();
                        coveredCall = entry + last;
                    }
                    fuelCheck(i, blockLen, own + more);
                }
                k = 0;
                if (peel != null) {
                    peel.block(this, i);
                }
            }
            instruction(i, blockLen - k - 1);
            k++;
            if ((++emitted & 63) == 0 && size() > limit) {
                throw JitCompiler.TooLarge.INSTANCE;
            }
        }
    }

    /**
     * A {@link CountedLoop}'s inner copy: the loop's blocks from its head to its latch, each
     * block's dead registers cleared and its length charged with no fuel test, the leaves' bodies
     * with no guard, the latch's compare writing 1 and its br counting the chunk down; the f64
     * registers of its double operations in {@code double} locals ({@link F64Locals}), set at the
     * entry and written back when the chunk leaves.
     */
    private void inner(CountedLoop.Plan p, int[][] clear) {
        mv.visitLabel(p.inner());
        frame();
        F64Locals.Trip trip = new F64Locals.Trip(this, p);
        trip.enter();
        mv.visitLabel(p.body());
        frame();
        Label back = peel == null ? labels[p.head()] : peel.head(labels, p.head());
        int blockLen = 0;
        int k = 0;
        int segment = p.head();
        for (int i = p.head(); i <= p.latch(); i = next(i)) {
            int g = entry + i;
            if (labels[i] != null) {
                blockLen = 1;
                for (int j = next(i); j < labels.length && labels[j] == null; j = next(j)) {
                    blockLen++;
                }
                clearDead(clear == null ? null : clear[i]);
                if (!p.once()) {
                    charge(blockLen); // else the preamble charged the chunk's trips at once
                }
                k = 0;
            }
            if (i >= segment && i != p.compare() && i != p.latch()) {
                segment = trip.segmentEnd(p, i);
                if (segment > i) {
                    trip.segment(i, segment);
                }
            }
            if (i < segment) {
                // in a segment emitted at its start
            } else if (i == p.compare()) {
                CountedLoop.compareHolds(this, p);
            } else if (i == p.latch()) {
                CountedLoop.latch(this, p, trip, back);
            } else if (trip.instruction(g)) {
                // a double operation on the f64 registers' double locals
            } else if (LOp.plain(code[g]) == Op.CALL) {
                LeafInliner.inner(this, leaves.get(code[g + 1]), g, !p.once());
                trip.wrote(g);
            } else if (i == p.add()) {
                // the index's add: the preamble added the chunk's m steps at once
            } else {
                instruction(i, blockLen - k - 1);
                trip.wrote(g);
            }
            k++;
        }
    }

    /**
     * The resumed entries of covered blocks ({@link #resumeAt}), in the handlers' range: each
     * tests the block's own fuel, hands over at its start when short, else jumps to it.
     */
    private void resumeStubs() {
        for (int i = 0; i < resumeAt.length; i++) {
            if (resumeAt[i] == null) {
                continue;
            }
            mv.visitLabel(resumeAt[i]);
            frame();
            int blockLen = 1;
            for (int j = next(i); j < labels.length && labels[j] == null; j = next(j)) {
                blockLen++;
            }
            mv.visitVarInsn(LLOAD, FUEL);
            mv.visitLdcInsn((long) blockLen);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFGE, labels[i]);
            handover(SELF, i, BASE, false);
        }
    }

    /** Sets the locals of registers {@code regs} (reference registers, or null: none) to null. */
    private void clearDead(int[] regs) {
        if (regs != null) {
            for (int reg : regs) {
                mv.visitInsn(ACONST_NULL);
                mv.visitVarInsn(ASTORE, slot[reg]);
                cleared(reg);
            }
        }
    }

    /**
     * The method's trap handler and hand-over handler, at their labels; {@code calls}: whether
     * the method makes direct calls (the hand-over handler writes their lazy frame records).
     */
    private void handlers(Label trapHandler, Label unwindHandler, boolean calls) {
        // a trap (or an OutOfMemoryError, which traps too): record where, give back the block's
        // unrun fuel, unwind (registers are not needed)
        mv.visitLabel(trapHandler);
        frame("java/lang/Throwable");
        fuelBack("java/lang/Throwable");
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(ILOAD, FUNC);
        mv.visitVarInsn(ILOAD, IP);
        mv.visitVarInsn(ILOAD, BASE);
        mv.visitVarInsn(ILOAD, DEPTH);
        mv.visitVarInsn(ILOAD, REFUND);
        mv.visitMethodInsn(INVOKESTATIC, RT, "trapped", "(Ljava/lang/Throwable;L" + CTX + ";IIIII)" + UNWIND,
                false);
        mv.visitInsn(ATHROW);
        // a hand-over (here or in a callee): the interpreter will run this frame, so it gets the registers
        mv.visitLabel(unwindHandler);
        frame("dev/tape/vm/JitRuntime$Unwind");
        fuelBack("dev/tape/vm/JitRuntime$Unwind");
        if (calls) {
            // stopped in a callee: this frame's record of its pending call (a direct call
            // writes none)
            mv.visitVarInsn(ALOAD, C);
            ImageReads.code(mv);
            mv.visitVarInsn(ILOAD, DEPTH);
            mv.visitVarInsn(ILOAD, BASE);
            push(fn.regCount());
            ImageReads.entry(mv);
            mv.visitVarInsn(ILOAD, IP);
            mv.visitMethodInsn(INVOKESTATIC, RT, "pending", "(L" + CTX + ";[IIIIII)V", false);
        }
        reloadFiles();
        for (int reg = 0; reg < slot.length; reg++) {
            spill(reg);
        }
        mv.visitInsn(ATHROW);
    }

    /** {@link DeadAggregates} of this function: per code index, the registers its block clears. */
    private int[][] deadAggregates(boolean[] reachable) {
        if (!inlining.clears()) {
            return null;
        }
        int len = labels.length;
        boolean[] starts = new boolean[len];
        boolean[] blocks = new boolean[len];
        int leaders = 0;
        for (int i = 0; i < len; i++) {
            starts[i] = isStart(i);
            blocks[i] = labels[i] != null && reachable[i];
            leaders += labels[i] != null ? 1 : 0;
        }
        return DeadAggregates.of(view, f, code, entry, starts, blocks, cls, dec, leaders);
    }

    /** @return the bytes of bytecode emitted so far */
    private int size() {
        Label here = new Label();
        mv.visitLabel(here);
        return here.getOffset();
    }

    /**
     * The resumed entry (outside the handlers' range; the prologue has read the registers from
     * the register files): a jump to the block the {@code resume} argument names; any other
     * value throws (callers check {@link #points} first).
     */
    private void resumeSwitch(Label resumed) {
        mv.visitLabel(resumed);
        frame();
        int n = 0;
        for (boolean p : points) {
            n += p ? 1 : 0;
        }
        int[] keys = new int[n];
        Label[] targets = new Label[n];
        n = 0;
        for (int i = 0; i < points.length; i++) {
            if (points[i]) {
                keys[n] = i;
                targets[n++] = resumeAt[i] != null ? resumeAt[i] : labels[i];
            }
        }
        Label bad = new Label();
        mv.visitVarInsn(ILOAD, RESUME);
        mv.visitLookupSwitchInsn(bad, keys, targets);
        mv.visitLabel(bad);
        frame();
        mv.visitVarInsn(ILOAD, RESUME);
        mv.visitMethodInsn(INVOKESTATIC, RT, "badResume", "(I)Ljava/lang/IllegalStateException;", false);
        mv.visitInsn(ATHROW);
    }
}
