package dev.tape.vm.internal;

import dev.tape.asm.Assembler;
import dev.tape.asm.Disassembler;
import dev.tape.host.Host;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
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
    static final String SOURCE = """
            program sum_loop
            func sum(n: i64) -> (total: i64) {
                const.i64 r2, 0
                const.i64 r3, 0
                const.i64 r4, 1
                jmp head
            head:
                i64.lt r5, r2, r1
                br r5, body, done
            body:
                i64.add r3, r3, r2
                i64.add r2, r2, r4
                jmp head
            done:
                ret r0, [r3]
            }
            """;

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
