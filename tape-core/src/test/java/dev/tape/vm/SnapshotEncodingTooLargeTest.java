package dev.tape.vm;

import dev.tape.program.BoundedEncoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A snapshot's write and read name the program by its hash, which encodes the program; a program
 * whose encoding does not fit in memory makes the encoder throw its documented
 * {@link IllegalArgumentException} ({@link ProgramEncoder#TOO_LARGE}), and the write and the read
 * report that as their out-of-memory errors ({@link Snapshots#encodingTooLarge}). Checked through
 * the hash parameter both take ({@link Snapshots#PROGRAM_HASH} but here), with the real encoder at
 * a 16-byte bound, and against another {@link IllegalArgumentException}, which they do not report so.
 */
class SnapshotEncodingTooLargeTest {
    /** The program's hash when its encoding passes the writer's bound: the encoder's own error. */
    private static final Function<Vm, byte[]> TOO_LARGE = v -> {
        BoundedEncoder.encode(v.verified.program(), 16);
        return fail("a 16-byte bound holds no program");
    };

    /** A hash that fails with another {@link IllegalArgumentException}. */
    private static final Function<Vm, byte[]> OTHER = v -> {
        throw new IllegalArgumentException("something else");
    };

    private static final Vm VM = vm();

    private static Vm vm() {
        try {
            return new Vm(Verifier.verify(QuickHostCallTest.loop()), QuickHostCallTest.idHost(a -> a));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** @return a context paused 7 instructions into main(5) */
    private static ExecutionContext paused() {
        ExecutionContext c = new ExecutionContext();
        Paused.start(VM, c, 0, List.of(Value.i64(5)), Limits.DEFAULT);
        assertTrue(Paused.step(VM, c, 7), "still paused");
        return c;
    }

    @Test
    void theEncodersBoundIsTheWritesOutOfMemoryError() {
        assertEquals(ProgramEncoder.TOO_LARGE,
                assertThrows(IllegalArgumentException.class, () -> TOO_LARGE.apply(VM)).getMessage());
        ExecutionContext c = paused();
        SnapshotException e = assertThrows(SnapshotException.class,
                () -> Snapshots.write(VM, c, false, null, TOO_LARGE));
        assertEquals(Vm.OUT_OF_MEMORY_WRITING, e.reason());
        assertEquals(-1, e.offset());
        e = assertThrows(SnapshotException.class, () -> Snapshots.write(VM, c, false, null, OTHER));
        assertEquals("the context holds no paused run of this VM's program (something else)", e.reason());
        // the paused run is untouched: written now, it ends as one never written
        byte[] snap = Snapshots.write(VM, c);
        ExecutionContext d = new ExecutionContext();
        SnapshotReader.read(VM, snap, d);
        assertEquals(Paused.finish(VM, paused()), Paused.finish(VM, c));
        assertEquals(Paused.finish(VM, paused()), Paused.finish(VM, d));
    }

    @Test
    void theEncodersBoundIsTheReadsOutOfMemoryError() {
        byte[] snap = Snapshots.write(VM, paused());
        ExecutionContext into = new ExecutionContext();
        SnapshotReader.read(VM, snap, into);
        SnapshotException e = assertThrows(SnapshotException.class,
                () -> SnapshotReader.read(VM, snap, into, Snapshots.DEFAULT_CEILING, TOO_LARGE));
        assertEquals(Vm.OUT_OF_MEMORY_RESTORING, e.reason());
        // at the end of the snapshot's own hash, which the reader has read: magic, version, 32 bytes
        assertEquals(4 + 2 + Snapshots.HASH_BYTES, e.offset());
        assertEquals(0, into.depth, "a failed read leaves no run");
        e = assertThrows(SnapshotException.class,
                () -> SnapshotReader.read(VM, snap, into, Snapshots.DEFAULT_CEILING, OTHER));
        assertEquals("unreadable snapshot (IllegalArgumentException)", e.reason());
        assertEquals(0, into.depth);
        // the context reads the snapshot again and goes on as the run it was taken of
        SnapshotReader.read(VM, snap, into);
        assertArrayEquals(snap, Snapshots.write(VM, into));
        assertEquals(Paused.finish(VM, paused()), Paused.finish(VM, into));
    }
}
