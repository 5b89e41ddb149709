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
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Audit of issue 14 (thirteenth round): the fuel credit that pays for classes past the free ones
 * counts each unit of fuel a VM's runs use once. A {@link Run} runs in stretches of at most
 * {@link Run#COMPILED_CHUNK} fuel; each stretch adds what it used to the VM's credit when it ends,
 * and a compile inside a later stretch added the run's whole use so far again (the limit less the
 * fuel left): up to twice the fuel, where {@code Vm.run} counts it once.
 */
class AuditCompileCreditTest {
    /**
     * main(n) counts n down (4 fuel a turn), then calls g, which calls h (so g is no leaf that
     * main's method could run inline: g needs a class of its own).
     */
    private static VerifiedProgram program() throws Exception {
        return Verifier.verify(Assembler.assemble("""
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
                call r0, g, r0, [r3] -> [r1]
                ret r0, [r1]
            }
            func g(x: i64) -> (i64) {
                call r0, h, r0, [r1] -> [r1]
                ret r0, [r1]
            }
            func h(x: i64) -> (i64) {
                const.i64 r2, 7
                i64.add r1, r1, r2
                ret r0, [r1]
            }
            """, "credit.tasm"));
    }

    /** Turns of main's loop: 800,000 fuel, over three of a Run's compiled stretches. */
    private static final int TURNS = 200_000;

    /**
     * One free class (main's), then 1,200,000 fuel a class: more than the 800,000 main uses
     * before it calls g, less than twice that.
     */
    private static final JitTier.Budget BUDGET = new JitTier.Budget(JitTier.MAX_CLASS_BYTES, JitTier.MAX_TOTAL_BYTES,
            JitTier.MAX_CLASSES, 1, 1_200_000);

    private static JitTier run(VerifiedProgram p, boolean resumable, int turns) {
        Vm vm = JitTier.compile(p, Host.NONE, VmOptions.DEFAULT, BUDGET, JitTier.hidden(), JitTestAccess.codegen());
        ExecutionContext jc = new ExecutionContext();
        List<Value> args = List.of(Value.i64(turns));
        Object got = resumable ? vm.start(jc, 0, args, Limits.DEFAULT, null).resume()
                : vm.run(jc, 0, args, Limits.DEFAULT, null);
        ExecutionContext ic = new ExecutionContext();
        List<Value> want = new Vm(p, Host.NONE).run(ic, 0, args, Limits.DEFAULT, null);
        assertEquals(want, got instanceof Outcome.Done d ? d.values() : got);
        assertEquals(ic.fuelRemaining(), jc.fuelRemaining());
        return (JitTier) vm.tier;
    }

    @Test
    void aRunsStretchesCountItsFuelOnce() throws Exception {
        VerifiedProgram p = program();
        int g = 1;
        for (boolean resumable : new boolean[] {false, true}) {
            JitTier t = run(p, resumable, TURNS);
            assertFalse(t.compiledCount() == 0, "main was not compiled");
            // about 800,000 fuel used when main calls g: less than the 1,200,000 g's class asks for
            assertEquals(null, t.handles[g], (resumable ? "Run.resume" : "Vm.run")
                    + ": g compiled on about 800,000 fuel of credit counted twice");
            assertEquals(1, t.compiledCount(), resumable ? "Run.resume" : "Vm.run");
        }
    }

    @Test
    void fuelEnoughForAClassPaysForIt() throws Exception {
        // 350,000 turns: 1,400,000 fuel when main calls g, over the 1,200,000 its class asks for
        VerifiedProgram p = program();
        for (boolean resumable : new boolean[] {false, true}) {
            JitTier t = run(p, resumable, 350_000);
            assertFalse(t.handles[1] == null, (resumable ? "Run.resume" : "Vm.run")
                    + ": g not compiled on 1,400,000 fuel of credit");
        }
    }

    /** The real generator, whose first {@code cuts} generations overflow the Java stack half way. */
    private static final class Cut implements Codegen {
        private final Codegen real = JitTestAccess.codegen();
        int cuts;

        Cut(int cuts) {
            this.cuts = cuts;
        }

        @Override
        public Generated generate(CompileView view, int func) {
            Generated g = real.generate(view, func);
            if (cuts > 0) {
                cuts--;
                throw new StackOverflowError("cut");
            }
            return g;
        }

