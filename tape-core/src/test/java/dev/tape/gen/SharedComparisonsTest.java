package dev.tape.gen;

import dev.tape.format.Instruction;
import dev.tape.format.InstructionCodec;
import dev.tape.format.Opcode;
import dev.tape.program.Constant;
import dev.tape.program.Function;
import dev.tape.program.Program;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ValidPrograms} often compares one pool constant with itself loaded twice, the class of
 * program that met the seventeenth round's {@code Texts.eq} defect (a comparison of one object
 * counted no scan bytes, one of a restored copy did), so that {@code SnapshotRoundTripTest}'s 200
 * tries meet it: counted here over fixed seeds by reading each program's code.
 */
class SharedComparisonsTest {
    private static final int SEEDS = 500;

    @Test
    void aGoodFractionOfProgramsCompareOnePoolConstantLoadedTwice() throws Exception {
        int programs = 0;
        int viaHost = 0;
        for (long seed = 0; seed < SEEDS; seed++) {
            Program p = ValidPrograms.program(seed);
            Verifier.verify(p);
            int[] found = sharedComparisons(p);
            programs += found[0] > 0 ? 1 : 0;
            viaHost += found[1] > 0 ? 1 : 0;
        }
        assertTrue(programs >= SEEDS / 4, programs + " of " + SEEDS + " programs");
        assertTrue(viaHost >= SEEDS / 10, viaHost + " of " + SEEDS + " programs through a host");
    }

    /**
     * Reads each function's instructions in code order, tagging a register with the constant
     * id of the {@code const.pool} that last wrote it (kept through {@code gen.pass}, which returns
     * its argument; any other write clears it), and counts {@code str.eq}/{@code bytes.eq} of two
     * registers tagged with one non-empty constant.
     *
     * @return the comparisons, and those of them with a side through the host
     */
    static int[] sharedComparisons(Program p) throws Exception {
        int[] out = new int[2];
        for (Function fn : p.functions()) {
            Map<Integer, Integer> tag = new HashMap<>();
            Map<Integer, Boolean> hosted = new HashMap<>();
            for (Instruction in : InstructionCodec.decodeAll(fn.code())) {
                Opcode op = in.opcode();
                if (op == Opcode.STR_EQ || op == Opcode.BYTES_EQ) {
                    Integer a = tag.get(in.reg(1));
                    Integer b = tag.get(in.reg(2));
                    if (a != null && a.equals(b) && in.reg(1) != in.reg(2) && length(p.constants().get(a)) > 0) {
                        out[0]++;
                        out[1] += hosted.get(in.reg(1)) || hosted.get(in.reg(2)) ? 1 : 0;
                    }
                }
                Integer next = null;
                boolean viaHost = false;
                if (op == Opcode.CONST_POOL) {
                    next = (int) in.value(1);
                } else if (op == Opcode.HOST_CALL && in.value(3) == 1 && in.value(4) == 1
                        && p.symbols().get(p.hostSigs().get((int) in.value(1)).symbolId()).equals("gen.pass")) {
                    next = tag.get(in.listReg(3, 0));
                    viaHost = true;
                }
                for (int w : in.writes()) {
                    tag.remove(w);
                    hosted.remove(w);
                }
                if (next != null) {
                    int dst = op == Opcode.CONST_POOL ? in.reg(0) : in.listReg(4, 0);
                    tag.put(dst, next);
                    hosted.put(dst, viaHost);
                }
            }
        }
        return out;
    }

    private static int length(Constant c) {
        return c instanceof Constant.Str s ? s.value().length() : c instanceof Constant.Bytes b ? b.length() : 0;
    }
}
