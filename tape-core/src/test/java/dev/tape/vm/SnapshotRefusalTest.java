package dev.tape.vm;

import dev.tape.format.ByteWriter;
import dev.tape.format.Op;
import dev.tape.host.Host;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Truncated, tampered, forged and mismatched snapshots are refused with a SnapshotException naming
 * the byte and the reason, never any other exception; a tampered snapshot that is still a state
 * the program can be in runs without an internal error.
 */
class SnapshotRefusalTest {
    private static SnapshotException refused(Vm vm, byte[] b) {
        return assertThrows(SnapshotException.class, () -> SnapshotReader.read(vm, b, new ExecutionContext(),
                SnapshotChecks.CEILING));
    }

    @Test
    void everyTruncationIsRefused() {
        byte[] snap = SnapshotChecks.kinds(4, 45);
        for (int n = 0; n < snap.length; n++) {
            SnapshotException e = refused(SnapshotChecks.KINDS, Arrays.copyOf(snap, n));
            assertTrue(e.offset() >= 0 && e.offset() <= n, e.getMessage());
        }
        assertTrue(SnapshotChecks.restore(snap));
    }

    @Test
    void everySingleByteChangeIsRefusedOrHarmless() {
        byte[] snap = SnapshotChecks.kinds(3, 30);
        int refused = 0;
        int restored = 0;
        for (int i = 0; i < snap.length; i++) {
            for (int x : new int[] {0x01, 0x02, 0x40, 0x80, 0xFF}) {
                byte[] t = snap.clone();
                t[i] ^= (byte) x;
                if (SnapshotChecks.restore(t)) {
                    restored++;
                } else {
                    refused++;
                }
            }
        }
        assertTrue(refused > snap.length, refused + " refused");
        assertTrue(restored > 0, "values changed in place still restore: " + restored);
    }

    @Test
    void anotherProgramsSnapshotNamesBothHashes() {
        byte[] snap = SnapshotChecks.kinds(3, 30);
        SnapshotException e = refused(SnapshotChecks.FIB, snap);
        assertEquals(6, e.offset());
        assertTrue(e.getMessage().contains(Snapshots.shortHex(SnapshotChecks.KINDS.verified.hash()))
                && e.getMessage().contains(Snapshots.shortHex(SnapshotChecks.FIB.verified.hash())), e.getMessage());
    }

    @Test
    void magicVersionAndCeiling() {
        byte[] snap = SnapshotChecks.kinds(3, 30);
        byte[] t = snap.clone();
        t[0] = 'X';
        assertTrue(refused(SnapshotChecks.KINDS, t).reason().contains("magic"));
        t = snap.clone();
        t[4] = 1;
        assertTrue(refused(SnapshotChecks.KINDS, t).reason().contains("version 1"), "version 1 had no fuel debt");
        t[4] = 3;
        assertTrue(refused(SnapshotChecks.KINDS, t).reason().contains("version 3"));
        // limits over the ceiling: the default ceiling allows the run's, a smaller one does not
        SnapshotException e = assertThrows(SnapshotException.class, () -> SnapshotReader.read(SnapshotChecks.KINDS,
                snap, new ExecutionContext(), SnapshotChecks.CEILING.withMaxRegisters(1000)));
        assertTrue(e.reason().contains("exceed the ceiling"), e.getMessage());
        SnapshotReader.read(SnapshotChecks.KINDS, snap, new ExecutionContext());
    }

    // ---- forged snapshots of fib, written field by field ------------------------------------

    /**
     * The header of a snapshot of {@code vm}'s program with these limits and fuel left (no reserve,
     * counters or fuel debt), then the frames given as (func, pc) pairs.
     */
    private static ByteWriter header(Vm vm, Limits l, long fuel, int flags, int... frames) {
        ByteWriter w = new ByteWriter();
        w.bytes(Snapshots.MAGIC);
        w.u16le(Snapshots.VERSION);
        w.bytes(vm.verified.hash());
        w.uleb(l.fuel());
        w.uleb(l.maxCallDepth());
        w.uleb(l.maxHostCalls());
        w.uleb(l.maxHeapBytes());
        w.uleb(l.maxRegisters());
        for (int i = 0; i < 8; i++) { // fuel, reserve, 5 counters, fuel debt
            w.uleb(i == 0 ? fuel : 0);
        }
        w.u8(flags);
        w.uleb(frames.length / 2);
        for (int f : frames) {
            w.uleb(f);
        }
        return w;
    }

    /** The header of a fib snapshot with these limits and 100,000 fuel, then the frames given as (func, pc) pairs. */
    private static ByteWriter fib(Limits l, int flags, int... frames) {
        return header(SnapshotChecks.FIB, l, 100_000, flags, frames);
    }

    /** fib's first call, by byte pc. */
    private static int firstCallPc() {
        Vm vm = SnapshotChecks.FIB;
        int[] code = vm.funcs[0].code();
        for (int ip = 0; ip < code.length; ip++) {
            if (vm.funcs[0].pcOf()[ip] >= 0 && code[ip] == Op.CALL) {
                return vm.funcs[0].pcOf()[ip];
            }
        }
        throw new IllegalStateException();
    }

    /** frame 0 at fib's first call (r1..r5 written: n, 2, n < 2, 1, n - 1), frame 1 at its entry (r1). */
    private static byte[] forged(int n, int r3, int flags, int pc1, int extra) {
        ByteWriter w = fib(SnapshotChecks.CEILING, flags, 0, firstCallPc(), 0, pc1);
        w.uleb(0); // no objects
        w.sleb(n);
        w.sleb(2);
        w.u8(r3);
        w.sleb(1);
        w.sleb(n - 1);
        w.sleb(n - 1);
        for (int i = 0; i < extra; i++) {
            w.u8(0);
        }
        return w.toByteArray();
    }

