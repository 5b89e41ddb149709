package dev.tape.vm;

import dev.tape.format.Op;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import dev.tape.verify.LOp;
import dev.tape.verify.LoweredFunction;

/**
 * The dispatch loop: one {@code switch} over the lowered opcode inside one loop, registers in flat
 * {@code long[]}/{@code Object[]} files addressed {@code base + index}, calls that push heap
 * frames. Rare or bulky instructions live in static helpers so that this method stays small
 * enough for HotSpot to compile ({@code ARCHITECTURE.md}, "Interpreter rules"; see
 * {@code docs/PERFORMANCE.md} for the rules this loop follows and why).
 *
 * <p>The loop runs until its budget runs out, the entry frame returns, or an instruction traps.
 * The budget is the fuel (or 1 when the driver steps for tracing): each instruction checks it
 * before running and takes 1 from it. A fused compare-and-branch takes 2 only when there are 2;
 * otherwise it runs as the plain compare and leaves the br to the next turn of the loop.
 *
 * <p>While the loop runs, {@code ip}, {@code base}, the current function, the depth and the register
 * files live in locals, and are written back to the context whenever the loop returns or throws. A
 * trapping instruction leaves {@code ip} at its own start, which is where the trap is reported.
 */
final class Interpreter {
    private Interpreter() {}

    static final int DONE = 0;
    static final int OUT_OF_FUEL = 1;
    static final int TRAPPED = 2;

