package dev.tape.vm;

import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.internal.LoweredFunction;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the fuel tests of the interpreter's run loops ({@code DecimalRunFuelTest},
 * {@code FloatRunFuelTest}, {@code TupleRunFuelTest}, {@code LoopRunFuelTest}) share: an instruction
 * counter, a run's outcome as one line (also the call loops' tests'), the sweep of every budget, and the ops a lowered function
 * holds.
 */
final class RunFuelSupport {
    private RunFuelSupport() {}

    /** Counts the instructions a traced run steps through. */
    static final class Steps implements TraceSink {
        int count;

        @Override
        public int mask() {
            return TraceMask.INSTR;
        }

        @Override
        public void instr(int func, int pc, long span, int opcode) {
            count++;
        }
    }

    /**
     * @return function 0's result (and fuel left) with argument {@code n} under {@code fuel}, or its
     *     trap's kind, function, pc, fuel left and message, as one line
     */
    static String outcome(Vm vm, long n, long fuel, TraceSink sink) {
        ExecutionContext ctx = new ExecutionContext();
        try {
            List<Value> out = vm.run(ctx, 0, List.of(Value.i64(n)), Limits.DEFAULT.withFuel(fuel), sink);
            return "ok " + out + " fuel " + ctx.fuelRemaining();
        } catch (Trap t) {
            return t.kind() + " f" + t.func() + " pc " + t.pc() + " fuel " + t.fuelRemaining() + " " + t.getMessage();
        }
    }

    /**
     * @return function 0's result (and fuel left) with argument {@code n} under {@code limits}, or
     *     its trap's kind, function, pc, fuel left and stack, as one line (the call loops' tests,
     *     {@code CallLoopTest} and {@code LeafCallTest})
     */
    static String outcome(Vm vm, long n, Limits limits, TraceSink sink) {
        ExecutionContext ctx = new ExecutionContext();
        try {
            List<Value> out = vm.run(ctx, 0, List.of(Value.i64(n)), limits, sink);
            return "ok " + out + " fuel " + ctx.fuelRemaining();
        } catch (Trap t) {
            return t.kind() + " f" + t.func() + " pc " + t.pc() + " fuel " + t.fuelRemaining() + " stack " + t.stack();
        }
    }

    /**
     * Runs {@code run} under every budget from 0 to {@code steps} + 5 units, stepped (an INSTR
     * sink, so no run loop is entered) and untraced, and asserts that both end alike under each, and
     * that every budget short of the whole run ({@code steps} units, one per instruction) runs out.
     *
     * @param run a run's one-line outcome under a budget (units) with a sink or {@code null}
     * @param steps the instructions the whole run steps through
     * @param label what the assertion messages start with
     */
    static void everyBudgetEndsAlike(BiFunction<Long, TraceSink, String> run, long steps, String label) {
        List<String> differ = new ArrayList<>();
        int fuelTraps = 0;
        for (long fuel = 0; fuel <= steps + 5; fuel++) {
            String stepped = run.apply(fuel, new Steps());
            String fast = run.apply(fuel, null);
            if (!stepped.equals(fast)) {
                differ.add("fuel " + fuel + ": " + stepped + " / " + fast);
            }
            if (fast.startsWith("FUEL_EXCEEDED")) {
                fuelTraps++;
            }
        }
        assertEquals(List.of(), differ, label);
        assertEquals(steps, fuelTraps, label + ": every budget short of the whole run runs out");
    }

    /** @return the lowered ops that start an instruction of {@code lf} */
    static Set<Integer> loweredOps(LoweredFunction lf) {
        Set<Integer> ops = new HashSet<>();
        for (int i = 0; i < lf.codeLength(); i++) {
            if (lf.pcOf()[i] >= 0) {
                ops.add(lf.code()[i]);
            }
        }
        return ops;
    }
}
