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
 * The instructions the compiled tier emits inline instead of through {@code Ops.slow}
 * ({@code InlineOps}, and the unsigned and float compares of the compare path): on operands at the
 * edges of their types (zero, -1, MIN and MAX, -0.0, NaNs with payloads, infinities, values just
 * past the integer ranges, decimals at their limits, empty and multi-byte strings), both tiers give
 * the same results, or the same trap (kind, pc, message) with the same fuel, every function
 * compiled.
 */
class JitInlineOpsTest {
    private static final long[] I64 = {0, 1, -1, 7, -7, Long.MIN_VALUE, Long.MAX_VALUE};
    private static final long[] U64 = {0, 1, 7, -1, Long.MIN_VALUE, Long.MAX_VALUE};
    private static final long[] F64 = {bits(0.0), bits(-0.0), bits(1.5), bits(-2.5), bits(Double.NaN),
        0x7ff0_0000_0000_0001L, 0xfff8_0000_0000_0000L, bits(Double.POSITIVE_INFINITY), bits(Double.NEGATIVE_INFINITY),
        bits(9.3e18), bits(-9.3e18), bits(1.8e19), bits(0x1p63), bits(0x1p64), bits(-0x1p63), bits(1e300),
        bits(Double.MIN_VALUE)};
    private static final Value[] DEC = {Value.decimal(0, 0), Value.decimal(150, 2), Value.decimal(-150, 2),
        Value.decimal(Long.MAX_VALUE, 0), Value.decimal(Long.MIN_VALUE, 18), Value.decimal(3, 1), Value.decimal(7, 0)};
    private static final Value[] STR = {Value.str(""), Value.str("a"), Value.str("héllo 日本")};
    private static final Value[] BYTES = {Value.bytes(new byte[0]), Value.bytes(new byte[] {0, (byte) 255}),
        Value.bytes("héllo".getBytes(StandardCharsets.UTF_8))};

    private static long bits(double d) {
        return Double.doubleToRawLongBits(d);
    }

    /** mnemonic, operand type(s), result type: one function each. */
    private record Shape(String op, String a, String b, String out) {}

    private static final List<Shape> SHAPES = List.of(
            new Shape("i64.div", "i64", "i64", "i64"), new Shape("i64.rem", "i64", "i64", "i64"),
            new Shape("u64.div", "u64", "u64", "u64"), new Shape("u64.rem", "u64", "u64", "u64"),
            new Shape("u64.gt", "u64", "u64", "bool"), new Shape("u64.le", "u64", "u64", "bool"),
            new Shape("u64.ge", "u64", "u64", "bool"),
            new Shape("f64.eq", "f64", "f64", "bool"), new Shape("f64.gt", "f64", "f64", "bool"),
            new Shape("f64.le", "f64", "f64", "bool"), new Shape("f64.ge", "f64", "f64", "bool"),
            new Shape("f64.rem", "f64", "f64", "f64"), new Shape("f64.min", "f64", "f64", "f64"),
            new Shape("f64.max", "f64", "f64", "f64"), new Shape("f64.min_num", "f64", "f64", "f64"),
            new Shape("f64.max_num", "f64", "f64", "f64"),
            new Shape("f64.neg", "f64", null, "f64"), new Shape("f64.abs", "f64", null, "f64"),
            new Shape("f64.to_bits", "f64", null, "u64"), new Shape("f64.from_bits", "u64", null, "f64"),
            new Shape("u64.to_i64", "u64", null, "i64"), new Shape("i64.to_u64", "i64", null, "u64"),
            new Shape("u64.to_f64", "u64", null, "f64"), new Shape("f64.to_i64", "f64", null, "i64"),
            new Shape("f64.to_u64", "f64", null, "u64"),
            new Shape("dec.add", "dec", "dec", "dec"), new Shape("dec.sub", "dec", "dec", "dec"),
            new Shape("dec.mul", "dec", "dec", "dec"), new Shape("dec.to_i64", "dec", null, "i64"),
            new Shape("dec.to_u64", "dec", null, "u64"), new Shape("i64.to_dec", "i64", "2", "dec"),
            new Shape("u64.to_dec", "u64", "18", "dec"), new Shape("i64.to_dec", "i64", "0", "dec"),
            new Shape("str.len", "str", null, "u64"), new Shape("bytes.len", "bytes", null, "u64"),
            new Shape("str.eq", "str", "str", "bool"), new Shape("bytes.eq", "bytes", "bytes", "bool"),
            new Shape("str.concat", "str", "str", "str"), new Shape("bytes.concat", "bytes", "bytes", "bytes"));

