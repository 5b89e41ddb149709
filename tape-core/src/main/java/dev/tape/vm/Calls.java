package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.host.HostContext;
import dev.tape.host.HostFailedException;
import dev.tape.host.HostFunction;
import dev.tape.host.HostReturnArityException;
import dev.tape.host.WordFunction;
import dev.tape.jfr.TapeEvents;
import dev.tape.program.CallSig;
import dev.tape.program.Program;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.trace.TraceMask;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import dev.tape.verify.internal.LOp;

import java.util.List;

/** {@code call.indirect} signature checks and {@code host_call} (spec section "Host ABI"). */
final class Calls {
    private Calls() {}

    /**
     * Checks a {@code call.indirect} callee against the call signature: for a func, the callee's
     * signature must equal it; for a closure, the callee must take an aggregate first and the rest
     * must equal it. A count difference traps {@code arity_mismatch}, a type difference
     * {@code type_mismatch}.
     */
    static void checkIndirect(Vm vm, int callSig, int callee, boolean closure) {
        if (callee < 0 || callee >= vm.funcs.length) {
            throw new VmTrap(TrapKind.TYPE_MISMATCH, "callee function " + callee + " does not exist");
        }
        int want = vm.verified.callSigKey(callSig);
        int have = closure ? vm.verified.closureSigKey(callee) : vm.verified.funcSigKey(callee);
        if (want == have) {
            return;
        }
        CallSig cs = vm.program.callSigs().get(callSig);
        List<ValueType> args = vm.program.functions().get(callee).sig().args();
        List<ValueType> rets = vm.program.functions().get(callee).sig().rets();
        if (closure) {
            if (args.isEmpty()) {
                throw new VmTrap(TrapKind.ARITY_MISMATCH, "closure target " + callee + " takes no environment argument");
            }
            if (args.get(0).kind() != ValueKind.AGG) {
                throw new VmTrap(TrapKind.TYPE_MISMATCH, "closure target " + callee + " takes " + args.get(0)
                        + " first, not the agg environment");
            }
            args = args.subList(1, args.size());
        }
        compare("argument", cs.args(), args, callee);
        compare("result", cs.rets(), rets, callee);
        throw new VmTrap(TrapKind.TYPE_MISMATCH, "callee " + callee + " does not match call signature " + callSig);
    }

    private static void compare(String what, List<ValueType> want, List<ValueType> have, int callee) {
        if (want.size() != have.size()) {
            throw new VmTrap(TrapKind.ARITY_MISMATCH, "callee " + callee + " has " + have.size() + " " + what
                    + "s; the call signature has " + want.size());
        }
        for (int i = 0; i < want.size(); i++) {
            if (!want.get(i).equals(have.get(i))) {
                throw new VmTrap(TrapKind.TYPE_MISMATCH, "callee " + callee + " " + what + " " + i + " is "
                        + have.get(i) + "; the call signature says " + want.get(i));
            }
        }
    }

    /**
     * The callee of a {@code call.indirect} ([op, callSig, callee, ...] at {@code ip}), checked
     * against the call signature (traps at the call.indirect when it does not fit).
     */
    static int indirectCallee(Vm vm, ExecutionContext c, int[] code, int ip, int base) {
        int callee;
        boolean closure = code[ip] == LOp.CALL_INDIRECT_CLOSURE;
        if (closure) {
            callee = ((Value.Closure) c.r[base + code[ip + 2]]).func();
        } else {
            callee = (int) c.w[base + code[ip + 2]];
        }
        checkIndirect(vm, code[ip + 1], callee, closure);
        return callee;
    }

    static VmTrap depthTrap(int depth, int maxDepth) {
        return new VmTrap(TrapKind.CALL_DEPTH_EXCEEDED, "a call would make " + (depth + 1)
                + " frames; the limit is " + maxDepth);
    }

