package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.host.WordFunction;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.verify.internal.CodeImage;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;

import java.lang.invoke.MethodHandle;

/**
 * Compiled re-entry: running a paused run (the interpreter's layout, see {@link CompiledTier#resume})
 * on in compiled code. A compiled method can start at any of its reachable block starts (its
 * {@code resume} argument, {@link JitTier#TYPE}): it then reads every register of its frame
 * from the register files and jumps to that block, whose fuel it charges as usual. When such a
 * frame returns to a caller that is a frame record (not a compiled frame on the Java stack), this
 * driver does what the interpreter's {@code ret} does (pops the record, stores the results into
 * the caller's result registers) and resumes the caller, compiled, after its call, which is a
 * block start too. So a run paused anywhere is back in compiled code once the interpreter has
 * stepped it from block start to block start ({@link #toResumePoint}) to a resume point: the next
 * block start, or inside a loop (where only the header is one) the loop's header ({@code Run}'s
 * driver takes up to 16 such steps).
 *
 * <p>Block starts are the same as the code generator's: code index 0, every branch and jump
 * target, and the instruction after a branch, jump, {@code ret}, {@code trap}, call,
 * {@code call.indirect} or {@code host_call} (but a {@code host_call} of a one-to-three-word
 * function, {@link #fewWords}, which does not end its compiled block).
 */
final class JitResume {
    private JitResume() {}

    /**
     * @param words the VM's word functions by host signature id ({@link Vm#hostWords}; null
     *     entries for other host functions)
     * @param sig a host signature id
     * @return whether a {@code host_call} of {@code sig} calls a one-to-three-word function: the
     *     code generator does not end its block there (no resume point follows it)
     */
    static boolean fewWords(WordFunction[] words, int sig) {
        WordFunction w = words[sig];
        return w != null && w.shape() != WordFunction.WORDS;
    }

    /**
     * @param code the program's code image
     * @param entry the function's entry in it
     * @param len the function's code length
     * @param fn the function
     * @param words the VM's word functions by host signature id ({@link #fewWords})
     * @return per code index: whether it starts a block
     */
    static boolean[] leaders(int[] code, int entry, int len, LoweredFunction fn, WordFunction[] words) {
        boolean[] lead = new boolean[len + 1];
        lead[0] = true;
        int[] pcOf = fn.pcOf();
        for (int i = 0; i < len; i = next(pcOf, i, len)) {
            int g = entry + i;
            switch (code[g]) {
                case Op.BR -> {
                    mark(lead, code[g + 2] - entry);
                    mark(lead, code[g + 3] - entry);
                    mark(lead, next(pcOf, i, len));
                }
                case Op.JMP -> {
                    mark(lead, code[g + 1] - entry);
                    mark(lead, next(pcOf, i, len));
                }
                case Op.RET, Op.TRAP, LOp.NO_CODE, Op.CALL, LOp.CALL_INDIRECT_FUNC, LOp.CALL_INDIRECT_CLOSURE
                        -> mark(lead, next(pcOf, i, len));
                case Op.HOST_CALL -> {
                    if (!fewWords(words, code[g + 1])) {
                        mark(lead, next(pcOf, i, len));
                    }
                }
                default -> {
                }
            }
        }
        return lead;
    }

    /**
     * @return per code index: whether it is a loop header, the target of a branch or jump at the
     *     same or a later code index
     */
    static boolean[] loopHeaders(int[] code, int entry, int len, LoweredFunction fn) {
        boolean[] loop = new boolean[len + 1];
        int[] pcOf = fn.pcOf();
        for (int i = 0; i < len; i = next(pcOf, i, len)) {
            int g = entry + i;
            switch (code[g]) {
                case Op.BR -> {
                    back(loop, i, code[g + 2] - entry);
                    back(loop, i, code[g + 3] - entry);
                }
                case Op.JMP -> back(loop, i, code[g + 1] - entry);
                default -> {
                }
            }
        }
        return loop;
    }

    /**
     * Which registers any instruction of a function may read, a superset: every int of every
     * instruction from its second operand on, as a register and as a classed register
     * ({@code reg << 2 | class}), and a {@code br}'s condition. The first operand of every other
     * instruction is its destination, or not a register ({@code ret}'s count, a callee, a
     * signature, a target, a trap code). A register outside the set is only ever written, so a
     * resumed frame need not read it from the register files.
     *
     * @return per register of the function
     */
    static boolean[] mayRead(int[] code, int entry, int len, LoweredFunction fn) {
        int n = fn.regCount();
        boolean[] read = new boolean[n];
        int[] pcOf = fn.pcOf();
        for (int i = 0; i < len; ) {
            int j = next(pcOf, i, len);
            int g = entry + i;
            if (code[g] == Op.BR && j - i > 1) {
                mark(read, code[g + 1]);
            }
            for (int p = i + 2; p < j; p++) {
                int v = code[entry + p];
                mark(read, v);
                mark(read, v >>> 2);
            }
            i = j;
        }
        return read;
    }

