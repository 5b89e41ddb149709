package dev.tape.vm;

import dev.tape.format.Opcode;
import dev.tape.program.FunctionBuilder;
import dev.tape.program.FunctionBuilder.Label;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;

import java.util.Random;

/**
 * The register layout and pieces the random decimal programs of {@link DecimalRunTiersTest},
 * {@link OuterChainTiersTest} and {@link AttackChainsTest} share: r1 = n, r2 to r8 words (r3 the
 * loop's counter, r4 1), r15 to r18 decimals of scale 2, r19 ({@link #Q}) a decimal of scale 0.
 * Each piece draws from the random source exactly as the copies it replaced did, so a seed still
 * makes the same program. Test support only.
 */
final class DecimalPrograms {
    /** The first of the four decimal registers, r15 to r18. */
    static final int D_FIRST = 15;
    /** A decimal register of scale 0 (1 at the start). */
    static final int Q = 19;

    private DecimalPrograms() {
    }

    /** @return a word register, r5 to r8 */
    static int ireg(Random rnd) {
        return 5 + rnd.nextInt(4);
    }

    /** @return a word register to write: r2 (a result) one time in five, else one of {@link #ireg} */
    static int idst(Random rnd) {
        return rnd.nextInt(5) == 0 ? 2 : ireg(rnd);
    }

    /** @return a decimal register, r15 to r18 */
    static int dreg(Random rnd) {
        return D_FIRST + rnd.nextInt(4);
    }

    /**
     * The start of main: r2 to r8 random words from -3 to 3, r15 to r18 random decimals of scale 2
     * from -2.00 to 2.00, and {@link #Q} 1 of scale 0.
     *
     * @param f main
     * @param rnd the generator's random source
     */
    static void start(FunctionBuilder f, Random rnd) {
        for (int r = 2; r <= 8; r++) {
            f.constI64(r, rnd.nextInt(7) - 3);
        }
        for (int r = D_FIRST; r < D_FIRST + 4; r++) {
            f.constDecimal(r, rnd.nextInt(401) - 200, 2);
        }
        f.constDecimal(Q, 1, 0);
    }

    /**
     * The end of the program: main's counted loop back to {@code top} (r3 + 1 while below n, r13
     * its test), {@code exit} returning r2 and r15, and {@code helper}, (x: i64) -> (x + 3), with a
     * decimal instruction right before its {@code ret}.
     *
     * @return the program built
     */
    static Program finish(ProgramBuilder pb, FunctionBuilder f, int helper, Label top, Label exit) {
        f.i64Add(3, 3, 4).i64Lt(13, 3, 1).br(13, top, exit);
        f.place(exit).ret(0, 2, D_FIRST);
        pb.function(helper).constI64(2, 3).i64Add(3, 1, 2).emit(Opcode.I64_TO_DEC, 4, 3, 2)
                .binary(Opcode.DEC_ADD, 5, 4, 4).ret(0, 3);
        return pb.build();
    }
}
