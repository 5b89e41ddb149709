package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.trace.TraceMask;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import dev.tape.verify.LOp;
import dev.tape.verify.LoweredFunction;

/**
 * The dispatch loop: one {@code switch} over the lowered opcode inside one loop, registers in flat
 * {@code long[]}/{@code Object[]} files addressed {@code base + index}, calls that push heap
 * frames. Rare or bulky instructions live in static helpers so that this method stays small
 * enough for HotSpot to compile ({@code ARCHITECTURE.md}, "Interpreter rules").
 *
 * <p>The loop runs until its budget runs out, the entry frame returns, or an instruction traps.
 * The budget is the fuel (or 1 when the driver steps for tracing): each instruction checks it
 * before running and takes 1 from it.
 */
final class Interpreter {
    private Interpreter() {}

    static final int DONE = 0;
    static final int OUT_OF_FUEL = 1;
    static final int TRAPPED = 2;

    @SuppressWarnings("fallthrough")
    static int execute(Vm vm, ExecutionContext c, long budget) {
        final long start = budget;
        final LoweredFunction[] funcs = vm.funcs;
        LoweredFunction fn = funcs[c.func];
        int[] code = fn.code();
        long[] w = c.w;
        Object[] r = c.r;
        int base = c.base;
        int ip = c.ip;
        int at = ip;
        try {
            while (true) {
                at = ip;
                if (budget == 0) {
                    c.ip = at;
                    c.base = base;
                    c.consume(start - budget);
                    return OUT_OF_FUEL;
                }
                budget--;
                switch (code[ip]) {
                    case Op.NOP -> ip += 1;
                    case LOp.MOV_W -> {
                        w[base + code[ip + 1]] = w[base + code[ip + 2]];
                        ip += 3;
                    }
                    case LOp.MOV_R -> {
                        r[base + code[ip + 1]] = r[base + code[ip + 2]];
                        ip += 3;
                    }
                    case LOp.CONST_W -> {
                        w[base + code[ip + 1]] = fn.words()[code[ip + 2]];
                        ip += 3;
                    }
                    case LOp.CONST_R -> {
                        r[base + code[ip + 1]] = fn.refs()[code[ip + 2]];
                        ip += 3;
                    }
                    case Op.I64_ADD, Op.U64_ADD -> {
                        w[base + code[ip + 1]] = w[base + code[ip + 2]] + w[base + code[ip + 3]];
                        ip += 4;
                    }
                    case Op.I64_SUB, Op.U64_SUB -> {
                        w[base + code[ip + 1]] = w[base + code[ip + 2]] - w[base + code[ip + 3]];
                        ip += 4;
                    }
                    case Op.I64_MUL, Op.U64_MUL -> {
                        w[base + code[ip + 1]] = w[base + code[ip + 2]] * w[base + code[ip + 3]];
                        ip += 4;
                    }
                    case Op.I64_AND, Op.U64_AND, Op.BOOL_AND -> {
                        w[base + code[ip + 1]] = w[base + code[ip + 2]] & w[base + code[ip + 3]];
                        ip += 4;
                    }
                    case Op.I64_OR, Op.U64_OR, Op.BOOL_OR -> {
                        w[base + code[ip + 1]] = w[base + code[ip + 2]] | w[base + code[ip + 3]];
                        ip += 4;
                    }
                    case Op.I64_XOR, Op.U64_XOR, Op.BOOL_XOR -> {
                        w[base + code[ip + 1]] = w[base + code[ip + 2]] ^ w[base + code[ip + 3]];
                        ip += 4;
                    }
                    case Op.I64_SHL, Op.U64_SHL -> {
                        w[base + code[ip + 1]] = w[base + code[ip + 2]] << (int) (w[base + code[ip + 3]] & 63);
                        ip += 4;
                    }
                    case Op.I64_SHR -> {
                        w[base + code[ip + 1]] = w[base + code[ip + 2]] >> (int) (w[base + code[ip + 3]] & 63);
                        ip += 4;
                    }
                    case Op.U64_SHR -> {
                        w[base + code[ip + 1]] = w[base + code[ip + 2]] >>> (int) (w[base + code[ip + 3]] & 63);
                        ip += 4;
                    }
                    case Op.I64_EQ, Op.U64_EQ -> {
                        w[base + code[ip + 1]] = w[base + code[ip + 2]] == w[base + code[ip + 3]] ? 1 : 0;
                        ip += 4;
                    }
                    case Op.I64_LT -> {
                        w[base + code[ip + 1]] = w[base + code[ip + 2]] < w[base + code[ip + 3]] ? 1 : 0;
                        ip += 4;
                    }
                    case Op.I64_GT -> {
                        w[base + code[ip + 1]] = w[base + code[ip + 2]] > w[base + code[ip + 3]] ? 1 : 0;
                        ip += 4;
                    }
                    case Op.I64_LE -> {
                        w[base + code[ip + 1]] = w[base + code[ip + 2]] <= w[base + code[ip + 3]] ? 1 : 0;
                        ip += 4;
                    }
                    case Op.I64_GE -> {
                        w[base + code[ip + 1]] = w[base + code[ip + 2]] >= w[base + code[ip + 3]] ? 1 : 0;
                        ip += 4;
                    }
                    case Op.U64_LT -> {
                        w[base + code[ip + 1]] = Long.compareUnsigned(w[base + code[ip + 2]], w[base + code[ip + 3]]) < 0
                                ? 1 : 0;
                        ip += 4;
                    }
                    case Op.U64_GT -> {
                        w[base + code[ip + 1]] = Long.compareUnsigned(w[base + code[ip + 2]], w[base + code[ip + 3]]) > 0
                                ? 1 : 0;
                        ip += 4;
                    }
                    case Op.U64_LE -> {
                        w[base + code[ip + 1]] = Long.compareUnsigned(w[base + code[ip + 2]], w[base + code[ip + 3]]) <= 0
                                ? 1 : 0;
                        ip += 4;
                    }
                    case Op.U64_GE -> {
                        w[base + code[ip + 1]] = Long.compareUnsigned(w[base + code[ip + 2]], w[base + code[ip + 3]]) >= 0
                                ? 1 : 0;
                        ip += 4;
                    }
                    case Op.BOOL_NOT -> {
                        w[base + code[ip + 1]] = w[base + code[ip + 2]] ^ 1;
                        ip += 3;
                    }
                    case Op.F64_ADD -> {
                        w[base + code[ip + 1]] = Double.doubleToRawLongBits(
                                Double.longBitsToDouble(w[base + code[ip + 2]]) + Double.longBitsToDouble(w[base + code[ip + 3]]));
                        ip += 4;
                    }
                    case Op.F64_SUB -> {
                        w[base + code[ip + 1]] = Double.doubleToRawLongBits(
                                Double.longBitsToDouble(w[base + code[ip + 2]]) - Double.longBitsToDouble(w[base + code[ip + 3]]));
                        ip += 4;
                    }
                    case Op.F64_MUL -> {
                        w[base + code[ip + 1]] = Double.doubleToRawLongBits(
                                Double.longBitsToDouble(w[base + code[ip + 2]]) * Double.longBitsToDouble(w[base + code[ip + 3]]));
                        ip += 4;
                    }
                    case Op.F64_DIV -> {
                        w[base + code[ip + 1]] = Double.doubleToRawLongBits(
                                Double.longBitsToDouble(w[base + code[ip + 2]]) / Double.longBitsToDouble(w[base + code[ip + 3]]));
                        ip += 4;
                    }
                    case Op.F64_LT -> {
                        w[base + code[ip + 1]] = Double.longBitsToDouble(w[base + code[ip + 2]])
                                < Double.longBitsToDouble(w[base + code[ip + 3]]) ? 1 : 0;
                        ip += 4;
                    }
                    case Op.I64_TO_F64 -> {
                        w[base + code[ip + 1]] = Double.doubleToRawLongBits((double) w[base + code[ip + 2]]);
                        ip += 3;
                    }
                    case Op.BR -> ip = w[base + code[ip + 1]] != 0 ? code[ip + 2] : code[ip + 3];
                    case Op.JMP -> ip = code[ip + 1];
                    case LOp.SELECT_W -> {
                        w[base + code[ip + 1]] = w[base + code[ip + 2]] != 0 ? w[base + code[ip + 3]] : w[base + code[ip + 4]];
                        ip += 5;
                    }
                    case LOp.SELECT_R -> {
                        r[base + code[ip + 1]] = w[base + code[ip + 2]] != 0 ? r[base + code[ip + 3]] : r[base + code[ip + 4]];
                        ip += 5;
                    }
                    case Op.CALL, LOp.CALL_INDIRECT_FUNC, LOp.CALL_INDIRECT_CLOSURE -> {
                        int op = code[ip];
                        if (c.depth >= c.limits.maxCallDepth()) {
                            throw new VmTrap(TrapKind.CALL_DEPTH_EXCEEDED, "a call would make " + (c.depth + 1)
                                    + " frames; the limit is " + c.limits.maxCallDepth());
                        }
                        int callee;
                        int argsAt;
                        Value.Closure closure = null;
                        if (op == Op.CALL) {
                            callee = code[ip + 1];
                            argsAt = ip + 2;
                        } else {
                            argsAt = ip + 3;
                            if (op == LOp.CALL_INDIRECT_FUNC) {
                                callee = (int) w[base + code[ip + 2]];
                            } else {
                                closure = (Value.Closure) r[base + code[ip + 2]];
                                callee = closure.func();
                            }
                            Calls.checkIndirect(vm, code[ip + 1], callee, closure != null);
                        }
                        LoweredFunction cf = funcs[callee];
                        int nb = base + fn.regCount();
                        int need = nb + cf.regCount();
                        if (need > w.length) {
                            c.ensureRegisters(need);
                            w = c.w;
                            r = c.r;
                        }
                        int argc = code[argsAt];
                        int to = nb + 1;
                        if (closure != null) {
                            r[to++] = closure.env();
                        }
                        for (int i = 0; i < argc; i++) {
                            int from = base + code[argsAt + 1 + i];
                            w[to + i] = w[from];
                            r[to + i] = r[from];
                        }
                        c.ensureFrames();
                        int d = c.depth - 1;
                        c.frameFunc[d] = fn.id();
                        c.frameBase[d] = base;
                        c.frameCallIp[d] = at;
                        c.frameRetPos[d] = argsAt + 1 + argc;
                        c.depth++;
                        fn = cf;
                        code = cf.code();
                        base = nb;
                        ip = 0;
                        c.func = callee;
                        if ((c.mask & TraceMask.CALL) != 0) {
                            c.sink.callEnter(callee, c.depth);
                        }
                    }
                    case Op.RET -> {
                        if ((c.mask & TraceMask.CALL) != 0) {
                            c.sink.callExit(c.func, c.depth);
                        }
                        if (c.depth == 1) {
                            c.ip = at;
                            c.base = base;
                            c.consume(start - budget);
                            return DONE;
                        }
                        int n = code[ip + 1];
                        int d = c.depth - 2;
                        int callerBase = c.frameBase[d];
                        LoweredFunction caller = funcs[c.frameFunc[d]];
                        int[] callerCode = caller.code();
                        int pos = c.frameRetPos[d];
                        for (int i = 0; i < n; i++) {
                            int from = base + code[ip + 2 + i];
                            int to = callerBase + callerCode[pos + 1 + i];
                            w[to] = w[from];
                            r[to] = r[from];
                        }
                        c.depth--;
                        fn = caller;
                        code = callerCode;
                        base = callerBase;
                        ip = pos + 1 + n;
                        c.func = fn.id();
                    }
                    case Op.HOST_CALL -> {
                        c.base = base;
                        long extra = Calls.host(vm, c, code, ip, base, at);
                        if (extra != 0) {
                            long charge = Math.min(extra, budget);
                            budget -= charge;
                            c.extraUnapplied += extra - charge;
                        }
                        w = c.w;
                        r = c.r;
                        int argc = code[ip + 2];
                        ip += 4 + argc + code[ip + 3 + argc];
                    }
                    case Op.TRAP -> throw new VmTrap(TrapKind.TRAP_CODE, code[ip + 1] & 0xFFFFFFFFL,
                            "trap instruction", null, 0);
                    default -> ip = Ops.slow(vm, c, fn, code, ip, base);
                }
            }
        } catch (VmTrap t) {
            c.trap = t;
            c.ip = at;
            c.base = base;
            c.consume(start - budget);
            return TRAPPED;
        }
    }
}
