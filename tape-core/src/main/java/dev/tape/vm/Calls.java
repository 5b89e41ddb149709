package dev.tape.vm;

import dev.tape.host.HostContext;
import dev.tape.host.HostFunction;
import dev.tape.host.HostReturnArityException;
import dev.tape.program.CallSig;
import dev.tape.program.HostSig;
import dev.tape.program.Program;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.trace.TraceMask;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;

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

    private static final class Context implements HostContext {
        final Program program;
        final String symbol;
        final long sigHash;
        final int func;
        final int pc;
        final long fuel;
        long charged;

        Context(Program program, String symbol, long sigHash, int func, int pc, long fuel) {
            this.program = program;
            this.symbol = symbol;
            this.sigHash = sigHash;
            this.func = func;
            this.pc = pc;
            this.fuel = fuel;
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
            return func;
        }

        @Override
        public int callerPc() {
            return pc;
        }

        @Override
        public long fuelRemaining() {
            return fuel;
        }

        @Override
        public void chargeFuel(long units) {
            if (units < 0) {
                throw new IllegalArgumentException("fuel charge must not be negative: " + units);
            }
            long sum = charged + units;
            charged = sum < 0 ? Long.MAX_VALUE : sum;
        }
    }

    /**
     * Runs a {@code host_call} ([op, sig, argc, args..., retc, rets...] at {@code ip}).
     *
     * @return the extra fuel the host charged
     */
    static long host(Vm vm, ExecutionContext c, int[] code, int ip, int base, int at) {
        int sigId = code[ip + 1];
        HostSig sig = vm.hostSigs[sigId];
        String symbol = vm.hostSymbols[sigId];
        if (c.hostCalls >= c.limits.maxHostCalls()) {
            throw new VmTrap(TrapKind.HOST_CALL_LIMIT_EXCEEDED, 0, "the run already made " + c.hostCalls
                    + " host calls, the limit", symbol, sig.sigHash());
        }
        c.hostCalls++;
        int argc = code[ip + 2];
        Value[] args = new Value[argc];
        List<ValueType> argTypes = sig.args();
        for (int i = 0; i < argc; i++) {
            args[i] = vm.load(c, argTypes.get(i), code[ip + 3 + i]);
        }
        int retc = code[ip + 3 + argc];
        Value[] results = new Value[retc];
        java.util.Arrays.fill(results, Value.UNIT);
        HostFunction fn = vm.hostFns[sigId];
        if (fn == null) {
            throw new VmTrap(TrapKind.HOST_CALL_FAILED, 0, "the host does not provide " + symbol, symbol,
                    sig.sigHash());
        }
        int pc = vm.funcs[c.func].pcOf()[at];
        Context ctx = new Context(vm.program, symbol, sig.sigHash(), c.func, pc, c.fuel);
        boolean traced = (c.mask & TraceMask.HOST) != 0;
        if (traced) {
            c.sink.hostEnter(sigId, symbol, c.func, pc);
        }
        try {
            fn.call(args, results, ctx);
        } catch (HostReturnArityException e) {
            throw new VmTrap(TrapKind.HOST_RETURN_ARITY_MISMATCH, 0, e.getMessage(), symbol, sig.sigHash());
        } catch (VmTrap e) {
            throw e;
        } catch (Throwable e) {
            String msg = e.getMessage();
            throw new VmTrap(TrapKind.HOST_CALL_FAILED, 0, e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg),
                    symbol, sig.sigHash());
        }
        if (traced) {
            c.sink.hostExit(sigId, symbol);
        }
        List<ValueType> retTypes = sig.rets();
        for (int i = 0; i < retc; i++) {
            Value v = results[i];
            ValueType t = retTypes.get(i);
            if (v == null || !v.type().equals(t)) {
                c.extraUnapplied += ctx.charged;
                throw new VmTrap(TrapKind.TYPE_MISMATCH, 0, "host result " + i + " must be " + t + ", got "
                        + (v == null ? "null" : v.type()), symbol, sig.sigHash());
            }
        }
        for (int i = 0; i < retc; i++) {
            int reg = base + code[ip + 4 + argc + i];
            Value v = results[i];
            ValueKind k = v.kind();
            if (Aggregate.isWord(k)) {
                c.w[reg] = Aggregate.wordOf(v);
            } else if (k != ValueKind.UNIT) {
                c.r[reg] = v;
            }
        }
        return ctx.charged;
    }
}
