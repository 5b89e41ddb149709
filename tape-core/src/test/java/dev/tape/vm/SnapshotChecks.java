package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.value.Value;

import java.util.List;

/**
 * The body of the snapshot fuzz target ({@link SnapshotFuzzTest}) and of the tampering tests:
 * arbitrary bytes restored into a VM of {@link SnapshotPrograms#KINDS} or {@link SnapshotPrograms#FIB}
 * either are refused with a {@link SnapshotException} or give a run that continues to a result or
 * a trap other than {@code internal_error}, and writes back to bytes that restore again. Anything
 * else (any other exception or error) escapes and is a finding.
 */
public final class SnapshotChecks {
    private SnapshotChecks() {}

    /** The ceiling of fuzzed restores: small enough that any accepted state runs in milliseconds. */
    static final Limits CEILING = new Limits(200_000, 512, 1_000, 4 << 20, 1 << 16);

    static final Vm KINDS = new Vm(SnapshotPrograms.verified(SnapshotPrograms.KINDS), SnapshotPrograms.host());
    static final Vm FIB = new Vm(SnapshotPrograms.verified(SnapshotPrograms.FIB), Host.NONE);

    /** @return whether the bytes restored (into either program) */
    public static boolean restore(byte[] data) {
        boolean any = false;
        for (Vm vm : List.of(KINDS, FIB)) {
            ExecutionContext c = new ExecutionContext();
            try {
                SnapshotReader.read(vm, data, c, CEILING);
            } catch (SnapshotException e) {
                if (e.offset() < 0 || e.offset() > data.length || e.getMessage().contains("\n")) {
                    throw new AssertionError("bad error: " + e.getMessage());
                }
                continue;
            }
            any = true;
            byte[] again = Snapshots.write(vm, c);
            ExecutionContext d = new ExecutionContext();
            SnapshotReader.read(vm, again, d, CEILING);
            String a = Paused.finish(vm, c);
            String b = Paused.finish(vm, d);
            if (!a.equals(b)) {
                throw new AssertionError(a + " <> " + b);
            }
        }
        return any;
    }

    /** A genuine snapshot of KINDS(n) paused after {@code steps} instructions. */
    static byte[] kinds(long n, long steps) {
        ExecutionContext c = new ExecutionContext();
        Paused.start(KINDS, c, 0, List.of(Value.i64(n)), CEILING);
        if (!Paused.step(KINDS, c, steps)) {
            throw new IllegalStateException("ended");
        }
        return Snapshots.write(KINDS, c);
    }
}
