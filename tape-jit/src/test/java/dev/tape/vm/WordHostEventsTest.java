package dev.tape.vm;

import dev.tape.jfr.HostCallEvent;
import dev.tape.trace.TraceSink;
import dev.tape.value.Value;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Calls of word functions seen from outside the run: a trace sink's host events and JFR's
 * {@code dev.tape.HostCall} events are those of the same functions bound over boxed values, on both
 * tiers ({@link WordHostTest}'s program).
 */
class WordHostEventsTest {
    /** A sink of host events only: one line per event. */
    static final class HostSink implements TraceSink {
        final List<String> lines = new ArrayList<>();

        @Override
        public void hostEnter(int hostSig, String symbol, int func, int pc) {
            lines.add("enter " + hostSig + " " + symbol + " at " + func + ":" + pc);
        }

        @Override
        public void hostExit(int hostSig, String symbol) {
            lines.add("exit " + hostSig + " " + symbol);
        }
    }

    /** A traced run's host events, then its results or trap message on the last line. */
    static List<String> traced(Vm vm, long n) {
        HostSink sink = new HostSink();
        Tiers.Outcome o = Tiers.run(vm, null, new ExecutionContext(), 0, WordHostTest.args(n, 5), Limits.DEFAULT, sink);
        sink.lines.add(o.trap() == null ? String.valueOf(o.results()) : o.trap().message());
        return sink.lines;
    }

    @Test
    void aTraceSinkSeesTheSameHostEvents() {
        WordHostTest.Four f = new WordHostTest.Four();
        for (long n : new long[] {0, 3, WordHostTest.ONE_FAILS + 1}) {
            List<String> expected = traced(f.boxed.interpreted, n);
            if (n <= WordHostTest.ONE_FAILS) {
                assertEquals(String.valueOf(WordHostTest.model(n, 5)), expected.get(expected.size() - 1));
                assertEquals(8 * n + 1, expected.size());
            } else {
                // the failing call is entered and never exited
                assertEquals(8 * WordHostTest.ONE_FAILS + 2, expected.size());
            }
            for (Vm vm : new Vm[] {f.words.interpreted, f.words.compiled, f.boxed.compiled}) {
                assertEquals(expected, traced(vm, n), "n " + n);
            }
        }
    }

    /** @return the symbol and failed flag of each {@code dev.tape.HostCall} event of runs of main(n, 5) on {@code vm} */
    static List<String> recorded(Vm vm, long n, Path file) throws Exception {
        List<Value> out;
        try (Recording r = new Recording()) {
            r.enable(HostCallEvent.class).withThreshold(Duration.ZERO);
            r.start();
            Tiers.Outcome o = Tiers.run(vm, null, new ExecutionContext(), 0, WordHostTest.args(n, 5), Limits.DEFAULT,
                    null);
            out = o.trap() == null ? o.results() : null;
            r.stop();
            r.dump(file);
        }
        assertEquals(WordHostTest.model(n, 5), out, "n " + n);
        List<String> calls = new ArrayList<>();
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (e.getEventType().getName().equals("dev.tape.HostCall")) {
                calls.add(e.getString("symbol") + (e.getBoolean("failed") ? " failed" : ""));
            }
        }
        return calls;
    }

    @Test
    void jfrRecordsEveryCall(@TempDir Path dir) throws Exception {
        WordHostTest.Four f = new WordHostTest.Four();
        int runs = 0;
        for (long n : new long[] {3, WordHostTest.ONE_FAILS + 1}) {
            for (Vm vm : new Vm[] {f.words.interpreted, f.words.compiled, f.boxed.interpreted, f.boxed.compiled}) {
                List<String> calls = recorded(vm, n, dir.resolve("r" + runs++ + ".jfr"));
                long done = Math.min(n, WordHostTest.ONE_FAILS);
                // a recording's events are not in the order of the calls: count them by symbol
                List<String> expected = new ArrayList<>();
                for (long i = 0; i < done; i++) {
                    expected.addAll(List.of("w.many", "w.one", "w.three", "w.two"));
                }
                if (n > done) {
                    expected.add("w.one failed");
                }
                expected.sort(null);
                calls.sort(null);
                assertEquals(expected, calls);
            }
        }
        // outside a recording, word functions are called with words again
        long before = f.wordFuncs.compiledWords;
        Tiers.run(f.words.compiled, null, new ExecutionContext(), 0, WordHostTest.args(3, 5), Limits.DEFAULT, null);
        assertEquals(before + 12, f.wordFuncs.compiledWords);
    }
}
