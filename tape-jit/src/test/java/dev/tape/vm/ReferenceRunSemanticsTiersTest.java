package dev.tape.vm;

import dev.tape.asm.Assembler;
import dev.tape.host.ConformanceHost;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What each instruction computes and where it traps at run time, opcode by opcode, with the
 * expected result, trap kind, pc, span and fuel read off the reference's interpreter
 * (execution_tape {@code vm.rs}, the stored copies 1a6ef94 and bfa6b6a, whose arms quoted below
 * are alike; {@code run_body}'s {@code match instr}), on both tiers.
 *
 * <p>Each operation is a function of its operands given as arguments, so that neither tier sees a
 * constant: {@code .span 5} on the operation at pc 0, then {@code ret}; a trap is therefore at
 * pc 0 with span 5 after 1 unit of fuel, a result costs 2. Each case then runs a second time as a
 * function that loads the same operands with {@code const.*} instructions first (so a tier that
 * folds constants is checked too): same result or trap kind, the pc left out.
 *
 * <p>f64 values are written and compared as bits. The NaN that {@code f64.add}/{@code sub}/
 * {@code mul}/{@code div}/{@code rem} produce is the x86-64 hardware's (Rust's {@code +} on
 * {@code f64}); the vectors from ba76d66 record it ({@code f64_add_1}, {@code f64_rem_2}).
 */
class ReferenceRunSemanticsTiersTest {
    /** one operation: the function's argument types, its result type and its instruction (rD the result) */
    private record Fn(String args, String ret, String instr) {}

    private static final Map<String, Fn> FNS = new LinkedHashMap<>();

    private static void bin(String op, String a, String ret) {
        FNS.put(op, new Fn(a + ", " + a, ret, op + " rD, r1, r2"));
    }

    private static void un(String op, String a, String ret) {
        FNS.put(op, new Fn(a, ret, op + " rD, r1"));
    }

    static {
        for (String op : new String[] {"add", "sub", "mul", "div", "rem", "and", "or", "xor", "shl", "shr"}) {
            bin("i64." + op, "i64", "i64");
            bin("u64." + op, "u64", "u64");
        }
        for (String op : new String[] {"eq", "lt", "gt", "le", "ge"}) {
            bin("i64." + op, "i64", "bool");
            bin("u64." + op, "u64", "bool");
            bin("f64." + op, "f64", "bool");
        }
        for (String op : new String[] {"add", "sub", "mul", "div", "rem", "min", "max", "min_num", "max_num"}) {
            bin("f64." + op, "f64", "f64");
        }
        un("f64.neg", "f64", "f64");
        un("f64.abs", "f64", "f64");
        un("f64.to_bits", "f64", "u64");
        un("f64.from_bits", "u64", "f64");
        un("u64.to_i64", "u64", "i64");
        un("i64.to_u64", "i64", "u64");
        un("i64.to_f64", "i64", "f64");
        un("u64.to_f64", "u64", "f64");
        un("f64.to_i64", "f64", "i64");
        un("f64.to_u64", "f64", "u64");
        bin("dec.add", "dec", "dec");
        bin("dec.sub", "dec", "dec");
        bin("dec.mul", "dec", "dec");
        un("dec.to_i64", "dec", "i64");
        un("dec.to_u64", "dec", "u64");
        FNS.put("i64.to_dec 2", new Fn("i64", "dec", "i64.to_dec rD, r1, 2"));
        FNS.put("i64.to_dec 18", new Fn("i64", "dec", "i64.to_dec rD, r1, 18"));
        FNS.put("i64.to_dec 19", new Fn("i64", "dec", "i64.to_dec rD, r1, 19"));
        FNS.put("u64.to_dec 0", new Fn("u64", "dec", "u64.to_dec rD, r1, 0"));
        FNS.put("u64.to_dec 1", new Fn("u64", "dec", "u64.to_dec rD, r1, 1"));
        FNS.put("u64.to_dec 19", new Fn("u64", "dec", "u64.to_dec rD, r1, 19"));
        FNS.put("u64.to_dec 255", new Fn("u64", "dec", "u64.to_dec rD, r1, 255"));
        un("str.len", "str", "u64");
        un("bytes.len", "bytes", "u64");
        bin("str.eq", "str", "bool");
        bin("bytes.eq", "bytes", "bool");
        bin("str.concat", "str", "str");
        bin("bytes.concat", "bytes", "bytes");
        un("str.to_bytes", "str", "bytes");
        un("bytes.to_str", "bytes", "str");
        FNS.put("bytes.get", new Fn("bytes, u64", "u64", "bytes.get rD, r1, r2"));
        FNS.put("bytes.get_imm 2", new Fn("bytes", "u64", "bytes.get_imm rD, r1, 2"));
        FNS.put("bytes.get_imm max", new Fn("bytes", "u64", "bytes.get_imm rD, r1, 4294967295"));
        FNS.put("bytes.slice", new Fn("bytes, u64, u64", "bytes", "bytes.slice rD, r1, r2, r3"));
        FNS.put("str.slice", new Fn("str, u64, u64", "str", "str.slice rD, r1, r2, r3"));
        FNS.put("array.get", new Fn("agg array ints, u64", "i64", "array.get rD, r1, r2"));
        FNS.put("array.get_imm 2", new Fn("agg array ints", "i64", "array.get_imm rD, r1, 2"));
        FNS.put("array.len", new Fn("agg array ints", "u64", "array.len rD, r1"));
        FNS.put("array.get_imm 2^31", new Fn("agg array ints", "i64", "array.get_imm rD, r1, 2147483648"));
        FNS.put("array.get_imm max", new Fn("agg array ints", "i64", "array.get_imm rD, r1, 4294967295"));
        FNS.put("bytes.get_imm 2^31", new Fn("bytes", "u64", "bytes.get_imm rD, r1, 2147483648"));
        FNS.put("trap 2^31", new Fn("i64", "i64", "trap 2147483648"));
        FNS.put("trap max", new Fn("i64", "i64", "trap 4294967295"));
        FNS.put("trap 0", new Fn("i64", "i64", "trap 0"));
        FNS.put("select", new Fn("bool, f64, f64", "f64", "select rD, r1, r2, r3"));
        FNS.put("select dec", new Fn("bool, dec, dec", "dec", "select rD, r1, r2, r3"));
        FNS.put("select str", new Fn("bool, str, str", "str", "select rD, r1, r2, r3"));
        FNS.put("mov", new Fn("f64", "f64", "mov rD, r1"));
        un("bool.not", "bool", "bool");
        bin("bool.and", "bool", "bool");
        bin("bool.or", "bool", "bool");
        bin("bool.xor", "bool", "bool");
        FNS.put("tuple.get 1", new Fn("agg tuple(i64, f64)", "f64", "tuple.get rD, r1, 1"));
        FNS.put("tuple.len", new Fn("agg tuple(i64, f64)", "u64", "tuple.len rD, r1"));
        FNS.put("struct.get 1", new Fn("agg struct P", "i64", "struct.get rD, r1, 1"));
        FNS.put("struct.field_count", new Fn("agg struct P", "u64", "struct.field_count rD, r1"));
    }

