package dev.tape.vm;

import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import dev.tape.verify.internal.LoweredFunction;

import java.util.ArrayList;
import java.util.List;

/**
 * Drives a run through its context from tests, the way {@code Vm}'s driver does: start, run a
 * number of instructions (a paused run, as when its fuel runs out), run to the end. The outcome
 * text holds the results or the trap (kind, function, pc, span, stack) and every counter.
 */
public final class Paused {
    private Paused() {}

    /** Prepares a run as {@code Vm.start} does, without running anything. */
    public static void start(Vm vm, ExecutionContext c, int entry, List<Value> args, Limits limits) {
        c.reset(limits, null, 0);
        LoweredFunction fn = vm.funcs[entry];
        c.ensureRegisters(fn.regCount());
        c.base = 0;
        for (int i = 0; i < args.size(); i++) {
            Value v = args.get(i);
            ValueKind k = v.kind();
            if (Aggregate.isWord(k)) {
                c.w[1 + i] = Aggregate.wordOf(v);
            } else if (k != ValueKind.UNIT) {
                c.r[1 + i] = v;
            }
        }
        c.depth = 1;
        c.func = entry;
        c.ip = 0;
    }

    /**
     * Runs at most {@code n} instructions.
     *
     * @return true when the run is still paused afterwards (not done, not trapped)
     */
    public static boolean step(Vm vm, ExecutionContext c, long n) {
        long left = n;
        while (left > 0) {
            if (c.fuel == 0 && !c.refill()) {
                return false;
            }
            long budget = Math.min(left, c.fuel);
            long before = c.fuel;
            int status = Interpreter.execute(vm, c, budget);
            if (status != Interpreter.OUT_OF_FUEL) {
                // ended: leave it to finish, which sees the same status again only by re-running; so
                // remember it in the trap slot
                c.trap = status == Interpreter.DONE ? DONE : c.trap;
                return false;
            }
            left -= Math.max(1, before - c.fuel);
        }
        return true;
    }

    /** Marks a run that stepped into its end (results at c.ip). */
    private static final VmTrap DONE = new VmTrap(TrapKind.INTERNAL_ERROR, "done");

    /** Runs to the end and describes the outcome. */
    public static String finish(Vm vm, ExecutionContext c) {
        while (c.trap == null) {
            if (c.fuel == 0 && !c.refill()) {
                c.trap = new VmTrap(TrapKind.FUEL_EXCEEDED, "out of fuel");
                break;
            }
            int status = Interpreter.execute(vm, c, c.fuel);
            if (status == Interpreter.DONE) {
                c.trap = DONE;
            }
        }
        String counters = " fuel " + Long.toUnsignedString(c.fuelRemaining()) + " hostCalls " + c.hostCalls + " heap "
                + c.heapBytes + " scanned " + c.scannedBytes + " copied " + c.copiedUnits;
        if (c.trap == DONE) {
            c.trap = null;
            LoweredFunction fn = vm.funcs[c.func];
            int[] code = fn.code();
            int n = code[c.ip + 1];
            List<String> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int reg = code[c.ip + 2 + i] >>> 2;
                ValueType t = fn.regType(reg);
                out.add(ValueLiteral.format(vm.load(c, t, reg), 100_000));
            }
            return "ok " + String.join(", ", out) + counters;
        }
        Trap t = vm.trap(c, c.trap);
        c.trap = null;
        if (t.kind() == TrapKind.INTERNAL_ERROR) {
            throw new AssertionError("internal error: " + t.getMessage());
        }
        return "trap " + t.label() + " func " + t.func() + " pc " + t.pc() + " span " + t.span() + " stack "
                + t.stack() + counters;
    }
}
