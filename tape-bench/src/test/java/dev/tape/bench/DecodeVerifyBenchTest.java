package dev.tape.bench;

import dev.tape.jit.Jit;
import dev.tape.vm.Vm;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each benchmark of {@link DecodeVerifyBench} runs once and gives what it measures (the compile
 * benchmark once made a VM with eager linking and the host no one provides, so it threw
 * {@code LinkException} at every call and measured nothing).
 */
class DecodeVerifyBenchTest {
    @Test
    void everyBenchmarkRuns() throws Exception {
        DecodeVerifyBench b = new DecodeVerifyBench();
        b.setup();
        assertEquals(BigProgram.FUNCTIONS, b.decode().functions().size());
        assertEquals(BigProgram.FUNCTIONS, b.verify().program().functions().size());
        assertEquals(BigProgram.FUNCTIONS, b.decodeVerify().program().functions().size());
        Vm vm = b.compile();
        // as many as the tier's per-VM budgets take (JitTier.Budget: 8,045 of the 10,000 here)
        int compiled = Jit.compiledFunctions(vm);
        assertTrue(compiled > BigProgram.FUNCTIONS / 2 && compiled <= BigProgram.FUNCTIONS, compiled + " compiled");
    }
}
