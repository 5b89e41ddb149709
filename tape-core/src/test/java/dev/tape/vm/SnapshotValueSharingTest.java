package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.Host;
import dev.tape.host.HostRecording;
import dev.tape.host.HostRegistry;
import dev.tape.host.RecordingHost;
import dev.tape.host.ReplayHost;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A snapshot's bytes depend on the run's values, never on which of its equal values happen to be
 * one Java object: a pool constant loaded twice, or a host's value returned twice, is one object in
 * the run itself but two after a restore in between (the restored run holds a copy, the later load
 * gives the original), and a replayed host gives a new object for every answer. So a run restored
 * (or replayed) earlier writes the same snapshot later as the run itself, and a restore ceiling
 * decides alike for both (the object table counts each distinct value once).
 */
class SnapshotValueSharingTest {
    /** Each host function returns one Java object every time; each is called twice, before and after the pause points. */
    static final String HOSTS = """
            program shared

            host s = "t.s" () -> (str)
            host b = "t.b" () -> (bytes)
            host o = "t.o" () -> (obj<7>)
            host a = "t.a" () -> (agg)

            func main(k: i64) -> (agg, bool) {
                host_call r0, s, r0, [] -> [r2]
                host_call r0, b, r0, [] -> [r3]
                host_call r0, o, r0, [] -> [r4]
                host_call r0, a, r0, [] -> [r5]
                host_call r0, s, r0, [] -> [r6]
                host_call r0, b, r0, [] -> [r7]
                host_call r0, o, r0, [] -> [r8]
                host_call r0, a, r0, [] -> [r9]
                str.eq r10, r2, r6
                tuple.new r11, [r2, r3, r4, r5, r6, r7, r8, r9]
                ret r0, [r11, r10]
            }
            """;

    static final Value.Str STR = Value.str("one host string");
    static final Value.Bytes BYTES = Value.bytes(new byte[] {1, 2, 3, 4, 5});
    static final Value.Obj OBJ = new Value.Obj(7, 99);
    static final Aggregate AGG = Value.tuple(STR, Value.i64(5), BYTES, Value.tuple(STR, STR));

    static HostRegistry hosts(Value.Str s) {
        return new HostRegistry()
                .register("t.s", Signature.of(List.of(), List.of(ValueType.STR)), (args, out, ctx) -> out[0] = s)
                .register("t.b", Signature.of(List.of(), List.of(ValueType.BYTES)), (args, out, ctx) -> out[0] = BYTES)
                .register("t.o", Signature.of(List.of(), List.of(ValueType.obj(7))), (args, out, ctx) -> out[0] = OBJ)
                .register("t.a", Signature.of(List.of(), List.of(ValueType.AGG)), (args, out, ctx) -> out[0] = AGG);
    }

    static Vm vm(String source, Host host) {
        return new Vm(Verifier.verify(Assembler.assemble(source, "shared.tasm")), host);
    }

    static final List<Value> ARGS = List.of(Value.i64(0));

    /** The run paused after {@code k} instructions, or null when it ended before. */
    static ExecutionContext pausedAt(Vm vm, long k) {
        return pausedAt(vm, k, Limits.DEFAULT);
    }

    /** The run under {@code limits} paused after {@code k} instructions, or null when it ended before. */
    static ExecutionContext pausedAt(Vm vm, long k, Limits limits) {
        ExecutionContext a = new ExecutionContext();
        Paused.start(vm, a, 0, ARGS, limits);
        return Paused.step(vm, a, k) ? a : null;
    }

    /** {@code from}'s snapshot restored into a new context of {@code into}. */
    static ExecutionContext restored(Vm from, ExecutionContext c, Vm into, Limits ceiling) {
        ExecutionContext b = new ExecutionContext();
        SnapshotReader.read(into, Snapshots.write(from, c), b, ceiling);
        return b;
    }

