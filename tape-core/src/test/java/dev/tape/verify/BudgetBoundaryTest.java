package dev.tape.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tape.asm.Assembler;
import dev.tape.program.Function;
import dev.tape.program.Program;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The analysis budget refuses at the same register count as before the block states became one
 * flat array: for a chain of {@code k} jumps in a function of {@code regs} registers, the largest
 * register count accepted is the one the verifier of 291317c accepted (found by bisection with it).
 */
class BudgetBoundaryTest {
    private static Program chain(int k, int regs, boolean loop) {
        StringBuilder sb = new StringBuilder("func @0() -> () {\n    const.i64 r1, 0\n    const.bool r2, true\n    jmp L0\n");
        for (int i = 0; i < k; i++) {
            sb.append('L').append(i).append(":\n");
            if (loop && i == k - 1) {
                sb.append("    br r2, L0, L").append(i + 1).append('\n');
            } else {
                sb.append("    jmp L").append(i + 1).append('\n');
            }
        }
        sb.append('L').append(k).append(":\n    ret r0, []\n}\n");
        Program p = Assembler.assemble(sb.toString(), "chain.tasm");
        Function f = p.functions().get(0);
        List<Function> fns = List.of(new Function(f.argCount(), f.retCount(), regs, f.code(), f.spans(), f.sig()));
        return new Program(p.symbols(), p.constants(), p.types(), fns, p.hostSigs(), p.callSigs(), p.argShapes(),
                p.names());
    }

    private static void boundary(int k, int lastAccepted) {
        for (boolean loop : new boolean[] {false, true}) {
            assertEquals(lastAccepted, Verifier.verify(chain(k, lastAccepted, loop)).registerCount(0));
            VerifyException e = assertThrows(VerifyException.class,
                    () -> Verifier.verify(chain(k, lastAccepted + 1, loop)));
            assertEquals("AnalysisBudgetExceeded", e.kind());
            assertEquals(0, e.func());
            assertEquals(-1, e.pc());
        }
    }

    @Test
    void chainOf254Jumps() {
        boundary(254, 32_764);
    }

    @Test
    void chainOf509Jumps() {
        boundary(509, 16_413);
    }

    @Test
    void chainOf4000Jumps() {
        boundary(4000, 2_093);
    }
}
