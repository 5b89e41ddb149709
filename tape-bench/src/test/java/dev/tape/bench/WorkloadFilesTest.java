package dev.tape.bench;

import dev.tape.program.ProgramDecoder;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import dev.tape.vm.ExecutionContext;
import dev.tape.vm.Vm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link WorkloadFiles}: each written program, decoded from its file and run on the interpreter,
 * returns what the index line says, and that is the result the benchmarks check.
 */
class WorkloadFilesTest {
    @Test
    void eachFileRunsToItsIndexedResult(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("a/b");
        List<Path> written = WorkloadFiles.write(dir);
        Workload[] all = Workload.values();
        assertEquals(all.length + 1, written.size());
        List<String> index = Files.readAllLines(dir.resolve(WorkloadFiles.INDEX), StandardCharsets.UTF_8);
        assertEquals(all.length, index.size());
        for (int i = 0; i < all.length; i++) {
            Workload w = all[i];
            assertEquals(dir.resolve(w.label() + ".tape"), written.get(i));
            Vm vm = new Vm(Verifier.verify(ProgramDecoder.decode(Files.readAllBytes(written.get(i)))), w.host());
            Value result = vm.run(new ExecutionContext(), 0, List.of(Value.i64(w.n())), TapeRun.LIMITS, null).get(0);
            assertEquals(w.label() + " " + w.n() + " " + result, index.get(i));
        }
        assertEquals("fib 25 i64:75025", index.get(Workload.FIB.ordinal()));
        assertEquals("sum_loop 1000000 i64:499999500000", index.get(Workload.SUM_LOOP.ordinal()));
    }
}