    /**
     * One function per shape: {@code f(a, b)} computes the instruction twice, the second time on
     * its own result where the types allow (so a result feeds the next instruction from its
     * local), and returns it.
     */
    private static String program() {
        StringBuilder s = new StringBuilder("program inline\n");
        for (int k = 0; k < SHAPES.size(); k++) {
            Shape sh = SHAPES.get(k);
            boolean imm = sh.b() != null && Character.isDigit(sh.b().charAt(0));
            boolean binary = sh.b() != null && !imm;
            s.append("func f").append(k).append("(a: ").append(sh.a());
            if (binary) {
                s.append(", b: ").append(sh.b());
            }
            s.append(") -> (").append(sh.out()).append(") {\n");
            String rhs = binary ? "r1, r2" : imm ? "r1, " + sh.b() : "r1";
            s.append("    ").append(sh.op()).append(" r3, ").append(rhs).append('\n');
            if (sh.out().equals(sh.a()) && !imm) {
                s.append("    ").append(sh.op()).append(" r3, ").append(binary ? "r3, r2" : "r3").append('\n');
            }
            s.append("    ret r0, [r3]\n}\n");
        }
        return s.toString();
    }

    private static Value[] values(String type) {
        return switch (type) {
            case "i64" -> java.util.Arrays.stream(I64).mapToObj(Value::i64).toArray(Value[]::new);
            case "u64" -> java.util.Arrays.stream(U64).mapToObj(v -> (Value) new Value.U64(v)).toArray(Value[]::new);
            case "f64" -> java.util.Arrays.stream(F64).mapToObj(v -> (Value) new Value.F64(v))
                    .toArray(Value[]::new);
            case "dec" -> DEC;
            case "str" -> STR;
            case "bytes" -> BYTES;
            default -> throw new IllegalArgumentException(type);
        };
    }

    @Test
    void everyInlineInstructionMatchesTheInterpreterAtTheEdges() {
        Tiers t = Tiers.of(JitCornerCasesTest.asm(program()), Host.NONE);
        assertEquals(SHAPES.size(), Jit.precompile(t.compiled), "every function compiled");
        int runs = 0;
        int traps = 0;
        for (int k = 0; k < SHAPES.size(); k++) {
            Shape sh = SHAPES.get(k);
            boolean binary = sh.b() != null && !Character.isDigit(sh.b().charAt(0));
            for (Value a : values(sh.a())) {
                for (Value b : binary ? values(sh.b()) : new Value[] {null}) {
                    List<Value> args = new ArrayList<>();
                    args.add(a);
                    if (b != null) {
                        args.add(b);
                    }
                    Tiers.Outcome o = t.check(k, args, Limits.DEFAULT, sh.op());
                    // and with the fuel running out at the instruction, then right after it
                    t.check(k, args, Limits.DEFAULT.withFuel(0), sh.op() + " no fuel");
                    t.check(k, args, Limits.DEFAULT.withFuel(1), sh.op() + " fuel 1");
                    runs++;
                    if (o.results() == null) {
                        traps++;
                    }
                }
            }
        }
        assertTrue(Jit.compiledFunctions(t.compiled) == SHAPES.size());
        assertTrue(runs > 700, "runs: " + runs);
        assertTrue(traps > 50, "some operands trap (division by zero, casts, decimal overflow): " + traps);
    }