    private static final List<String> NAMES = List.copyOf(FNS.keySet());

    private static String program(boolean constants, List<List<String>> constArgs) {
        StringBuilder b = new StringBuilder("array ints = i64\nstruct P = { x: i64, y: i64 }\n");
        int k = 0;
        for (String name : NAMES) {
            Fn f = FNS.get(name);
            String[] types = f.args().split(",\\s*(?![^()]*\\))"); // not the commas inside tuple(...)
            String dst = "r" + (types.length + 1);
            b.append("func f").append(k).append('(');
            for (int i = 0; i < types.length; i++) {
                b.append(i == 0 ? "" : ", ").append('a').append(i).append(": ").append(types[i]);
            }
            b.append(") -> (").append(f.ret()).append(") {\n    .span 5\n    ").append(f.instr().replace("rD", dst))
                    .append("\n    ret r0, [").append(dst).append("]\n}\n");
            k++;
        }
        if (constants) {
            for (List<String> c : constArgs) {
                String name = c.get(0);
                Fn f = FNS.get(name);
                int n = c.size() - 1;
                String dst = "r" + (n + 1);
                b.append("func f").append(k++).append("() -> (").append(f.ret()).append(") {\n");
                for (int i = 1; i <= n; i++) {
                    b.append("    ").append(constant(i, c.get(i))).append('\n');
                }
                b.append("    ").append(f.instr().replace("rD", dst)).append("\n    ret r0, [").append(dst)
                        .append("]\n}\n");
            }
        }
        return b.toString();
    }

    /** the instruction that loads the literal {@code lit} into r{@code reg} */
    private static String constant(int reg, String lit) {
        String r = "r" + reg + ", ";
        int colon = lit.indexOf(':');
        String type = lit.substring(0, colon);
        String v = lit.substring(colon + 1);
        return switch (type) {
            case "i64", "u64", "f64", "bool" -> "const." + type + " " + r + v;
            case "dec" -> {
                int dot = v.indexOf('.');
                int scale = dot < 0 ? 0 : v.length() - dot - 1;
                yield "const.decimal " + r + v.replace(".", "") + ", " + scale;
            }
            default -> "const.pool " + r + lit;
        };
    }

    private static final Limits LIMITS = Limits.of(1_000, 256, 1_000_000);

    /** Cases gathered by one test method, then run together. */
    private final List<String[]> cases = new ArrayList<>();

    /**
     * Expects {@code op} on {@code args} to give {@code expected}: a result literal, or a trap kind
     * (the trap at pc 0, span 5, after 1 unit of fuel).
     */
    private void is(String expected, String op, String... args) {
        assertTrue(FNS.containsKey(op), op);
        String[] c = new String[args.length + 2];
        c[0] = op;
        c[1] = expected;
        System.arraycopy(args, 0, c, 2, args.length);
        cases.add(c);
    }

