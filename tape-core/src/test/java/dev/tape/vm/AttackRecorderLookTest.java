package dev.tape.vm;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * With a recording going, a run's JFR hooks load and register the event classes the first time:
 * the look at a run's start and each resume whether a recording wants {@code dev.tape.HostCall}
 * events ({@code ExecutionContext.lookForRecorder}), the run's event ({@code TapeEvents.runBegin}),
 * the resume's. An error there (an {@code OutOfMemoryError} while the JVM loads an event class,
 * here a {@link FailingLoader} that throws it 1 to 3 times, the first of them on {@code ClassInit}'s
 * thread, which skips a class it cannot load) must not escape the run to the embedder: the event is
 * not recorded, and the runs end as they would without the error. (HostCallEvent 2 and 3 times and
 * RunEvent 2 and 3 times escaped {@code Vm.run} before.)
 */
class AttackRecorderLookTest {
    @ParameterizedTest
    @CsvSource({"HostCallEvent,1", "HostCallEvent,2", "HostCallEvent,3", "RunEvent,1", "RunEvent,2", "RunEvent,3",
        "ResumeEvent,1", "ResumeEvent,2", "ResumeEvent,3", "PauseEvent,2", "TrapEvent,2", "RunPlaceEvent,2",
        "CompileEvent,2"})
    void anErrorLoadingAnEventClassDoesNotEscapeARun(String event, int times) throws Exception {
        String whole = RecorderLookProbe.runs();
        assertEquals("[i64:42] Done[values=[i64:42]]", whole);
        try (FailingLoader l = new FailingLoader("dev.tape.jfr." + event, times)) {
            assertEquals(whole, l.call(RecorderLookProbe.class, "runs"));
        }
    }
}
