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

/**
 * Audit of issue 14 (thirteenth round): {@link JitTier#MAX_CODE_INTS} counts a function's whole
 * lowered code, the unreachable code the verifier accepts included. The generator emits only
 * reachable blocks, but every generation (up to {@code JitCompiler.MAX_ATTEMPTS} per compile) walks
 * the whole code (block leaders, labels and resume points per code index), about 20 ns an int on
 * the build machine: 10 reachable instructions behind 1,000,000 ints of dead code took 19 to 22 ms
 * a generation, against 0.1 ms without them. So a function with a long dead tail stays
 * interpreted, with the same outcome; this pins that decision.
 */
class AuditDeadTailTest {
    /** f(x) adds 3 to x {@code live} times, then returns; {@code dead} more adds follow its ret, never reached. */
    private static VerifiedProgram program(int live, int dead) throws Exception {
        StringBuilder s = new StringBuilder("func f(x: i64) -> (i64) {\n    const.i64 r2, 3\n");
        s.append("    i64.add r1, r1, r2\n".repeat(live));
        s.append("    ret r0, [r1]\ndead:\n");
        s.append("    i64.add r1, r1, r2\n".repeat(dead));
        s.append("    ret r0, [r1]\n}\n");
        return Verifier.verify(Assembler.assemble(s.toString(), "dead.tasm"));
    }

    /** The real generator, recording the functions it is handed. */
    private static final class Counting implements Codegen {
        private final Codegen real = JitTestAccess.codegen();
        final List<Integer> funcs = new ArrayList<>();

        @Override
        public Generated generate(CompileView view, int func) {
            funcs.add(func);
            return real.generate(view, func);
        }

        @Override
        public int stackCost(int regCount) {
            return real.stackCost(regCount);
        }
    }

    private static JitTier run(VerifiedProgram p, Counting c) {
        Vm vm = JitTier.compile(p, Host.NONE, VmOptions.DEFAULT, JitTier.Budget.DEFAULT, JitTier.hidden(), c);
        ExecutionContext jc = new ExecutionContext();
        List<Value> got = vm.run(jc, 0, List.of(Value.i64(1)), Limits.DEFAULT, null);
        ExecutionContext ic = new ExecutionContext();
        assertEquals(new Vm(p, Host.NONE).run(ic, 0, List.of(Value.i64(1)), Limits.DEFAULT, null), got);
        assertEquals(ic.fuelRemaining(), jc.fuelRemaining());
        return (JitTier) vm.tier;
    }

    @Test
    void aDeadTailUnderTheCapCompiles() throws Exception {
        // 10 live adds and 1,000 dead ones: 4,066 ints
        Counting c = new Counting();
        JitTier t = run(program(10, 1_000), c);
        assertEquals(List.of(0), c.funcs);
        assertEquals(1, t.compiledCount());
    }

    @Test
    void aDeadTailOverTheCapIsNeverGenerated() throws Exception {
        // 10 live adds and 50,000 dead ones: 200,066 ints, 40 of them reachable
        Counting c = new Counting();
        JitTier t = run(program(10, 50_000), c);
        assertEquals(List.of(), c.funcs);
        assertEquals(0, t.compiledCount());
    }
}
