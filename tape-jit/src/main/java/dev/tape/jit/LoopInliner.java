package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.verify.internal.CodeImage;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import dev.tape.vm.internal.CompileView;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

import java.util.ArrayDeque;

import static dev.tape.jit.JitCompiler.FUEL;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.GOTO;
import static org.objectweb.asm.Opcodes.IFEQ;
import static org.objectweb.asm.Opcodes.IFGE;
import static org.objectweb.asm.Opcodes.IFLT;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.L2I;
import static org.objectweb.asm.Opcodes.LADD;
import static org.objectweb.asm.Opcodes.LALOAD;
import static org.objectweb.asm.Opcodes.LCMP;
import static org.objectweb.asm.Opcodes.LCONST_0;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LSTORE;

/**
 * Runs a direct {@code call} of a small function that loops over an array its caller keeps out of
 * the heap ({@link VirtualArrays}) inside the caller's method, speculatively: the callee's body in
 * JVM locals of the caller, reading the caller's scratch elements, with no frame, no aggregate
 * and no register-file traffic; whenever the body meets anything it cannot finish exactly it
 * abandons its work and the call takes its real path from the start, which then does exactly what
 * the interpreter does (the aggregate is made, the callee's frame entered, and any trap, pause or
 * hand-over happens there, at its pc).
 *
 * <p><b>Which callees</b> ({@link #of}): what {@link LeafInliner} admits for a leaf but f64
 * arithmetic (integer and f64 compares, plain or fused with their {@code br}, are admitted; f64
 * {@code add}/{@code sub}/{@code mul}/{@code div} are not), with backward branches allowed and
 * without aggregate reads but these: {@code array.len} and word {@code array.get}s (register or
 * immediate index) of a reference argument. At most
 * {@link #MAX_INSTRUCTIONS} instructions and {@link #MAX_REGISTERS} registers (one local more
 * keeps the fuel at entry); its reference registers are its arguments, none a decimal, and none is
 * ever written. No instruction calls, allocates or reads the context; only the array reads and
 * {@code u64.to_i64}/{@code i64.to_u64} (when the sign bit is set) can trap, and where they
 * would the body is abandoned.
 *
 * <p><b>Which call sites</b> ({@link #inlinable}): each reference argument is an array the caller
 * keeps out of the heap, every read of it in the callee matches that array's element count and tags
 * (known when compiling: an immediate index within the count and of the read's tag, a register
 * index read only where every element has the read's tag), the results are word or unit registers,
 * the arguments and results are within the copy budget's free values, and the callee has compiled.
 *
 * <p><b>Exactness.</b> The body is pure: it writes only the leaf locals and the fuel local, so
 * abandoning it leaves the caller's state as it was before the call, but for the fuel, which the
 * site saves in a local and puts back. The guard is {@link LeafInliner}'s room test (depth, register
 * mark, record room: {@link LeafRoom#test}, which raises the register mark only where the real call
 * raises it) and each kept array's flag (1: its elements are in the scratch array; 0, after a
 * resume, the array is an object and the real call passes it). In a {@link LoopPeel}'s steady copy
 * the room test is the plain compare ({@link LeafRoom#fits}), and a short room jumps to the same
 * site in the first copy, which makes it (before the jump the site has written nothing), as
 * {@link LeafInliner}'s sites do: so C2's steady loop has no room-making path. Each block charges its length from
 * the fuel local when the fuel covers it, else the body is abandoned: so a body that finishes has
 * used exactly the fuel of the instructions it ran, as the interpreter meters them, and one that
 * would run out of fuel is left to the real call, whose callee hands over at the exact pc. A
 * register-index read outside the count abandons the body too (the real read traps
 * {@code index_out_of_bounds} in the callee's frame). The time a site spends is bounded by the fuel
 * left (every block charges at least one), so abandoning at most doubles it.
 *
 * <p><b>Range checks.</b> When the callee's loop walks its array with an index it only raises by a
 * constant step, up to an end it never writes ({@link LoopBounds}), a test at loop entry lets the
 * loop run in a second copy of its blocks whose reads of that index have no bound test; when the
 * test fails the loop runs as above.
 *
 * <p><b>Size.</b> {@link Loop#bytes} bounds the bytecode one site adds; a method inlines at most
 * {@link #MAX_METHOD_BYTES} so, and at most {@link #MAX_BOUNDS_BYTES} more for the loops' entry
 * tests and second copies ({@link LoopBounds.Plan#bytes} each), counted in
 * {@link MethodSize#bound}. {@code Jit.compileFramed} (no inlining) inlines nothing.
 */
