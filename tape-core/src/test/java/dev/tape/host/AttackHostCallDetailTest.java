package dev.tape.host;

import dev.tape.TapeException;
import dev.tape.testing.NextHost;
import dev.tape.testing.NextHost.BadMessage;
import dev.tape.testing.NextHost.Override;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.vm.ExecutionContext;
import dev.tape.vm.LinkException;
import dev.tape.vm.Limits;
import dev.tape.vm.Trap;
import dev.tape.vm.Vm;
import dev.tape.vm.VmOptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attack on the one nested-trap rule ({@link HostFailedException#detailOf},
 * {@link TapeException#hostCallDetail()}): a host function that throws something whose detail is
 * hard to make (an embedder's {@code hostCallDetail} override that returns null, throws or
 * recurses; a {@code getMessage} that throws; a null {@code HostFailedException} detail; a message
 * with an unpaired surrogate, which UTF-8 cannot carry) gives one {@code host_call_failed} trap,
 * with a detail that is not null, live, recorded to a stream, replayed from the file and answered
 * again by an in-memory recording after {@code rewind}: the same detail at the same fuel, and no
 * Java exception escapes the run.
 */
class AttackHostCallDetailTest {
    private static List<Throwable> thrown() {
        List<Throwable> out = new ArrayList<>();
        for (int how = 0; how <= 5; how++) {
            out.add(new Override(how));
        }
        out.add(new BadMessage(true));
        out.add(new BadMessage(false));
        out.add(new HostFailedException(null));
        out.add(new IllegalStateException("half a pair \uD800 here"));
        out.add(new HostFailedException("a low one alone \uDC00"));
        out.add(new IllegalStateException("a whole pair \uD83D\uDE00 is fine"));
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        out.add(a);
        out.add(new AssertionError());
        out.add(new StackOverflowError("deep"));
        return out;
    }

    /** A host whose {@code env.next} throws {@code e} at once. */
    private static Host throwing(Throwable e) {
        return NextHost.throwing(e, -1);
    }

    @Test
    void everyWayToFailGivesOneDetailLiveRecordedReplayedAndRewound() throws Exception {
        VerifiedProgram p = RecordReplayTest.program(NextHost.SOURCE);
        List<String> wrong = new ArrayList<>();
        for (Throwable e : thrown()) {
            String name = e.getClass().getSimpleName() + (e instanceof Override o ? " " + o.how() : "");
            RecordReplayTest.Outcome live;
            try {
                live = RecordReplayTest.run(p, throwing(e), 5);
            } catch (Throwable escaped) {
                wrong.add(name + ": " + escaped.getClass().getName() + " escaped the live run");
                continue;
            }
            if (!live.trap().startsWith("host_call_failed ") || live.trap().equals("host_call_failed null")) {
                wrong.add(name + ": live " + live.trap());
            }
            // recorded to a stream: the run is the live one; the file, when whole, replays it
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            RecordingHost rec = new RecordingHost(throwing(e), p.hash(), bytes);
            rec.run(0, List.of(Value.i64(5)));
            RecordReplayTest.Outcome recorded = RecordReplayTest.run(p, rec, 5);
            if (!live.equals(recorded)) {
                wrong.add(name + ": recorded " + recorded.trap() + " vs live " + live.trap());
            }
            boolean whole = true;
            try {
                rec.finish();
            } catch (RecordingException notWhole) {
                whole = false;
            }
            if (whole) {
                RecordReplayTest.Outcome replayed = RecordReplayTest.run(p,
                        new ReplayHost(HostRecording.read(bytes.toByteArray()), null), 5);
                if (!live.equals(replayed)) {
                    wrong.add(name + ": replayed " + replayed.trap() + " vs live " + live.trap());
                }
            }
            // in memory, then rewound
            RecordingHost mem = new RecordingHost(throwing(e));
            RecordReplayTest.Outcome first = RecordReplayTest.run(p, mem, 5);
            mem.rewind();
            RecordReplayTest.Outcome again = RecordReplayTest.run(p, mem, 5);
            if (!live.equals(first) || !live.equals(again)) {
                wrong.add(name + ": in memory " + first.trap() + " / rewound " + again.trap() + " vs live " + live.trap());
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void theRuleNeverThrowsNorGivesNull() {
        for (Throwable e : thrown()) {
            String d = HostFailedException.detailOf(e);
            assertNotNull(d, e.getClass().getName());
            assertNotNull(TapeException.classAndMessage(e), e.getClass().getName());
        }
    }

    /** The bound the javadoc states holds for tape's exceptions and a foreign one's message. */
    @Test
    void theStatedBoundHoldsForTapesOwnAndForeignExceptions() {
        String huge = "x".repeat(100_000);
        for (Throwable e : List.of(new IllegalStateException(huge), new RecordingException(3, huge),
                new HostFailedException(huge))) {
            int longest = Math.max(e.getMessage().length(), e.getClass().getSimpleName().length() + 2);
            assertTrue(HostFailedException.detailOf(e).length() <= longest + 34, e.getClass().getName());
        }
    }

    /**
     * A resolver that throws an exception whose {@code getMessage} throws: eager linking refuses
     * with a {@link LinkException} (it let the resolver's exception out of {@code describe}), lazy
     * linking traps the call {@code host_call_failed} (it let it out of the run's own handler).
     */
    @Test
    void aResolversExceptionWithAThrowingMessageIsALinkFailure() throws Exception {
        VerifiedProgram p = RecordReplayTest.program(NextHost.SOURCE);
        for (boolean self : new boolean[] {true, false}) {
            Host resolver = (symbol, sigHash, args, rets) -> {
                throw new BadMessage(self);
            };
            // caught here and named: the escaped exception's own getMessage throws, which would hide
            // the failure from the test report
            LinkException e = assertThrows(LinkException.class, () -> named(() -> new Vm(p, resolver)));
            assertTrue(e.getMessage().contains("the host's resolver threw BadMessage"), e.getMessage());
            Vm lazy = new Vm(p, resolver, VmOptions.DEFAULT.withLazyLinking(true));
            Trap t = assertThrows(Trap.class, () -> named(() -> lazy.run(new ExecutionContext(), 0,
                    List.of(Value.i64(3)), Limits.DEFAULT, null)));
            assertEquals("host_call_failed", t.kind().label());
            assertTrue(t.detail().contains("the host's resolver threw BadMessage"), t.detail());
        }
    }

    /** Runs {@code r}; a throwable that is not tape's becomes an {@link AssertionError} naming its class. */
    private static void named(org.junit.jupiter.api.function.Executable r) throws Throwable {
        try {
            r.execute();
        } catch (TapeException ok) {
            throw ok;
        } catch (Throwable escaped) {
            throw new AssertionError(escaped.getClass().getName() + " escaped");
        }
    }
}
