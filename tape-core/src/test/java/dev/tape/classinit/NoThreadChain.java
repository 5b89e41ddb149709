package dev.tape.classinit;

import dev.tape.asm.Assembler;
import dev.tape.asm.Disassembler;
import dev.tape.host.Host;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.testing.SumText;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import dev.tape.vm.Limits;
import dev.tape.vm.Outcome;
import dev.tape.vm.Run;
import dev.tape.vm.Trap;
import dev.tape.vm.Vm;

import java.util.List;

/**
 * What {@link ClassInitNoThreadTest} runs, in a class loader of its own: each of {@link ClassInit}'s
 * entries (assemble, encode and decode, disassemble, verify, a one-shot run, a run started and
 * stepped in slices, a snapshot restored), a number of rounds.
 */
public final class NoThreadChain {
    private NoThreadChain() {}

    /** the sum of 0 to n - 1, in a loop */
    static final String SOURCE = SumText.SUM;

    /**
     * @param rounds how many times to go through the entries, 0 or more
     * @return what they gave, a line each
     * @throws Trap never (the program does not trap)
     */
    public static String go(int rounds) throws Trap {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < rounds; i++) {
            Program p = ProgramDecoder.decode(ProgramEncoder.encode(Assembler.assemble(SOURCE, "sum.tasm")));
            out.append(Disassembler.disassemble(p).length()).append('\n');
            Vm vm = new Vm(Verifier.verify(p), Host.NONE);
            List<Value> args = List.of(Value.i64(10 + i));
            out.append(vm.run(0, args, Limits.DEFAULT)).append('\n');
            Run r = vm.start(0, args, Limits.DEFAULT);
            Outcome o = r.step(5);
            Run back = vm.restore(r.snapshot());
            int slices = 1;
            while (!back.ended()) {
                o = back.step(5);
                slices++;
            }
            out.append(o).append(" in ").append(slices).append(" slices\n");
        }
        return out.toString();
    }
}