    /**
     * Copies one argument or result of a call: {@code e} is a source register with its class
     * ({@code reg << 2 | class}, {@link LOp#WORD_CLASS}) relative to {@code from}, {@code dst} the
     * absolute destination register of the same class. Unit values have no storage and are
     * skipped.
     *
     * <p>{@link Interpreter#execute} writes the loops over a call's arguments and results out
     * around this method rather than calling a helper that holds them: C2 compiles such a helper
     * on its own too (it is hot in the C1 code of the interpreter, before and between C2's
     * compiles of it), the loop makes that machine code larger than {@code InlineSmallCode}, and
     * C2 then stops inlining the helper ("already compiled into a big method"), so that every later
     * compile of the loop, as in a JVM that has run several programs, made each call a real call
     * (docs/PERFORMANCE-LOG.md, "Interpreter, tenth round"). This method has no loop and stays
     * small.
     */
    static void copyOne(long[] w, Object[] r, int e, int from, int dst) {
        int cls = e & 3;
        int src = from + (e >>> 2);
        if (cls == LOp.WORD_CLASS) {
            w[dst] = w[src];
        } else if (cls == LOp.REF_CLASS) {
            r[dst] = DecScale.take(r, w, src);
        }
    }

    /**
     * Runs a small leaf callee ({@link dev.tape.verify.internal.CodeImage#leafLength(int)}) inside
     * its caller's direct {@code call}: the body on the callee's registers at {@code nb}, then its
     * {@code ret}'s word results into the caller's result registers. The caller has done what the
     * call does before the callee's first instruction (depth check, register growth, argument
     * copy, copy charge, frame room) and checked that the budget holds every instruction of the
     * body and the {@code ret}, that calls are not traced, and charges them; no instruction of a
     * leaf can trap, so the run ends exactly where the real call and return would, with the same
     * registers and fuel, and no frame record is written because none would be left.
     *
     * @param code the code image
     * @param w the word register file
     * @param ip the callee's entry (global ip)
     * @param nb the callee's register base
     * @param callerBase the caller's register base
     * @param pos the global ip of the call's result count ({@code retc})
     */
    static void leaf(int[] code, long[] w, int ip, int nb, int callerBase, int pos) {
        while (true) {
            switch (code[ip]) {
                case LOp.MOV_W -> {
                    w[nb + code[ip + 1]] = w[nb + code[ip + 2]];
                    ip += 3;
                }
                case LOp.CONST_W, LOp.CONST_ADD, LOp.CONST_SUB -> {
                    w[nb + code[ip + 1]] = (code[ip + 2] & 0xFFFFFFFFL) | ((long) code[ip + 3] << 32);
                    ip += 4;
                }
                case Op.I64_ADD, Op.U64_ADD -> {
                    w[nb + code[ip + 1]] = w[nb + code[ip + 2]] + w[nb + code[ip + 3]];
                    ip += 4;
                }
                case Op.I64_SUB, Op.U64_SUB -> {
                    w[nb + code[ip + 1]] = w[nb + code[ip + 2]] - w[nb + code[ip + 3]];
                    ip += 4;
                }
                case Op.I64_MUL, Op.U64_MUL -> {
                    w[nb + code[ip + 1]] = w[nb + code[ip + 2]] * w[nb + code[ip + 3]];
                    ip += 4;
                }
                case Op.I64_AND, Op.U64_AND, Op.BOOL_AND -> {
                    w[nb + code[ip + 1]] = w[nb + code[ip + 2]] & w[nb + code[ip + 3]];
                    ip += 4;
                }
                case Op.I64_OR, Op.U64_OR, Op.BOOL_OR -> {
                    w[nb + code[ip + 1]] = w[nb + code[ip + 2]] | w[nb + code[ip + 3]];
                    ip += 4;
                }
                case Op.I64_XOR, Op.U64_XOR, Op.BOOL_XOR -> {
                    w[nb + code[ip + 1]] = w[nb + code[ip + 2]] ^ w[nb + code[ip + 3]];
                    ip += 4;
                }
                case Op.RET -> {
                    // word and unit values only (CodeImage.leafScan)
                    int n = code[ip + 1];
                    for (int i = 0; i < n; i++) {
                        int e = code[ip + 2 + i];
                        if ((e & 3) == LOp.WORD_CLASS) {
                            w[callerBase + code[pos + 1 + i]] = w[nb + (e >>> 2)];
                        }
                    }
                    return;
                }
                default -> throw new IllegalStateException("not an op of a leaf: " + code[ip]);
            }
        }
    }

