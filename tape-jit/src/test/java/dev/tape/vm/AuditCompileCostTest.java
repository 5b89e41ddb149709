package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.jit.JitTestAccess;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.vm.internal.Codegen;
import dev.tape.vm.internal.CompileView;
import dev.tape.vm.internal.Generated;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Audit of issue 14 (twelfth round): what the compiled tier spends generating code is bounded by
 * constants and the fuel runs use, not by the size of the functions a run enters. A function is
 * generated when it first runs, however little of it runs: a 4 MB function entered once (7 fuel)
 * cost about 1.2 s of generation on a fresh VM and 150 to 270 ms on each further fresh VM of the
 * same program, every attempt failing (too large), where the interpreter runs it in microseconds;
 * and generations that fail did not count against the fuel credit classes need past the free ones,
 * so a run entering many such functions paid for all of them. Counted here as the lowered code the
 * generator is handed ({@code work}), never as time.
 */
class AuditCompileCostTest {
    /** A code generator that counts what it is asked to generate, then generates as the real one. */
    private static final class Counting implements Codegen {
        private final Codegen real = JitTestAccess.codegen();
        final List<Integer> lengths = new ArrayList<>();
        private final Vm[] vm;

        Counting(Vm[] vm) {
            this.vm = vm;
        }

        @Override
        public Generated generate(CompileView view, int func) {
            lengths.add(vm[0].funcs[func].codeLength());
            return real.generate(view, func);
        }

        @Override
        public int stackCost(int regCount) {
            return real.stackCost(regCount);
        }

        long work() {
            return lengths.stream().mapToLong(Integer::longValue).sum();
        }
    }

    /** Functions each dispatcher calls: few enough that the dispatchers compile. */
    private static final int PER_DISPATCHER = 20;

    /**
     * main(n) calls each of {@code count} functions once, through dispatchers {@code d0},
     * {@code d1}, ... of {@link #PER_DISPATCHER} calls each (small, so they compile and their
     * callees are compiled at their first call); function i skips, on a false branch, a block of
     * {@code adds} i64.add (so it costs 5 fuel whatever {@code adds}), and the functions differ
     * in a constant, so no two share a method.
     */
    private static VerifiedProgram program(int count, int adds) throws Exception {
        StringBuilder s = new StringBuilder("func main(n: i64) -> (i64) {\n");
        int dispatchers = (count + PER_DISPATCHER - 1) / PER_DISPATCHER;
        for (int d = 0; d < dispatchers; d++) {
            s.append("    call r0, d").append(d).append(", r0, [r1] -> [r1]\n");
        }
        s.append("    ret r0, [r1]\n}\n");
        for (int d = 0; d < dispatchers; d++) {
            s.append("func d").append(d).append("(x: i64) -> (i64) {\n");
            for (int i = d * PER_DISPATCHER; i < Math.min(count, (d + 1) * PER_DISPATCHER); i++) {
                s.append("    call r0, big").append(i).append(", r0, [r1] -> [r1]\n");
            }
            s.append("    ret r0, [r1]\n}\n");
        }
        for (int i = 0; i < count; i++) {
            s.append("func big").append(i).append("(x: i64) -> (i64) {\n    const.i64 r2, ").append(i + 1)
                    .append("\n    const.bool r3, false\n    br r3, huge, out\nout:\n    ret r0, [r1]\nhuge:\n");
            s.append("    i64.add r1, r1, r2\n".repeat(adds));
            s.append("    ret r0, [r1]\n}\n");
        }
        return Verifier.verify(Assembler.assemble(s.toString(), "big.tasm"));
    }

    /** Runs main(0) compiled through a counting generator, checks it against the interpreter, returns the counter. */
    private static Counting run(VerifiedProgram p) throws Exception {
        Vm[] holder = new Vm[1];
        Counting counting = new Counting(holder);
        Vm vm = JitTier.compile(p, Host.NONE, VmOptions.DEFAULT, JitTier.Budget.DEFAULT, JitTier.hidden(), counting);
        holder[0] = vm;
        ExecutionContext jc = new ExecutionContext();
        List<Value> got = vm.run(jc, 0, List.of(Value.i64(0)), Limits.DEFAULT, null);
        ExecutionContext ic = new ExecutionContext();
        List<Value> want = new Vm(p, Host.NONE).run(ic, 0, List.of(Value.i64(0)), Limits.DEFAULT, null);
        assertEquals(want, got);
        assertEquals(ic.fuelRemaining(), jc.fuelRemaining());
        return counting;
    }