final class LoopInliner {
    /** Most instructions a looping callee may have. */
    static final int MAX_INSTRUCTIONS = 32;
    /** Most registers it may have (with one local more for the fuel at entry, within {@link LeafInliner#MAX_REGISTERS}). */
    static final int MAX_REGISTERS = LeafInliner.MAX_REGISTERS - 1;
    /** Most bytecode one site may add. */
    static final int MAX_SITE_BYTES = 1_200;
    /** Most bytecode the sites of one method may add in all. */
    static final int MAX_METHOD_BYTES = 1_200;
    /**
     * Most bytecode the sites of one method may add in all for their loops' entry tests and fast
     * copies ({@link LoopBounds}): an allowance of its own, so the sites inlined are those without
     * them.
     */
    static final int MAX_BOUNDS_BYTES = 600;

    /**
     * A function that can be inlined where its array arguments are kept.
     *
     * @param callee its id
     * @param entry its entry in the code image
     * @param regs its register count
     * @param bytes a bound on the bytecode a site adds (guard, arguments, body, results)
     * @param blockLen per code index: the length of the block it leads (0 where none starts)
     * @param reachable per code index: whether the block that starts there is reachable
     * @param starts per code index: whether an instruction starts there
     * @param reads the global indices of its array reads
     * @param bounds its loop's reads that can go unchecked behind an entry test ({@link LoopBounds}),
     *     or null; {@code bytes} leaves out what they add ({@link LoopBounds.Plan#bytes})
     */
    record Loop(int callee, int entry, int regs, int bytes, int[] blockLen, boolean[] reachable, boolean[] starts,
                int[] reads, LoopBounds.Plan bounds) {
        /** @return the same callee inlined with every bound test */
        Loop checked() {
            return new Loop(callee, entry, regs, bytes, blockLen, reachable, starts, reads, null);
        }
    }

    /** the callees looked at, by id (null: not inlinable) */
    private final java.util.Map<Integer, Loop> loops = new java.util.HashMap<>();
    /** bytecode the sites inlined so far may add (a {@link LoopPeel}'s steady copy starts again from what the first copy had used at its first block) */
    int inlinedBytes;
    /** bytecode their entry tests and fast copies may add ({@link #MAX_BOUNDS_BYTES}; as {@link #inlinedBytes} in a steady copy) */
    int boundsBytes;
    /** whether the sites may have their loops' fast copies ({@link LoopBounds}); off when they made the method too large */
    boolean bounds = true;
    /** whether some site got its loop's fast copy */
    boolean boundsUsed;
    /** whether some site runs its callee inline */
    boolean used;

    /**
     * The looping callees of a method's direct calls; none when it has no {@code array.new} (no
     * array it could keep), so such a method's bytecode is what it was without this class.
     *
     * @param view the program
     * @param fn the caller
     * @param code the code image
     * @param entry the caller's entry
     */
    LoopInliner(CompileView view, LoweredFunction fn, int[] code, int entry) {
        boolean builds = false;
        for (int s = 0; s < fn.instructionCount() && !builds; s++) {
            builds = code[entry + fn.instructionStart(s)] == Op.ARRAY_NEW;
        }
        for (int s = 0; s < fn.instructionCount() && builds; s++) {
            int g = entry + fn.instructionStart(s);
            if (code[g] == Op.CALL && !loops.containsKey(code[g + 1])) {
                loops.put(code[g + 1], of(view, code[g + 1]));
            }
        }
    }

    /** @return the most registers of any callee this method may inline (with the fuel's local), 0 when none */
    int regs() {
        int most = 0;
        for (Loop l : loops.values()) {
            most = l == null ? most : Math.max(most, l.regs() + 1);
        }
        return most;
    }