    /**
     * The {@link HostContext} of host calls made from one {@link ExecutionContext}, one per host
     * signature, reused from call to call with the interpreter's argument and result arrays (see
     * {@link HostFunction}: a host must not keep them after it returns). The caller's pc is looked
     * up only when asked for.
     */
    static final class Site implements HostContext {
        final Program program;
        final String symbol;
        final long sigHash;
        /** reusable argument and result arrays for the interpreter's host calls */
        final Value[] args;
        final Value[] results;
        /** reusable argument and result words for calls of a {@link dev.tape.host.WordFunction.Words} ({@link WordCalls}) */
        final long[] wordArgs;
        final long[] wordResults;
        Vm vm;
        /** the run's context during a call */
        ExecutionContext ctx;
        /** whether the function asked to suspend during the current call */
        boolean suspend;
        /** the host_call's global ip in the program's code image */
        int ip;
        long fuel;
        long charged;

        Site(Program program, String symbol, long sigHash, int argc, int retc) {
            this.program = program;
            this.symbol = symbol;
            this.sigHash = sigHash;
            this.args = new Value[argc];
            this.results = new Value[retc];
            this.wordArgs = new long[argc];
            this.wordResults = new long[retc];
        }

        /**
         * Sets the site up for one call from the host_call at global ip {@code ip} of a run in
         * {@code c} with {@code fuelLeft} fuel (a negative value counts as 0): no suspension asked,
         * nothing charged, the fuel the function sees including the context's reserve.
         */
        void open(Vm vm, ExecutionContext c, int ip, long fuelLeft) {
            this.vm = vm;
            this.ctx = c;
            this.suspend = false;
            this.ip = ip;
            this.fuel = (fuelLeft < 0 ? 0 : fuelLeft) + c.fuelReserve;
            this.charged = 0;
        }

        @Override
        public Program program() {
            return program;
        }

        @Override
        public String symbol() {
            return symbol;
        }

        @Override
        public long sigHash() {
            return sigHash;
        }

        @Override
        public int callerFunction() {
            return vm.image.funcAt(ip);
        }

        @Override
        public int callerPc() {
            int f = vm.image.funcAt(ip);
            return vm.funcs[f].pcOf()[ip - vm.image.entry(f)];
        }

        @Override
        public long fuelRemaining() {
            return fuel;
        }

        @Override
        public boolean canSuspend() {
            return ctx != null && ctx.suspendable;
        }

        @Override
        public void suspend() {
            if (!canSuspend()) {
                HostContext.super.suspend();
            }
            suspend = true;
        }

        @Override
        public void chargeFuel(long units) {
            long sum = charged + units;
            charged = Long.compareUnsigned(sum, charged) < 0 ? -1L : sum;
        }
    }

    private static Value arg(ValueKind k, long[] w, Object[] r, int reg) {
        return k == ValueKind.UNIT ? Value.UNIT : Aggregate.isWord(k) ? Aggregate.fromWord(k, w[reg]) : (Value) r[reg];
    }

