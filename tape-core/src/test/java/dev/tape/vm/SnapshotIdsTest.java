package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRegistry;
import dev.tape.program.ValueKind;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The snapshot writer's table of ids ({@link SnapshotIds}): the bytes do not depend on its hash key
 * nor on where values land in it, equal values are one entry and values a program can tell apart
 * are not (counted against {@link Object#equals} of the values, which compares by content), and
 * values whose hashes all collide, whatever the key, cost a bounded number of content comparisons
 * each (counted, not timed).
 */
class SnapshotIdsTest {

    static final Vm VM = new Vm(Verifier.verify(Assembler.assemble(
            "program p\n\nfunc main(x: agg, y: agg) -> (agg, agg) {\n    ret r0, [r1, r2]\n}\n", "p.tasm")),
            new HostRegistry());

    /**
     * Values built to collide in the hashes of the keyed map before
     * ({@link AttackValueIdsTest#addColliding}: pairs whose words cancelled in its mix, Aa/BB
     * strings after a long prefix, k << 32 | k decimals), values equal to each other
     * as other objects, and values that differ only where a program can tell them apart (+0.0 and
     * -0.0, decimals 1.0 and 1, a string and a byte string of one text, closures of two functions
     * over equal environments, i64 and u64 1).
     */
    static Aggregate values(int n) {
        List<Value> xs = new ArrayList<>();
        String prefix = "x".repeat(100);
        for (int d = 0; d < n; d++) {
            AttackValueIdsTest.addColliding(xs, d, prefix);
            xs.add(Value.decimal(10L * (d % 40), 1));
            xs.add(Value.decimal(d % 40, 0));
            xs.add(Value.tuple(Value.f64(d % 2 == 0 ? 0.0 : -0.0), Value.i64(d % 5)));
            xs.add(Value.str("text " + d % 30));
            xs.add(Value.bytes(("text " + d % 30).getBytes(StandardCharsets.UTF_8)));
            Aggregate env = Value.tuple(Value.i64(d % 7), Value.str("env"));
            xs.add(new Value.Closure(d % 2, env));
            xs.add(Value.tuple(d % 2 == 0 ? Value.i64(1) : Value.u64(1), new Value.Closure(0, env)));
            xs.add(new Value.Obj(1, d % 5));
            xs.add(Value.tuple(Value.tuple(Value.str("nested " + d % 11), Value.decimal(d % 11, 2)), Value.unit()));
        }
        return Value.tuple(xs);
    }

    /** The distinct reference values {@code roots} reach, by {@link Object#equals}. */
    static int distinct(Value... roots) {
        Set<Object> seen = new HashSet<>();
        Set<Object> walked = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Object> todo = new ArrayDeque<>(List.of(roots));
        while (!todo.isEmpty()) {
            Object o = todo.pop();
            if (!walked.add(o)) {
                continue;
            }
            seen.add(o);
            if (o instanceof Aggregate a) {
                for (int i = 0; i < a.size(); i++) {
                    if (a.ref(i) != null) {
                        todo.push(a.ref(i));
                    }
                }
            } else if (o instanceof Value.Closure c) {
                todo.push(c.env());
            }
        }
        return seen.size();
    }

    static ExecutionContext paused(Aggregate x, Aggregate y) {
        ExecutionContext c = new ExecutionContext();
        VM.start(c, 0, List.of(x, y), Limits.DEFAULT, null);
        return c;
    }

    @Test
    void theBytesDoNotDependOnTheHashKeyNorOnCollisions() {
        int n = 1500;
        Aggregate x = values(n);
        Aggregate y = values(n);
        ExecutionContext c = paused(x, y);
        byte[] want = Snapshots.write(VM, c);
        int expect = distinct(x, y);
        long[][] keys = {{1, 2, -1L}, {0x5EED, -7, -1L}, {3, 4, 0}, {5, 6, 0xFF00_0000_0000_0000L},
                {7, 8, 0xFFFF_FFFF_0000_0000L}};
        for (long[] k : keys) {
            SnapshotIds ids = new SnapshotIds(k[0], k[1], k[2]);
            assertArrayEquals(want, Snapshots.write(VM, c, false, ids), "key " + k[0] + ", mask " + k[2]);
            assertEquals(expect, ids.size(), "distinct values, key " + k[0] + ", mask " + k[2]);
        }
        ExecutionContext into = new ExecutionContext();
        Run back = VM.restore(into, want, Limits.DEFAULT, null);
        assertTrue(x.equals(into.r[1]) && y.equals(into.r[2]), "restored equal");
        assertTrue(into.r[1] == into.r[2], "two equal tuples are one entry");
        assertArrayEquals(want, back.snapshot());
    }

    /** log2(n + 1), rounded up */
    static int log2(long n) {
        return 64 - Long.numberOfLeadingZeros(n);
    }

    @Test
    void hashesThatAllCollideCostBoundedComparisons() {
        int n = 3000;
        Aggregate x = values(n);
        Aggregate y = values(n);
        ExecutionContext c = paused(x, y);
        byte[] want = Snapshots.write(VM, c);
        // every hash equal whatever the key; equal in the slot bits but not in the stored ones. The
        // documented ceiling: 8 comparisons in the table, 2 log2(n + 1) a tree search, as many a move
        for (long mask : new long[] {0, 0xFF00_0000_0000_0000L}) {
            SnapshotIds ids = new SnapshotIds(11, 12, mask);
            assertArrayEquals(want, Snapshots.write(VM, c, false, ids));
            long bound = (long) ids.objects() * (8 + 4L * log2(ids.size()));
            assertTrue(ids.comparisons() <= bound, ids.comparisons() + " comparisons for " + ids.objects()
                    + " objects, " + ids.size() + " values, mask " + Long.toHexString(mask) + "; bound " + bound);
            // and not linear per value: a list of colliding values would need about size^2 / 2
            assertTrue(ids.comparisons() < (long) ids.size() * ids.size() / 20, ids.comparisons() + " comparisons");
        }
    }

    @Test
    void withTheKeyedHashOnlyEqualValuesAreCompared() {
        int n = 3000;
        Aggregate x = values(n);
        Aggregate y = values(n);
        ExecutionContext c = paused(x, y);
        SnapshotIds ids = new SnapshotIds(0x243F6A8885A308D3L, 0x13198A2E03707344L, -1L);
        Snapshots.write(VM, c, false, ids);
        int duplicates = ids.objects() - ids.size();
        assertTrue(duplicates > 10 * n, duplicates + " objects equal to one listed before");
        // one comparison finds each duplicate; others only when 32 hash bits agree by chance
        assertTrue(ids.comparisons() >= duplicates && ids.comparisons() <= duplicates + 8,
                ids.comparisons() + " comparisons for " + duplicates + " duplicates");
    }

    /** The words no run can make are refused with where they are (the message is built only then). */
    @Test
    void aWordNoRunCanMakeIsRefusedWithWhereItIs() {
        Aggregate bad = Texts.V.aggregate(Aggregate.Kind.TUPLE, 0,
                new byte[] {(byte) ValueKind.I64.tag(), (byte) ValueKind.BOOL.tag()}, new long[] {7, 2}, null);
        ExecutionContext c = paused(Value.tuple(Value.i64(1)), bad);
        SnapshotException e = assertThrows(SnapshotException.class, () -> Snapshots.write(VM, c));
        assertEquals("snapshot error: element 1 of an aggregate holds bool word 2, which no run can make", e.getMessage());
        Vm vm = new Vm(Verifier.verify(Assembler.assemble(
                "program q\n\nfunc main(b: bool) -> (bool) {\n    ret r0, [r1]\n}\n", "q.tasm")), new HostRegistry());
        ExecutionContext d = new ExecutionContext();
        vm.start(d, 0, List.of(Value.bool(true)), Limits.DEFAULT, null);
        d.w[d.base + 1] = 3;
        e = assertThrows(SnapshotException.class, () -> Snapshots.write(vm, d));
        assertEquals("snapshot error: r1 of frame 0 holds bool word 3, which no run can make", e.getMessage());
    }
}