    @Test
    void aHugeFunctionEnteredOnceIsNotHandedToTheGenerator() throws Exception {
        // 50,000 adds: 200,000 ints of lowered code behind a branch never taken
        Counting c = run(program(1, 50_000));
        for (int len : c.lengths) {
            assertTrue(len <= JitTier.MAX_CODE_INTS, "the generator was handed " + len + " ints of code: " + c.lengths);
        }
    }

    @Test
    void callingHugeFunctionsDoesNotReadThemWhenCompilingTheCaller() throws Exception {
        // main calls, through a dispatcher that compiles, 8 functions of 20,000 adds each (80 KB
        // of bytecode apiece, over the cap, so never generated themselves); generating the
        // dispatcher asks whether each callee may run inline, which must not decode the callee's
        // bytecode (it did, once per call site and per generation attempt: 43.7 MB allocated for
        // 1.6 MB of bytecode; the VM's own generation takes about 150 KB)
        VerifiedProgram p = program(8, 20_000);
        long bytecode = 0;
        for (var f : p.program().functions()) {
            bytecode += f.codeLength();
        }
        Vm[] holder = new Vm[1];
        Counting c = new Counting(holder);
        Vm vm = JitTier.compile(p, Host.NONE, VmOptions.DEFAULT, JitTier.Budget.DEFAULT, JitTier.hidden(), c);
        holder[0] = vm;
        // a first VM warms the generator up (class loading); the second is measured
        vm.run(0, List.of(Value.i64(0)), Limits.DEFAULT);
        vm = JitTier.compile(p, Host.NONE, VmOptions.DEFAULT, JitTier.Budget.DEFAULT, JitTier.hidden(), c);
        holder[0] = vm;
        long before = allocated();
        List<Value> got = vm.run(0, List.of(Value.i64(0)), Limits.DEFAULT);
        long used = allocated() - before;
        assertEquals(List.of(Value.i64(0)), got);
        assertTrue(used < bytecode, "a run of main on a fresh VM allocated " + used + " bytes; the program has "
                + bytecode + " bytes of bytecode");
    }

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    @Test
    void failedGenerationsCountAgainstTheFuelCredit() throws Exception {
        // 120 functions of 1,500 adds (6,000 ints each, under the cap but over the method limit),
        // each the entry of one run on one VM: each generation fails; past the free ones, each
        // must wait for its fuel credit like a class that is defined
        int count = 120;
        VerifiedProgram p = program(count, 1_500);
        int first = p.program().functions().size() - count;
        Vm[] holder = new Vm[1];
        Counting c = new Counting(holder);
        Vm vm = JitTier.compile(p, Host.NONE, VmOptions.DEFAULT, JitTier.Budget.DEFAULT, JitTier.hidden(), c);
        holder[0] = vm;
        Vm interpreted = new Vm(p, Host.NONE);
        long fuelUsed = 0;
        for (int i = 0; i < count; i++) {
            ExecutionContext jc = new ExecutionContext();
            List<Value> got = vm.run(jc, first + i, List.of(Value.i64(i)), Limits.DEFAULT, null);
            ExecutionContext ic = new ExecutionContext();
            assertEquals(interpreted.run(ic, first + i, List.of(Value.i64(i)), Limits.DEFAULT, null), got);
            assertEquals(ic.fuelRemaining(), jc.fuelRemaining());
            fuelUsed += Limits.DEFAULT.fuel() - jc.fuelRemaining();
        }
        long allowed = JitTier.FREE_CLASSES + fuelUsed / JitTier.FUEL_PER_CLASS + 1;
        assertTrue(c.lengths.size() <= allowed, c.lengths.size() + " generations (" + c.work()
                + " ints of code) for runs of " + fuelUsed + " fuel in all; allowed " + allowed);
    }
}