    static int execute(Vm vm, ExecutionContext c, long budget) {
        final long start = budget;
        final LoweredFunction[] funcs = vm.funcs;
        final int maxDepth = c.limits.maxCallDepth();
        LoweredFunction fn = funcs[c.func];
        int[] code = fn.code();
        long[] w = c.w;
        Object[] r = c.r;
        int base = c.base;
        int ip = c.ip;
        int depth = c.depth;
        int[] frames = c.frames;
        try {
            while (true) {
                if (budget == 0) {
                    c.depth = depth;
                    c.func = fn.id();
                    c.ip = ip;
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
                        w[base + code[ip + 1]] = (code[ip + 2] & 0xFFFFFFFFL) | ((long) code[ip + 3] << 32);
                        ip += 4;
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
                    // fused compare-and-branch: [cmp, dst, a, b][BR, dst, T, F]; see LOp.I64_LT_BR
                    case LOp.I64_LT_BR -> {
                        boolean t = w[base + code[ip + 2]] < w[base + code[ip + 3]];
                        w[base + code[ip + 1]] = t ? 1 : 0;
                        if (budget == 0) {
                            ip += 4;
                        } else {
                            budget--;
                            ip = code[t ? ip + 6 : ip + 7];
                        }
                    }
                    case LOp.I64_LE_BR -> {
                        boolean t = w[base + code[ip + 2]] <= w[base + code[ip + 3]];
                        w[base + code[ip + 1]] = t ? 1 : 0;
                        if (budget == 0) {
                            ip += 4;
                        } else {
                            budget--;
                            ip = code[t ? ip + 6 : ip + 7];
                        }
                    }
                    case LOp.I64_GT_BR -> {
                        boolean t = w[base + code[ip + 2]] > w[base + code[ip + 3]];
                        w[base + code[ip + 1]] = t ? 1 : 0;
                        if (budget == 0) {
                            ip += 4;
                        } else {
                            budget--;
                            ip = code[t ? ip + 6 : ip + 7];
                        }
                    }
                    case LOp.I64_GE_BR -> {
                        boolean t = w[base + code[ip + 2]] >= w[base + code[ip + 3]];
                        w[base + code[ip + 1]] = t ? 1 : 0;
                        if (budget == 0) {
                            ip += 4;
                        } else {
                            budget--;
                            ip = code[t ? ip + 6 : ip + 7];
                        }
                    }
                    case LOp.I64_EQ_BR -> {
                        boolean t = w[base + code[ip + 2]] == w[base + code[ip + 3]];
                        w[base + code[ip + 1]] = t ? 1 : 0;
                        if (budget == 0) {
                            ip += 4;
                        } else {
                            budget--;
                            ip = code[t ? ip + 6 : ip + 7];
                        }
                    }
                    case LOp.U64_LT_BR -> {
                        boolean t = Long.compareUnsigned(w[base + code[ip + 2]], w[base + code[ip + 3]]) < 0;
                        w[base + code[ip + 1]] = t ? 1 : 0;
                        if (budget == 0) {
                            ip += 4;
                        } else {
                            budget--;
                            ip = code[t ? ip + 6 : ip + 7];
                        }
                    }
                    case LOp.F64_LT_BR -> {
                        boolean t = Double.longBitsToDouble(w[base + code[ip + 2]])
                                < Double.longBitsToDouble(w[base + code[ip + 3]]);
                        w[base + code[ip + 1]] = t ? 1 : 0;
                        if (budget == 0) {
                            ip += 4;
                        } else {
                            budget--;
                            ip = code[t ? ip + 6 : ip + 7];
                        }
                    }
                    case LOp.SELECT_W -> {
                        w[base + code[ip + 1]] = w[base + code[ip + 2]] != 0 ? w[base + code[ip + 3]] : w[base + code[ip + 4]];
                        ip += 5;
                    }
                    case LOp.SELECT_R -> {
                        r[base + code[ip + 1]] = w[base + code[ip + 2]] != 0 ? r[base + code[ip + 3]] : r[base + code[ip + 4]];
                        ip += 5;
                    }
                    case Op.CALL, LOp.CALL_INDIRECT_FUNC, LOp.CALL_INDIRECT_CLOSURE -> {
                        if (depth >= maxDepth) {
                            throw Calls.depthTrap(depth, maxDepth);
                        }
                        int callee;
                        int argsAt;
                        int to;
                        if (code[ip] == Op.CALL) {
                            callee = code[ip + 1];
                            argsAt = ip + 2;
                            to = base + fn.regCount() + 1;
                        } else {
                            // indirect: check the callee, make room, and pass a closure's environment
                            callee = Calls.indirectCallee(vm, c, code, ip, base);
                            argsAt = ip + 3;
                            to = base + fn.regCount() + (code[ip] == LOp.CALL_INDIRECT_CLOSURE ? 2 : 1);
                        }
                        LoweredFunction cf = funcs[callee];
                        int nb = base + fn.regCount();
                        if (nb + cf.regCount() > w.length) {
                            c.ensureRegisters(nb + cf.regCount());
                            w = c.w;
                            r = c.r;
                        }
                        if (to == nb + 2) {
                            r[nb + 1] = ((Value.Closure) r[base + code[ip + 2]]).env();
                        }
                        int argc = code[argsAt];
                        Calls.copy(w, r, code, argsAt + 1, argc, base, to);
                        int fp = (depth - 1) * ExecutionContext.FRAME;
                        if (fp + ExecutionContext.FRAME > frames.length) {
                            frames = c.growFrames();
                        }
                        frames[fp] = fn.id();
                        frames[fp + 1] = base;
                        frames[fp + 2] = ip;
                        frames[fp + 3] = argsAt + 1 + argc;
                        ++depth;
                        fn = cf;
                        code = cf.code();
                        base = nb;
                        ip = 0;
                        if (c.traceCalls) {
                            c.sink.callEnter(callee, depth);
                        }
                    }
                    case Op.RET -> {
                        if (c.traceCalls) {
                            c.sink.callExit(fn.id(), depth);
                        }
                        if (depth == 1) {
                            c.depth = depth;
                            c.func = fn.id();
                            c.ip = ip;
                            c.base = base;
                            c.consume(start - budget);
                            return DONE;
                        }
                        int fp = (depth - 2) * ExecutionContext.FRAME;
                        LoweredFunction caller = funcs[frames[fp]];
                        int callerBase = frames[fp + 1];
                        int pos = frames[fp + 3];
                        int[] callerCode = caller.code();
                        int n = code[ip + 1];
                        Calls.copyBack(w, r, code, ip + 2, n, base, callerCode, pos + 1, callerBase);
                        --depth;
                        fn = caller;
                        code = callerCode;
                        base = callerBase;
                        ip = pos + 1 + n;
                    }
                    case Op.HOST_CALL -> {
                        long extra = Calls.host(vm, c, fn, code, ip, base, c.fuel - (start - budget) - c.extraUnapplied);
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
                    case LOp.TUPLE_NEW_W -> {
                        int n = code[ip + 3];
                        r[base + code[ip + 1]] = Ops.tupleOfWords(c, fn.tags()[code[ip + 2]], w, code, ip + 4, n, base);
                        ip += 4 + n;
                    }
                    case LOp.TUPLE_GET_W -> {
                        Object o = r[base + code[ip + 2]];
                        int i = code[ip + 3];
                        if (o instanceof Aggregate a && a.aggKind() == Aggregate.Kind.TUPLE && i < a.size()
                                && a.tag(i) == code[ip + 4]) {
                            w[base + code[ip + 1]] = a.word(i);
                        } else {
                            Ops.project(c, code, ip, base, Aggregate.Kind.TUPLE, i & 0xFFFFFFFFL, true);
                        }
                        ip += 5;
                    }
                    case Op.TRAP -> throw new VmTrap(TrapKind.TRAP_CODE, code[ip + 1] & 0xFFFFFFFFL,
                            "trap instruction", null, 0);
                    default -> ip = Ops.slow(vm, c, fn, code, ip, base);
                }
            }
        } catch (VmTrap t) {
            c.depth = depth;
            c.func = fn.id();
            c.trap = t;
            c.ip = ip;
            c.base = base;
            c.consume(start - budget);
            return TRAPPED;
        } catch (RuntimeException e) {
            // not a trap of the program (a failing trace sink, or a bug): leave the state where it
            // happened so the driver reports it there
            c.depth = depth;
            c.func = fn.id();
            c.ip = ip;
            c.base = base;
            c.consume(start - budget);
            throw e;
        }
    }
}
