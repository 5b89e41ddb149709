package dev.tape.vm;

import dev.tape.value.Value;
import dev.tape.verify.internal.LoweredFunction;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A test driver of paused runs on the compiled tier, through the context's internals (what the Run
 * API's driver does, without waiting for it): it starts a run (interpreted for a chosen number of
 * instructions, or compiled), and every time the run stops short of its end (the interpreter's
 * budget, a compiled hand-over, a poll) it steps the interpreter to the next resume point
 * ({@link CompiledTier#toResumePoint}) and resumes compiled code there ({@link CompiledTier#resume}).
 * Fuel is handed out in slices: the rest of the run's fuel waits in {@code fuelReserve}, which
 * everything that looks at the fuel left (host functions, traps) counts, so a sliced run must
 * end exactly as a one-shot run with the same total fuel.
 */
final class Resumer {
    final Vm vm;
    final JitTier tier;
    private final SplittableRandom rnd;
    /** the largest fuel slice handed out (random slices of 1 to this), or 0 for no slicing */
    private final long slice;
    /** instructions the interpreter ran, and resumes made */
    long interpreted;
    long resumes;

    Resumer(Vm vm, long seed, long slice) {
        this.vm = vm;
        this.tier = (JitTier) vm.tier;
        this.rnd = new SplittableRandom(seed);
        this.slice = slice;
    }

    /**
     * Runs {@code entry} with {@code args} under {@code limits} (fuel at least 0), stopping first
     * after {@code firstStop} interpreted instructions, or, when it is negative, starting compiled.
     */
    Tiers.Outcome run(Tiers.Recorder rec, int entry, List<Value> args, Limits limits, long firstStop) {
        if (rec != null) {
            rec.log.clear();
        }
        ExecutionContext c = new ExecutionContext();
        List<Value> out = null;
        Tiers.TrapView trap = null;
        try {
            out = drive(c, entry, args, limits, firstStop);
        } catch (Trap t) {
            trap = Tiers.TrapView.of(t);
        } finally {
            c.release();
        }
        List<String> lits = null;
        if (out != null) {
            lits = new ArrayList<>();
            for (Value v : out) {
                lits.add(Tiers.literal(v));
            }
        }
        List<String> log = rec == null ? List.of() : List.copyOf(rec.log);
        return new Tiers.Outcome(out, lits, trap, c.fuelRemaining(), c.hostCallsMade(), c.heapBytesAllocated(), log);
    }

    private List<Value> drive(ExecutionContext c, int entry, List<Value> args, Limits limits, long firstStop)
            throws Trap {
        Paused.start(vm, c, entry, args, limits);
        reslice(c);
        int status;
        if (firstStop < 0) {
            status = tier.run(vm, c, entry);
        } else {
            status = interpret(c, Math.min(firstStop, c.fuel));
        }
        while (true) {
            if (status == Interpreter.DONE) {
                return results(c);
            }
            if (status == Interpreter.TRAPPED) {
                throw vm.trap(c, c.trap);
            }
            // paused: the interpreter runs at least one instruction, then on to a resume point
            boolean first = true;
            while (status != Interpreter.DONE && status != Interpreter.TRAPPED
                    && (first || !tier.resumable(c.func, c.ip))) {
                first = false;
                if (c.fuel == 0 && !refill(c)) {
                    throw vm.trap(c, new VmTrap(TrapKind.FUEL_EXCEEDED, "the fuel budget of "
                            + Long.toUnsignedString(c.limits.fuel()) + " is used up"));
                }
                status = interpret(c, Math.min(tier.toResumePoint(c.func, c.ip), c.fuel));
            }
            if (status == Interpreter.DONE || status == Interpreter.TRAPPED) {
                continue;
            }
            reslice(c);
            resumes++;
            status = tier.resume(vm, c);
        }
    }

    private int interpret(ExecutionContext c, long budget) {
        long before = c.fuel;
        int status = Interpreter.execute(vm, c, budget);
        interpreted += before - c.fuel;
        return status;
    }

    /** Moves all but a random slice of the fuel to the reserve (when slicing). */
    private void reslice(ExecutionContext c) {
        if (slice <= 0 || c.fuel <= 1) {
            return;
        }
        long keep = 1 + rnd.nextLong(Math.min(slice, c.fuel));
        c.fuelReserve += c.fuel - keep;
        c.fuel = keep;
    }

    /** Hands out the next slice from the reserve: @return false when there is none. */
    private boolean refill(ExecutionContext c) {
        if (c.fuelReserve == 0) {
            return false;
        }
        // the reserve is unsigned (2^63 and more with a fuel limit that large) and c.fuel holds at
        // most Long.MAX_VALUE, as the context keeps them
        long most = slice <= 0 ? Long.MAX_VALUE : 1 + rnd.nextLong(slice);
        long take = Long.compareUnsigned(c.fuelReserve, most) < 0 ? c.fuelReserve : most;
        c.fuel += take;
        c.fuelReserve -= take;
        return true;
    }

    private List<Value> results(ExecutionContext c) {
        LoweredFunction fn = vm.funcs[c.func];
        int[] code = fn.code();
        int n = code[c.ip + 1];
        List<Value> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int reg = code[c.ip + 2 + i] >>> 2;
            out.add(vm.load(c, fn.regType(reg), reg));
        }
        return out;
    }
}
