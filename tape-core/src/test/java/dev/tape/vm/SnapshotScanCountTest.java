package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bytes a run's string comparisons count against the scan budget depend on the values
 * compared, never on whether two equal strings happen to share one Java array: a run restored from a
 * snapshot holds copies of the strings it had, while a pool constant loaded again (or a host's string
 * returned again) is the original object, so a count that skipped same-array comparisons differed
 * between a run and its restored copy (found by {@code SnapshotRoundTripTest} in CI: scanned 0 against
 * 6).
 */
class SnapshotScanCountTest {
    /**
     * One pool string and one pool byte string, loaded by the same instructions (a callee's) before
     * and after the pause points, and compared; and a string compared with itself.
     */
    static final String POOL = """
            program scan

            func main(k: i64) -> (bool, bool, bool) {
                call r0, consts, r0, [] -> [r2, r3]
                const.i64 r4, 1
                i64.add r1, r1, r4
                i64.add r1, r1, r4
                call r0, consts, r0, [] -> [r5, r6]
                str.eq r7, r2, r5
                bytes.eq r8, r3, r6
                str.eq r9, r2, r2
                ret r0, [r7, r8, r9]
            }

            func consts() -> (str, bytes) {
                const.pool r1, str:"abcdef"
                const.pool r2, bytes:00112233
                ret r0, [r1, r2]
            }
            """;

    /** A host that returns one Java string object every time; called before and after the pause point. */
    static final String HOST = """
            program scanhost

            host same = "t.same" () -> (str)

            func main(k: i64) -> (bool) {
                host_call r0, same, r0, [] -> [r2]
                const.i64 r4, 1
                i64.add r1, r1, r4
                i64.add r1, r1, r4
                host_call r0, same, r0, [] -> [r3]
                str.eq r5, r2, r3
                ret r0, [r5]
            }
            """;

    static final Value.Str SAME = Value.str("a host string");

    static HostRegistry host() {
        return new HostRegistry().register("t.same", Signature.of(List.of(), List.of(ValueType.STR)),
                args -> new Value[] {SAME});
    }

    static int everyPausePoint(Vm vm, String expected) {
        int paused = 0;
        for (long k = 1; SnapshotRoundTripTest.roundTrip(vm, 0, List.of(Value.i64(0)), Limits.DEFAULT, k, expected); k++) {
            paused++;
        }
        return paused;
    }

    @Test
    void poolConstantsComparedAfterARestoreCountAsInTheRunItself() {
        Vm vm = new Vm(Verifier.verify(Assembler.assemble(POOL, "scan.tasm")), new HostRegistry());
        String expected = SnapshotRoundTripTest.oneShot(vm, 0, List.of(Value.i64(0)), Limits.DEFAULT);
        // 6 + 4 + 6 bytes: every comparison of equal-length values counts its length
        assertTrue(expected.startsWith("ok bool:true, bool:true, bool:true"), expected);
        assertTrue(expected.contains(" scanned 16 "), expected);
        assertTrue(everyPausePoint(vm, expected) >= 8);
    }

    @Test
    void aHostsSharedStringComparedAfterARestoreCountsAsInTheRunItself() {
        Vm vm = new Vm(Verifier.verify(Assembler.assemble(HOST, "scanhost.tasm")), host());
        String expected = SnapshotRoundTripTest.oneShot(vm, 0, List.of(Value.i64(0)), Limits.DEFAULT);
        assertTrue(expected.startsWith("ok bool:true"), expected);
        assertTrue(expected.contains(" scanned 13 "), expected);
        assertTrue(everyPausePoint(vm, expected) >= 4);
    }

    @Test
    void comparingAStringWithItselfCountsItsLength() {
        // the same rule the scan budget's bound is stated in (docs/SECURITY.md): equal lengths, n bytes
        ExecutionContext c = new ExecutionContext();
        Paused.start(new Vm(Verifier.verify(Assembler.assemble(POOL, "scan.tasm")), new HostRegistry()), c, 0,
                List.of(Value.i64(0)), Limits.DEFAULT);
        long before = c.scannedBytes;
        assertTrue(Texts.eq(c, SAME, SAME));
        assertEquals(before + 13, c.scannedBytes);
    }
}
