package dev.tape.bench;

import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.trace.TraceMask;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Each workload's tape program computes exactly what its Java version does, at benchmark size, on
 * the interpreter and on the compiled tier, with the same fuel.
 */
class WorkloadTest {
    private static void check(Workload w, long expected) throws Exception {
        for (boolean compiled : new boolean[] {false, true}) {
            String what = w.label() + (compiled ? " compiled" : " interpreted");
            TapeRun run = new TapeRun(w, w.n(), null, compiled);
            Value tape = run.run();
            assertEquals(Value.i64(expected), tape, what);
            assertEquals(w.java(w.n()), tape, what + ": the Java version agrees");
            assertEquals(w.instructions(), run.fuelUsed(), what + ": one fuel unit per instruction");
            // a second run in the same context gives the same result
            assertEquals(tape, run.run());
        }
    }

    @Test
    void sumLoop() throws Exception {
        check(Workload.SUM_LOOP, 499_999_500_000L);
    }

    @Test
    void fib() throws Exception {
        check(Workload.FIB, 75_025L);
    }

    @Test
    void callLoop() throws Exception {
        check(Workload.CALL_LOOP, 1_000_000L);
    }

    @Test
    void hostLoop() throws Exception {
        check(Workload.HOST_LOOP, 499_999_500_000L);
    }

    @Test
    void f64Loop() throws Exception {
        Workload w = Workload.F64_LOOP;
        for (boolean compiled : new boolean[] {false, true}) {
            TapeRun run = new TapeRun(w, w.n(), null, compiled);
            Value.F64 tape = (Value.F64) run.run();
            double java = JavaBaselines.f64Loop(w.n());
            assertEquals(Double.doubleToRawLongBits(java), tape.bits(), "bit-identical f64 result, compiled " + compiled);
            assertEquals(w.instructions(), run.fuelUsed());
        }
    }

    @Test
    void tupleLoop() throws Exception {
        check(Workload.TUPLE_LOOP, 19_999_900_000L);
    }

    @Test
    void smallArgumentsAgreeToo() throws Exception {
        for (Workload w : Workload.values()) {
            for (long n : new long[] {0, 1, 2, 3, 10, 17}) {
                assertEquals(w.java(n), new TapeRun(w, n, null).run(), w.label() + " n=" + n);
                assertEquals(w.java(n), new TapeRun(w, n, null, true).run(), w.label() + " compiled n=" + n);
            }
        }
    }

    @Test
    void tracedRunsGiveTheSameResultsAndCountEvents() throws Exception {
        CountingSink calls = new CountingSink(TraceMask.CALL);
        assertEquals(Value.i64(75_025L), new TapeRun(Workload.FIB, 25, calls).run());
        long fibCalls = 242_785L;
        assertEquals(2 * fibCalls, calls.events, "one enter and one exit per frame");

        CountingSink instrs = new CountingSink(TraceMask.INSTR);
        TapeRun sum = new TapeRun(Workload.SUM_LOOP, 1000, instrs);
        assertEquals(Value.i64(499_500L), sum.run());
        assertEquals(4 * 1000 + 6, instrs.events, "one event per instruction");
        assertEquals(instrs.events, sum.fuelUsed());
    }

    @Test
    void bigProgramRoundTripsAndVerifies() throws Exception {
        var p = BigProgram.build(1000);
        var decoded = ProgramDecoder.decode(ProgramEncoder.encode(p));
        assertEquals(1000, Verifier.verify(decoded).functionCount());
    }
}
