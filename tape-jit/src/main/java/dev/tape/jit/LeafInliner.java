package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.value.Aggregate;
import dev.tape.verify.internal.CodeImage;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;
import dev.tape.vm.internal.CompileView;

import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

import static dev.tape.jit.JitCompiler.BASE;
import static dev.tape.jit.JitCompiler.C;
import static dev.tape.jit.JitCompiler.CTX;
import static dev.tape.jit.JitCompiler.DEPTH;
import static dev.tape.jit.JitCompiler.FUEL;
import static dev.tape.jit.JitCompiler.RT;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.ASTORE;
import static org.objectweb.asm.Opcodes.GETSTATIC;
import static org.objectweb.asm.Opcodes.GOTO;
import static org.objectweb.asm.Opcodes.IADD;
import static org.objectweb.asm.Opcodes.IFEQ;
import static org.objectweb.asm.Opcodes.IFLT;
import static org.objectweb.asm.Opcodes.IFNE;
import static org.objectweb.asm.Opcodes.IF_ACMPNE;
import static org.objectweb.asm.Opcodes.IF_ICMPNE;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.ISTORE;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.LCMP;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LSTORE;

/**
 * Runs a direct {@code call} of a small leaf function inside its caller's method: the callee's
 * body in JVM locals of the caller, with no frame, no register-file traffic and no write to the
 * context, under a guard that makes it exactly the real call.
 *
 * <p><b>Which callees.</b> A leaf ({@link #of}): at most {@link #MAX_INSTRUCTIONS} instructions
 * and {@link #MAX_REGISTERS} registers, every branch and jump forward (so its control flow is
 * acyclic and every path is at most its length), and every instruction one that cannot trap:
 * word moves and constants, i64/u64/bool arithmetic without division, shifts, f64 add, sub, mul
 * and div (through the interpreter's {@code Numerics}, so their bits, NaNs included, are the
 * interpreter's), integer and f64 compares (plain or fused with their {@code br}),
 * {@code bool.not}, {@code br}, {@code jmp},
 * {@code ret} of word or unit values, and {@code tuple.get}/{@code struct.get} of a word element
 * from an argument. Its reference registers are its arguments only, none a decimal. (A read can
 * trap: the verifier types the element by the argument's declared shape, which a call does not
 * check. So the inlined body runs only when every read it may make is checked to succeed first;
 * else the real call runs and traps in the callee's frame. An argument that is a struct the caller
 * keeps in locals ({@link VirtualStructs}) is no object: when each read of it matches the struct's
 * shape, known when compiling, the body reads the caller's field locals, with no check.)
 *
 * <p><b>The guard.</b> A leaf cannot trap, call, loop or pause by itself, so the real call can end
 * only in what the call sets up or in fuel: the inlined body runs only when the fuel left (the
 * caller's {@code FUEL} local, current at a call) covers the callee's costliest path
 * ({@link Leaf#worst}, charged per block as the interpreter and the callee's own method charge
 * it), every aggregate read of the body succeeds on the arguments ({@code JitRuntime.leafGets}),
 * and {@code JitRuntime.leafRoom} holds: the depth under the call-depth limit, the callee's
 * registers and the caller's frame record within the run's register high-water mark (so
 * {@code enterDirect} would neither grow the files nor trap {@code heap_limit_exceeded}), and room
 * for the record (so it would not grow the records). Otherwise the call takes its real path, which
 * traps, pauses or hands over at the exact pc. The call's arguments and results must be within
 * the copy budget's free values (no {@code copied} charge). Each block of the body charges its
 * length from the {@code FUEL} local, so the fuel used is that of the path taken.
 *
 * <p><b>What it does not do.</b> The callee's registers are not written to the register files
 * (only frames that exist are ever read: snapshots, {@code Run.frames}/{@code registers} and the
 * interpreter read the files of live frames, and a callee's registers are each written before they
 * are read), the register high-water mark is not raised but by the guard (which raises it, as the
 * real call would, when the call fits the register limit and files and the mark is short:
 * {@link LeafRoom#test}), and nothing the body runs can stop the run, so no pause, trap or hand-over ever sees
 * the inlined frame.
 *
 * <p><b>Size.</b> {@link Leaf#bytes} bounds the bytecode one inlined call site adds (guard,
 * arguments, body, results: at most {@link #MAX_SITE_BYTES}); a method inlines at most
 * {@link #MAX_METHOD_BYTES} in all, then makes real calls, so it stays well under the compiled
 * tier's method size limit and C2's. A method that is over the limit with its leaves inline is
 * generated again with the largest leaf it ran inline making real calls, twice at most, then with
 * no leaf inline ({@code JitCompiler.generateClass}, {@link Inlining#leafCap}).
 */
