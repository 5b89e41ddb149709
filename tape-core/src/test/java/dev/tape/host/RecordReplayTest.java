package dev.tape.host;

import dev.tape.asm.Assembler;
import dev.tape.program.ValueType;
import dev.tape.testing.NextHost;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.vm.ExecutionContext;
import dev.tape.vm.Limits;
import dev.tape.vm.Trap;
import dev.tape.vm.Vm;
import dev.tape.vm.VmOptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Record a run's host calls, replay them without the host, and refuse recordings that do not fit. */
class RecordReplayTest {
    /** Sums n answers of env.next(i) ({@link NextHost#SOURCE}); {@link #liveHost} charges 3 fuel for each. */
    static final String SOURCE = NextHost.SOURCE;

    static VerifiedProgram program(String source) throws Exception {
        return Verifier.verify(Assembler.assemble(source, "rr.tasm"));
    }

    /** A host whose answers depend on state outside the program: what replay must stand in for. */
    static Host liveHost(long[] state, long failAt) {
        return NextHost.of((args, results, ctx) -> {
            long i = ((Value.I64) args[0]).value();
            if (i == failAt) {
                throw new IllegalStateException("the database is down");
            }
            ctx.chargeFuel(3);
            state[0] = state[0] * 31 + 7;
            results[0] = Value.i64(state[0] + i);
        });
    }

    record Outcome(List<Value> results, String trap, long fuel) {}

    static Outcome run(VerifiedProgram p, Host host, long n) {
        ExecutionContext ctx = new ExecutionContext();
        try {
            // lazy linking: one test runs a program whose import the host does not provide
            List<Value> out = new Vm(p, host, VmOptions.DEFAULT.withLazyLinking(true)).run(ctx, 0, List.of(Value.i64(n)), Limits.DEFAULT, null);
            return new Outcome(out, null, ctx.fuelRemaining());
        } catch (Trap t) {
            return new Outcome(null, t.kind().label() + " " + t.detail(), t.fuelRemaining());
        }
    }