    /**
     * @param view the program
     * @param callee a function id
     * @return the function as a looping callee, or null (in time linear in its code, at most
     *     {@link #MAX_INSTRUCTIONS} instructions looked at)
     */
    static Loop of(CompileView view, int callee) {
        if (callee < 0 || callee >= view.program().functions().size()) {
            return null;
        }
        LoweredFunction fn = view.function(callee);
        if (!InlineScan.admits(fn, MAX_REGISTERS, MAX_INSTRUCTIONS)) {
            return null;
        }
        int regs = fn.regCount();
        int count = fn.instructionCount();
        CodeImage image = view.image();
        int[] code = image.code();
        int entry = image.entry(callee);
        int len = fn.codeLength();
        boolean[] starts = InlineScan.starts(fn);
        boolean[] leaders = new boolean[len + 1];
        leaders[0] = true;
        int bytes = 160 + LeafRoom.MAKE_BYTES;
        int[] reads = new int[count];
        int nReads = 0;
        int[] costs = new int[len];
        for (int i = 0; i < len; i++) {
            if (!starts[i]) {
                continue;
            }
            int g = entry + i;
            int cost = cost(fn, code, g, i, len, entry, leaders, starts);
            if (cost < 0) {
                return null;
            }
            int op = code[g];
            if (op == Op.ARRAY_LEN || op == LOp.ARRAY_GET_W || op == LOp.ARRAY_GET_IMM_W) {
                reads[nReads++] = g;
            }
            costs[i] = cost;
            bytes += cost + 24; // and a block's fuel test and charge at most
        }
        int[] blockLen = new int[len];
        int[] last = new int[len];
        InlineScan.blocks(starts, leaders, blockLen, last);
        boolean[] reachable = new boolean[len];
        ArrayDeque<Integer> work = new ArrayDeque<>();
        reachable[0] = true;
        work.add(0);
        while (!work.isEmpty()) {
            int i = work.poll();
            for (int t : InlineScan.successors(code, entry + last[i], entry, InlineScan.next(starts, last[i]))) {
                if (t >= len || blockLen[t] == 0) {
                    return null; // falls off the end, or into the middle of an instruction
                }
                if (!reachable[t]) {
                    reachable[t] = true;
                    work.add(t);
                }
            }
        }
        if (bytes > MAX_SITE_BYTES) {
            return null;
        }
        LoopBounds.Plan bounds = LoopBounds.of(code, entry, regs, starts, blockLen, last, reachable, costs);
        if (bounds != null && bounds.bytes() > MAX_BOUNDS_BYTES) {
            bounds = null;
        }
        return new Loop(callee, entry, regs, bytes, blockLen, reachable, starts, java.util.Arrays.copyOf(reads, nReads),
                bounds);
    }

    /**
     * Checks the instruction at code index {@code i} (global {@code g}) and marks the blocks it
     * starts.
     *
     * @return a bound on the bytecode it emits inlined, or -1 when a looping callee cannot have it
     */
    private static int cost(LoweredFunction fn, int[] code, int g, int i, int len, int entry, boolean[] leaders,
                            boolean[] starts) {
        int op = LOp.plain(code[g]);
        switch (op) {
            case LOp.CONST_W -> {
                return 12;
            }
            case Op.U64_TO_I64, Op.I64_TO_U64 -> {
                return 20;
            }
            case Op.F64_LT, LOp.F64_LT_BR, Op.F64_EQ, Op.F64_GT, Op.F64_LE, Op.F64_GE -> {
                // as a leaf's (LeafInliner.cost): two wide loads as doubles, dcmpg or dcmpl, the bit or the branch
                return 32;
            }
            case Op.ARRAY_LEN, LOp.ARRAY_GET_W, LOp.ARRAY_GET_IMM_W -> {
                int agg = code[g + 2];
                return agg >= 1 && agg <= fn.argCount() ? 40 : -1;
            }
            default -> {
                // backward branches allowed
                return InlineScan.cost(op, code, g, i, len, entry, leaders, starts, true);
            }
        }
    }