    /**
     * The last step, per result: checks result {@code i} against its declared type
     * (else traps type_mismatch, with the host's fuel charge applied) and stores it in register
     * {@code reg} (absolute) of its file.
     */
    static void result(Vm vm, ExecutionContext c, Site site, int sigId, Value[] results, int i, long[] w, Object[] r,
                       int reg) {
        ValueType t = vm.hostRetTypes[sigId][i];
        Value v = results[i];
        results[i] = null;
        ValueType vt = v == null ? null : v.type();
        if (vt != t && (vt == null || !vt.equals(t))) {
            c.defer(c.absorb(site.charged));
            throw new VmTrap(TrapKind.TYPE_MISMATCH, 0, "host result " + i + " must be " + t + ", got "
                    + (v == null ? "null" : vt), site.symbol, site.sigHash);
        }
        ValueKind k = t.kind();
        if (Aggregate.isWord(k)) {
            w[reg] = Aggregate.wordOf(v);
        } else if (k != ValueKind.UNIT) {
            r[reg] = v;
        }
    }

    /**
     * Runs a {@code host_call} ([op, sig, argc, args..., retc, rets...] at {@code ip}).
     *
     * @param fuelLeft the fuel left once the host_call itself is paid for (0 when negative)
     * @return the extra fuel the host charged, less what the fuel reserve covered
     *     ({@link ExecutionContext#absorb}), 0 to {@link Long#MAX_VALUE}
     */
    static long host(Vm vm, ExecutionContext c, int[] code, int ip, int base, long fuelLeft) {
        // a host sees no unboxed decimal (DecScale) in the context it may inspect or suspend
        c.boxDecimals();
        int sigId = code[ip + 1];
        WordFunction words = vm.hostWords[sigId];
        if (words != null) {
            return WordCalls.host(vm, c, code, ip, base, fuelLeft, words);
        }
        Site site = begin(vm, c, sigId);
        long[] w = c.w;
        Object[] r = c.r;
        int argc = code[ip + 2];
        // the site's reusable arrays (the compiled tier passes fresh ones instead: see JitCompiler)
        Value[] args = site.args;
        Value[] results = site.results;
        ValueKind[] kinds = vm.hostArgKinds[sigId];
        // Loops below peel their first trip: most host calls pass one or two values, and C2's
        // set-up for a loop costs more than the one trip it runs.
        if (argc > 0) {
            args[0] = arg(kinds[0], w, r, base + code[ip + 3]);
            for (int i = 1; i < argc; i++) {
                args[i] = arg(kinds[i], w, r, base + code[ip + 3 + i]);
            }
        }
        try {
            invoke(vm, c, site, sigId, ip, fuelLeft, args, results);
            if (c.hostSuspended) {
                // the interpreter leaves the run at the host_call, as for a trap there
                throw SUSPENDED;
            }
        } finally {
            if (argc > 0) {
                args[0] = null;
                for (int i = 1; i < argc; i++) {
                    args[i] = null;
                }
            }
        }
        // check and store in one pass: a trap ends the run, so registers stored before it are never read
        int retc = results.length;
        if (retc > 0) {
            int at = ip + 4 + argc;
            result(vm, c, site, sigId, results, 0, w, r, base + code[at]);
            for (int i = 1; i < retc; i++) {
                result(vm, c, site, sigId, results, i, w, r, base + code[at + i]);
            }
        }
        return c.absorb(site.charged);
    }

    /** The arguments or results of a host call that has none. */
    static final Value[] NO_VALUES = new Value[0];

    /**
     * The first step of a host call: checks and counts it against the host-call limit, counts its
     * arguments and results against the copy budget ({@link ExecutionContext#copied(int, int)}),
     * and gives the signature's reusable site.
     */
    static Site begin(Vm vm, ExecutionContext c, int sigId) {
        count(vm, c, sigId);
        return c.site(vm, sigId);
    }

    /**
     * {@link #begin} without the site: checks and counts the call against the host-call limit and
     * its values against the copy budget.
     */
    static void count(Vm vm, ExecutionContext c, int sigId) {
        limit(vm, c, sigId);
        // boxing the arguments and checking the results count against the copy budget
        c.copied(vm.hostArgKinds[sigId].length + vm.hostRetTypes[sigId].length, ExecutionContext.HOST_VALUE_UNITS);
        c.hostCalls++;
    }