    private static boolean isTrapKind(String s) {
        return !s.contains(":");
    }

    private static String outcome(Tiers t, int entry, List<Value> args, boolean withPc) {
        Tiers.Outcome o = ReferenceRunLoopsTiersTest.checkTraced(t, entry, args, LIMITS, "f" + entry + " " + args);
        if (!o.trapped()) {
            return String.join(", ", o.literals()) + (withPc ? " used " + o.used(LIMITS) : "");
        }
        return o.trap().label() + (withPc ? " at pc " + o.trap().pc() + " span " + Trap.spanText(o.trap().span())
                + " used " + o.used(LIMITS) : "");
    }

    private void runAll() {
        List<List<String>> constArgs = new ArrayList<>();
        for (String[] c : cases) {
            if (c.length > 2 && !FNS.get(c[0]).args().contains("agg")) {
                List<String> l = new ArrayList<>();
                l.add(c[0]);
                for (int i = 2; i < c.length; i++) {
                    l.add(c[i]);
                }
                constArgs.add(l);
            }
        }
        Tiers t = Tiers.of(Assembler.assemble(program(true, constArgs), "runsemantics.tasm"), new ConformanceHost());
        List<String> failures = new ArrayList<>();
        int constEntry = NAMES.size();
        for (String[] c : cases) {
            List<Value> args = new ArrayList<>();
            for (int i = 2; i < c.length; i++) {
                args.add(ValueLiteral.parse(c[i]));
            }
            String want = isTrapKind(c[1]) ? c[1] + " at pc 0 span 5 used 1" : c[1] + " used 2";
            String got = outcome(t, NAMES.indexOf(c[0]), args, true);
            String what = c[0] + " " + args;
            if (!want.equals(got)) {
                failures.add(what + ": expected " + want + ", got " + got);
            }
            if (c.length > 2 && !FNS.get(c[0]).args().contains("agg")) {
                String gotConst = outcome(t, constEntry++, List.of(), false);
                if (!c[1].equals(gotConst)) {
                    failures.add(what + " as constants: expected " + c[1] + ", got " + gotConst);
                }
            }
        }
        assertEquals("", String.join("\n", failures));
    }
    private static final String I64_MAX = "i64:9223372036854775807";
    private static final String I64_MIN = "i64:-9223372036854775808";
    private static final String U64_MAX = "u64:18446744073709551615";
    private static final String TWO_63 = "u64:9223372036854775808";
    private static final String NAN = "f64:0x7ff8000000000000";
    private static final String NEG_ZERO = "f64:0x8000000000000000";
    private static final String ZERO = "f64:0x0000000000000000";
    private static final String ONE = "f64:0x3ff0000000000000";
    private static final String TWO = "f64:0x4000000000000000";
    private static final String INF = "f64:0x7ff0000000000000";
    private static final String NEG_INF = "f64:0xfff0000000000000";
    /** a signalling NaN with payload 1 */
    private static final String SNAN = "f64:0x7ff0000000000001";
    /** a quiet NaN with payload 5 */
    private static final String QNAN5 = "f64:0x7ff8000000000005";
    /** a negative quiet NaN with payload 1 */
    private static final String NEG_QNAN1 = "f64:0xfff8000000000001";

    @Test
    void integerArithmeticWrapsAndDivisionTraps() {
        // I64Add/I64Sub/I64Mul: wrapping_add, wrapping_sub, wrapping_mul
        is(I64_MIN, "i64.add", I64_MAX, "i64:1");
        is(I64_MAX, "i64.sub", I64_MIN, "i64:1");
        is("i64:-2", "i64.mul", I64_MAX, "i64:2");
        is(I64_MIN, "i64.mul", I64_MIN, "i64:-1");
        // U64Add/U64Sub/U64Mul: wrapping as u64
        is("u64:0", "u64.add", U64_MAX, "u64:1");
        is(U64_MAX, "u64.sub", "u64:0", "u64:1");
        is("u64:0", "u64.mul", TWO_63, "u64:2");
        // I64Div/I64Rem: b == 0 first (DivByZero), then MIN and -1 (IntDivOverflow); Rust's / and % truncate
        is("i64:-3", "i64.div", "i64:7", "i64:-2");
        is("i64:1", "i64.rem", "i64:7", "i64:-2");
        is("i64:-1", "i64.rem", "i64:-7", "i64:2");
        is("div_by_zero", "i64.div", "i64:0", "i64:0");
        is("div_by_zero", "i64.div", I64_MIN, "i64:0");
        is("div_by_zero", "i64.rem", I64_MIN, "i64:0");
        is("int_div_overflow", "i64.div", I64_MIN, "i64:-1");
        is("int_div_overflow", "i64.rem", I64_MIN, "i64:-1");
        is(I64_MIN, "i64.div", I64_MIN, "i64:1");
        is("i64:0", "i64.rem", I64_MIN, "i64:1");
        // U64Div/U64Rem: DivByZero only; unsigned
        is("u64:9223372036854775807", "u64.div", U64_MAX, "u64:2");
        is("u64:1", "u64.rem", U64_MAX, "u64:2");
        is("u64:0", "u64.div", "u64:1", U64_MAX);
        is("div_by_zero", "u64.div", U64_MAX, "u64:0");
        is("div_by_zero", "u64.rem", "u64:0", "u64:0");
        // I64And/Or/Xor, U64And/Or/Xor: bitwise
        is("i64:-8", "i64.and", "i64:-1", "i64:-8");
        is("i64:-1", "i64.or", I64_MIN, I64_MAX);
        is("i64:-1", "i64.xor", "i64:0", "i64:-1");
        is("u64:1", "u64.and", U64_MAX, "u64:1");
        is(U64_MAX, "u64.or", TWO_63, "u64:9223372036854775807");
        is("u64:0", "u64.xor", U64_MAX, U64_MAX);
        runAll();
    }

