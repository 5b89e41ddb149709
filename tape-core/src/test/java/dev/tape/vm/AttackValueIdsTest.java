package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.HostRegistry;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import dev.tape.verify.Verifier;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Attacks on snapshot ids by value (90f77c68, {@code Snapshots.ValueIds}): values built to collide
 * in the content keys' hash must stay distinct entries and equal ones must become one, and a
 * snapshot written by the build before (ids by identity, so equal values are several entries)
 * must still restore, run on alike and write the current bytes.
 */
class AttackValueIdsTest {
    /** The multiplier of {@code Key}'s word mix: (w0 + d, w1 - d * M) hash alike for every d. */
    static final long M = 0x9E3779B97F4A7C15L;

    static final String COMPAT = """
            program compat

            func main(x: agg, s: str, t: str) -> (agg, str, bool) {
                str.eq r4, r2, r3
                str.concat r5, r2, r3
                str.eq r6, r5, r5
                ret r0, [r1, r5, r4]
            }
            """;

    /**
     * Written by main at a4e20f4e (ids by identity) for {@link #COMPAT} paused after 1, 2 and 3
     * instructions, with {@link #compatArgs()}: "same text" twice, two equal tuples of it.
     */
    static final String[] BEFORE = {
            "544150530200afce15a187e1c9746bf93ea5cf87a47dfd57b6a92604c0b591e23f13df472b4b80ade2048008c0843d80"
                    + "80802080808004fface204000000090000000001000407070973616d652074657874070973616d652074657874090000"
                    + "010700090000010701050a010501000900000607070909050500010203040506000101",
            "544150530200afce15a187e1c9746bf93ea5cf87a47dfd57b6a92604c0b591e23f13df472b4b80ade2048008c0843d80"
                    + "80802080808004feace204000022090000000001000808070973616d652074657874070973616d652074657874090000"
                    + "010700090000010701050a0105010009000006070709090505000102030405071273616d65207465787473616d652074"
                    + "6578740600010107",
            "544150530200afce15a187e1c9746bf93ea5cf87a47dfd57b6a92604c0b591e23f13df472b4b80ade2048008c0843d80"
                    + "80802080808004fdace2040000221b0000000001000c08070973616d652074657874070973616d652074657874090000"
                    + "010700090000010701050a0105010009000006070709090505000102030405071273616d65207465787473616d652074"
                    + "6578740600010107"
    };

    static List<Value> compatArgs() {
        Value s1 = Value.str("same text");
        Value s2 = Value.str("same text");
        return List.of(Value.tuple(s1, s2, Value.tuple(s1), Value.tuple(s2), Value.decimal(10, 1),
                Value.decimal(1, 0)), s1, s2);
    }

    static String finish(Run r) {
        Outcome o = r.resume();
        return o instanceof Outcome.Done d ? "ok " + d.values() : String.valueOf(o);
    }

    @Test
    void aSnapshotOfTheBuildBeforeStillRestores() {
        Vm vm = new Vm(Verifier.verify(Assembler.assemble(COMPAT, "compat.tasm")), new HostRegistry());
        String want = finish(vm.start(new ExecutionContext(), 0, compatArgs(), Limits.DEFAULT, null));
        assertEquals("ok [tuple(str:\"same text\", str:\"same text\", tuple(str:\"same text\"), "
                + "tuple(str:\"same text\"), dec:1.0, dec:1), str:\"same textsame text\", bool:true]", want);
        for (int k = 1; k <= BEFORE.length; k++) {
            byte[] before = HexFormat.of().parseHex(BEFORE[k - 1]);
            Run now = vm.start(new ExecutionContext(), 0, compatArgs(), Limits.DEFAULT, null);
            assertTrue(now.step(k) instanceof Outcome.Paused);
            byte[] current = now.snapshot();
            assertTrue(current.length < before.length, "equal values are one entry now, after " + k);
            Run restored = vm.restore(before);
            assertArrayEquals(current, restored.snapshot(), "rewritten after " + k);
            assertEquals(want, finish(restored), "restored after " + k);
        }
    }

    /** Pairs of i64 whose key words cancel in the mix, Aa/BB strings after a long prefix, k << 32 | k decimals. */
    static Aggregate colliding(int n) {
        List<Value> xs = new ArrayList<>();
        String prefix = "x".repeat(200);
        for (int d = 0; d < n; d++) {
            addColliding(xs, d, prefix);
        }
        return Value.tuple(xs);
    }

    /**
     * Adds value {@code d} of each colliding kind: a pair of i64 whose key words cancel in the old
     * keyed map's mix, an Aa/BB string after {@code prefix}, a {@code d << 32 | d} decimal.
     */
    static void addColliding(List<Value> xs, int d, String prefix) {
        xs.add(Value.tuple(Value.i64(d), Value.i64(-(long) d * M)));
        StringBuilder s = new StringBuilder(prefix);
        for (int b = 11; b >= 0; b--) {
            s.append(((d >> b) & 1) == 0 ? "Aa" : "BB");
        }
        xs.add(Value.Str.fromUtf8(s.toString().getBytes(StandardCharsets.UTF_8)));
        xs.add(Value.decimal((long) d << 32 | d, d % 3));
    }

    @Test
    void collidingValuesStayApartAndEqualCopiesBecomeOne() {
        int n = 4096;
        Aggregate a = colliding(n);
        Aggregate b = colliding(n);
        Vm vm = new Vm(Verifier.verify(Assembler.assemble(
                "program p\n\nfunc main(x: agg, y: agg) -> (agg, agg) {\n    ret r0, [r1, r2]\n}\n", "p.tasm")),
                new HostRegistry());
        Run run = vm.start(new ExecutionContext(), 0, List.of(a, b), Limits.DEFAULT, null);
        ExecutionContext into = new ExecutionContext();
        Run back = vm.restore(into, run.snapshot(), Limits.DEFAULT, null);
        Aggregate ra = (Aggregate) into.r[1];
        Aggregate rb = (Aggregate) into.r[2];
        assertTrue(ra == rb, "two equal tuples are one entry");
        assertTrue(a.equals(ra), "restored equal");
        for (int i = 0; i < 3 * n; i++) {
            assertEquals(a.get(i), ra.get(i), "element " + i);
            for (int j : new int[] {i + 3, i + 3 * 7, i + 3 * 1000}) {
                if (j < 3 * n) {
                    assertNotSame(ra.get(i), ra.get(j), "colliding elements " + i + " and " + j);
                }
            }
        }
        assertArrayEquals(run.snapshot(), back.snapshot());
    }
}
