package dev.tape.vm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.tape.value.Value;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An error thrown where {@code execute} first uses {@link TupleRun} or {@link FloatRun}, before the
 * run's own handler can note its position: an {@code OutOfMemoryError} while the JVM loads the
 * class (a heap full at the first such instruction a JVM's interpreter runs; here a {@link FailingLoader}
 * that throws it once), as {@link DecimalRunEntryTest} does for {@link DecimalRun}. The trap must be
 * {@code heap_limit_exceeded} at that instruction ({@code tuple.new}, or the first f64
 * instruction), paid for, not where the context's {@code runIp} and {@code runUsed} happen to
 * point; and the next run loads the class and ends as it should.
 */
class RunEntryTest {
    @ParameterizedTest
    @CsvSource({"dev.tape.vm.TupleRun", "dev.tape.vm.FloatRun"})
    void anErrorLoadingTheRunTrapsAtItsFirstInstruction(String runClass) throws Exception {
        int before = runClass.endsWith("TupleRun") ? RunEntryProbe.TUPLE_BEFORE : RunEntryProbe.FLOAT_BEFORE;
        // where the run's first instruction is: the fuel runs out there
        String at = RunEntryProbe.run(before);
        assertTrue(at.startsWith("FUEL_EXCEEDED f1 pc ") && at.endsWith(" fuel 0"), at);
        String pc = at.substring("FUEL_EXCEEDED ".length(), at.length() - " fuel 0".length());
        String whole = RunEntryProbe.run(1000);
        // 22 * 3 - 1 = 65; (65.0 * 65.0 + 65.0) / 65.0 = 66.0; 65 + 66; 18 instructions
        assertEquals("ok " + List.of(Value.i64(131)) + " 982", whole);
        try (FailingLoader l = FailingLoader.once(runClass)) {
            assertEquals("HEAP_LIMIT_EXCEEDED " + pc + " fuel " + (1000 - before - 1),
                    l.call(RunEntryProbe.class, "run", 1000L));
            assertEquals(whole, l.call(RunEntryProbe.class, "run", 1000L));
        }
    }

    /**
     * An f64 instruction whose run would end after it or after one more instruction runs in the
     * inner loop, without a {@link FloatRun} (whose call and trip through the outer {@code switch}
     * cost more than such a run saves: {@link dev.tape.verify.internal.LOp#floatRun}): a loader that
     * cannot load {@code FloatRun} does not change the run's end.
     */
    @Test
    void runsOfOneOrTwoInstructionsStayInTheInnerLoop() throws Exception {
        String whole = RunEntryProbe.shortRuns();
        assertTrue(whole.startsWith("ok ") && whole.endsWith(" " + (10_000 - 11 - 5 * 23 - 1)), whole);
        try (FailingLoader l = FailingLoader.once("dev.tape.vm.FloatRun")) {
            assertEquals(whole, l.call(RunEntryProbe.class, "shortRuns"));
        }
    }

    /**
     * The same at a loop head a counted loop's latch hands to {@link WordRun}
     * ({@link dev.tape.verify.internal.LOp#I64_ADD_LT_BR_RUN}):
     * an error loading the run traps {@code heap_limit_exceeded} at the head's instruction of the
     * second trip, paid for (the 12th instruction: 6 before the loop, 5 in the first trip); the next
     * run ends as it should.
     */
    @Test
    void anErrorLoadingTheRunAtALoopHeadTrapsThere() throws Exception {
        String at = RunEntryProbe.countedLoop(11);
        assertTrue(at.startsWith("FUEL_EXCEEDED f0 pc ") && at.endsWith(" fuel 0"), at);
        String pc = at.substring("FUEL_EXCEEDED ".length(), at.length() - " fuel 0".length());
        String whole = RunEntryProbe.countedLoop(1000);
        // 6 + 5 * 5 + 1 instructions
        assertEquals("ok " + List.of(Value.i64(5)) + " 968", whole);
        try (FailingLoader l = FailingLoader.once("dev.tape.vm.WordRun")) {
            assertEquals("HEAP_LIMIT_EXCEEDED " + pc + " fuel " + (1000 - 12),
                    l.call(RunEntryProbe.class, "countedLoop", 1000L));
            assertEquals(whole, l.call(RunEntryProbe.class, "countedLoop", 1000L));
        }
    }
}