    /** Traps {@code host_call_limit_exceeded} when the run already made the limit's host calls. */
    private static void limit(Vm vm, ExecutionContext c, int sigId) {
        if (Long.compareUnsigned(c.hostCalls, c.limits.maxHostCalls()) >= 0) {
            throw new VmTrap(TrapKind.HOST_CALL_LIMIT_EXCEEDED, 0, "the run already made " + c.hostCalls
                    + " host calls, the limit", vm.hostSymbols[sigId], vm.hostSigs[sigId].sigHash());
        }
    }

    /**
     * The second step: calls the host function with the arguments (one per declared argument) and
     * leaves its results in {@code results} (one slot per declared result); whatever the host
     * throws becomes a trap. The caller clears reused argument arrays afterwards.
     *
     * @param ip the host_call's global ip
     * @param fuelLeft the fuel left once the host_call itself is paid for (0 when negative)
     */
    static void invoke(Vm vm, ExecutionContext c, Site site, int sigId, int ip, long fuelLeft, Value[] args,
                       Value[] results) {
        int retc = results.length;
        if (retc > 0) {
            results[0] = Value.UNIT;
            for (int i = 1; i < retc; i++) {
                results[i] = Value.UNIT;
            }
        }
        HostFunction fn = vm.hostFns[sigId];
        if (fn == null) {
            throw new VmTrap(TrapKind.HOST_CALL_FAILED, 0, Linker.detail(vm.hostProblems[sigId]), site.symbol, site.sigHash);
        }
        site.open(vm, c, ip, fuelLeft);
        boolean traced = (c.mask & TraceMask.HOST) != 0;
        if (traced) {
            c.sink.hostEnter(sigId, site.symbol, site.callerFunction(), site.callerPc());
        }
        try {
            if (TapeEvents.hostCallsRecorded()) {
                TapeEvents.hostCall(fn, args, results, site, site.symbol, site.sigHash);
            } else {
                fn.call(args, results, site);
            }
        } catch (Throwable e) {
            throw failed(e, site);
        }
        if (traced) {
            c.sink.hostExit(sigId, site.symbol);
        }
        if (site.suspend) {
            suspended(c, site, results);
        }
    }

    /**
     * The trap of a host function that threw {@code e} (kept out of {@link #invoke}, whose size
     * decides whether C2 inlines it into compiled host calls, and with it whether their argument
     * and result arrays are allocated at all).
     */
    static VmTrap failed(Throwable e, Site site) {
        if (e instanceof VmTrap t) {
            return t;
        }
        if (e instanceof HostReturnArityException) {
            return new VmTrap(TrapKind.HOST_RETURN_ARITY_MISMATCH, 0, e.getMessage(), site.symbol, site.sigHash);
        }
        return new VmTrap(TrapKind.HOST_CALL_FAILED, 0, HostFailedException.detailOf(e), site.symbol, site.sigHash);
    }

    /**
     * The signal the interpreter's {@code host_call} throws when its host function suspended the
     * run ({@link ExecutionContext#hostSuspended}): it leaves the run at the {@code host_call}
     * with its fuel used, as a trap there does; the driver ({@link Run}) turns it into a pause.
     * Never a {@link Trap}: only runs that can pause let a host suspend.
     */
    static final VmTrap SUSPENDED = new VmTrap(TrapKind.HOST_CALL_FAILED, "the host function suspended the run");

    /**
     * Marks the run suspended in the host call ({@link ExecutionContext#hostSuspended}): its
     * results are dropped and its fuel charge applied. The interpreter then stops at the call
     * ({@link #SUSPENDED}); compiled code checks the flag after the call and hands over there.
     */
    private static void suspended(ExecutionContext c, Site site, Value[] results) {
        site.suspend = false;
        java.util.Arrays.fill(results, null);
        c.defer(c.absorb(site.charged));
        site.charged = 0;
        c.hostSuspended = true;
    }
}
