package dev.tape.verify;

import dev.tape.asm.Assembler;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A call to a function whose function-table {@code arg_count} or {@code ret_count} is declared
 * 2^31-1 to 2^32-1 (kept as 2^31-1 by {@link dev.tape.program.Function#argCount()}): the caller is
 * verified first, so the verifier refuses the call as {@code CallArityMismatch}, and its message
 * names the callee's counts as the file declares them, never the kept 2147483647.
 */
class CalleeDeclaredCountTest {
    private static final long[] EDGES = {(1L << 31) - 1, 1L << 31, (1L << 31) + 1, (1L << 32) - 2, (1L << 32) - 1};

    private static Program program(String directive) throws Exception {
        String text = "func main() -> (i64) {\n"
                + "    const.i64 r1, 3\n"
                + "    call r0, f, r0, [r1] -> [r2]\n"
                + "    ret r0, [r2]\n"
                + "}\n"
                + "func f(x: i64) -> (i64)" + directive + " {\n"
                + "    ret r0, [r1]\n"
                + "}\n";
        // through the file, as the command line and an embedder's decode see it
        return ProgramDecoder.decode(ProgramEncoder.encode(Assembler.assemble(text, "callee.tasm")));
    }

    @Test
    void theCallArityMessageNamesTheCalleesDeclaredCounts() throws Exception {
        for (long v : EDGES) {
            String args = assertThrows(VerifyException.class, () -> Verifier.verify(program(" regs 2 argc " + v)),
                    "argc " + v).getMessage();
            assertTrue(args.contains("[CallArityMismatch]"), args);
            assertTrue(args.contains("function 1 takes " + v + " arguments and returns 1 values"), args);
            String rets = assertThrows(VerifyException.class, () -> Verifier.verify(program(" regs 2 retc " + v)),
                    "retc " + v).getMessage();
            assertTrue(rets.contains("[CallArityMismatch]"), rets);
            assertTrue(rets.contains("function 1 takes 1 arguments and returns " + v + " values"), rets);
            if (v > Integer.MAX_VALUE) {
                assertFalse(args.contains("2147483647") || rets.contains("2147483647"), args + "\n" + rets);
            }
        }
        // the declared counts kept beside the capped ones, as the message's source
        assertEquals((1L << 32) - 1, program(" regs 2 argc 4294967295").functions().get(1).declaredArgCount());
    }
}