    @Test
    void shiftsTakeTheAmountModulo64() {
        // I64Shl/I64Shr: sh = (b as u64 & 63); >> on i64 is arithmetic
        is("i64:1", "i64.shl", "i64:1", "i64:64");
        is(I64_MIN, "i64.shl", "i64:1", "i64:-1");
        is("i64:2", "i64.shl", "i64:1", "i64:-63");
        is("i64:-4", "i64.shr", "i64:-8", "i64:1");
        is("i64:-1", "i64.shr", I64_MIN, "i64:63");
        is("i64:-1", "i64.shr", I64_MIN, "i64:-1");
        is("i64:-8", "i64.shr", "i64:-8", "i64:128");
        // U64Shl/U64Shr: sh = b & 63; >> on u64 is logical
        is("u64:2", "u64.shl", "u64:1", "u64:65");
        is("u64:1", "u64.shr", U64_MAX, "u64:63");
        is(TWO_63, "u64.shr", TWO_63, "u64:64");
        is(U64_MAX, "u64.shl", U64_MAX, "u64:18446744073709551552"); // 2^64 - 64: amount 0
        runAll();
    }

    @Test
    void comparisonsAreSignedOrUnsignedByType() {
        // I64Eq/Lt/Gt/Le/Ge on i64, U64Eq/Lt/Gt/Le/Ge on u64
        is("bool:true", "i64.lt", "i64:-1", "i64:0");
        is("bool:false", "i64.gt", "i64:-1", "i64:0");
        is("bool:true", "i64.le", I64_MIN, I64_MIN);
        is("bool:true", "i64.ge", I64_MAX, I64_MIN);
        is("bool:false", "i64.eq", "i64:-1", "i64:1");
        is("bool:false", "u64.lt", U64_MAX, "u64:0");
        is("bool:true", "u64.gt", U64_MAX, "u64:1");
        is("bool:true", "u64.gt", TWO_63, "u64:9223372036854775807");
        is("bool:false", "u64.le", TWO_63, "u64:1");
        is("bool:true", "u64.ge", U64_MAX, U64_MAX);
        is("bool:true", "u64.eq", U64_MAX, U64_MAX);
        runAll();
    }

    @Test
    void integerConversions() {
        // U64ToI64: i64::try_from(u) else IntCastOverflow; I64ToU64: u64::try_from(i) else IntCastOverflow
        is(I64_MAX, "u64.to_i64", "u64:9223372036854775807");
        is("int_cast_overflow", "u64.to_i64", TWO_63);
        is("int_cast_overflow", "u64.to_i64", U64_MAX);
        is("u64:0", "i64.to_u64", "i64:0");
        is("int_cast_overflow", "i64.to_u64", "i64:-1");
        is("int_cast_overflow", "i64.to_u64", I64_MIN);
        // I64ToF64/U64ToF64: `as f64`, round to nearest, ties to even
        is("f64:0x4340000000000000", "i64.to_f64", "i64:9007199254740993"); // 2^53 + 1 -> 2^53
        is("f64:0x4340000000000002", "i64.to_f64", "i64:9007199254740995"); // 2^53 + 3 -> 2^53 + 4
        is("f64:0x43e0000000000000", "i64.to_f64", I64_MAX);
        is("f64:0xc3e0000000000000", "i64.to_f64", I64_MIN);
        is("f64:0x43f0000000000000", "u64.to_f64", U64_MAX);
        is("f64:0x43e0000000000000", "u64.to_f64", TWO_63);
        runAll();
    }

