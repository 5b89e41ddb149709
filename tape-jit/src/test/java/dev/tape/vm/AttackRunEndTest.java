package dev.tape.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tape.program.Program;
import dev.tape.trace.TraceMask;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack on mend25's sink rule (twenty-fifth round, attack-m25): {@code TraceSink}'s javadoc says a
 * sink whose {@code runEnd} throws leaves the run's outcome as it was, and a {@link Run} keeps its
 * {@code Done}; {@link Vm#run} must too, on both tiers, whatever {@code runEnd} throws (an exception,
 * an {@code Error}, {@code OutOfMemoryError}, {@code StackOverflowError}), telling {@code runEnd}
 * once; a {@code ThreadDeath} from it is thrown on with the run's JFR event {@code ok}. And when a
 * run traps and {@code runEnd} then throws {@code ThreadDeath}, the run's JFR event names the trap
 * (not {@code ok}) and a Trap event is written.
 */
class AttackRunEndTest {
    private static final String SOURCE = """
            program re
            host next = "env.next" (i64) -> (i64)
            func main(n: i64) -> (r: i64) {
                call r0, f, r0, [r1] -> [r2]
                ret r0, [r2]
            }
            func f(n: i64) -> (r: i64) {
                host_call r0, next, r0, [r1] -> [r2]
                ret r0, [r2]
            }
            """;

    /** A sink asking for {@code mask} whose runEnd counts its calls and throws {@code e.get()}. */
    private static TraceSink endThrowing(int mask, Supplier<? extends Throwable> e, int[] calls) {
        TraceSink inner = AttackSinkErrorTest.throwingAt("runEnd", mask, e);
        return new TraceSink() {
            @Override
            public int mask() {
                return inner.mask();
            }

            @Override
            public void runEnd(Program program, boolean trapped, long fuelUsed) {
                calls[0]++;
                inner.runEnd(program, trapped, fuelUsed);
            }
        };
    }

    @Test
    @SuppressWarnings("removal")
    void aThrowingRunEndLeavesVmRunsResultAndIsToldOnce() {
        List<String> wrong = new ArrayList<>();
        Vm[] tiers = AttackSinkErrorTest.tiers(SOURCE);
        List<Supplier<Throwable>> errors = List.of(() -> new IllegalStateException("sink"),
                () -> new AssertionError("sink"), () -> new OutOfMemoryError("sink"),
                () -> new StackOverflowError("sink"), ThreadDeath::new);
        int checked = 0;
        for (Vm vm : tiers) {
            for (int mask : new int[] {TraceMask.RUN, TraceMask.ALL}) {
                for (Supplier<Throwable> e : errors) {
                    String where = (vm == tiers[0] ? "interpreter" : "compiled") + " mask " + mask + " "
                            + e.get().getClass().getSimpleName();
                    ExecutionContext ctx = new ExecutionContext();
                    int[] calls = {0};
                    String got;
                    try {
                        got = "ok " + vm.run(ctx, 0, List.of(Value.i64(7)), Limits.DEFAULT, endThrowing(mask, e, calls));
                    } catch (ThreadDeath d) {
                        got = "thrown";
                    } catch (Trap t) {
                        got = "trap " + t.kind().label() + " " + t.detail();
                    } catch (Throwable t) {
                        got = "escaped " + t;
                    }
                    String want = e.get() instanceof ThreadDeath ? "thrown" : "ok [i64:7]";
                    if (!got.equals(want) || calls[0] != 1) {
                        wrong.add(where + ": " + got + ", runEnd told " + calls[0] + " times");
                    }
                    Run run = vm.start(new ExecutionContext(), 0, List.of(Value.i64(7)), Limits.DEFAULT,
                            endThrowing(mask, e, calls));
                    calls[0] = 0;
                    String asRun;
                    try {
                        asRun = String.valueOf(run.resume());
                    } catch (ThreadDeath d) {
                        asRun = "thrown";
                    }
                    String wantRun = e.get() instanceof ThreadDeath ? "thrown" : "Done[values=[i64:7]]";
                    if (!asRun.equals(wantRun) || calls[0] != 1) {
                        wrong.add(where + " Run: " + asRun + ", runEnd told " + calls[0] + " times");
                    }
                    checked++;
                }
            }
        }
        assertEquals(List.of(), wrong);
        assertEquals(2 * 2 * 5, checked);
    }

    @Test
    @SuppressWarnings("removal")
    void aRunEndsThreadDeathAfterATrapKeepsTheTrapInTheRunEvent(@TempDir Path dir) throws Exception {
        Vm[] tiers = AttackSinkErrorTest.tiers(SOURCE);
        Path file = dir.resolve("rec.jfr");
        int[] thrown = {0};
        try (Recording r = new Recording()) {
            r.enable("dev.tape.Run").withThreshold(Duration.ZERO);
            r.enable("dev.tape.Trap");
            r.start();
            for (Vm vm : tiers) {
                // the instruction event fails (the run traps internal_error), then runEnd throws ThreadDeath
                TraceSink sink = new TraceSink() {
                    @Override
                    public int mask() {
                        return TraceMask.ALL;
                    }

                    @Override
                    public void instr(int func, int pc, long span, int opcode) {
                        throw new IllegalStateException("instr");
                    }

                    @Override
                    public void runEnd(Program program, boolean trapped, long fuelUsed) {
                        throw new ThreadDeath();
                    }
                };
                try {
                    vm.run(new ExecutionContext(), 0, List.of(Value.i64(7)), Limits.DEFAULT, sink);
                } catch (ThreadDeath d) {
                    thrown[0]++;
                } catch (Trap t) {
                    // counted below: not thrown on
                }
            }
            r.stop();
            r.dump(file);
        }
        assertEquals(2, thrown[0]);
        List<String> runs = new ArrayList<>();
        int traps = 0;
        for (RecordedEvent ev : RecordingFile.readAllEvents(file)) {
            String name = ev.getEventType().getName();
            if (name.equals("dev.tape.Run") && ev.getString("entryName").equals("main")) {
                runs.add(ev.getString("outcome"));
            } else if (name.equals("dev.tape.Trap")) {
                traps++;
            }
        }
        assertEquals(List.of("internal_error", "internal_error"), runs);
        assertEquals(2, traps);
    }
}