    /**
     * main(i): builds a struct, a tuple and arrays of i64, str and f64 elements, reads them with
     * immediate indices and with the index {@code i} (out of range past 2: agg_error), through a
     * struct argument too, and array.len; every read into a word and a reference register.
     */
    static final String AGGREGATES = """
            program aggs
            struct P = { x: i64, s: str, f: f64 }
            array ints = i64
            array strs = str

            func main(i: u64) -> (i64, str, f64, i64, str, u64, i64, str) {
                const.i64 r2, 3
                const.pool r3, str:"héllo"
                const.pool r4, f64:-0.5
                struct.new r5, P, [r2, r3, r4]
                struct.get r6, r5, 0
                struct.get r7, r5, 1
                struct.get r8, r5, 2
                tuple.new r9, [r3, r2]
                tuple.get r10, r9, 0
                array.new r11, ints, [r2, r6, r2]
                array.get r12, r11, r1
                array.new r13, strs, [r3, r7, r10]
                array.get r14, r13, r1
                array.len r15, r13
                call r0, reads, r0, [r5] -> [r16, r17]
                ret r0, [r12, r14, r8, r16, r17, r15, r6, r10]
            }

            func reads(p: agg struct P) -> (i64, str) {
                struct.get r2, r1, 0
                struct.get r3, r1, 1
                ret r0, [r2, r3]
            }
            """;

    @Test
    void aggregateReadsMatchTheInterpreterInRangeAndOut() {
        Tiers t = Tiers.of(JitCornerCasesTest.asm(AGGREGATES), Host.NONE);
        assertEquals(2, Jit.precompile(t.compiled), "both functions compiled");
        int traps = 0;
        for (long i : new long[] {0, 1, 2, 3, 4, -1, Long.MIN_VALUE, 0xFFFF_FFFFL, 0x1_0000_0000L}) {
            List<Value> args = List.of(new Value.U64(i));
            Tiers.Outcome o = t.check(0, args, Limits.DEFAULT, "index " + Long.toUnsignedString(i));
            JitCornerCasesTest.sweep(t, 0, args, "index " + Long.toUnsignedString(i));
            if (o.results() == null) {
                traps++;
            }
        }
        assertEquals(6, traps, "indices past 2 trap agg_error on both tiers");
    }
    /**
     * Building aggregates inline ({@code JitRuntime.aggregate}): tuples, structs and arrays of
     * words, references and a unit field, at every heap limit from 0 to what the run allocates
     * (each aggregate charges 32 + 9 bytes per element, then 8 per element when one is a
     * reference): the same heap_limit_exceeded traps at the same pcs, with the same heap bytes
     * and fuel, and the same results once the limit is enough.
     */
    @Test
    void aggregateBuildingChargesTheHeapAlike() {
        String text = """
                program build
                struct U = { a: unit, b: i64, c: str }
                array units = unit

                func main(x: i64) -> (i64, u64) {
                    const.unit r2
                    const.pool r3, str:"s"
                    struct.new r4, U, [r2, x1, r3]
                    tuple.new r5, [r2, r1]
                    array.new r6, units, [r2, r2, r2]
                    struct.get r7, r4, 1
                    array.len r8, r6
                    ret r0, [r7, r8]
                }
                """.replace("x1", "r1");
        for (String program : new String[] {text, AGGREGATES}) {
            Tiers t = Tiers.of(JitCornerCasesTest.asm(program), Host.NONE);
            Jit.precompile(t.compiled);
            List<Value> args = List.of(program == text ? Value.i64(7) : new Value.U64(1));
            Tiers.Outcome full = t.check(0, args, Limits.DEFAULT, "unlimited heap");
            assertTrue(full.heapBytes() > 32, "it allocates: " + full);
            int traps = 0;
            for (long heap = 0; heap <= full.heapBytes() + 8; heap++) {
                Tiers.Outcome o = t.check(0, args, Limits.DEFAULT.withMaxHeapBytes(heap), "heap " + heap);
                if (o.trapped()) {
                    assertEquals(TrapKind.HEAP_LIMIT_EXCEEDED, o.kind(), o::toString);
                    traps++;
                }
            }
            assertTrue(traps > 0 && traps < full.heapBytes() + 9, "traps: " + traps);
        }
    }
}
