package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.HostFunction;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The README's Run API example ("Runs as values"), as written there, on a program that needs several slices. */
class ReadmeRunExampleTest {
    static final String SOURCE = """
            program fetch
            host fetch = "net.fetch" (i64) -> (i64)
            func main(n: i64) -> (r: i64) {
                const.i64 r2, 0
                const.i64 r3, 1
                const.i64 r4, 3000
                jmp head
            head:
                i64.lt r5, r2, r4
                br r5, body, done
            body:
                i64.add r2, r2, r3
                jmp head
            done:
                host_call r0, fetch, r0, [r2] -> [r6]
                ret r0, [r6]
            }
            """;

    @Test
    void theExampleRuns() throws Exception {
        String source = SOURCE;
        int[] slices = new int[1];
        HostRegistry host = new HostRegistry().register("net.fetch",
                Signature.of(List.of(ValueType.I64), List.of(ValueType.I64)),
                (HostFunction) (args, results, ctx) -> ctx.suspend());      // answer later, without blocking
        Vm vm = new Vm(Verifier.verify(Assembler.assemble(source, "fetch.tasm")), host);
        Run run = vm.start(0, List.of(Value.i64(1)), Limits.DEFAULT.withFuel(1_000));
        Outcome o = run.resume();
        while (o instanceof Outcome.Paused p) {
            if (p.reason() instanceof PauseReason.FuelExhausted) {
                run.addFuel(1_000);                                          // one more time slice
                slices[0]++;
                o = run.resume();
            } else if (p.reason() instanceof PauseReason.HostSuspended call) {
                long n = ((Value.I64) call.args().get(0)).value();
                o = run.resumeWith(List.of(Value.i64(n * 2)));               // the host call's results
            } else {
                o = run.resume();
            }
        }
        List<Value> out = ((Outcome.Done) o).values();                       // or Outcome.Trapped
        assertEquals(List.of(Value.i64(6000)), out);
        // 4 + 4 * 3000 (lt, br, add, jmp) + 2 (the last lt and br) + host_call + ret = 12,008 fuel:
        // the first 1,000 and 12 more slices
        assertEquals(12, slices[0]);
        assertEquals(13_000 - 12_008, run.fuelRemaining());
    }
}