    /**
     * Where a method may be resumed, apart from being a reachable block start: a loop header, or a
     * point inside no loop (code order: not after the target and at or before the source of any
     * backward branch or jump). Every cycle of the control flow lies within such an interval, so
     * a resume jump never enters a loop except at its header: an entry into the middle of a loop
     * would make it irreducible, and C2 then compiles it as no loop at all (sum_loop ran 3 to 6
     * times slower with every block start resumable). A run paused inside a loop body is stepped
     * by the interpreter to the loop's header, at most one iteration.
     *
     * @return per code index
     */
    static boolean[] entrances(int[] code, int entry, int len, LoweredFunction fn) {
        int[] depth = new int[len + 2];
        boolean[] loop = new boolean[len + 1];
        int[] pcOf = fn.pcOf();
        for (int i = 0; i < len; i = next(pcOf, i, len)) {
            int g = entry + i;
            int a = -1;
            int b = -1;
            switch (code[g]) {
                case Op.BR -> {
                    a = code[g + 2] - entry;
                    b = code[g + 3] - entry;
                }
                case Op.JMP -> a = code[g + 1] - entry;
                default -> {
                }
            }
            for (int t : new int[] {a, b}) {
                if (t >= 0 && t <= i) {
                    // (t, i] is inside a loop
                    depth[t + 1]++;
                    depth[i + 1]--;
                    loop[t] = true;
                }
            }
        }
        boolean[] ok = new boolean[len + 1];
        int inside = 0;
        for (int i = 0; i <= len; i++) {
            inside += depth[i];
            ok[i] = inside == 0 || loop[i];
        }
        return ok;
    }

    private static void back(boolean[] loop, int from, int target) {
        if (target >= 0 && target <= from && target < loop.length) {
            loop[target] = true;
        }
    }

    private static void mark(boolean[] lead, int i) {
        if (i >= 0 && i < lead.length) {
            lead[i] = true;
        }
    }

    private static int next(int[] pcOf, int i, int len) {
        int j = i + 1;
        while (j < len && pcOf[j] < 0) {
            j++;
        }
        return j;
    }

    /**
     * See {@link CompiledTier#toResumePoint}; {@code lead} is the function's {@link #leaders},
     * {@code words} the VM's word functions ({@link #fewWords}: the steps go on past a
     * {@code host_call} that does not end its block).
     */
    static int toResumePoint(int[] code, int entry, LoweredFunction fn, boolean[] lead, int ip, WordFunction[] words) {
        int len = fn.codeLength();
        int[] pcOf = fn.pcOf();
        int n = 1;
        for (int i = ip; ; n++) {
            switch (code[entry + i]) {
                case Op.BR, Op.JMP, Op.RET, Op.TRAP, LOp.NO_CODE, Op.CALL, LOp.CALL_INDIRECT_FUNC,
                     LOp.CALL_INDIRECT_CLOSURE -> {
                    return n;
                }
                case Op.HOST_CALL -> {
                    if (!fewWords(words, code[entry + i + 1])) {
                        return n;
                    }
                }
                default -> {
                }
            }
            i = next(pcOf, i, len);
            if (i >= len || lead[i]) {
                return n;
            }
        }
    }

    /**
     * See {@link CompiledTier#resume}: runs the context's current frame compiled from its
     * {@code (func, ip)}, and each caller frame record in turn as the frames return, until the
     * entry frame returns, a trap, a hand-over, or a frame that cannot run compiled (not compiled,
     * not a resume point, or too little Java stack), which is a hand-over with the context as it is.
     */
    static int resume(JitTier tier, Vm vm, ExecutionContext c) {
        int[] share = JitTier.stackLeft();
        int stack = share[0];
        // less than the whole budget: a compiled run is active on this thread, and this one is nested in it
        int avail = stack - (stack < JitRuntime.STACK_WORDS ? JitRuntime.NEST_WORDS : 0);
        tier.ensureResults(c);
        long fuel = c.fuelLeft();
        c.creditMark = fuel;
        c.stackShare = share;
        try {
            while (true) {
                int func = c.func;
                int depth = c.depth;
                int left = avail - tier.cost(func);
                if (left < 0) {
                    return CompiledTier.HANDOVER;
                }
                MethodHandle h = tier.handle(func, avail, c);
                if (h == null || !tier.point(func, c.ip)) {
                    return CompiledTier.HANDOVER;
                }
                share[0] = left;
                tier.resumed.incrementAndGet();
                long value;
                try {
                    value = (long) h.invokeExact(vm, c, c.base, depth, left, func, c.ip);
                } catch (JitRuntime.Unwind u) {
                    c.consume(0);
                    return c.tierStatus;
                } finally {
                    share[0] = stack;
                }
                if (depth == 1) {
                    // the entry frame returned (the method left the context at its ret)
                    c.consume(0);
                    return Interpreter.DONE;
                }
                returned(vm, c, depth, value, JitTier.direct(vm.program.functions().get(func).sig().rets()));
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        } finally {
            tier.spend(fuel - c.fuelLeft());
        }
    }

    /**
     * What the interpreter's {@code ret} does for a frame at {@code depth} (at least 2) that
     * returned compiled: its results ({@code value} when {@code direct}, else the context's result
     * arrays) go to the result registers of the call in the caller's frame record, which is popped;
     * the context is left at the caller's instruction after the call.
     */
    private static void returned(Vm vm, ExecutionContext c, int depth, long value, boolean direct) {
        CodeImage image = vm.image;
        int[] code = image.code();
        int fp = (depth - 2) * ExecutionContext.FRAME;
        int callerBase = c.frames[fp + 1];
        int pos = c.frames[fp + 3];
        int n = code[pos];
        int caller = image.funcAt(pos);
        LoweredFunction fn = vm.funcs[caller];
        for (int j = 0; j < n; j++) {
            int dst = code[pos + 1 + j];
            ValueType t = fn.regType(dst);
            ValueKind k = t == null ? ValueKind.UNIT : t.kind();
            if (Aggregate.isWord(k)) {
                c.w[callerBase + dst] = direct ? value : c.retW[j];
            } else if (k != ValueKind.UNIT) {
                c.r[callerBase + dst] = c.retR[j];
                c.retR[j] = null;
            }
        }
        c.depth = depth - 1;
        c.base = callerBase;
        c.func = caller;
        c.ip = pos + 1 + n - image.entry(caller);
    }
}