    @Test
    void floatToIntegerTrapsAndTheRangeEnds() {
        // F64ToI64: !is_finite -> FloatToIntInvalid; a < i64::MIN as f64 || a > i64::MAX as f64 (2^63)
        // -> IntCastOverflow; else `a as i64` (truncating, saturating: 2^63 itself gives i64::MAX)
        is("float_to_int_invalid", "f64.to_i64", NAN);
        is("float_to_int_invalid", "f64.to_i64", SNAN);
        is("float_to_int_invalid", "f64.to_i64", INF);
        is("float_to_int_invalid", "f64.to_i64", NEG_INF);
        is(I64_MAX, "f64.to_i64", "f64:0x43e0000000000000"); // 2^63
        is("int_cast_overflow", "f64.to_i64", "f64:0x43e0000000000001"); // the next f64 above 2^63
        is(I64_MIN, "f64.to_i64", "f64:0xc3e0000000000000"); // -2^63
        is("int_cast_overflow", "f64.to_i64", "f64:0xc3e0000000000001");
        is("i64:-1", "f64.to_i64", "f64:0xbffe666666666666"); // -1.9
        is("i64:0", "f64.to_i64", NEG_ZERO);
        is("i64:0", "f64.to_i64", "f64:0x0000000000000001"); // the least subnormal
        // F64ToU64: !is_finite -> FloatToIntInvalid; a < 0.0 || a > u64::MAX as f64 (2^64) ->
        // IntCastOverflow (so -0.5 traps: it is < 0.0 before truncation); 2^64 itself gives u64::MAX
        is("float_to_int_invalid", "f64.to_u64", NAN);
        is("float_to_int_invalid", "f64.to_u64", NEG_INF);
        is("int_cast_overflow", "f64.to_u64", "f64:0xbfe0000000000000"); // -0.5
        is("int_cast_overflow", "f64.to_u64", "f64:0x8000000000000001"); // the least negative subnormal
        is("u64:0", "f64.to_u64", NEG_ZERO);
        is(U64_MAX, "f64.to_u64", "f64:0x43f0000000000000"); // 2^64
        is("int_cast_overflow", "f64.to_u64", "f64:0x43f0000000000001");
        is("u64:9223372036854777856", "f64.to_u64", "f64:0x43e0000000000001"); // 2^63 + 2048
        is("u64:1", "f64.to_u64", "f64:0x3ffe666666666666"); // 1.9
        runAll();
    }

    @Test
    void floatComparisonsMinMaxAndSigns() {
        // F64Eq/Lt/Gt/Le/Ge: IEEE (==, <, >, <=, >= on f64): false with a NaN, -0.0 == 0.0
        is("bool:false", "f64.eq", NAN, NAN);
        is("bool:true", "f64.eq", NEG_ZERO, ZERO);
        is("bool:false", "f64.lt", NAN, ONE);
        is("bool:false", "f64.gt", ONE, SNAN);
        is("bool:false", "f64.le", NAN, INF);
        is("bool:false", "f64.ge", NEG_INF, NAN);
        is("bool:true", "f64.le", NEG_ZERO, ZERO);
        is("bool:false", "f64.lt", NEG_ZERO, ZERO);
        is("bool:true", "f64.ge", INF, INF);
        // F64Min/F64Max (f64_min/f64_max): a NaN operand gives f64::NAN (0x7ff8000000000000) whatever
        // its payload or sign; min of zeros is -0.0 if either is, max +0.0 if either is
        is(NAN, "f64.min", SNAN, ONE);
        is(NAN, "f64.max", ONE, NEG_QNAN1);
        is(NAN, "f64.min", QNAN5, NEG_QNAN1);
        is(NEG_ZERO, "f64.min", ZERO, NEG_ZERO);
        is(NEG_ZERO, "f64.min", NEG_ZERO, ZERO);
        is(ZERO, "f64.max", NEG_ZERO, ZERO);
        is(ZERO, "f64.max", ZERO, NEG_ZERO);
        is(NEG_INF, "f64.min", NEG_INF, ONE);
        is(TWO, "f64.max", ONE, TWO);
        // F64MinNum/F64MaxNum (f64_min_num/f64_max_num): exactly one NaN gives the other operand, both
        // NaN give f64::NAN
        is(TWO, "f64.min_num", SNAN, TWO);
        is(ONE, "f64.max_num", ONE, NEG_QNAN1);
        is(NAN, "f64.min_num", QNAN5, SNAN);
        is(NAN, "f64.max_num", NEG_QNAN1, NEG_QNAN1);
        is(NEG_ZERO, "f64.min_num", ZERO, NEG_ZERO);
        is(ZERO, "f64.max_num", NEG_ZERO, ZERO);
        // F64Neg/F64Abs: `-a` and `a.abs()` flip/clear the sign bit only, NaN payloads included
        is("f64:0xfff8000000000005", "f64.neg", QNAN5);
        is("f64:0x7ff0000000000001", "f64.neg", "f64:0xfff0000000000001");
        is(NEG_ZERO, "f64.neg", ZERO);
        is("f64:0x7ff8000000000001", "f64.abs", NEG_QNAN1);
        is(SNAN, "f64.abs", SNAN);
        is(ZERO, "f64.abs", NEG_ZERO);
        // F64ToBits/F64FromBits: to_bits/from_bits, the bits unchanged (a signalling NaN stays one)
        is("u64:9218868437227405313", "f64.to_bits", SNAN);
        is(SNAN, "f64.from_bits", "u64:9218868437227405313");
        is("f64:0xfff4000000000000", "f64.from_bits", "u64:18443366373989023744");
        // select: the chosen register's value, bits unchanged
        is(SNAN, "select", "bool:true", SNAN, ONE);
        is(NEG_ZERO, "select", "bool:false", SNAN, NEG_ZERO);
        runAll();
    }

