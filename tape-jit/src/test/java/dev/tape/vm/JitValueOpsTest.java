package dev.tape.vm;

import dev.tape.host.Host;
import dev.tape.jit.Jit;
import dev.tape.value.Value;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The last instructions the compiled tier used to leave to {@code Ops.slow} ({@code ValueOps}):
 * {@code bytes.get}, {@code bytes.get_imm}, {@code bytes.slice}, {@code str.slice},
 * {@code str.to_bytes}, {@code bytes.to_str}, {@code tuple.len}, {@code struct.field_count} and
 * {@code closure.new}. On operands at their edges (empty and multi-byte texts, indices and ranges
 * at, past and far past the end, reversed ranges, ranges splitting a UTF-8 character, invalid UTF-8,
 * unsigned indices with the top bit set), at every fuel limit and at every heap limit up to what
 * the run allocates, both tiers give the same results, or the same trap (kind, pc, message) with
 * the same fuel and heap bytes, every function compiled.
 */
class JitValueOpsTest {
    /**
     * f0..f8: each instruction, its result fed to a second one where the types allow (so operands
     * come from locals the instruction itself wrote), then returned.
     */
    static final String PROGRAM = """
            program valueops
            struct P = { x: i64, s: str, f: f64 }
            callsig unary = (i64) -> (i64)

            func get(b: bytes, i: u64) -> (u64, u64) {
                bytes.get r3, r1, r2
                const.u64 r4, 1
                u64.add r5, r2, r4
                bytes.get r6, r1, r5
                ret r0, [r3, r6]
            }

            func get_imm(b: bytes) -> (u64, u64, u64) {
                bytes.get_imm r2, r1, 0
                bytes.get_imm r3, r1, 1
                bytes.get_imm r4, r1, 5
                ret r0, [r2, r3, r4]
            }

            func bslice(b: bytes, s: u64, e: u64) -> (bytes, u64) {
                bytes.slice r4, r1, r2, r3
                bytes.len r5, r4
                const.u64 r6, 0
                bytes.slice r7, r4, r6, r5
                ret r0, [r7, r5]
            }

            func sslice(t: str, s: u64, e: u64) -> (str, u64) {
                str.slice r4, r1, r2, r3
                str.len r5, r4
                const.u64 r6, 0
                str.slice r7, r4, r6, r5
                ret r0, [r7, r5]
            }

            func to_bytes(t: str) -> (bytes, str) {
                str.to_bytes r2, r1
                bytes.to_str r3, r2
                ret r0, [r2, r3]
            }

            func to_str(b: bytes) -> (str, bytes) {
                bytes.to_str r2, r1
                str.to_bytes r3, r2
                ret r0, [r2, r3]
            }

            func counts(x: i64) -> (u64, u64, u64) {
                const.pool r2, str:"s"
                const.pool r3, f64:1.5
                struct.new r4, P, [r1, r2, r3]
                struct.field_count r5, r4
                tuple.new r6, [r1, r2, r4]
                tuple.len r7, r6
                tuple.new r8, []
                tuple.len r9, r8
                ret r0, [r5, r7, r9]
            }

            func add_env(env: agg tuple(i64), x: i64) -> (i64) {
                tuple.get r3, r1, 0
                i64.add r4, r3, r2
                ret r0, [r4]
            }

            func closures(x: i64) -> (i64, i64) {
                tuple.new r2, [r1]
                const.func r3, add_env
                closure.new r4, r3, r2
                closure.new r5, r3, r2
                call.indirect r0, unary, r4, r0, [r1] -> [r6]
                call.indirect r0, unary, r5, r0, [r6] -> [r7]
                ret r0, [r6, r7]
            }
            """;

