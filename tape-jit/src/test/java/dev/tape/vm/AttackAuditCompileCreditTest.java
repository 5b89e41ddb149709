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

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the twelfth-round audit's compile throttle: generations that fail (a function under
 * {@link JitTier#MAX_CODE_INTS} but over the method size limit) count against the fuel credit like
 * classes, and that credit grew only with the fuel of compiled code. A VM whose first runs entered
 * 70 such functions once each (no class ever defined) then never compiled its hot loop: every run
 * of it was refused at its entry for want of credit, ran interpreted, and added nothing to the
 * credit (20 runs of 400,000 fuel: still interpreted; before the audit it compiled at once). The
 * same held, before the audit too, after 64 small classes of runs of a few fuel each. The credit
 * must count the fuel the runs of the VM use, interpreted or not: a function whose runs used the
 * fuel the throttle asks for is compiled at its next entry.
 */
class AttackAuditCompileCreditTest {
    /** main(n) counts n down (4 fuel a turn); f0..f{count-1} skip a block of {@code adds} i64.add. */
    static VerifiedProgram program(int count, int adds) throws Exception {
        StringBuilder s = new StringBuilder("""
            func main(n: i64) -> (i64) {
                const.i64 r2, 0
                const.i64 r3, 1
                jmp loop
            loop:
                i64.eq r4, r1, r2
                br r4, done, body
            body:
                i64.sub r1, r1, r3
                jmp loop
            done:
                ret r0, [r1]
            }
            """);
        for (int i = 0; i < count; i++) {
            s.append("func f").append(i).append("(x: i64) -> (i64) {\n    const.i64 r2, ").append(i + 1)
                    .append("\n    const.bool r3, false\n    br r3, huge, out\nout:\n    ret r0, [r1]\nhuge:\n");
            s.append("    i64.add r1, r1, r2\n".repeat(adds));
            s.append("    ret r0, [r1]\n}\n");
        }
        return Verifier.verify(Assembler.assemble(s.toString(), "credit.tasm"));
    }

    /** Runs f0..f{count-1} once each, then main(100,000) {@code mainRuns} times; checks each against the interpreter. */
    private static JitTier runs(int count, int adds, int mainRuns, boolean resumable) throws Exception {
        VerifiedProgram p = program(count, adds);
        Vm vm = JitTier.compile(p, Host.NONE, VmOptions.DEFAULT, JitTier.Budget.DEFAULT, JitTier.hidden(),
                JitTestAccess.codegen());
        Vm interpreted = new Vm(p, Host.NONE);
        for (int i = 0; i < count; i++) {
            check(vm, interpreted, 1 + i, i, resumable);
        }
        for (int r = 0; r < mainRuns; r++) {
            check(vm, interpreted, 0, 100_000, resumable);
        }
        return (JitTier) vm.tier;
    }

    private static void check(Vm vm, Vm interpreted, int func, long arg, boolean resumable) {
        ExecutionContext jc = new ExecutionContext();
        ExecutionContext ic = new ExecutionContext();
        List<Value> args = List.of(Value.i64(arg));
        Object got;
        if (resumable) {
            got = vm.start(jc, func, args, Limits.DEFAULT, null).resume();
        } else {
            got = vm.run(jc, func, args, Limits.DEFAULT, null);
        }
        Object want = interpreted.run(ic, func, args, Limits.DEFAULT, null);
        assertEquals(want, got instanceof Outcome.Done d ? d.values() : got);
        assertEquals(ic.fuelRemaining(), jc.fuelRemaining());
    }

    @Test
    void aHotLoopCompilesAfterManyFailedGenerations() throws Exception {
        // 70 failing generations (past the 64 free ones by 7): 140,000 fuel of credit is asked
        // for; one interpreted run of main uses 400,000
        for (boolean resumable : new boolean[] {false, true}) {
            JitTier t = runs(70, 1_500, 2, resumable);
            // no f can compile: the one method is main's
            assertEquals(1, t.compiledCount(), (resumable ? "Run.resume" : "Vm.run")
                    + ": main not compiled after 2 runs of 400,000 fuel");
        }
    }

    @Test
    void aHotLoopCompilesAfterManySmallClasses() throws Exception {
        // 70 small functions, 64 compiled free, each entered once for a few fuel; then main
        for (boolean resumable : new boolean[] {false, true}) {
            JitTier t = runs(70, 1, 2, resumable);
            assertEquals(65, t.compiledCount(), (resumable ? "Run.resume" : "Vm.run")
                    + ": main not compiled after 2 runs of 400,000 fuel, or f64.. compiled without the credit");
        }
    }

    /** The real generator, counting the generations it is asked for. */
    private static final class Counting implements Codegen {
        private final Codegen real = JitTestAccess.codegen();
        int generations;

        @Override
        public Generated generate(CompileView view, int func) {
            generations++;
            return real.generate(view, func);
        }

        @Override
        public int stackCost(int regCount) {
            return real.stackCost(regCount);
        }
    }

    @Test
    void failedGenerationsAreThrottledForRunsDrivenByRunResume() throws Exception {
        // the audit's case (AuditCompileCostTest) driven by Run.resume: 120 runs of 5 fuel, each
        // entering another function whose generation fails. Run.resume holds all but 2^18 of a
        // run's fuel in reserve while compiled code runs, and the credit counted the limit less
        // the fuel outside the reserve as used: about 9.7 million of credit at each entry, so
        // every one of the 120 was generated
        int count = 120;
        VerifiedProgram p = program(count, 1_500);
        Counting counting = new Counting();
        Vm vm = JitTier.compile(p, Host.NONE, VmOptions.DEFAULT, JitTier.Budget.DEFAULT, JitTier.hidden(), counting);
        Vm interpreted = new Vm(p, Host.NONE);
        long fuelUsed = 0;
        for (int i = 0; i < count; i++) {
            ExecutionContext jc = new ExecutionContext();
            check(vm, interpreted, 1 + i, i, true);
            Outcome o = vm.start(jc, 1 + i, List.of(Value.i64(i)), Limits.DEFAULT, null).resume();
            assertEquals(List.of(Value.i64(i)), ((Outcome.Done) o).values());
            fuelUsed += 2 * (Limits.DEFAULT.fuel() - jc.fuelRemaining());
        }
        long allowed = JitTier.FREE_CLASSES + fuelUsed / JitTier.FUEL_PER_CLASS + 1;
        assertTrue(counting.generations <= allowed, counting.generations + " generations for runs of "
                + fuelUsed + " fuel in all; allowed " + allowed);
    }
}