    @Test
    void floatArithmetic() {
        // F64Add/Sub/Mul/Div/Rem: Rust's + - * / % on f64 (% is fmod: the sign of the dividend); the
        // NaN they give is x86-64's: the first NaN operand quieted, else 0xfff8000000000000
        is("f64:0x7ff8000000000001", "f64.add", SNAN, ONE);
        is("f64:0x7ff8000000000005", "f64.add", ONE, QNAN5);
        is("f64:0x7ff8000000000005", "f64.mul", QNAN5, NEG_QNAN1);
        is("f64:0xfff8000000000000", "f64.sub", INF, INF);
        is("f64:0xfff8000000000000", "f64.mul", ZERO, NEG_INF);
        is("f64:0xfff8000000000000", "f64.div", ZERO, NEG_ZERO);
        is(NEG_INF, "f64.div", ONE, NEG_ZERO);
        is(NEG_ZERO, "f64.add", NEG_ZERO, NEG_ZERO);
        is(ZERO, "f64.add", NEG_ZERO, ZERO);
        is(ZERO, "f64.sub", ONE, ONE);
        is("f64:0xbff8000000000000", "f64.rem", "f64:0xc016000000000000", TWO); // -5.5 % 2 = -1.5
        is("f64:0x4014000000000000", "f64.rem", "f64:0x4014000000000000", INF); // 5 % inf = 5
        is("f64:0xfff8000000000000", "f64.rem", ONE, ZERO);
        is("f64:0xfff8000000000000", "f64.rem", INF, ONE);
        is(NEG_ZERO, "f64.rem", "f64:0xc000000000000000", TWO); // -2 % 2 = -0.0
        runAll();
    }

    /** {@code dec:0.000...} with {@code scale} zeros after the point */
    private static String decZero(int scale) {
        return "dec:0." + "0".repeat(scale);
    }

    @Test
    void decimals() {
        // DecAdd/DecSub: scales differ -> DecimalScaleMismatch (even for equal values); checked_add/
        // checked_sub of the mantissas else DecimalOverflow; the scale kept
        is("dec:3.75", "dec.add", "dec:1.50", "dec:2.25");
        is("dec:-0.75", "dec.sub", "dec:1.50", "dec:2.25");
        is("decimal_scale_mismatch", "dec.add", "dec:1.5", "dec:1.50");
        is("decimal_scale_mismatch", "dec.sub", "dec:0", "dec:0.0");
        is("decimal_overflow", "dec.add", "dec:9223372036854775807", "dec:1");
        is("decimal_overflow", "dec.sub", "dec:-9223372036854775808", "dec:1");
        is("dec:-9223372036854775808", "dec.sub", "dec:-9223372036854775807", "dec:1");
        is("decimal_scale_mismatch", "dec.add", "dec:922337203685477580.7", "dec:1");
        // DecMul: checked_mul of the mantissas (DecimalOverflow), then the scale sum as u8 (DecimalOverflow)
        is("dec:3.375", "dec.mul", "dec:1.5", "dec:2.25");
        is("dec:0.00", "dec.mul", "dec:-0.0", "dec:0.0");
        is("decimal_overflow", "dec.mul", "dec:4611686018427387904", "dec:2");
        is("dec:-9223372036854775808", "dec.mul", "dec:4611686018427387904", "dec:-2");
        is(decZero(255), "dec.mul", decZero(200), decZero(55));
        is("decimal_overflow", "dec.mul", decZero(200), decZero(56));
        // DecToI64: scale != 0 -> DecimalScaleMismatch; DecToU64: that, then mantissa < 0 -> IntCastOverflow
        is("i64:-7", "dec.to_i64", "dec:-7");
        is("decimal_scale_mismatch", "dec.to_i64", "dec:7.0");
        is(I64_MIN, "dec.to_i64", "dec:-9223372036854775808");
        is("u64:9223372036854775807", "dec.to_u64", "dec:9223372036854775807");
        is("int_cast_overflow", "dec.to_u64", "dec:-1");
        is("decimal_scale_mismatch", "dec.to_u64", "dec:-1.0");
        // I64ToDec: factor = 10^scale by checked_mul (scale 19 and more overflow, whatever a), then
        // a.checked_mul(factor); U64ToDec: the same factor, then i128 product narrowed to i64
        is("dec:5.00", "i64.to_dec 2", "i64:5");
        is("dec:-1.00", "i64.to_dec 2", "i64:-1");
        is(decZero(18), "i64.to_dec 18", "i64:0");
        is("dec:-9.000000000000000000", "i64.to_dec 18", "i64:-9");
        is("decimal_overflow", "i64.to_dec 18", "i64:-10");
        is("decimal_overflow", "i64.to_dec 19", "i64:0");
        is("decimal_overflow", "i64.to_dec 2", "i64:92233720368547759");
        is("dec:-92233720368547758.00", "i64.to_dec 2", "i64:-92233720368547758");
        is("dec:9223372036854775807", "u64.to_dec 0", "u64:9223372036854775807");
        is("decimal_overflow", "u64.to_dec 0", TWO_63);
        is("decimal_overflow", "u64.to_dec 1", "u64:922337203685477581");
        is("dec:922337203685477580.0", "u64.to_dec 1", "u64:922337203685477580");
        is("decimal_overflow", "u64.to_dec 19", "u64:0");
        is("decimal_overflow", "u64.to_dec 255", "u64:0");
        runAll();
    }