final class LeafInliner {
    private LeafInliner() {}

    /** Most instructions a leaf may have. */
    static final int MAX_INSTRUCTIONS = 32;
    /** Most registers a leaf may have (the caller's method keeps a long and an object local per register). */
    static final int MAX_REGISTERS = 32;
    /** Most bytecode one inlined call site may add. */
    static final int MAX_SITE_BYTES = 1_200;
    /** Most bytecode the inlined call sites of one method may add in all. */
    static final int MAX_METHOD_BYTES = 2_400;
    /** Bytecode the prologue spends on the leaves' locals at most (a long and an object local per register). */
    static final int POOL_INIT_BYTES = MAX_REGISTERS * 10;

    /**
     * A function that can be inlined.
     *
     * @param callee its id
     * @param entry its entry in the code image
     * @param regs its register count
     * @param worst the fuel its costliest path charges, per block
     * @param best the fuel its cheapest path charges, per block (equal to {@code worst} when every
     *     path charges the same, as in a leaf of one block)
     * @param bytes a bound on the bytecode an inlined call of it adds (guard and body)
     * @param blockLen per code index: the length of the block it leads (0 where none starts)
     * @param reachable per code index: whether a block that starts there is reachable
     * @param starts per code index: whether an instruction starts there
     */
    record Leaf(int callee, int entry, int regs, int worst, int best, int bytes, int[] blockLen, boolean[] reachable,
                boolean[] starts) {}

    /**
     * @param view the program
     * @param callee a function id
     * @return the function as a leaf, or null when it is not one (in time linear in its code, at
     *     most {@link #MAX_INSTRUCTIONS} instructions looked at)
     */
    static Leaf of(CompileView view, int callee) {
        LoweredFunction fn = view.function(callee);
        if (!InlineScan.admits(fn, MAX_REGISTERS, MAX_INSTRUCTIONS)) {
            return null;
        }
        int regs = fn.regCount();
        CodeImage image = view.image();
        int[] code = image.code();
        int entry = image.entry(callee);
        int len = fn.codeLength();
        boolean[] starts = InlineScan.starts(fn);
        boolean[] leaders = new boolean[len + 1];
        leaders[0] = true;
        int bytes = 96 + LeafRoom.MAKE_BYTES; // the room test's making (LeafRoom.test)
        for (int i = 0; i < len; i++) {
            if (!starts[i]) {
                continue;
            }
            int g = entry + i;
            int cost = cost(fn, code, g, i, len, entry, leaders, starts);
            if (cost < 0) {
                return null;
            }
            bytes += cost + 12; // and a block's fuel charge at most
        }
        int[] blockLen = new int[len];
        int[] last = new int[len];
        InlineScan.blocks(starts, leaders, blockLen, last);
        // every edge is forward: the costliest path from each block, from the last block back
        long[] worst = new long[len + 1];
        long[] best = new long[len + 1];
        for (int i = len - 1; i >= 0; i--) {
            if (blockLen[i] == 0) {
                continue;
            }
            int g = entry + last[i];
            long most = 0;
            long least = -1;
            for (int t : InlineScan.successors(code, g, entry, InlineScan.next(starts, last[i]))) {
                if (t >= len || blockLen[t] == 0) {
                    return null; // falls off the end, or into the middle of an instruction
                }
                most = Math.max(most, worst[t]);
                least = least < 0 ? best[t] : Math.min(least, best[t]);
            }
            worst[i] = blockLen[i] + most;
            best[i] = blockLen[i] + Math.max(least, 0);
        }
        boolean[] reachable = new boolean[len];
        reachable[0] = true;
        for (int i = 0; i < len; i++) {
            if (reachable[i] && blockLen[i] > 0) {
                for (int t : InlineScan.successors(code, entry + last[i], entry, InlineScan.next(starts, last[i]))) {
                    reachable[t] = true;
                }
            }
        }
        if (bytes > MAX_SITE_BYTES) {
            return null;
        }
        return new Leaf(callee, entry, regs, (int) worst[0], (int) best[0], bytes, blockLen, reachable, starts);
    }