    /**
     * @param e the caller's method
     * @param g the direct call's global index
     * @return the callee the call at {@code g} runs inline here (with its loop's unchecked reads
     *     when the method's allowance for them has room), or null when it makes the real call
     *     (see the class comment); counts its bytes against the method's allowances
     */
    Loop inlinable(CallEmitter e, int g) {
        int[] code = e.code;
        Loop loop = loops.get(code[g + 1]);
        VirtualArrays arrays = ((LocalsEmitter) e).arrays;
        if (loop == null || arrays == null || e.linking && e.view.failed(loop.callee())) {
            return null;
        }
        int argc = code[g + 2];
        int pos = g + 3 + argc;
        int bytes = loop.bytes() + 12 * argc;
        if (!e.view.movesFree(argc + code[pos]) || inlinedBytes + bytes > MAX_METHOD_BYTES
                || e.view.function(loop.callee()).argCount() != argc) {
            return null;
        }
        for (int j = 0; j < code[pos]; j++) {
            if (e.regClass(code[pos + 1 + j]) == LOp.REF_CLASS) {
                return null;
            }
        }
        for (int j = 0; j < argc; j++) {
            int a = code[g + 3 + j];
            if ((a & 3) == LOp.REF_CLASS && arrays.of(a >>> 2) < 0) {
                return null;
            }
        }
        for (int r : loop.reads()) {
            int v = arrays.of(code[g + 3 + code[r + 2] - 1] >>> 2);
            if (v < 0 || !matches(arrays.tags[v], code, r)) {
                return null;
            }
        }
        inlinedBytes += bytes;
        used = true;
        if (bounds && loop.bounds() != null && boundsBytes + loop.bounds().bytes() <= MAX_BOUNDS_BYTES) {
            boundsBytes += loop.bounds().bytes();
            boundsUsed = true;
            return loop;
        }
        return loop.checked();
    }