        @Override
        public int stackCost(int regCount) {
            return real.stackCost(regCount);
        }
    }

    /** Runs h(1) on {@code vm} and checks it against the interpreter. */
    private static void runH(VerifiedProgram p, Vm vm) {
        ExecutionContext jc = new ExecutionContext();
        List<Value> args = List.of(Value.i64(1));
        List<Value> got = vm.run(jc, 2, args, Limits.DEFAULT, null);
        ExecutionContext ic = new ExecutionContext();
        assertEquals(new Vm(p, Host.NONE).run(ic, 2, args, Limits.DEFAULT, null), got);
        assertEquals(ic.fuelRemaining(), jc.fuelRemaining());
    }

    @Test
    void aGenerationCutByTheStackCountsForTheCreditNotAsAClass() throws Exception {
        // the generation did its work (its CPU is spent) but defined nothing: it counts against
        // the fuel credit like any generation, no class or bytes are counted, and the function is
        // generated again at its next entry
        VerifiedProgram p = program();
        Vm vm = JitTier.compile(p, Host.NONE, VmOptions.DEFAULT, JitTier.Budget.DEFAULT, JitTier.hidden(), new Cut(2));
        JitTier t = (JitTier) vm.tier;
        runH(p, vm);
        assertEquals(List.of(1, 0, 0L, 0), List.of(t.generations(), t.classes(), t.classBytes(), t.compiledCount()));
        runH(p, vm);
        assertEquals(List.of(2, 0, 0L, 0), List.of(t.generations(), t.classes(), t.classBytes(), t.compiledCount()));
        runH(p, vm);
        assertEquals(List.of(3, 1, 1), List.of(t.generations(), t.classes(), t.compiledCount()));
    }

    @Test
    void generationsCutByTheStackArePaidForPastTheFreeOnes() throws Exception {
        // one free generation, then 1,000 fuel each: every entry of h (5 fuel) is one more cut
        // generation until the runs have paid; the runs' fuel must pay for every one
        VerifiedProgram p = program();
        JitTier.Budget budget = new JitTier.Budget(JitTier.MAX_CLASS_BYTES, JitTier.MAX_TOTAL_BYTES,
                JitTier.MAX_CLASSES, 1, 1_000);
        Vm vm = JitTier.compile(p, Host.NONE, VmOptions.DEFAULT, budget, JitTier.hidden(), new Cut(1_000));
        JitTier t = (JitTier) vm.tier;
        int runs = 2_000;
        for (int i = 0; i < runs; i++) {
            runH(p, vm);
        }
        // h costs 3 fuel; the k-th generation past the free one waits for k x 1,000 fuel of the
        // runs before it: the last run starts with 3 x 1,999 = 5,997
        assertEquals(1 + 3 * (runs - 1) / 1_000, t.generations());
        assertEquals(0, t.classes());
    }

    /** A definer that overflows the Java stack on its first {@code cuts} classes, else the JVM's. */
    private static JitTier.Definer cutDefiner(int[] cuts) {
        return (bytes, links) -> {
            if (cuts[0] > 0) {
                cuts[0]--;
                throw new StackOverflowError("cut");
            }
            return JitTier.hidden().define(bytes, links);
        };
    }

    @Test
    void aDefinitionCutByTheStackCountsItsClass() throws Exception {
        // the JVM may have defined the class before the stack ran out (its initialiser): the class
        // and its bytes count, whether or not it was defined, and the function is tried again
        VerifiedProgram p = program();
        Vm vm = JitTier.compile(p, Host.NONE, VmOptions.DEFAULT, JitTier.Budget.DEFAULT, cutDefiner(new int[] {1}),
                JitTestAccess.codegen());
        JitTier t = (JitTier) vm.tier;
        runH(p, vm);
        assertEquals(List.of(1, 1, 0), List.of(t.generations(), t.classes(), t.compiledCount()));
        long bytes = t.classBytes();
        assertFalse(bytes == 0, "the class's bytes were not counted");
        runH(p, vm);
        assertEquals(List.of(2, 2, 1), List.of(t.generations(), t.classes(), t.compiledCount()));
        assertEquals(2 * bytes, t.classBytes());
    }
}
