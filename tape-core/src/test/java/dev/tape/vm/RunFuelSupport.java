package dev.tape.vm;

import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import dev.tape.verify.internal.LoweredFunction;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the fuel tests of the interpreter's run loops ({@code DecimalRunFuelTest},
 * {@code FloatRunFuelTest}, {@code TupleRunFuelTest}) share: an instruction counter, a run's outcome
 * as one line, and the ops a lowered function holds.
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