    private static final Value[] BYTES = {Value.bytes(new byte[0]), Value.bytes(new byte[] {7}),
        Value.bytes(new byte[] {0, (byte) 255, 1, 2, 3, 4, 5}),
        Value.bytes("héllo 日本".getBytes(StandardCharsets.UTF_8)),
        Value.bytes(new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF}), Value.bytes(new byte[] {(byte) 0xE6, (byte) 0x97})};
    private static final Value[] STR = {Value.str(""), Value.str("a"), Value.str("héllo 日本"), Value.str("日")};
    private static final long[] INDEX = {0, 1, 2, 3, 6, 7, 12, 13, -1, Long.MIN_VALUE, 0xFFFF_FFFFL, 0x1_0000_0000L};

    private static Value u(long v) {
        return new Value.U64(v);
    }

    /** Every entry with its argument lists. */
    private static List<Object[]> cases() {
        List<Object[]> out = new ArrayList<>();
        for (Value b : BYTES) {
            for (long i : INDEX) {
                out.add(new Object[] {0, List.of(b, u(i))});
            }
            out.add(new Object[] {1, List.of(b)});
            out.add(new Object[] {5, List.of(b)});
            for (long s : INDEX) {
                for (long e : new long[] {0, 1, 2, 3, 7, 13, -1}) {
                    out.add(new Object[] {2, List.of(b, u(s), u(e))});
                }
            }
        }
        for (Value t : STR) {
            for (long s : new long[] {0, 1, 2, 3, 4, 9, 12, 13, -1}) {
                for (long e : new long[] {0, 1, 2, 3, 4, 12, 13, 14, -1}) {
                    out.add(new Object[] {3, List.of(t, u(s), u(e))});
                }
            }
            out.add(new Object[] {4, List.of(t)});
        }
        for (long x : new long[] {0, 5, -1, Long.MAX_VALUE}) {
            out.add(new Object[] {6, List.of(Value.i64(x))});
            out.add(new Object[] {8, List.of(Value.i64(x))});
        }
        return out;
    }

    @Test
    void everyInstructionMatchesTheInterpreterAtTheEdgesAndEveryFuelLimit() {
        Tiers t = Tiers.of(JitCornerCasesTest.asm(PROGRAM), Host.NONE);
        assertEquals(9, Jit.precompile(t.compiled), "every function compiled");
        int runs = 0;
        int traps = 0;
        for (Object[] c : cases()) {
            int entry = (Integer) c[0];
            @SuppressWarnings("unchecked")
            List<Value> args = (List<Value>) c[1];
            String what = "f" + entry + args;
            Tiers.Outcome o = t.check(entry, args, Limits.DEFAULT, what);
            JitCornerCasesTest.sweep(t, entry, args, what);
            runs++;
            if (o.trapped()) {
                traps++;
            }
        }
        assertEquals(9, Jit.compiledFunctions(t.compiled), "no function fell back to the interpreter");
        assertTrue(runs > 500, "runs: " + runs);
        assertTrue(traps > 100 && traps < runs - 100, "both ends: " + traps + " traps in " + runs + " runs");
    }

    @Test
    void heapChargesAndLimitTrapsMatchTheInterpreter() {
        Tiers t = Tiers.of(JitCornerCasesTest.asm(PROGRAM), Host.NONE);
        Jit.precompile(t.compiled);
        Object[][] cases = {
            {2, List.of(BYTES[3], u(1), u(9))}, {3, List.of(STR[2], u(0), u(6))}, {4, List.of(STR[2])},
            {5, List.of(BYTES[3])}, {6, List.of(Value.i64(3))}, {8, List.of(Value.i64(3))}};
        for (Object[] c : cases) {
            int entry = (Integer) c[0];
            @SuppressWarnings("unchecked")
            List<Value> args = (List<Value>) c[1];
            Tiers.Outcome full = t.check(entry, args, Limits.DEFAULT, "f" + entry + " unlimited heap");
            assertTrue(!full.trapped() && full.heapBytes() > 16, "it allocates: " + full);
            int traps = 0;
            for (long heap = 0; heap <= full.heapBytes() + 8; heap++) {
                Tiers.Outcome o = t.check(entry, args, Limits.DEFAULT.withMaxHeapBytes(heap), "f" + entry
                        + " heap " + heap);
                if (o.trapped()) {
                    assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, o.kind(), o::toString);
                    traps++;
                }
            }
            assertEquals(full.heapBytes(), traps, "f" + entry + ": every limit under the run's bytes traps");
        }
    }
}
