package dev.tape.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tape.asm.Assembler;
import dev.tape.format.Instruction;
import dev.tape.format.InstructionCodec;
import dev.tape.host.Host;
import dev.tape.program.Program;
import dev.tape.verify.internal.Lowered;
import dev.tape.verify.internal.LoweredFunction;
import dev.tape.vm.Limits;
import dev.tape.vm.Trap;
import dev.tape.vm.TrapKind;
import dev.tape.vm.Vm;

import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Instruction starts are kept as 2-byte entries when the lowered code is shorter than 65,536 ints
 * and as ints otherwise: functions of exactly 65,534 to 65,538 lowered ints (the last one's trap
 * starting at code index 65,536) give every
 * instruction's start, byte pc and opcode as decoded, also when two threads make the lazily built
 * pc and opcode tables at the same time, and a trap at the last instruction reports its byte pc.
 */
class NarrowStartsBoundaryTest {
    /**
     * {@code const.i64} then {@code adds} {@code i64.add}s, {@code movs} {@code mov}s and a
     * {@code trap}: 6 + 4 x adds + 3 x movs lowered ints.
     */
    private static Program program(int adds, int movs) {
        StringBuilder sb = new StringBuilder("func @0() -> (i64) {\n    const.i64 r1, 1\n");
        for (int i = 0; i < adds; i++) {
            sb.append("    i64.add r1, r1, r1\n");
        }
        for (int i = 0; i < movs; i++) {
            sb.append("    mov r2, r1\n");
        }
        sb.append("    trap 7\n}\n");
        return Assembler.assemble(sb.toString(), "boundary.tasm");
    }

    private static void check(int adds, int movs, int codeLength) throws Exception {
        Program p = program(adds, movs);
        List<Instruction> ins = InstructionCodec.decodeAll(p.functions().get(0).code());
        int n = ins.size();
        // two threads build the lazy tables of one fresh function at the same time
        LoweredFunction lf = Lowered.function(Verifier.verify(p), 0);
        assertEquals(codeLength, lf.codeLength());
        CyclicBarrier start = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?>[] done = new Future<?>[2];
            for (int t = 0; t < 2; t++) {
                boolean pcsFirst = t == 0;
                done[t] = pool.submit(() -> {
                    start.await();
                    int[] pcOf = pcsFirst ? lf.pcOf() : null;
                    for (int i = 0; i < n; i++) {
                        int ip = lf.instructionStart(i);
                        assertEquals(ins.get(i).opcode().toByte(), lf.opcodeAt(ip) & 0xff, "opcode " + i);
                        if (pcOf == null) {
                            pcOf = lf.pcOf();
                        }
                        assertEquals(ins.get(i).pc(), pcOf[ip], "pc " + i);
                    }
                    return null;
                });
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        // the trap (opcode, code) is the last 2 ints: its start is at the edge of the 2-byte range
        assertEquals(codeLength - 2, lf.instructionStart(n - 1));
        int[] pcOf = lf.pcOf();
        int starts = 0;
        for (int ip = 0; ip < pcOf.length; ip++) {
            if (pcOf[ip] >= 0) {
                assertEquals(lf.instructionStart(starts), ip);
                starts++;
            }
        }
        assertEquals(n, starts);
        Vm vm = new Vm(Verifier.verify(p), Host.NONE);
        Trap trap = assertThrows(Trap.class,
                () -> vm.run(0, List.of(), Limits.of(1_000_000, 64, 0)));
        assertEquals(TrapKind.TRAP_CODE, trap.kind());
        assertEquals(ins.get(n - 1).pc(), trap.pc());
        assertEquals(7L, trap.code());
    }

    @Test
    void at65534Ints() throws Exception {
        check(16_382, 0, 65_534);
    }

    @Test
    void at65535IntsTheLastNarrowLength() throws Exception {
        check(16_380, 3, 65_535);
    }

    @Test
    void at65536IntsTheFirstWideLength() throws Exception {
        check(16_381, 2, 65_536);
    }

    @Test
    void at65537IntsTheLastStartIs65535() throws Exception {
        check(16_382, 1, 65_537);
    }

    /** The trap starts at code index 65,536, the first a 2-byte entry cannot hold. */
    @Test
    void at65538IntsTheLastStartIs65536() throws Exception {
        check(16_383, 0, 65_538);
    }
}