    /**
     * Checks the instruction at code index {@code i} (global {@code g}) and marks the blocks it
     * starts.
     *
     * @return a bound on the bytecode it emits inlined, or -1 when a leaf cannot have it
     */
    private static int cost(LoweredFunction fn, int[] code, int g, int i, int len, int entry, boolean[] leaders,
                            boolean[] starts) {
        // a superinstruction's first half has its plain op's layout; the halves after it are instructions of their own
        int op = LOp.plain(code[g]);
        switch (op) {
            case LOp.CONST_W -> {
                return 8;
            }
            case Op.F64_ADD, Op.F64_SUB, Op.F64_MUL, Op.F64_DIV -> {
                return 16; // two wide loads, an invokestatic of Numerics, a wide store
            }
            case Op.F64_LT, LOp.F64_LT_BR, Op.F64_EQ, Op.F64_GT, Op.F64_LE, Op.F64_GE -> {
                return 32;
            }
            case LOp.TUPLE_GET_W, LOp.STRUCT_GET_W -> {
                int agg = code[g + 2];
                // the read, and its check before the body ({@link #reads})
                return agg >= 1 && agg <= fn.argCount() ? 48 + 24 : -1;
            }
            default -> {
                // every branch and jump forward
                return InlineScan.cost(op, code, g, i, len, entry, leaders, starts, false);
            }
        }
    }

    /**
     * Emits the inlined direct call at global index {@code g}: the guard (to {@code real} when it
     * fails), the arguments into the leaf's locals, the body, the results into the caller's
     * registers, and a jump to {@code done}.
     *
     * @param e the caller's method
     * @param leaf the callee
     * @param g the call's global index
     * @param real where the call's real path starts
     * @param done where the path goes on after the body
     * @param fuelCovered whether the fuel test at the call's block start covered the leaf's worst
     *     path ({@link CallCover}): the guard then tests the room alone
     */
    static void emit(CallEmitter e, Leaf leaf, int g, Label real, Label done, boolean fuelCovered) {
        int argc = e.code[g + 2];
        guard(e, leaf, real, e.peel == null ? null : e.peel.site(e, g), fuelCovered);
        int[] kept = kept(e, leaf, g + 3, argc, 1, real);
        arguments(e, leaf, g + 3, argc, 1, kept);
        reads(e, leaf, real, kept);
        new Body(e, leaf, kept, null, -1).body(g + 3 + argc, done);
    }

    /**
     * Emits the direct call at global index {@code g} in a {@link CountedLoop}'s inner copy: the
     * arguments into the leaf's locals, the body (its blocks' charges, no fuel test), the results
     * into the caller's registers, with no guard (the inner copy runs only where the guard would
     * pass) and no read check ({@link CountedLoop} admits word arguments only, so the leaf has no
     * aggregate to read).
     *
     * @param e the caller's method
     * @param leaf the callee
     * @param g the call's global index
     * @param charged whether the body's blocks charge their lengths; false only where the chunk's
     *     fuel is charged at once ({@link CountedLoop.Plan#once}: every path of the leaf charges
     *     the same, {@link Leaf#best} equal to {@link Leaf#worst})
     */
    static void inner(CallEmitter e, Leaf leaf, int g, boolean charged) {
        int argc = e.code[g + 2];
        Label done = new Label();
        arguments(e, leaf, g + 3, argc, 1, null);
        Body body = new Body(e, leaf, null, null, -1);
        body.charged = charged;
        body.body(g + 3 + argc, done);
        e.mv.visitLabel(done);
        e.frame();
    }

    /**
     * The call's arguments (at {@code code[at..]}, the leaf's registers from {@code first}) that
     * are structs the caller keeps in locals ({@link VirtualStructs}) and that every reachable
     * read of the leaf reads as a field of that struct's shape: the leaf reads those fields from
     * the caller's locals, and no object is passed. Emits, for each, a test of its flag (to
     * {@code real} when it is 0: the struct is an object then, after a resume, and the real call
     * passes it).
     *
     * @return per leaf register, the caller's struct it stands for, or -1; null when none
     */
    private static int[] kept(CallEmitter e, Leaf leaf, int at, int argc, int first, Label real) {
        if (e.structs == null) {
            return null;
        }
        int[] kept = null;
        for (int j = 0; j < argc; j++) {
            int a = e.code[at + j];
            int v = (a & 3) == LOp.REF_CLASS ? e.structs.of(a >>> 2) : -1;
            if (v < 0 || !readsFields(e, leaf, first + j, v)) {
                continue;
            }
            if (kept == null) {
                kept = new int[leaf.regs()];
                java.util.Arrays.fill(kept, -1);
            }
            kept[first + j] = v;
            e.mv.visitVarInsn(ILOAD, e.structs.flag[v]);
            e.mv.visitJumpInsn(IFEQ, real);
        }
        return kept;
    }

