package dev.tape.vm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.tape.value.Value;

import java.lang.reflect.Method;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An error thrown where {@code execute} first uses {@link TupleRun}, {@link FloatRun},
 * {@link ArrayRun} or {@link WordRun}, before the run's own handler can note its position: an
 * {@code OutOfMemoryError} while the JVM loads the class (a heap full at the first such instruction
 * a JVM's interpreter runs; here a {@link FailingLoader} that throws it once), as
 * {@link DecimalRunEntryTest} does for {@link DecimalRun}. The trap must be
 * {@code heap_limit_exceeded} at that instruction ({@code tuple.new}, the first f64 instruction,
 * the {@code array.get}), paid for, not where the context's {@code runIp} and {@code runUsed}
 * happen to point; and the next run loads the class and ends as it should.
 */
class RunEntryTest {
    @ParameterizedTest
    @CsvSource({"dev.tape.vm.TupleRun", "dev.tape.vm.FloatRun"})
    void anErrorLoadingTheRunTrapsAtItsFirstInstruction(String runClass) throws Exception {
        int before = runClass.endsWith("TupleRun") ? RunEntryProbe.TUPLE_BEFORE : RunEntryProbe.FLOAT_BEFORE;
        // 22 * 3 - 1 = 65; (65.0 * 65.0 + 65.0) / 65.0 = 66.0; 65 + 66; 18 instructions
        trapsWhereItsRunStarts(runClass, "run", before, "ok " + List.of(Value.i64(131)) + " 982");
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
     * The same for {@link ArrayRun}: an error loading it traps {@code heap_limit_exceeded} at the
     * {@code array.get} that starts the run (the 5th instruction), paid for; the next run ends as it
     * should.
     */
    @Test
    void anErrorLoadingArrayRunTrapsAtItsArrayGet() throws Exception {
        // 9 instructions
        trapsWhereItsRunStarts("dev.tape.vm.ArrayRun", "arrayRead", 4, "ok " + List.of(Value.i64(19)) + " 991");
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
        // 6 + 5 * 5 + 1 instructions
        trapsWhereItsRunStarts("dev.tape.vm.WordRun", "countedLoop", 11, "ok " + List.of(Value.i64(5)) + " 968");
    }

    /**
     * The checks of each test above: {@code probe(before)} (a method of {@link RunEntryProbe}
     * taking the fuel) runs out of fuel where the run of {@code runClass} starts; with 1000 fuel the
     * probe ends as {@code whole}; in a loader that cannot load {@code runClass} once, it traps
     * {@code heap_limit_exceeded} there, that instruction paid for, and then ends as {@code whole}.
     */
    private static void trapsWhereItsRunStarts(String runClass, String probe, long before, String whole)
            throws Exception {
        Method m = RunEntryProbe.class.getMethod(probe, long.class);
        // where the run's first instruction is: the fuel runs out there
        String at = (String) m.invoke(null, before);
        assertTrue(at.startsWith("FUEL_EXCEEDED f") && at.endsWith(" fuel 0"), at);
        String pc = at.substring("FUEL_EXCEEDED ".length(), at.length() - " fuel 0".length());
        assertEquals(whole, m.invoke(null, 1000L));
        try (FailingLoader l = FailingLoader.once(runClass)) {
            assertEquals("HEAP_LIMIT_EXCEEDED " + pc + " fuel " + (1000 - before - 1), l.call(RunEntryProbe.class, probe,
                    1000L));
            assertEquals(whole, l.call(RunEntryProbe.class, probe, 1000L));
        }
    }
}