    /** Whether the read at global {@code r} reads a word of an array of element tags {@code t} (a register index: in range). */
    private static boolean matches(byte[] t, int[] code, int r) {
        int op = code[r];
        if (op == Op.ARRAY_LEN) {
            return true;
        }
        if (op == LOp.ARRAY_GET_IMM_W) {
            long index = code[r + 3] & 0xFFFFFFFFL;
            return index < t.length && t[(int) index] == code[r + 4];
        }
        for (byte b : t) {
            if (b != code[r + 4]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The hook of {@code CallSiteEmitter.call} for a direct call at global {@code g} that
     * {@link LeafInliner} does not inline: when it runs inline here ({@link #inlinable}), emits
     * the inlined call, then {@code realCall} (the real call's code, where the guard and an
     * abandoned body go); else only {@code realCall}.
     */
    static void call(CallEmitter e, int g, Runnable realCall) {
        LoopInliner loops = ((LocalsEmitter) e).loops;
        Loop loop = loops == null ? null : loops.inlinable(e, g);
        if (loop == null) {
            realCall.run();
            return;
        }
        Label real = new Label();
        Label done = new Label();
        loops.emit(e, loop, g, real, done);
        e.mv.visitLabel(real);
        e.frame();
        realCall.run();
        e.mv.visitLabel(done);
        e.frame();
    }

    /**
     * Emits the inlined call at global {@code g}: the guard (to {@code real} when it fails), the
     * fuel saved, the word arguments into the leaf locals, the body (back to {@code real}, with the
     * fuel put back, when it is abandoned), the results, and a jump to {@code done}.
     */
    void emit(CallEmitter e, Loop loop, int g, Label real, Label done) {
        MethodVisitor mv = e.mv;
        int[] code = e.code;
        // in a peeled loop's steady copy, the same site's label in the first copy (LoopPeel.site)
        Label first = e.peel == null ? null : e.peel.site(e, g);
        VirtualArrays arrays = ((LocalsEmitter) e).arrays;
        int argc = code[g + 2];
        int[] kept = new int[loop.regs()];
        java.util.Arrays.fill(kept, -1);
        for (int j = 0; j < argc; j++) {
            int a = code[g + 3 + j];
            if ((a & 3) == LOp.REF_CLASS) {
                kept[1 + j] = arrays.of(a >>> 2);
                mv.visitVarInsn(ILOAD, arrays.flag[kept[1 + j]]);
                mv.visitJumpInsn(IFEQ, real); // an object, after a resume: the real call passes it
            }
        }
        // the method has the room local: its leaf locals are for this callee's registers too
        if (first != null) {
            // the steady copy: a short room goes to the first copy's site, which makes it
            LeafRoom.fits(mv, e.leafRoom, loop.regs(), first);
        } else {
            LeafRoom.test(mv, e.leafRoom, e.fn.regCount(), loop.regs(), real);
        }
        int saved = e.leafLongs + 2 * loop.regs();
        mv.visitVarInsn(LLOAD, FUEL);
        mv.visitVarInsn(LSTORE, saved);
        for (int j = 0; j < argc; j++) {
            int a = code[g + 3 + j];
            if ((a & 3) == LOp.WORD_CLASS) {
                e.loadW(a >>> 2);
                mv.visitVarInsn(LSTORE, e.leafLongs + 2 * (1 + j));
            }
        }
        Label abandon = new Label();
        LoopBounds.Site bounds = null;
        if (loop.bounds() != null) {
            int[] reads = loop.bounds().reads();
            int[] elements = new int[reads.length];
            for (int r = 0; r < reads.length; r++) {
                elements[r] = arrays.elements[kept[code[reads[r] + 2]]];
            }
            bounds = LoopBounds.Site.of(loop.bounds(), elements);
        }
        new LoopBody(e, loop, kept, arrays, abandon, bounds).body(g + 3 + argc, done);
        mv.visitLabel(abandon);
        e.frame();
        mv.visitVarInsn(LLOAD, saved);
        mv.visitVarInsn(LSTORE, FUEL);
        mv.visitJumpInsn(GOTO, real);
    }

    /** The body in the caller's method: its registers in the leaf locals, its array reads on the caller's scratch elements. */
    private static final class LoopBody extends InlineBody {
        private final int[] kept;
        private final VirtualArrays arrays;
        private final Label abandon;

        LoopBody(CallEmitter e, Loop loop, int[] kept, VirtualArrays arrays, Label abandon, LoopBounds.Site bounds) {
            super(e, e.view.function(loop.callee()), loop.regs(), loop.entry(), loop.starts(), loop.blockLen(),
                    loop.reachable(), bounds);
            this.kept = kept;
            this.arrays = arrays;
            this.abandon = abandon;
        }

        /** The fuel test (to {@code abandon} when the fuel does not cover the block), then the charge. */
        @Override
        void charge(int n) {
            mv.visitVarInsn(LLOAD, FUEL);
            mv.visitLdcInsn((long) n);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFLT, abandon);
            super.charge(n);
        }

        @Override
        void instruction(int i, int pos, Label done) {
            int g = entry + i;
            int op = LOp.plain(code[g]);
            switch (op) {
                case Op.U64_TO_I64, Op.I64_TO_U64 -> {
                    // the same bits, or int_cast_overflow when the sign bit is set: the real call traps
                    loadW(code[g + 2]);
                    mv.visitInsn(LCONST_0);
                    mv.visitInsn(LCMP);
                    mv.visitJumpInsn(IFLT, abandon);
                    loadW(code[g + 2]);
                    storeW(code[g + 1]);
                }
                case Op.ARRAY_LEN -> {
                    mv.visitLdcInsn((long) arrays.elements[kept[code[g + 2]]]);
                    storeW(code[g + 1]);
                }
                case LOp.ARRAY_GET_IMM_W -> {
                    // checked when compiling: within the count, of the read's tag
                    mv.visitVarInsn(ALOAD, arrays.scratch(kept[code[g + 2]]));
                    e.push(code[g + 3]);
                    mv.visitInsn(LALOAD);
                    storeW(code[g + 1]);
                }
                case LOp.ARRAY_GET_W -> {
                    // index < n unsigned, as index + 2^63 < n + 2^63; else the real read traps
                    // (in the fast copy of the loop, a read of its index is in range: LoopBounds)
                    int v = kept[code[g + 2]];
                    if (!unchecked(g)) {
                        loadW(code[g + 3]);
                        mv.visitLdcInsn(Long.MIN_VALUE);
                        mv.visitInsn(LADD);
                        mv.visitLdcInsn(Long.MIN_VALUE + arrays.elements[v]);
                        mv.visitInsn(LCMP);
                        mv.visitJumpInsn(IFGE, abandon);
                    }
                    mv.visitVarInsn(ALOAD, arrays.scratch(v));
                    loadW(code[g + 3]);
                    mv.visitInsn(L2I);
                    mv.visitInsn(LALOAD);
                    storeW(code[g + 1]);
                }
                default -> common(g, op, pos, done);
            }
        }
    }
}