    /**
     * For every pause point k2 and every earlier k1: the run itself paused at k2 writes the same
     * snapshot as the run restored at k1 (into {@code vm}, or into a fresh VM of the program) and
     * continued to k2.
     *
     * @return the pause points compared
     */
    static int everyPairOfPausePoints(Vm vm, Vm fresh) {
        int compared = 0;
        for (long k2 = 2; ; k2++) {
            ExecutionContext a = pausedAt(vm, k2);
            if (a == null) {
                return compared;
            }
            byte[] want = Snapshots.write(vm, a);
            for (long k1 = 1; k1 < k2; k1++) {
                for (Vm into : new Vm[] {vm, fresh}) {
                    ExecutionContext b = restored(vm, pausedAt(vm, k1), into, Limits.DEFAULT);
                    assertTrue(Paused.step(into, b, k2 - k1));
                    assertArrayEquals(want, Snapshots.write(into, b), "restored at " + k1 + ", written at " + k2);
                }
            }
            compared++;
        }
    }

    @Test
    void poolConstantsLoadedAgainAfterARestore() {
        String src = SnapshotScanCountTest.POOL;
        assertTrue(everyPairOfPausePoints(vm(src, new HostRegistry()), vm(src, new HostRegistry())) >= 8);
    }

    @Test
    void hostValuesReturnedAgainAfterARestore() {
        assertTrue(everyPairOfPausePoints(vm(HOSTS, hosts(STR)), vm(HOSTS, hosts(STR))) >= 8);
    }

    /**
     * A host string of 300,000 bytes, returned twice, under a restore ceiling of 512 KiB: the run
     * itself restores (one string), and so must the run restored between the calls (the same
     * values).
     */
    @Test
    void aRestoreCeilingDecidesAlikeForARunAndItsRestoredCopy() {
        byte[] big = new byte[300_000];
        Arrays.fill(big, (byte) 'x');
        Vm vm = vm(HOSTS, hosts(Value.Str.fromUtf8(big)));
        Limits ceiling = new Limits(Limits.MAX_UNSIGNED, Limits.MAX_UNSIGNED, Limits.MAX_UNSIGNED, 512 << 10,
                Limits.DEFAULT_REGISTERS);
        Limits limits = new Limits(1_000, 16, 100, 512 << 10, 1 << 16);
        ExecutionContext itself = pausedAt(vm, 8, limits);
        String expected = Paused.finish(vm, restored(vm, itself, vm, ceiling));
        assertTrue(expected.startsWith("ok tuple(") && expected.contains("bool:true"), expected);
        ExecutionContext b = restored(vm, pausedAt(vm, 2, limits), vm, ceiling);
        assertTrue(Paused.step(vm, b, 6));
        assertEquals(expected, Paused.finish(vm, restored(vm, b, vm, ceiling)));
    }

    /** A replayed host answers each call with a new object; the recorded host with one. */
    @Test
    void aReplayedRunWritesTheSnapshotsOfTheRecordedRun() {
        VerifiedProgram p = Verifier.verify(Assembler.assemble(HOSTS, "shared.tasm"));
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        RecordingHost rec = new RecordingHost(hosts(STR), p.hash(), file);
        rec.run(0, ARGS);
        Vm recorded = new Vm(p, rec);
        ExecutionContext c = pausedAt(recorded, 1);
        String expected = Paused.finish(recorded, c);
        rec.finish();
        Vm live = new Vm(p, hosts(STR));
        int compared = 0;
        for (long k = 1; ; k++) {
            ExecutionContext a = pausedAt(live, k);
            if (a == null) {
                break;
            }
            Vm replay = new Vm(p, new ReplayHost(HostRecording.read(file.toByteArray()), null));
            ExecutionContext b = pausedAt(replay, k);
            assertArrayEquals(Snapshots.write(live, a), Snapshots.write(replay, b), "after " + k);
            assertEquals(expected, Paused.finish(replay, b));
            compared++;
        }
        assertTrue(compared >= 10, "compared " + compared);
    }
}
