package dev.tape.vm;

import dev.tape.fuzz.FuzzArgs;
import dev.tape.fuzz.FuzzHost;
import dev.tape.gen.ValidPrograms;
import dev.tape.jit.Jit;
import dev.tape.program.Program;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The snapshot writer's ids ({@link SnapshotIds}) on both tiers: random valid programs
 * ({@link ValidPrograms}) run compiled (all functions precompiled) and interpreted, paused whenever a
 * small fuel grant runs out; each pause is written under hash keys and masks that make every hash,
 * or every slot, collide, and the bytes are the run's own snapshot's; restored on the other tier, the
 * run writes the same bytes again.
 */
class SnapshotIdsTiersTest {
    static final long[][] KEYS = {{1, 2, -1L}, {3, 4, 0}, {5, 6, 0xFF00_0000_0000_0000L}, {7, 8, 0xFFFF_FFFE_0000_0000L}};

    @Test
    void pausesOnBothTiersWriteTheSameBytesUnderEveryKeyAndMask() {
        int snapshots = 0;
        for (long seed = 0; seed < 150; seed++) {
            Program p = ValidPrograms.program(seed);
            VerifiedProgram vp = Verifier.verify(p);
            List<Value> args = FuzzArgs.forFunction(p, 0, seed);
            Vm interpreted = new Vm(vp, FuzzHost.INSTANCE);
            Vm compiled = Jit.compile(vp, FuzzHost.INSTANCE);
            Jit.precompile(compiled);
            for (Vm vm : new Vm[] {interpreted, compiled}) {
                Vm other = vm == compiled ? interpreted : compiled;
                for (long grant : new long[] {1, 5, 40}) {
                    Run run = vm.start(0, args, new Limits(grant, 64, 1_000, 4 << 20, 1 << 16));
                    for (int pause = 0; pause < 60 && run.resume() instanceof Outcome.Paused o; pause++) {
                        if (!(o.reason() instanceof PauseReason.FuelExhausted)) {
                            break;
                        }
                        byte[] want = run.snapshot();
                        snapshots++;
                        for (long[] k : KEYS) {
                            assertArrayEquals(want, Snapshots.write(vm, run.context(), true, new SnapshotIds(k[0], k[1], k[2])),
                                    "seed " + seed + ", key " + k[0] + ", mask " + Long.toHexString(k[2]));
                        }
                        assertArrayEquals(want, other.restore(want).snapshot(), "seed " + seed + " restored on the other tier");
                        run.addFuel(grant);
                    }
                }
            }
        }
        assertTrue(snapshots > 5_000, snapshots + " snapshots");
    }
}
