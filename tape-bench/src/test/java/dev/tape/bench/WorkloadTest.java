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
        check(w, Value.i64(expected));
    }

    private static void check(Workload w, Value expected) throws Exception {
        for (boolean compiled : new boolean[] {false, true}) {
            String what = w.label() + (compiled ? " compiled" : " interpreted");
            TapeRun run = new TapeRun(w, w.n(), null, compiled);
            Value tape = run.run();
            assertEquals(expected, tape, what);
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
    void strLoop() throws Exception {
        // each round's string is the 11-byte window and "ab": 13 bytes
        check(Workload.STR_LOOP, 13L * 100_000);
    }

    @Test
    void strBuild() throws Exception {
        check(Workload.STR_BUILD, 2L * 10_000);
    }

    @Test
    void arrayLoop() throws Exception {
        // sum over i < n of (16 i + 0 + 1 + ... + 15) = 16 n (n - 1) / 2 + 120 n, n = 20,000
        check(Workload.ARRAY_LOOP, 3_202_240_000L);
    }

    @Test
    void closureLoop() throws Exception {
        // sum over i < n of (i + 3) = n (n - 1) / 2 + 3 n, n = 300,000
        check(Workload.CLOSURE_LOOP, 45_000_750_000L);
    }

    @Test
    void decLoop() throws Exception {
        // sum over i < n of (125 i + 50) hundredths = 125 n (n - 1) / 2 + 50 n, n = 300,000
        check(Workload.DEC_LOOP, Value.decimal(5_624_996_250_000L, 2));
    }

    @Test
    void rules() throws Exception {
        // score = qty * price - (qty > 10 ? qty : 0) + (tier == 3 ? 100 : 0), qty = i & 15,
        // price = i & 127 (so qty = price & 15), tier = i & 3; n = 100,000 = 781 * 128 + 32.
        // One period of 128, price = 16a + b: sum of b (16a + b) = 16 * 28 * 120 + 8 * 1240 = 63,680;
        // prices 0..31: 16 * 1 * 120 + 2 * 1240 = 4,400. Bulk: 11 + ... + 15 = 65 per 16, 6,250 times.
        // Tier 3: 25,000 orders.
        check(Workload.RULES, 781L * 63_680 + 4_400 - 6_250L * 65 + 100L * 25_000);
    }

    @Test
    void instructionCountsOfTheNewShapes() {
        // counted by hand from the .tasm files: per iteration * n + before and after the loop
        assertEquals(7L * 100_000 + 10, Workload.STR_LOOP.instructions());
        assertEquals(4L * 10_000 + 9, Workload.STR_BUILD.instructions());
        assertEquals(119L * 20_000 + 6, Workload.ARRAY_LOOP.instructions());
        assertEquals(8L * 300_000 + 10, Workload.CLOSURE_LOOP.instructions());
        assertEquals(7L * 300_000 + 8, Workload.DEC_LOOP.instructions());
        // 31,250 bulk orders (5 in 16) and 25,000 of tier 3
        assertEquals(20L * 100_000 + 9 + 2 * 31_250 + 3 * 25_000, Workload.RULES.instructions());
    }

    @Test
    void smallArgumentsAgreeToo() throws Exception {
        for (Workload w : Workload.values()) {
            for (long n : new long[] {0, 1, 2, 3, 10, 12, 17}) {
                for (boolean compiled : new boolean[] {false, true}) {
                    String what = w.label() + (compiled ? " compiled" : " interpreted") + " n=" + n;
                    TapeRun run = new TapeRun(w, n, null, compiled);
                    assertEquals(w.java(n), run.run(), what);
                    assertEquals(w.instructions(n), run.fuelUsed(), what + ": fuel");
                }
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