    static byte[] record(VerifiedProgram p, Host live, long n, Outcome[] out) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RecordingHost rec = new RecordingHost(live, p.hash(), bytes);
        rec.run(0, List.of(Value.i64(n)));
        out[0] = run(p, rec, n);
        rec.finish();
        return bytes.toByteArray();
    }

    @Test
    void replayRepeatsTheRunWithoutTheHost() throws Exception {
        VerifiedProgram p = program(SOURCE);
        Outcome[] live = new Outcome[1];
        byte[] file = record(p, liveHost(new long[] {5}, -1), 6, live);
        HostRecording r = HostRecording.read(file);
        r.requireProgram(p.hash());
        assertEquals(6, r.calls().size());
        assertEquals(0, r.run().entry());
        assertEquals(List.of(Value.i64(6)), r.run().args());
        assertEquals(List.of("i64:2"), r.calls().get(2).args());
        assertEquals(3, r.calls().get(0).fuel());
        ReplayHost replay = new ReplayHost(r, null);
        Outcome again = run(p, replay, 6);
        assertEquals(live[0], again);
        assertEquals(0, replay.callsLeft());
        // a host with other state gives another result: the replay really answered from the file
        assertFalse(run(p, liveHost(new long[] {6}, -1), 6).equals(live[0]));
        // and the host's fuel charges are part of the replayed run
        assertEquals(run(p, liveHost(new long[] {5}, -1), 6).fuel(), again.fuel());
    }

    @Test
    void aFailureIsReplayedAsTheSameTrap() throws Exception {
        VerifiedProgram p = program(SOURCE);
        Outcome[] live = new Outcome[1];
        byte[] file = record(p, liveHost(new long[] {5}, 3), 6, live);
        assertTrue(live[0].trap().startsWith("host_call_failed"), live[0].trap());
        assertTrue(live[0].trap().contains("IllegalStateException: the database is down"), live[0].trap());
        Outcome again = run(p, new ReplayHost(HostRecording.read(file), null), 6);
        assertEquals(live[0], again);
    }

    @Test
    void aCallThatDivergesIsRefused() throws Exception {
        VerifiedProgram p = program(SOURCE);
        byte[] file = record(p, liveHost(new long[] {5}, -1), 2, new Outcome[1]);
        // the same program with a bigger n makes a third call the recording does not have
        Outcome more = run(p, new ReplayHost(HostRecording.read(file), null), 3);
        assertTrue(more.trap().startsWith("host_call_failed"), more.trap());
        assertTrue(more.trap().contains("replay diverged at host call 3: the recording ends after 2 calls; "
                + "the run called env.next#"), more.trap());
        // a program that passes other arguments diverges at the first call
        VerifiedProgram other = program(SOURCE.replace("const.i64 r3, 0", "const.i64 r3, 1"));
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        RecordingHost rec = new RecordingHost(liveHost(new long[] {5}, -1), other.hash(), b);
        run(other, rec, 2);
        rec.finish();
        HostRecording r = HostRecording.read(file);
        // other program: refused before running
        RecordingException e = assertThrows(RecordingException.class, () -> r.requireProgram(other.hash()));
        assertTrue(e.getMessage().startsWith("the recording is of another program (recorded program "), e.getMessage());
        // forced to run anyway, the first call shows what was recorded and what was asked
        Outcome forced = run(other, new ReplayHost(r, null), 2);
        assertTrue(forced.trap().contains("replay diverged at host call 1: recorded env.next#"), forced.trap());
        assertTrue(forced.trap().contains("(i64:0), the run called env.next#"), forced.trap());
        assertTrue(forced.trap().endsWith("(i64:1)"), forced.trap());
    }

    @Test
    void everyTruncationAndEveryChangedByteIsRefusedWithAnOffset() throws Exception {
        VerifiedProgram p = program(SOURCE);
        byte[] file = record(p, liveHost(new long[] {5}, -1), 3, new Outcome[1]);
        for (int len = 0; len < file.length; len++) {
            byte[] cut = Arrays.copyOf(file, len);
            RecordingException e = assertThrows(RecordingException.class, () -> HostRecording.read(cut));
            assertOneLine(e, len);
        }
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < file.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = file.clone();
                bad[i] ^= (byte) (1 << bit);
                RecordingException e = assertThrows(RecordingException.class, () -> HostRecording.read(bad),
                        "flipping bit " + bit + " of byte " + i);
                assertOneLine(e, file.length);
                messages.add(e.getMessage());
            }
        }
        assertTrue(messages.contains("damaged recording at byte 0: not a tape recording (it does not start with "
                + "TAPEREC)"), messages.get(0));
        byte[] longer = Arrays.copyOf(file, file.length + 1);
        assertThrows(RecordingException.class, () -> HostRecording.read(longer));
    }

    private static void assertOneLine(RecordingException e, int maxOffset) {
        assertTrue(e.getMessage().startsWith("damaged recording at byte "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.offset() >= 0 && e.offset() <= maxOffset, e.getMessage());
    }

    @Test
    void aHugeCountIsRefusedWithoutAllocating() throws Exception {
        VerifiedProgram p = program(SOURCE);
        byte[] file = record(p, liveHost(new long[] {5}, -1), 1, new Outcome[1]);
        // the run record (written before the VM resolves): tag, entry, then the argument count
        int run = indexOfTag(file, HostRecording.RUN);
        byte[] bad = Arrays.copyOf(file, run + 7);
        bad[run + 2] = (byte) 0xff;
        bad[run + 3] = (byte) 0xff;
        bad[run + 4] = (byte) 0xff;
        bad[run + 5] = (byte) 0xff;
        bad[run + 6] = (byte) 0x07;
        RecordingException e = assertThrows(RecordingException.class, () -> HostRecording.read(bad));
        assertEquals("damaged recording at byte " + (run + 2) + ": argument count 2147483647 exceeds the 0 bytes left",
                e.getMessage());
    }

    private static int indexOfTag(byte[] file, int tag) {
        // header: 7 magic + version + 32 hash
        int at = 40;
        assertEquals(tag, file[at]);
        return at;
    }

    @Test
    void anImportTheHostDidNotProvideStaysMissing() throws Exception {
        VerifiedProgram p = program(SOURCE);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        RecordingHost rec = new RecordingHost(Host.NONE, p.hash(), b);
        Outcome live = run(p, rec, 2);
        rec.finish();
        assertTrue(live.trap().contains("the host does not provide env.next"), live.trap());
        HostRecording r = HostRecording.read(b.toByteArray());
        assertFalse(r.resolves().get(0).provided());
        assertEquals(live, run(p, new ReplayHost(r, null), 2));
    }

    @Test
    void theHeaderNamesTheProgram() throws Exception {
        VerifiedProgram p = program(SOURCE);
        byte[] file = record(p, liveHost(new long[] {5}, -1), 1, new Outcome[1]);
        assertArrayEquals(p.hash(), HostRecording.read(file).programHash());
        assertArrayEquals(p.hash(), Arrays.copyOfRange(file, 8, 40));
    }

    @Test
    void aRecordingStopsAtItsByteLimitAndTheRunGoesOn() throws Exception {
        // 40 calls of env.id with the same 5,000-char string: 1 instruction each, 10 KB of recording each
        VerifiedProgram p = program("""
                program big
                host id = "env.id" (str) -> (str)
                func main(n: i64) -> (len: u64) {
                    const.pool r2, str:"0123456789"
                    const.i64 r3, 0
                    const.i64 r4, 1
                    str.concat r2, r2, r2
                    str.concat r2, r2, r2
                    str.concat r2, r2, r2
                    str.concat r2, r2, r2
                    str.concat r2, r2, r2
                    str.concat r2, r2, r2
                    str.concat r2, r2, r2
                    str.concat r2, r2, r2
                    str.concat r2, r2, r2
                    jmp loop
                loop:
                    i64.lt r5, r3, r1
                    br r5, body, done
                body:
                    host_call r0, id, r0, [r2] -> [r2]
                    i64.add r3, r3, r4
                    jmp loop
                done:
                    str.len r6, r2
                    ret r0, [r6]
                }
                """);
        Host id = new HostRegistry().register("env.id", Signature.of(List.of(ValueType.STR), List.of(ValueType.STR)),
                (args, results, ctx) -> results[0] = args[0]);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RecordingHost rec = new RecordingHost(id, p.hash(), bytes, 100_000);
        List<Value> out = new Vm(p, rec).run(new ExecutionContext(), 0, List.of(Value.i64(40)), Limits.DEFAULT, null);
        assertEquals(List.of(Value.u64(5120)), out, "the run is not changed");
        RecordingException e = assertThrows(RecordingException.class, rec::finish);
        assertEquals("the recording would be larger than its limit of 100000 bytes (at host call 10); it stops there",
                e.getMessage());
        assertTrue(bytes.size() <= 100_000 && bytes.size() > 90_000, bytes.size() + " bytes");
        assertThrows(RecordingException.class, () -> HostRecording.read(bytes.toByteArray()), "no end record");

        // the same run within a limit it fits: all 40 calls, replayable
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        RecordingHost all = new RecordingHost(id, p.hash(), whole, 1_000_000);
        new Vm(p, all).run(new ExecutionContext(), 0, List.of(Value.i64(40)), Limits.DEFAULT, null);
        assertEquals(40, all.finish());
        assertTrue(whole.size() <= 1_000_000 && whole.size() > 40 * 10_240, whole.size() + " bytes");
        assertEquals(40, HostRecording.read(whole.toByteArray()).calls().size());
        assertEquals(1L << 30, RecordingHost.DEFAULT_MAX_BYTES);
        assertThrows(IllegalArgumentException.class, () -> new RecordingHost(id, p.hash(), whole, 0));
        assertThrows(RecordingException.class, () -> new RecordingHost(id, p.hash(), new ByteArrayOutputStream(), 50),
                "not even the header fits");
    }
}
