package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.host.HostRegistry;
import dev.tape.jit.Jit;
import dev.tape.value.Aggregate;
import dev.tape.value.Value;
import dev.tape.verify.VerifiedProgram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Compiled aggregate reads ({@code JitRuntime.getW}/{@code getR}: the element tag as a constant, the
 * u64 index checked as an int) against the interpreter on aggregates an embedder built with
 * {@link Aggregate#of} and passed in as arguments, which the verifier's types do not constrain: each
 * read opcode ({@code tuple.get}, {@code struct.get}, {@code array.get}, {@code array.get_imm}) into
 * word, reference, decimal, unit and aggregate registers, on aggregates of the wrong kind, empty,
 * shorter and longer than the type, and with each element replaced by one of every other kind, at
 * every index bound (0, the last, the length, 2<sup>31</sup> - 1 and 2<sup>31</sup>,
 * 2<sup>32</sup> - 1, 2<sup>32</sup> and 2<sup>32</sup> plus a valid index, 2<sup>63</sup>,
 * 2<sup>64</sup> - 1) and immediate bound (to 2<sup>32</sup> - 1). Each runs on both tiers at the
 * default limits and at every fuel limit up to its use plus 3 ({@link Tiers#check}: results, trap
 * kind, pc, span, message, fuel, host calls, heap); some are paused at every fuel limit too, with
 * the frames, registers and snapshot (or the snapshot's refusal) of both tiers compared. Found
 * nothing: kept as the regression differential of those reads.
 */
class AttackAggregateReadsTest {
    static final String TEXT = """
            program reads
            struct P = { a: i64, b: str, c: f64 }
            array ints = i64
            array strs = str
            array decs = dec
            array units = unit
            array pairs = agg
            func tup(t: agg tuple(i64, str)) -> (i64, str) {
                tuple.get r2, r1, 0
                tuple.get r3, r1, 1
                ret r0, [r2, r3]
            }
            func st(s: agg struct P) -> (i64, str, f64) {
                struct.get r2, r1, 0
                struct.get r3, r1, 1
                struct.get r4, r1, 2
                ret r0, [r2, r3, r4]
            }
            func aint(a: agg array ints, i: u64) -> (i64) {
                array.get r3, r1, r2
                ret r0, [r3]
            }
            func astr(a: agg array strs, i: u64) -> (str) {
                array.get r3, r1, r2
                ret r0, [r3]
            }
            func adec(a: agg array decs, i: u64) -> (dec) {
                array.get r3, r1, r2
                ret r0, [r3]
            }
            func aunit(a: agg array units, i: u64) -> (u64) {
                array.get r3, r1, r2
                array.len r4, r1
                ret r0, [r4]
            }
            func apair(a: agg array pairs, i: u64) -> (agg) {
                array.get r3, r1, r2
                ret r0, [r3]
            }
            """;

    /** The immediates {@code array.get_imm} is compiled with: one function {@code imm<k>} each. */
    static final long[] IMMS = {0, 1, 2, 3, (1L << 31) - 1, 1L << 31, (1L << 31) + 1, (1L << 32) - 1};

    /** The program: {@link #TEXT} and a function per immediate, {@code imm<k>(a: ints) -> (i64)}. */
    static String text() {
        StringBuilder b = new StringBuilder(TEXT);
        for (int k = 0; k < IMMS.length; k++) {
            b.append("func imm").append(k).append("(a: agg array ints) -> (i64) {\n    array.get_imm r2, r1, ")
                    .append(IMMS[k]).append("\n    ret r0, [r2]\n}\n");
        }
        return b.toString();
    }

    static final int TUP = 0;
    static final int ST = 1;
    static final int AINT = 2;
    static final int ASTR = 3;
    static final int ADEC = 4;
    static final int AUNIT = 5;
    static final int APAIR = 6;
    static final int IMM0 = 7;

    /** One of every kind of value an element can be. */
    static List<Value> everyKind() {
        return List.of(Value.i64(-5), Value.u64(-1), Value.f64(2.5), Value.bool(true), Value.str("s"), Value.UNIT,
                Value.decimal(12345, 2), Value.func(1), Value.tuple(Value.i64(1), Value.i64(2)),
                Value.bytes(new byte[] {1, 2}));
    }

    static Aggregate agg(Aggregate.Kind kind, int typeId, List<Value> elems) {
        return Aggregate.of(kind, typeId, elems);
    }

    /** {@code good} as is, shorter, longer, empty, of the other kinds, and with each element swapped for every kind. */
    static List<Aggregate> variants(Aggregate.Kind kind, int typeId, List<Value> good) {
        List<Aggregate> out = new ArrayList<>();
        out.add(agg(kind, typeId, good));
        out.add(agg(kind, typeId, List.of()));
        for (int n = 1; n < good.size(); n++) {
            out.add(agg(kind, typeId, good.subList(0, n)));
        }
        List<Value> longer = new ArrayList<>(good);
        longer.add(Value.i64(9));
        out.add(agg(kind, typeId, longer));
        out.add(agg(kind, typeId + 3, good));
        for (Aggregate.Kind other : Aggregate.Kind.values()) {
            if (other != kind) {
                out.add(agg(other, typeId, good));
            }
        }
        for (int i = 0; i < good.size(); i++) {
            for (Value v : everyKind()) {
                List<Value> swapped = new ArrayList<>(good);
                swapped.set(i, v);
                out.add(agg(kind, typeId, swapped));
            }
        }
        return out;
    }

    /** The index registers' values at and around every bound of an array of {@code len} elements. */
    static List<Long> indices(int len) {
        return JitArrayIndexTest.bounds(len);
    }

    private final Map<TrapKind, Integer> traps = new EnumMap<>(TrapKind.class);
    private int done;

    private void sweep(Tiers t, int entry, List<Value> args, String what) {
        Tiers.Outcome full = t.check(entry, args, Limits.DEFAULT, what);
        if (full.trapped()) {
            traps.merge(full.kind(), 1, Integer::sum);
        } else {
            done++;
        }
        long used = full.used(Limits.DEFAULT);
        for (long fuel = 0; fuel <= used + 3; fuel++) {
            t.check(entry, args, Limits.DEFAULT.withFuel(fuel), what + ", fuel " + fuel);
        }
    }

    static Tiers tiers() {
        Tiers t = Tiers.of(JitCornerCasesTest.asm(text()), Host.NONE);
        assertEquals(IMM0 + IMMS.length, Jit.precompile(t.compiled), "every function is compiled");
        return t;
    }

    @Test
    void tupleAndStructReadsOfEmbedderAggregatesOnBothTiers() {
        Tiers t = tiers();
        for (Aggregate a : variants(Aggregate.Kind.TUPLE, 0, List.of(Value.i64(7), Value.str("ab")))) {
            sweep(t, TUP, List.of(a), "tup " + a);
        }
        for (Aggregate a : variants(Aggregate.Kind.STRUCT, 0, List.of(Value.i64(7), Value.str("ab"),
                Value.f64(-0.0)))) {
            sweep(t, ST, List.of(a), "st " + a);
        }
        assertTrue(done >= 4 && traps.get(TrapKind.AGG_ERROR) >= 8 && traps.get(TrapKind.TYPE_MISMATCH) >= 20,
                done + " ran through, traps " + traps);
    }

    @Test
    void arrayReadsOfEmbedderArraysAtEveryIndexBoundOnBothTiers() {
        Tiers t = tiers();
        Object[][] arrays = {
            {AINT, List.of(Value.i64(10), Value.i64(11), Value.i64(12))},
            {ASTR, List.of(Value.str("x"), Value.str("yz"))},
            {ADEC, List.of(Value.decimal(1, 1), Value.decimal(-7, 3))},
            {AUNIT, List.of(Value.UNIT, Value.UNIT, Value.UNIT)},
            {APAIR, List.of(Value.tuple(Value.i64(1), Value.i64(2)), Value.tuple(Value.i64(3), Value.i64(4)))},
        };
        int runs = 0;
        for (Object[] row : arrays) {
            int entry = (int) row[0];
            @SuppressWarnings("unchecked")
            List<Value> good = (List<Value>) row[1];
            for (Aggregate a : variants(Aggregate.Kind.ARRAY, 0, good)) {
                List<Long> ks = a.aggKind() == Aggregate.Kind.ARRAY && a.size() == good.size() && a.typeId() == 0
                        ? indices(a.size()) : List.of(0L, (long) good.size() - 1, 1L << 32);
                for (long k : ks) {
                    sweep(t, entry, List.of(a, Value.u64(k)), "func " + entry + " " + a + " [" + Long.toUnsignedString(k)
                            + "]");
                    runs++;
                }
            }
        }
        assertTrue(runs > 500 && done >= 40 && traps.get(TrapKind.AGG_ERROR) >= 200
                && traps.get(TrapKind.TYPE_MISMATCH) >= 40, runs + " runs, " + done + " ran through, traps " + traps);
    }

    @Test
    void immediateReadsAtEveryBoundOnBothTiers() {
        Tiers t = tiers();
        List<Value> good = List.of(Value.i64(10), Value.i64(11), Value.i64(12), Value.i64(13));
        for (int k = 0; k < IMMS.length; k++) {
            for (int len = 0; len <= good.size(); len++) {
                for (Aggregate a : variants(Aggregate.Kind.ARRAY, 0, good.subList(0, len))) {
                    sweep(t, IMM0 + k, List.of(a), "imm " + IMMS[k] + " " + a);
                }
            }
        }
        assertTrue(done >= 40 && traps.get(TrapKind.AGG_ERROR) >= 200, done + " ran through, traps " + traps);
    }

    /** An outcome in full: a trap by everything it tells. */
    private static String describe(Outcome o) {
        return o instanceof Outcome.Trapped x ? Tiers.TrapView.of(x.trap()).toString() : o.toString();
    }

    /** The snapshot's bytes, or its refusal's message. */
    private static Object snapshot(Run r) {
        try {
            return r.snapshot();
        } catch (SnapshotException e) {
            return e.getMessage();
        }
    }

    /**
     * Paused at every fuel limit on both tiers with embedder aggregates in the registers: the same
     * outcomes, frames, registers and snapshots (or the same refusal to snapshot an aggregate the
     * program's types cannot describe), and each run, given more fuel, ends as one given it all.
     */
    @Test
    void pausedAtEveryFuelLimitWithEmbedderAggregates() {
        VerifiedProgram p = Tiers.verified(JitCornerCasesTest.asm(text()));
        Vm interp = new Vm(p, new HostRegistry());
        Vm jit = Jit.compile(p, new HostRegistry());
        Jit.precompile(jit);
        List<List<Value>> cases = new ArrayList<>();
        List<Integer> entries = new ArrayList<>();
        for (Aggregate a : variants(Aggregate.Kind.TUPLE, 0, List.of(Value.i64(7), Value.str("ab")))) {
            cases.add(List.of(a));
            entries.add(TUP);
        }
        for (Aggregate a : variants(Aggregate.Kind.ARRAY, 0, List.of(Value.tuple(Value.i64(1), Value.i64(2))))) {
            for (long k : new long[] {0, 1, 1L << 32}) {
                cases.add(List.of(a, Value.u64(k)));
                entries.add(APAIR);
            }
        }
        int pauses = 0;
        int snapshots = 0;
        for (int n = 0; n < cases.size(); n++) {
            List<Value> args = cases.get(n);
            int entry = entries.get(n);
            for (long at = 0; at < 10; at++) {
                Run x = interp.start(entry, args, Limits.DEFAULT.withFuel(at));
                Run y = jit.start(entry, args, Limits.DEFAULT.withFuel(at));
                Outcome ox = x.resume();
                String what = "entry " + entry + " " + args + " at " + at;
                assertEquals(describe(ox), describe(y.resume()), what);
                if (!(ox instanceof Outcome.Paused)) {
                    break;
                }
                pauses++;
                assertEquals(x.frames(), y.frames(), what);
                assertEquals(x.registers(0), y.registers(0), what);
                Object sx = snapshot(x);
                Object sy = snapshot(y);
                if (sx instanceof byte[] bx) {
                    assertArrayEquals(bx, (byte[]) sy, what);
                    snapshots++;
                } else {
                    assertEquals(sx, sy, what);
                }
                String want = describe(interp.start(entry, args, Limits.DEFAULT.withFuel(at + 1_000)).resume());
                for (Run r : new Run[] {x, y, x.fork(), y.fork()}) {
                    r.addFuel(1_000);
                    assertEquals(want, describe(r.resume()), what);
                }
            }
        }
        assertTrue(pauses >= 40, "paused " + pauses + ", snapshots " + snapshots);
    }
}