    @Test
    void aForgedStateThatFitsRuns() {
        ExecutionContext c = new ExecutionContext();
        SnapshotReader.read(SnapshotChecks.FIB, forged(10, 0, 0, 0, 0), c, SnapshotChecks.CEILING);
        String out = Paused.finish(SnapshotChecks.FIB, c);
        assertTrue(out.startsWith("ok i64:55 "), out);
    }

    @Test
    void forgedStatesTheProgramCannotBeInAreRefused() {
        Vm vm = SnapshotChecks.FIB;
        assertTrue(refused(vm, forged(10, 2, 0, 0, 0)).reason().contains("bool value 2"));
        assertTrue(refused(vm, forged(10, 0, 1, 0, 0)).reason().contains("not a host_call"));
        assertTrue(refused(vm, forged(10, 0, 0, 1, 0)).reason().contains("not the start of an instruction"));
        assertTrue(refused(vm, forged(10, 0, 0, 0, 1)).reason().contains("follow the snapshot's end"));
        // the caller frame at pc 0, which is not a call
        ByteWriter w = fib(SnapshotChecks.CEILING, 0, 0, 0, 0, 0);
        assertTrue(refused(vm, w.toByteArray()).reason().contains("is not a call"));
        // deeper than the depth limit
        w = fib(SnapshotChecks.CEILING.withMaxCallDepth(1), 0, 0, firstCallPc(), 0, 0);
        assertTrue(refused(vm, w.toByteArray()).reason().contains("out of range"));
        // a function that does not exist
        w = fib(SnapshotChecks.CEILING, 0, 5, 0);
        assertTrue(refused(vm, w.toByteArray()).reason().contains("does not exist"));
        // an object count the input cannot hold, and an object that refers forward
        w = fib(SnapshotChecks.CEILING, 0, 0, 0);
        w.uleb(Integer.MAX_VALUE);
        assertTrue(refused(vm, w.toByteArray()).reason().contains("exceeds"));
        w = fib(SnapshotChecks.CEILING, 0, 0, 0);
        w.uleb(1);
        w.u8(11);
        w.sleb(0);
        w.uleb(0);
        assertTrue(refused(vm, w.toByteArray()).reason().contains("not one of the 0 objects before it"));
        // a string that is not UTF-8; a struct of a type the program lacks
        w = fib(SnapshotChecks.CEILING, 0, 0, 0);
        w.uleb(1);
        w.u8(7);
        w.uleb(1);
        w.u8(0xFF);
        assertTrue(refused(vm, w.toByteArray()).reason().contains("UTF-8"));
        w = fib(SnapshotChecks.CEILING, 0, 0, 0);
        w.uleb(1);
        w.u8(9);
        w.u8(Snapshots.STRUCT);
        w.uleb(0);
        w.uleb(0);
        assertTrue(refused(vm, w.toByteArray()).reason().contains("struct type 0 does not exist"));
    }

    @Test
    void manyFramesOfAWideFunctionAreRefusedBeforeAllocating() {
        // 65,536 registers a frame: 100,000 forged frames would need 6.5 G registers from 300 KB
        Vm vm = new Vm(SnapshotPrograms.verified("""
                program wide
                func wide(n: i64) -> () regs 65536 {
                    call r0, wide, r0, [r1] -> []
                    ret r0, []
                }
                """), Host.NONE);
        Limits l = Snapshots.DEFAULT_CEILING;
        ByteWriter w = header(vm, l, 1000, 0, new int[2 * 100_000]); // 100,000 frames of wide at pc 0
        w.uleb(0);
        for (int d = 0; d < 100_000; d++) {
            w.sleb(1);
        }
        SnapshotException e = assertThrows(SnapshotException.class,
                () -> SnapshotReader.read(vm, w.toByteArray(), new ExecutionContext()));
        assertTrue(e.reason().contains("more than the register limit"), e.getMessage());
        // and the same shape at a depth that fits restores and runs to its depth trap
        ExecutionContext c = new ExecutionContext();
        Paused.start(vm, c, 0, List.of(Value.i64(1)), l);
        assertTrue(Paused.step(vm, c, 50));
        ExecutionContext d = new ExecutionContext();
        SnapshotReader.read(vm, Snapshots.write(vm, c), d);
        assertEquals(Paused.finish(vm, c), Paused.finish(vm, d));
    }

    @Test
    void aFrameMustRunTheFunctionItsCallerCalls() {
        Vm vm = new Vm(SnapshotPrograms.verified("""
                program two
                func main() -> (i64) {
                    call r0, a, r0, [] -> [r1]
                    ret r0, [r1]
                }
                func a() -> (i64) {
                    const.i64 r1, 1
                    ret r0, [r1]
                }
                func b() -> (str) {
                    const.pool r1, str:"x"
                    ret r0, [r1]
                }
                """), Host.NONE);
        for (int callee = 1; callee <= 2; callee++) {
            Limits l = SnapshotChecks.CEILING;
            ByteWriter w = header(vm, l, 100, 0, 0, 0, callee, 0);
            w.uleb(0); // no objects; no register is written at either point
            byte[] b = w.toByteArray();
            if (callee == 1) {
                ExecutionContext c = new ExecutionContext();
                SnapshotReader.read(vm, b, c, l);
                String out = Paused.finish(vm, c);
                assertTrue(out.startsWith("ok i64:1 "), out);
            } else {
                // b returns a str into main's i64 register: refused, never run
                SnapshotException e = refused(vm, b);
                assertTrue(e.reason().contains("its caller calls function 1"), e.getMessage());
            }
        }
    }
}