    @Test
    void stringsAndBytes() {
        // StrLen/BytesLen: s.len(), bytes (UTF-8) not chars
        is("u64:6", "str.len", "str:\"h\u00e9llo\"");
        is("u64:4", "str.len", "str:\"\ud83d\ude00\"");
        is("u64:0", "bytes.len", "bytes:");
        // StrSlice: start > end || end > len -> IndexOutOfBounds, then !is_char_boundary(start|end) ->
        // StrNotCharBoundary; byte offsets
        String hello = "str:\"h\u00e9llo\""; // h, é (bytes 1 and 2), l, l, o
        is("str:\"\u00e9\"", "str.slice", hello, "u64:1", "u64:3");
        is("str_not_char_boundary", "str.slice", hello, "u64:2", "u64:4");
        is("str_not_char_boundary", "str.slice", hello, "u64:0", "u64:2");
        is("str_not_char_boundary", "str.slice", hello, "u64:2", "u64:2");
        is("index_out_of_bounds", "str.slice", hello, "u64:3", "u64:1");
        is("index_out_of_bounds", "str.slice", hello, "u64:2", "u64:1");
        is("index_out_of_bounds", "str.slice", hello, "u64:2", "u64:7");
        is("index_out_of_bounds", "str.slice", hello, "u64:0", U64_MAX);
        is("index_out_of_bounds", "str.slice", hello, U64_MAX, "u64:0");
        is("str:\"\"", "str.slice", hello, "u64:6", "u64:6");
        // BytesSlice: bytes.get(start..end) else IndexOutOfBounds
        is("bytes:0102", "bytes.slice", "bytes:000102", "u64:1", "u64:3");
        is("bytes:", "bytes.slice", "bytes:000102", "u64:3", "u64:3");
        is("index_out_of_bounds", "bytes.slice", "bytes:000102", "u64:2", "u64:1");
        is("index_out_of_bounds", "bytes.slice", "bytes:000102", "u64:0", "u64:4");
        is("index_out_of_bounds", "bytes.slice", "bytes:000102", U64_MAX, U64_MAX);
        // BytesGet/BytesGetImm: bytes.get(index) else IndexOutOfBounds; the byte as u64
        is("u64:255", "bytes.get", "bytes:00ff", "u64:1");
        is("index_out_of_bounds", "bytes.get", "bytes:00ff", "u64:2");
        is("index_out_of_bounds", "bytes.get", "bytes:00ff", U64_MAX);
        is("index_out_of_bounds", "bytes.get", "bytes:00ff", TWO_63);
        is("index_out_of_bounds", "bytes.get", "bytes:00ff", "u64:4294967297");
        is("index_out_of_bounds", "bytes.slice", "bytes:000102", "u64:4294967296", "u64:4294967297");
        is("index_out_of_bounds", "bytes.slice", "bytes:000102", "u64:0", "u64:4294967297");
        is("index_out_of_bounds", "str.slice", hello, "u64:4294967297", "u64:4294967298");
        is("index_out_of_bounds", "str.slice", hello, "u64:1", "u64:4294967299");
        is("u64:128", "bytes.get_imm 2", "bytes:000080");
        is("index_out_of_bounds", "bytes.get_imm 2", "bytes:0000");
        is("index_out_of_bounds", "bytes.get_imm max", "bytes:0000");
        // BytesToStr: String::from_utf8 else InvalidUtf8 (no overlong forms, surrogates, or code points
        // past U+10FFFF; nothing truncated)
        is("str:\"\ud83d\ude00\"", "bytes.to_str", "bytes:f09f9880");
        is("str:\"\\u0000\"", "bytes.to_str", "bytes:00");
        is("invalid_utf8", "bytes.to_str", "bytes:c080");
        is("invalid_utf8", "bytes.to_str", "bytes:e08080");
        is("invalid_utf8", "bytes.to_str", "bytes:eda080");
        is("invalid_utf8", "bytes.to_str", "bytes:edbfbf");
        is("invalid_utf8", "bytes.to_str", "bytes:f4908080");
        is("invalid_utf8", "bytes.to_str", "bytes:e282");
        is("invalid_utf8", "bytes.to_str", "bytes:80");
        is("invalid_utf8", "bytes.to_str", "bytes:ff");
        is("invalid_utf8", "bytes.to_str", "bytes:eda0bdedb880"); // a surrogate pair in CESU-8
        is("str:\"\uffff\"", "bytes.to_str", "bytes:efbfbf");
        is("str:\"\udbff\udfff\"", "bytes.to_str", "bytes:f48fbfbf");
        // StrToBytes: as_bytes; StrEq/BytesEq: == on the bytes; StrConcat/BytesConcat: the two appended
        is("bytes:c3a9", "str.to_bytes", "str:\"\u00e9\"");
        is("bool:true", "str.eq", "str:\"\u00e9\"", "str:\"\u00e9\"");
        is("bool:false", "str.eq", "str:\"e\u0301\"", "str:\"\u00e9\"");
        is("bool:true", "bytes.eq", "bytes:", "bytes:");
        is("bool:false", "bytes.eq", "bytes:00", "bytes:0000");
        is("str:\"h\u00e9\"", "str.concat", "str:\"h\"", "str:\"\u00e9\"");
        is("bytes:00ff", "bytes.concat", "bytes:00", "bytes:ff");
        is("bytes:", "bytes.concat", "bytes:", "bytes:");
        runAll();
    }

