package dev.tape.vm;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The look at a run's start and each resume whether a recording wants {@code dev.tape.HostCall}
 * events ({@code ExecutionContext.lookForRecorder}) asks JFR for the event's type, which loads
 * and registers {@code HostCallEvent} the first time: an error there (an {@code OutOfMemoryError}
 * while the JVM loads the class, here a {@link FailingLoader} that throws it 1 to 3 times, the
 * first of them on {@code ClassInit}'s thread, which skips a class it cannot load) must not escape
 * the run to the embedder. The look then counts the events as wanted (each word host call asks for
 * itself), and the runs end as they would without the error.
 */
class AttackRecorderLookTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3})
    void anErrorLoadingTheHostCallEventDoesNotEscapeARun(int times) throws Exception {
        String whole = RecorderLookProbe.runs();
        assertEquals("[i64:42] Done[values=[i64:42]]", whole);
        try (FailingLoader l = new FailingLoader("dev.tape.jfr.HostCallEvent", times)) {
            assertEquals(whole, l.call(RecorderLookProbe.class, "runs"));
        }
    }
}