    /** Whether every reachable read of leaf register {@code reg} is a field read of the caller's struct {@code v}. */
    private static boolean readsFields(CallEmitter e, Leaf leaf, int reg, int v) {
        for (int g : liveReads(e.code, leaf)) {
            if (e.code[g + 2] == reg && e.structs.fieldOf(v, e.code, g) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the global indices, in code order, of the leaf's element reads ({@code tuple.get} and
     *     {@code struct.get} of a word) in reachable blocks
     */
    private static int[] liveReads(int[] code, Leaf leaf) {
        int[] out = new int[leaf.starts().length];
        int n = 0;
        boolean live = false;
        for (int i = 0; i < leaf.starts().length; i++) {
            if (!leaf.starts()[i]) {
                continue;
            }
            if (leaf.blockLen()[i] > 0) {
                live = leaf.reachable()[i];
            }
            int g = leaf.entry() + i;
            int op = LOp.plain(code[g]);
            if (live && (op == LOp.TUPLE_GET_W || op == LOp.STRUCT_GET_W)) {
                out[n++] = g;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * Emits the inlined paths of the {@code call.indirect} at global index {@code g} for its
     * {@code leaves} (each {@link #fits} it): the callee's id read without a check (from the
     * closure in register {@code closureReg}, or the func value's register when that is -1), then
     * per leaf a test of the id, the guard, the environment (a closure's) and the arguments into
     * the leaf's locals, the reads' check, the body, the results, and a jump to {@code done}. When
     * no leaf's path runs, the code after it does the instruction's real work, checks first.
     *
     * <p>The checks the real path makes before the callee runs are all implied here: the
     * call-depth limit by the guard's {@code leafRoom}, and the callee check
     * ({@code Calls.checkIndirect}: the function exists and its signature is the call's) by
     * {@link #fits}, which only admits a leaf whose signature passes it
     * ({@code CompileView.indirectFits}). A func value is compared as the whole word, so a value
     * that names the leaf only after the real check's narrowing takes the real path. Nothing is
     * written before a path is taken but the leaf's locals, the {@code CALLEE} local, which the
     * real path sets again, and the site's {@link ClosureCache} locals: a closure register that
     * holds the closure the first leaf's checks passed on last skips the id read and the checks
     * and runs the body on the elements kept then (the guard runs either way).
     */
    static void indirect(CallEmitter e, java.util.List<Leaf> leaves, int g, int closureReg, Label done) {
        MethodVisitor mv = e.mv;
        int argc = e.code[g + 3];
        int calleeReg = e.code[g + 2];
        // the closure this site checked last ({@link ClosureCache}): for the first leaf only
        int cache = closureReg >= 0 && e.closures != null ? e.closures.object(g) : -1;
        int[] cached = cache >= 0 ? envReads(e, leaves.get(0)) : null;
        Label first = e.peel == null ? null : e.peel.site(e, g);
        if (cached != null && first != null) {
            steady(e, leaves.get(0), g, closureReg, cache, cached, first, done);
            return;
        }
        Label checked = new Label();
        if (cached != null) {
            // the very closure checked last: its id is the first leaf's (set for the later leaves'
            // id tests, which it fails, should the guard send the call on)
            Label check = new Label();
            e.loadR(closureReg);
            mv.visitVarInsn(ALOAD, cache);
            mv.visitJumpInsn(IF_ACMPNE, check);
            e.push(leaves.get(0).callee());
            mv.visitVarInsn(ISTORE, JitCompiler.CALLEE);
            mv.visitJumpInsn(GOTO, checked);
            mv.visitLabel(check);
            e.frame();
        }
        if (closureReg >= 0) {
            e.loadR(closureReg);
            mv.visitMethodInsn(INVOKESTATIC, RT, "closureFunc", "(Ljava/lang/Object;)I", false);
            mv.visitVarInsn(ISTORE, JitCompiler.CALLEE);
        }
        for (Leaf leaf : leaves) {
            Label miss = new Label();
            if (closureReg >= 0) {
                mv.visitVarInsn(ILOAD, JitCompiler.CALLEE);
                e.push(leaf.callee());
                mv.visitJumpInsn(IF_ICMPNE, miss);
            } else {
                e.loadW(calleeReg);
                mv.visitLdcInsn((long) leaf.callee());
                mv.visitInsn(LCMP);
                mv.visitJumpInsn(IFNE, miss);
            }
            if (cached != null && leaf == leaves.get(0)) {
                // the reads' checks, then the closure and its elements kept; the guard after
                // both ways in (the checks and the keeping only write locals)
                env(e, closureReg);
                reads(e, leaf, miss, null);
                e.loadR(closureReg);
                mv.visitVarInsn(ASTORE, cache);
                for (int j = 0; j < cached.length; j++) {
                    mv.visitVarInsn(ALOAD, e.leafObjects + 1);
                    e.push(e.code[cached[j] + 3]);
                    mv.visitMethodInsn(INVOKESTATIC, RT, "leafWord", "(Ljava/lang/Object;I)J", false);
                    mv.visitVarInsn(LSTORE, ClosureCache.word(cache, j));
                }
                mv.visitLabel(checked);
                e.frame();
                guard(e, leaf, miss, first, false);
                arguments(e, leaf, g + 4, argc, 2, null);
                new Body(e, leaf, null, cached, cache).body(g + 4 + argc, done);
            } else {
                guard(e, leaf, miss, first, false);
                int from = 1;
                if (closureReg >= 0) {
                    env(e, closureReg);
                    from = 2;
                }
                int[] kept = kept(e, leaf, g + 4, argc, from, miss);
                arguments(e, leaf, g + 4, argc, from, kept);
                reads(e, leaf, miss, kept);
                new Body(e, leaf, kept, null, -1).body(g + 4 + argc, done);
            }
            mv.visitLabel(miss);
            e.frame();
        }
    }

    /**
     * The cached site at global index {@code g} in a {@link LoopPeel}'s steady copy: a closure
     * register that holds the closure the site kept runs the first leaf's guard and body on the
     * kept elements, as {@link #indirect} does; any other closure, and a short room, go to the
     * same site in the first copy ({@code first}), which checks, keeps and makes room there. When
     * the guard's fuel test fails the code after this (the real path) runs, as when it fails in
     * {@link #indirect} (the later leaves' id tests, which the kept closure's id fails, left out).
     */
    private static void steady(CallEmitter e, Leaf leaf, int g, int closureReg, int cache, int[] cached, Label first,
            Label done) {
        MethodVisitor mv = e.mv;
        int argc = e.code[g + 3];
        e.loadR(closureReg);
        mv.visitVarInsn(ALOAD, cache);
        mv.visitJumpInsn(IF_ACMPNE, first);
        e.push(leaf.callee());
        mv.visitVarInsn(ISTORE, JitCompiler.CALLEE);
        Label miss = new Label();
        guard(e, leaf, miss, first, false);
        arguments(e, leaf, g + 4, argc, 2, null);
        new Body(e, leaf, null, cached, cache).body(g + 4 + argc, done);
        mv.visitLabel(miss);
        e.frame();
    }

    /** The closure's environment, unchecked, into the leaf's register 1. */
    private static void env(CallEmitter e, int closureReg) {
        e.loadR(closureReg);
        e.mv.visitMethodInsn(INVOKESTATIC, RT, "env", "(Ljava/lang/Object;)Ljava/lang/Object;", false);
        e.mv.visitVarInsn(ASTORE, e.leafObjects + 1);
    }

    /**
     * The reads of a leaf a {@link ClosureCache} can keep: the global indices of its reachable
     * element reads when every one reads the environment (register 1), at most
     * {@link ClosureCache#MAX_WORDS}, and the method keeps no struct in locals; else null.
     */
    private static int[] envReads(CallEmitter e, Leaf leaf) {
        int[] reads = liveReads(e.code, leaf);
        if (e.structs != null || reads.length > ClosureCache.MAX_WORDS) {
            return null;
        }
        for (int g : reads) {
            if (e.code[g + 2] != 1) {
                return null;
            }
        }
        return reads;
    }

    /**
     * Whether {@code leaf} can stand for the callee of the {@code call.indirect} at global index
     * {@code g} as the caller's method types it: its argument count (the environment first, for a
     * {@code closure}) and each argument's and result's register class agree, and the callee
     * check of the real path ({@code Calls.checkIndirect}) passes for it, so that the inlined
     * path, which skips that check, runs only where the real one would run the leaf.
     */
    static boolean fits(CallEmitter e, Leaf leaf, int g, boolean closure) {
        int[] code = e.code;
        if (!e.view.indirectFits(code[g + 1], leaf.callee(), closure)) {
            return false;
        }
        LoweredFunction fn = e.view.function(leaf.callee());
        int argc = code[g + 3];
        int first = closure ? 2 : 1;
        if (fn.argCount() != argc + first - 1 || closure && InlineScan.classOf(fn, 1) != LOp.REF_CLASS) {
            return false;
        }
        for (int j = 0; j < argc; j++) {
            if (InlineScan.classOf(fn, first + j) != (code[g + 4 + j] & 3)) {
                return false;
            }
        }
        int pos = g + 4 + argc;
        for (int j = 0; j < code[pos]; j++) {
            if (e.regClass(code[pos + 1 + j]) == LOp.REF_CLASS) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(int[] a, int x) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == x) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The guard: the fuel for the leaf's costliest path (unless {@code fuelCovered}: the block's
     * test covered it, {@link CallCover}), and {@code JitRuntime.leafRoom}; else to
     * {@code real}. With {@code first} (the site in a {@link LoopPeel}'s first copy, from its
     * steady copy), a short room goes there, which makes the room, instead of making it here.
     */
    private static void guard(CallEmitter e, Leaf leaf, Label real, Label first, boolean fuelCovered) {
        MethodVisitor mv = e.mv;
        if (!fuelCovered) {
            mv.visitVarInsn(LLOAD, FUEL);
            mv.visitLdcInsn((long) leaf.worst());
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFLT, real);
        }
        if (e.leafRoom >= 0 && first != null) {
            LeafRoom.fits(mv, e.leafRoom, leaf.regs(), first);
            return;
        }
        if (e.leafRoom >= 0) {
            LeafRoom.test(mv, e.leafRoom, e.fn.regCount(), leaf.regs(), real);
            return;
        }
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(ILOAD, DEPTH);
        mv.visitVarInsn(ILOAD, BASE);
        e.push(e.fn.regCount() + leaf.regs());
        mv.visitInsn(IADD);
        mv.visitMethodInsn(INVOKESTATIC, RT, "leafRoom", "(L" + CTX + ";II)Z", false);
        mv.visitJumpInsn(IFEQ, real);
    }

    /**
     * After the arguments: to {@code real} unless every {@code tuple.get}/{@code struct.get} of a
     * reachable block of the leaf reads its element ({@code JitRuntime.leafGets}). The verifier
     * types an element by the argument's declared shape, which a call does not check, so the
     * argument can be an aggregate of another kind, shorter, or with another element there; the
     * read then traps in the callee's frame, which only the real call has. (The aggregates are the
     * leaf's arguments, which it never writes, so a read that passes here passes in the body.)
     */
    private static void reads(CallEmitter e, Leaf leaf, Label real, int[] kept) {
        MethodVisitor mv = e.mv;
        int[] code = e.code;
        for (int g : liveReads(code, leaf)) {
            int op = LOp.plain(code[g]);
            if (kept != null && kept[code[g + 2]] >= 0) {
                continue; // a kept struct's reads are known to match ({@link #kept})
            }
            mv.visitVarInsn(ALOAD, e.leafObjects + code[g + 2]);
            mv.visitLdcInsn(code[g + 3] & 0xFFFFFFFFL);
            Aggregate.Kind kind = op == LOp.TUPLE_GET_W ? Aggregate.Kind.TUPLE : Aggregate.Kind.STRUCT;
            mv.visitFieldInsn(GETSTATIC, KIND, kind.name(), "L" + KIND + ";");
            e.push(code[g + 4]);
            mv.visitMethodInsn(INVOKESTATIC, RT, "leafGets", "(Ljava/lang/Object;JL" + KIND + ";I)Z", false);
            mv.visitJumpInsn(IFEQ, real);
        }
    }

    /** {@code Aggregate.Kind}'s internal name. */
    private static final String KIND = "dev/tape/value/Aggregate$Kind";

    /**
     * Moves the call's {@code argc} arguments (classed registers at {@code code[at..]}) to the
     * leaf's registers from {@code first}, but for the {@code kept} structs (read from the caller's
     * locals).
     */
    private static void arguments(CallEmitter e, Leaf leaf, int at, int argc, int first, int[] kept) {
        MethodVisitor mv = e.mv;
        for (int j = 0; j < argc; j++) {
            int a = e.code[at + j];
            int c = a & 3;
            if (kept != null && kept[first + j] >= 0) {
                continue;
            }
            if (c == LOp.WORD_CLASS) {
                e.loadW(a >>> 2);
                mv.visitVarInsn(LSTORE, e.leafLongs + 2 * (first + j));
            } else if (c == LOp.REF_CLASS) {
                e.loadR(a >>> 2);
                mv.visitVarInsn(ASTORE, e.leafObjects + first + j);
            }
        }
    }

    /** The leaf's body in the caller's method: its registers in the leaves' locals. */
    private static final class Body extends InlineBody {
        /** the leaf's instruction being emitted (a code index) */
        private int current;
        /** per leaf register: the caller's struct kept in locals it stands for, or -1; null: none */
        private final int[] kept;
        /** the environment reads whose elements a {@link ClosureCache} keeps (global indices), or null */
        private final int[] cached;
        /** with {@link #cached}: the cache's object local */
        private final int cache;
        /** whether each block charges its length (false in a chunk charged at once, {@link #inner}) */
        private boolean charged = true;

        Body(CallEmitter e, Leaf leaf, int[] kept, int[] cached, int cache) {
            super(e, e.view.function(leaf.callee()), leaf.regs(), leaf.entry(), leaf.starts(), leaf.blockLen(),
                    leaf.reachable());
            this.kept = kept;
            this.cached = cached;
            this.cache = cache;
        }

        @Override
        void charge(int n) {
            if (charged) {
                super.charge(n);
            }
        }

        @Override
        void instruction(int i, int pos, Label done) {
            int g = entry + i;
            int op = LOp.plain(code[g]);
            current = i;
            switch (op) {
                case Op.F64_ADD -> f64(g, "add");
                case Op.F64_SUB -> f64(g, "sub");
                case Op.F64_MUL -> f64(g, "mul");
                case Op.F64_DIV -> f64(g, "div");
                case LOp.TUPLE_GET_W, LOp.STRUCT_GET_W -> {
                    int v = kept == null ? -1 : kept[code[g + 2]];
                    int w = cached == null ? -1 : indexOf(cached, g);
                    if (v >= 0) {
                        mv.visitVarInsn(LLOAD, e.structs.field(v, e.structs.fieldOf(v, code, g)));
                    } else if (w >= 0) {
                        mv.visitVarInsn(LLOAD, ClosureCache.word(cache, w)); // checked and read when kept
                    } else {
                        // {@link #reads} checked this very read on this argument, which the body
                        // never writes: the element is there, a word of the read's tag
                        mv.visitVarInsn(ALOAD, e.leafObjects + code[g + 2]);
                        e.push(code[g + 3]);
                        mv.visitMethodInsn(INVOKESTATIC, RT, "leafWord", "(Ljava/lang/Object;I)J", false);
                    }
                    storeW(code[g + 1]);
                }
                default -> common(g, op, pos, done);
            }
        }

        /**
         * An f64 add, sub, mul or div on the words' bits: the very {@code Numerics} method the
         * interpreter and the caller's own method run (so a NaN, an infinity, a signed zero and the
         * rounding come out with the same bits on both tiers); none traps (division by zero gives
         * an infinity or NaN).
         */
        private void f64(int g, String method) {
            loadW(code[g + 2]);
            loadW(code[g + 3]);
            mv.visitMethodInsn(INVOKESTATIC, "dev/tape/vm/Numerics", method, "(JJ)J", false);
            storeW(code[g + 1]);
        }

        /**
         * The leaf's instruction's global index and the base its frame would have, for the
         * projection's slow path (which the verifier's types rule out).
         */
        @Override
        public void loadPosition() {
            e.loadCode();
            e.push(entry + current);
            mv.visitVarInsn(ILOAD, BASE);
            e.push(e.fn.regCount());
            mv.visitInsn(IADD);
        }
    }
}
