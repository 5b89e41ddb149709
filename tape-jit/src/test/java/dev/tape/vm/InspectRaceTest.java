package dev.tape.vm;

import dev.tape.value.Value;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A paused {@link Run}'s inspections on one thread against runs started in its context on another,
 * on both tiers: each inspection either reads the paused run's own state or throws
 * {@link IllegalStateException}, never the context half reset for the next run. Before inspections
 * marked the context as executing, a {@link Vm#start} could reset the context between an
 * inspection's ownership check and its reads, and {@link Run#position()} showed the next run's pc 0,
 * {@link Run#fuelRemaining()} its full fuel, and so on.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class InspectRaceTest {
    /** Every run is main(1000) paused for fuel after 50 units, so every paused run reads the same. */
    private static final long N = 1_000;
    private static final long FUEL = 50;
    /** How long each tier's race runs, in ms. */
    private static final long MILLIS = 1_500;

    /** What each inspection of a paused run shows, by name, in a fixed order. */
    private static List<Object> inspect(Run r) {
        List<Object> out = new ArrayList<>();
        out.add("position " + r.position());
        out.add("fuel " + r.fuelRemaining());
        out.add("calls " + r.hostCallsMade());
        out.add("depth " + r.depth());
        out.add("frames " + r.frames());
        out.add("registers " + r.registers(0));
        out.add("in use " + r.registersInUse());
        out.add("suspended " + r.suspendedCall());
        out.add("snapshot " + Arrays.toString(r.snapshot()));
        return out;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void inspectionsNeverSeeAnotherRunsState(boolean compiled) throws Exception {
        Vm vm = AbandonedRunTest.vm(compiled);
        ExecutionContext ctx = new ExecutionContext();
        Run first = AbandonedRunTest.paused(vm, ctx, N, FUEL);
        List<Object> expected = inspect(first);
        AtomicReference<Run> current = new AtomicReference<>(first);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> starterFailed = new AtomicReference<>();
        long[] starts = new long[1];
        Thread starter = new Thread(() -> {
            try {
                while (!stop.get()) {
                    Run r;
                    try {
                        r = vm.start(ctx, 0, List.of(Value.i64(N)), Limits.DEFAULT.withFuel(FUEL), null);
                    } catch (IllegalStateException inspecting) {
                        continue;
                    }
                    starts[0]++;
                    while (true) {
                        try {
                            r.resume();
                            break;
                        } catch (IllegalStateException inspecting) {
                            // the other thread holds r or the context for an inspection
                            Thread.onSpinWait();
                        }
                    }
                    current.set(r);
                }
            } catch (Throwable e) {
                starterFailed.set(e);
            }
        });
        starter.start();
        long consistent = 0;
        long refused = 0;
        List<String> wrong = new ArrayList<>();
        try {
            for (long end = System.nanoTime() + MILLIS * 1_000_000L; System.nanoTime() - end < 0 && wrong.size() < 5; ) {
                Run r = current.get();
                List<Object> got;
                try {
                    got = inspect(r);
                } catch (IllegalStateException e) {
                    refused++;
                    continue;
                } catch (RuntimeException e) {
                    wrong.add(e.toString());
                    continue;
                }
                if (got.equals(expected)) {
                    consistent++;
                } else {
                    for (int k = 0; k < got.size(); k++) {
                        if (!got.get(k).equals(expected.get(k))) {
                            wrong.add(got.get(k) + " instead of " + expected.get(k));
                            break;
                        }
                    }
                }
            }
        } finally {
            stop.set(true);
            starter.join(10_000);
        }
        assertEquals(null, starterFailed.get());
        assertEquals(List.of(), wrong, consistent + " consistent, " + refused + " refused, " + starts[0] + " starts");
        // the race ran: both threads made progress
        assertTrue(consistent > 0 && starts[0] > 0, consistent + " consistent, " + starts[0] + " starts");
    }
}