    @Test
    void booleansMovesSelectsTuplesAndStructs() {
        // BoolNot/And/Or/Xor: !, &, |, ^ on bool
        is("bool:false", "bool.not", "bool:true");
        is("bool:false", "bool.and", "bool:true", "bool:false");
        is("bool:true", "bool.or", "bool:false", "bool:true");
        is("bool:false", "bool.xor", "bool:true", "bool:true");
        is("bool:true", "bool.xor", "bool:false", "bool:true");
        // MovF64, SelectDecimal, SelectStr: the value unchanged (a signalling NaN, a decimal's scale)
        is(SNAN, "mov", SNAN);
        is("dec:1.50", "select dec", "bool:true", "dec:1.50", "dec:2");
        is("dec:2", "select dec", "bool:false", "dec:1.50", "dec:2");
        is("str:\"b\"", "select str", "bool:false", "str:\"a\"", "str:\"b\"");
        // TupleGet/TupleLen, StructGet/StructFieldCount (aggregates.rs: the element at the index, the
        // count); past the end or another kind is AggError
        is(NEG_ZERO, "tuple.get 1", "tuple(i64:1, " + NEG_ZERO + ")");
        is("agg_error", "tuple.get 1", "tuple(i64:1)");
        is("agg_error", "tuple.get 1", "array#0(i64:1, i64:2)");
        is("u64:2", "tuple.len", "tuple(i64:1, " + NEG_ZERO + ")");
        is("agg_error", "tuple.len", "struct#0(i64:1, i64:2)");
        is(I64_MIN, "struct.get 1", "struct#0(i64:1, " + I64_MIN + ")");
        is("agg_error", "struct.get 1", "struct#0(i64:1)");
        is("agg_error", "struct.get 1", "tuple(i64:1, i64:2)");
        is("u64:2", "struct.field_count", "struct#0(i64:1, i64:2)");
        is("agg_error", "struct.field_count", "array#0(i64:1, i64:2)");
        runAll();
    }

    @Test
    void trapCodesAreUnsigned32Bit() {
        // Trap { code }: TrapCode(u32), at the trap's pc, after its fuel
        is("trap_code(0)", "trap 0", "i64:1");
        is("trap_code(2147483648)", "trap 2^31", "i64:1");
        is("trap_code(4294967295)", "trap max", "i64:1");
        runAll();
    }

    @Test
    void arrays() {
        // ArrayGet: index = usize::try_from(u64) (no sign: a u64 register), agg.array_get(h, ix) else
        // AggError; ArrayGetImm: the u32 immediate; ArrayLen: the element count as u64
        String xs = "array#0(i64:10, i64:20, i64:30)";
        is("i64:30", "array.get", xs, "u64:2");
        is("agg_error", "array.get", xs, "u64:3");
        is("agg_error", "array.get", xs, U64_MAX);
        is("agg_error", "array.get", xs, TWO_63);
        is("agg_error", "array.get", "array#0()", "u64:0");
        // indexes past 2^32 are not taken modulo 2^32 (usize::try_from keeps them whole)
        is("agg_error", "array.get", xs, "u64:4294967296");
        is("agg_error", "array.get", xs, "u64:4294967297");
        is("agg_error", "array.get", xs, "u64:18446744069414584322");
        is("i64:30", "array.get_imm 2", xs);
        is("agg_error", "array.get_imm 2", "array#0(i64:1, i64:2)");
        is("u64:3", "array.len", xs);
        is("u64:0", "array.len", "array#0()");
        // the u32 immediate is unsigned: 2^31 and 2^32-1 are large indexes, not negative ones
        is("agg_error", "array.get_imm 2^31", xs);
        is("agg_error", "array.get_imm max", xs);
        is("index_out_of_bounds", "bytes.get_imm 2^31", "bytes:00");
        runAll();
    }
}
