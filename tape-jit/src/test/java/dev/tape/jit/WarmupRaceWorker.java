package dev.tape.jit;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.testing.FibText;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;
import dev.tape.vm.Trap;
import dev.tape.vm.Vm;

import java.util.List;

/**
 * For {@code WarmupRaceTest}, loaded in class loaders of their own: one embedder thread's work,
 * which initialises tape's classes (in an order of the caller's choosing) and runs a program on
 * either tier, while other threads do the same and the warm-up thread runs.
 */
final class WarmupRaceWorker {
    private WarmupRaceWorker() {}

    /** fib, and a function that traps dividing by zero at pc 3 */
    private static final String PROGRAM = "program race\n" + FibText.FIB_FUNC + """
            func div(n: i64) -> (result: i64) {
                const.i64 r2, 0
                i64.div r3, r1, r2
                ret r0, [r3]
            }
            """;

    /** classes of tape's with static initialisers, which callers initialise first in different orders */
    static final String[] INITIALISED = {
        "dev.tape.vm.JitRuntime", "dev.tape.vm.Vm", "dev.tape.vm.JitTier", "dev.tape.vm.Limits",
        "dev.tape.vm.TrapKind", "dev.tape.value.Value", "dev.tape.vm.Interpreter", "dev.tape.jit.JitCompiler",
        "dev.tape.vm.ExecutionContext", "dev.tape.vm.JitAccess", "dev.tape.vm.JitRuntime$Unwind",
    };

    /**
     * Initialises {@link #INITIALISED} from index {@code from} on (wrapping round), or backwards, then
     * runs fib(18), fib(18) with 5,000 units of fuel, and div(7).
     *
     * @param compiled whether to run on the compiled tier ({@link Jit#compile}) or the interpreter
     * @param from the index of the first class to initialise
     * @param backwards whether to go through the classes backwards
     * @return the three outcomes, one a line: the values returned, or the trap's kind, place, stack and
     *     fuel left (after a line "not compiled" when {@code compiled} and no function was)
     * @throws ClassNotFoundException when a listed class is missing
     */
    static String outcomes(boolean compiled, int from, boolean backwards) throws ClassNotFoundException {
        ClassLoader l = WarmupRaceWorker.class.getClassLoader();
        int n = INITIALISED.length;
        for (int i = 0; i < n; i++) {
            int k = Math.floorMod(backwards ? from - i : from + i, n);
            Class.forName(INITIALISED[k], true, l);
        }
        VerifiedProgram p = Verifier.verify(Assembler.assemble(PROGRAM, "race.tasm"));
        Vm vm = compiled ? Jit.compile(p, Host.NONE) : new Vm(p, Host.NONE);
        String out = run(vm, 0, 18, Limits.DEFAULT) + "\n" + run(vm, 0, 18, Limits.of(5_000, 1024, 0)) + "\n"
                + run(vm, 1, 7, Limits.DEFAULT);
        // the compiled tier's runs must have run compiled code (fib's at least), not fallen back
        return compiled && Jit.compiledFunctions(vm) < 1 ? "not compiled\n" + out : out;
    }

    private static String run(Vm vm, int entry, long arg, Limits limits) {
        try {
            return vm.run(entry, List.of(Value.i64(arg)), limits).toString();
        } catch (Trap t) {
            return t.kind() + " func " + t.func() + " pc " + t.pc() + " span " + t.span() + " stack " + t.stack()
                    + " elided " + t.elidedFrames() + " fuel left " + t.fuelRemaining();
        }
    }
}
