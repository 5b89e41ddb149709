package dev.tape.conformance;

import dev.tape.format.ByteWriter;
import dev.tape.host.ConformanceHost;
import dev.tape.jit.Jit;
import dev.tape.program.HostSig;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ValueType;
import dev.tape.verify.VerifiedProgram;
import dev.tape.vm.Limits;
import dev.tape.vm.Vm;
import dev.tape.vm.VmOptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One program per error the reference can return before a run, read off its source
 * ({@code program.rs}'s {@code decode_current} and the section decoders it calls, and
 * {@code verifier.rs}'s {@code verify_program_owned}, {@code verify_function_container},
 * {@code verify_id_operands_in_bounds} and the bytecode checks), each loaded through the
 * conformance runner on both tiers and expected to be refused at the reference's stage; where the
 * rule is a boundary, the program one step inside it is expected to load and run. The stages come
 * from the reference's source, not from this implementation's output.
 */
class ReferenceRefusalStagesTest {
    @TempDir
    Path dir;

    /** A {@code .tape} file built from section payloads given as hex; the minimal program by default. */
    static final class P {
        String symbols = "01 00";
        String consts = "00";
        String types = "00 00 00";
        String code = "51 00 00";
        String spans = "01 00";
        String funcs = "01 00 00 01 00 00";
        String sigs = "01 00 00 00 00";
        String hosts = "00";
        final List<String> extra = new ArrayList<>();
        List<String> args = List.of();

        P symbols(String s) { symbols = s; return this; }
        P consts(String s) { consts = s; return this; }
        P types(String s) { types = s; return this; }
        P code(String s) { code = s; return this; }
        P funcs(String s) { funcs = s; return this; }
        P sigs(String s) { sigs = s; return this; }
        P hosts(String s) { hosts = s; return this; }
        P args(String... a) { args = List.of(a); return this; }
        P section(int tag, String payload) { extra.add(framed(tag, payload)); return this; }

        byte[] bytes() {
            byte[] c = hex(code);
            String blobs = "01 " + uleb(c.length) + " " + code;
            StringBuilder b = new StringBuilder("45 58 54 41 50 45 00 00 00 00 01 00");
            for (String s : List.of(framed(1, symbols), framed(2, consts), framed(3, types), framed(5, blobs),
                    framed(6, spans), framed(4, funcs), framed(7, sigs), framed(8, hosts))) {
                b.append(' ').append(s);
            }
            for (String s : extra) {
                b.append(' ').append(s);
            }
            return hex(b.toString());
        }

        @Override
        public String toString() {
            return "code " + code;
        }
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    static String uleb(long v) {
        ByteWriter w = new ByteWriter();
        w.uleb(v);
        return HexFormat.ofDelimiter(" ").formatHex(w.toByteArray());
    }

    static String framed(int tag, String payload) {
        byte[] p = hex(payload);
        return String.format("%02x ", tag) + uleb(p.length) + (p.length == 0 ? "" : " " + payload);
    }

    /** @return the 8 bytes of {@code v}, little-endian, as hex */
    static String u64le(long v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            b.append(String.format("%02x ", (v >>> 8 * i) & 0xff));
        }
        return b.toString().trim();
    }

    /** the host signature table entry {@code symbol} () -> () with the canonical hash */
    static String host(int symbol) {
        return "01 " + uleb(symbol) + " " + u64le(HostSig.hash(List.of(), List.of())) + " 00 00";
    }

    /** symbols 0 (""), 1 ("a"), 2 ("b") */
    static final String ABC = "03 00 01 61 01 62";
    /** one field name "x"; one struct {x: i64}; one array element type i64 */
    static final String ONE_STRUCT = "01 01 78 01 01 00 02 01 02";
    /** two functions sharing blob 0: f0 () -> (), and f1 (agg) -> () with 2 registers */
    static final String TWO_FUNCS = "02 00 00 01 00 00 01 00 02 00 00";
    static final String TWO_SIGS = "02 00 00 00 00 01 09 00 00 00";

    static P p() {
        return new P();
    }

    static P twoFuncs() {
        return p().funcs(TWO_FUNCS).sigs(TWO_SIGS).types(ONE_STRUCT);
    }

    static Arguments decode(String rule, P p) {
        return Arguments.of(rule, p, "decode");
    }

    static Arguments verify(String rule, P p) {
        return Arguments.of(rule, p, "verify");
    }

    static Arguments accept(String rule, P p) {
        return Arguments.of(rule, p, "accept");
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                accept("the minimal program", p()),
                // program.rs decode_current: the function table's indices and the signature count
                decode("bytecode_index out of range (bytecode_ranges.get)", p().funcs("01 00 00 01 01 00")),
                decode("span_index out of range (span_ranges.get)", p().funcs("01 00 00 01 00 01")),
                decode("function_sigs count above the table's", p().sigs("02 00 00 00 00 00 00 00 00")),
                decode("function_sigs count below the table's", p().sigs("00")),
                // decode_function_sigs and decode_value_type
                decode("has_arg_names 2", p().sigs("01 00 02 00 00")),
                decode("has_ret_names 2", p().sigs("01 00 00 00 02")),
                decode("value type tag 12", p().funcs("01 01 00 02 00 00").sigs("01 01 0c 00 00 00")),
                decode("constant tag 8", p().consts("01 08")),
                // value_name_ids: a non-zero name id at or past the symbol count
                decode("argument name symbol id = symbol count", p().symbols(ABC).funcs("01 01 00 02 00 00")
                        .sigs("01 01 02 01 03 00 00")),
                accept("argument name symbol id = symbol count - 1", p().symbols(ABC).funcs("01 01 00 02 00 00")
                        .sigs("01 01 02 01 02 00 00").args("i64:1")),
                // decode_host_sigs: read_uleb128_u32_nz
                decode("host signature symbol 0", p().hosts("01 00 " + u64le(HostSig.hash(List.of(), List.of()))
                        + " 00 00")),
                // decode_types: field name id out of range
                decode("struct field name id out of range", p().types("00 01 01 00 02 00")),
                // the argument-shape section and the checks after packing
                decode("argument shape of function id = function count", twoFuncs().section(11, "01 02 00 01 00")),
                decode("argument shape of argument = arg_count", twoFuncs().section(11, "01 01 01 01 00")),
                decode("argument shape tag 4", twoFuncs().section(11, "01 01 00 04")),
                decode("argument shape tuple has_type 2", twoFuncs().section(11, "01 01 00 01 01 02")),
                decode("argument shape section with bytes after the last entry",
                        twoFuncs().section(11, "01 01 00 01 00 00")),
                accept("argument shape of f1's argument 0, a tuple", twoFuncs().section(11, "01 01 00 01 00")),
                // names: function ids, label pcs and symbols checked at decode
                decode("function name of function id = function count", p().symbols(ABC).section(9, "00 01 01 01 00")),
                decode("label pc past the end of the code", p().symbols(ABC).section(9, "00 00 01 00 04 01")),
                accept("label pc at the end of the code", p().symbols(ABC).section(9, "00 00 01 00 03 01")),
                decode("names: has_program_name 2", p().symbols(ABC).section(9, "02 01 00 00")),
                decode("names: bytes after the last label", p().symbols(ABC).section(9, "00 00 00 00")),
                decode("function name symbol 0", p().symbols(ABC).section(9, "00 01 00 00 00")),
                decode("label name symbol 0", p().symbols(ABC).section(9, "00 00 01 00 00 00")),
                accept("a program name, a function name and a label", p().symbols(ABC)
                        .section(9, "01 01 01 00 02 01 00 00 01")),
                decode("program name symbol 0", p().symbols(ABC).section(9, "01 00 00 00")),
                decode("program name symbol = symbol count", p().symbols(ABC).section(9, "01 03 00 00")),
                // verifier.rs verify_host_sigs
                verify("HostSigMalformed: host symbol = symbol count", p().symbols(ABC).hosts(host(3))),
                accept("host symbol = symbol count - 1", p().symbols(ABC).hosts(host(2))),
                verify("HostSigHashMismatch", p().symbols(ABC).hosts("01 01 " + u64le(
                        HostSig.hash(List.of(), List.of()) ^ 1) + " 00 00")),
                // verify_function_value_names
                verify("FunctionInputNameDuplicate", p().symbols(ABC).funcs("01 02 00 03 00 00")
                        .sigs("01 02 02 02 01 01 01 00 00")),
                verify("FunctionOutputNameDuplicate", p().symbols(ABC).funcs("01 00 02 01 00 00")
                        .sigs("01 00 00 02 02 02 01 01 01")),
                // symbol 1 empty: decode_symbols keeps it, verify_function_value_names refuses it as a name
                verify("FunctionInputNameEmpty", p().symbols("02 00 00").funcs("01 01 00 02 00 00")
                        .sigs("01 01 02 01 01 00 00")),
                verify("FunctionOutputNameEmpty", p().symbols("02 00 00").funcs("01 00 01 02 00 00")
                        .sigs("01 00 00 01 02 01 01").code("12 01 00 51 00 01 01")),
                // verify_function_arg_agg_shapes
                verify("FunctionArgAggShapeDuplicate", twoFuncs().section(11, "02 01 00 01 00 01 00 01 00")),
                verify("FunctionArgAggShapeOnNonAggArg", twoFuncs().sigs("02 00 00 00 00 01 02 00 00 00")
                        .section(11, "01 01 00 01 00")),
                verify("FunctionArgAggShapeStructTypeOutOfBounds", twoFuncs().section(11, "01 01 00 02 01")),
                accept("argument shape struct type 0 of 1", twoFuncs().section(11, "01 01 00 02 00")),
                verify("FunctionArgAggShapeArrayElemTypeOutOfBounds", twoFuncs().section(11, "01 01 00 03 01")),
                accept("argument shape array element type 0 of 1", twoFuncs().section(11, "01 01 00 03 00")),
                // verify_function_container
                verify("RegCountTooLarge: 65,537", p().funcs("01 00 00 " + uleb(65_537) + " 00 00")),
                accept("reg_count 65,536", p().funcs("01 00 00 " + uleb(65_536) + " 00 00")),
                verify("FunctionSigCountMismatch: arg_count", p().funcs("01 01 00 02 00 00")),
                verify("FunctionSigCountMismatch: ret_count", p().funcs("01 00 01 02 00 00")),
                verify("ArgCountExceedsRegs: reg_count 0", p().funcs("01 00 00 00 00 00")),
                verify("BytecodeDecode: opcode 0xff", p().code("ff")),
                verify("BytecodeDecode: truncated operand", p().code("51 00")),
                // verify_id_operands_in_bounds
                verify("ConstOutOfBounds", p().funcs("01 00 00 02 00 00").code("16 01 00 51 00 00")),
                accept("const.pool 0 of 1", p().consts("01 00").funcs("01 00 00 02 00 00").code("16 01 00 51 00 00")),
                verify("HostSigOutOfBounds", p().code("52 00 00 00 00 00 51 00 00")),
                accept("host_call of host signature 0 of 1, never run", p().symbols(ABC).hosts(host(1))
                        .code("41 0b 52 00 00 00 00 00 51 00 00 51 00 00")),
                verify("StructTypeOutOfBounds", p().funcs("01 00 00 02 00 00").code("62 01 00 00 51 00 00")),
                verify("ArrayElemTypeOutOfBounds", p().funcs("01 00 00 02 00 00").code("64 01 00 00 51 00 00")),
                accept("array.new of element type 0 of 1", p().types(ONE_STRUCT).funcs("01 00 00 02 00 00")
                        .code("64 01 00 00 51 00 00")),
                verify("FuncIdOutOfBounds", p().funcs("01 00 00 02 00 00").code("53 01 01 51 00 00")),
                accept("const.func 0 of 1", p().funcs("01 00 00 02 00 00").code("53 01 00 51 00 00")),
                verify("CallSigOutOfBounds", p().funcs("01 00 00 02 00 00").code("53 01 00 54 00 00 01 00 00 00 51 00 00")),
                // the bytecode checks
                verify("InvalidJumpTarget: target = code length", p().code("41 05 51 00 00")),
                verify("InvalidJumpTarget: not an instruction boundary", p().code("41 03 51 00 00")),
                accept("jmp to the last instruction", p().code("41 02 51 00 00")),
                verify("EffectInNotR0", p().funcs("01 00 00 02 00 00").code("51 01 00")),
                verify("EffectOutNotR0", p().funcs("01 00 00 02 00 00").code("50 01 00 00 00 00 51 00 00")),
                verify("RegOutOfBounds", p().code("12 01 00 51 00 00")),
                accept("register reg_count - 1", p().funcs("01 00 00 02 00 00").code("12 01 00 51 00 00")),
                verify("UninitializedRead", p().funcs("01 00 01 02 00 00").sigs("01 00 00 01 02 00")
                        .code("51 00 01 01")),
                verify("CallArityMismatch", p().funcs("01 00 00 02 00 00").code("12 01 07 50 00 00 00 01 01 00 51 00 00")),
                verify("ReturnArityMismatch", p().funcs("01 00 00 02 00 00").code("12 01 07 51 00 01 01")),
                verify("HostCallArityMismatch", p().symbols(ABC).hosts(host(1)).funcs("01 00 00 02 00 00")
                        .code("12 01 07 52 00 00 00 01 01 00 51 00 00")),
                verify("StructArityMismatch", p().types(ONE_STRUCT).funcs("01 00 00 02 00 00")
                        .code("62 01 00 00 51 00 00")),
                verify("TupleIndexOutOfBounds", p().funcs("01 00 00 03 00 00").code("60 01 00 61 02 01 00 51 00 00")),
                verify("StructFieldIndexOutOfBounds", p().types(ONE_STRUCT).funcs("01 00 00 04 00 00")
                        .code("12 01 07 62 02 00 01 01 63 03 02 01 51 00 00")),
                accept("struct.get of field 0 of 1", p().types(ONE_STRUCT).funcs("01 00 00 04 00 00")
                        .code("12 01 07 62 02 00 01 01 63 03 02 00 51 00 00")),
                verify("AggKindMismatch", p().funcs("01 00 00 03 00 00").code("60 01 00 63 02 01 00 51 00 00")),
                verify("TypeMismatch", p().funcs("01 00 00 03 00 00").code("11 01 01 20 02 01 01 51 00 00")),
                // a register i64 on one path and bool on the other: ambiguous where they merge, read
                // or not (verify_function_bytecode checks every reachable block's in and out types)
                verify("UnstableRegType: merged, never read", p().funcs("01 00 00 03 00 00")
                        .code("11 01 01 40 01 07 0c 12 02 01 41 11 11 02 01 41 11 51 00 00")),
                verify("UnstableRegType: merged and read", p().funcs("01 00 00 04 00 00")
                        .code("11 01 01 40 01 07 0c 12 02 01 41 11 11 02 01 41 11 01 03 02 51 00 00")),
                // ... and on two paths that never merge: one register, one type (reg_types)
                verify("UnstableRegTypeAt: two types on paths that never merge", p().funcs("01 00 00 03 00 00")
                        .code("11 01 01 40 01 07 0d 12 02 01 51 00 00 11 02 01 51 00 00")),
                accept("one type on both paths", p().funcs("01 00 00 03 00 00")
                        .code("11 01 01 40 01 07 0d 12 02 01 51 00 00 12 02 02 51 00 00")),
                // validate_instr_types: operand types against each instruction's and signature's
                verify("TypeMismatch: br on an i64", p().funcs("01 00 00 02 00 00").code("12 01 01 40 01 07 07 51 00 00")),
                accept("br on a bool", p().funcs("01 00 00 02 00 00").code("11 01 01 40 01 07 07 51 00 00")),
                verify("TypeMismatch: ret of a bool for an i64", p().funcs("01 00 01 02 00 00")
                        .sigs("01 00 00 01 02 00").code("11 01 01 51 00 01 01")),
                verify("TypeMismatch: select of a bool and an i64", p().funcs("01 00 00 05 00 00")
                        .code("11 01 01 12 02 01 11 03 00 38 04 01 02 03 51 00 00")),
                accept("select of two i64", p().funcs("01 00 00 05 00 00")
                        .code("11 01 01 12 02 01 12 03 00 38 04 01 02 03 51 00 00")),
                verify("TypeMismatch: call.indirect of an i64 callee", p().funcs("01 00 00 02 00 00")
                        .section(10, "01 00 00").code("12 01 00 54 00 00 01 00 00 00 51 00 00")),
                // unreachable code: jump targets (build_basic_blocks) and registers (the lowering's
                // map) are checked for every instruction, reachable or not
                verify("InvalidJumpTarget in unreachable code", p().code("41 04 41 7f 51 00 00")),
                verify("RegOutOfBounds in unreachable code", p().code("41 08 12 05 00 51 00 00 51 00 00")),
                verify("MissingTerminator", p().funcs("01 00 00 02 00 00").code("10 01")));
    }

    /** one host signature: {@code symbol} with the given argument and result types, hashed canonically */
    static String host(int symbol, List<ValueType> args, List<ValueType> rets, String argHex, String retHex) {
        return "01 " + uleb(symbol) + " " + u64le(HostSig.hash(args, rets)) + " " + argHex + " " + retHex;
    }

    /**
     * Programs the reference decodes and verifies (no rule of program.rs or verifier.rs refuses
     * them) that no run can start in: each must decode and verify here, and load on both tiers.
     */
    static Stream<Arguments> loads() {
        String i64 = "01 02";
        return Stream.of(
                Arguments.of("no functions", p().funcs("00").sigs("00")),
                Arguments.of("a struct with two fields of the same name", p().types("01 01 78 01 02 00 02 00 02 00")),
                Arguments.of("a struct with no fields, an array of closures", p().types("00 01 00 01 0b")),
                Arguments.of("a decimal constant of scale 255", p().consts("01 05 7f ff")),
                Arguments.of("two host signatures, same symbol and types", p().symbols(ABC).hosts(
                        "02 01 " + u64le(HostSig.hash(List.of(), List.of())) + " 00 00 01 "
                                + u64le(HostSig.hash(List.of(), List.of())) + " 00 00")),
                Arguments.of("two host signatures, same symbol, different types", p().symbols(ABC).hosts(
                        "02 01 " + u64le(HostSig.hash(List.of(), List.of())) + " 00 00 01 "
                                + u64le(HostSig.hash(List.of(ValueType.I64), List.of())) + " " + i64 + " 00")),
                Arguments.of("a host signature whose symbol is empty (verify_host_sigs checks its index only)",
                        p().symbols("02 00 00").hosts(host(1))),
                Arguments.of("a host signature of an obj argument", p().symbols(ABC).hosts(host(1,
                        List.of(ValueType.obj(7)), List.of(), "01 08 07 00 00 00 00 00 00 00", "00"))),
                Arguments.of("two names for one function, one name for two labels at one pc", p().symbols(ABC)
                        .section(9, "01 01 02 00 01 00 02 02 00 00 01 00 00 01")),
                Arguments.of("an argument and a result with the same name", p().symbols(ABC)
                        .funcs("01 01 01 02 00 00").sigs("01 01 02 01 01 01 02 01 01").code("51 00 01 01")),
                Arguments.of("a call signature no instruction uses", p().section(10, "01 01 0b 01 08 00 00 00 00 00 00 00 00")),
                Arguments.of("a function of obj and closure arguments, never called", twoFuncs()
                        .funcs("02 00 00 01 00 00 02 00 03 00 00")
                        .sigs("02 00 00 00 00 02 08 ff ff ff ff ff ff ff ff 0b 00 00 00")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("loads")
    void acceptedAsTheReferenceAccepts(String rule, P program) throws Exception {
        VerifiedProgram vp = ConformanceRunner.REFERENCE_VERIFIER.check(ProgramDecoder.decode(program.bytes()));
        VmOptions lazy = VmOptions.DEFAULT.withLazyLinking(true);
        assertNotNull(new Vm(vp, new ConformanceHost(), lazy), rule);
        assertNotNull(Jit.compile(vp, new ConformanceHost(), lazy), rule);
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("cases")
    void refusedAtTheReferencesStage(String rule, P program, String stage) throws Exception {
        Files.write(dir.resolve("p.tape"), program.bytes());
        ConformanceCase.Expect expect = stage.equals("accept")
                ? new ConformanceCase.Expect(List.of(), null, 0, 0, null, null, null)
                : new ConformanceCase.Expect(null, null, 0, 0, null, stage, rule);
        ConformanceCase c = new ConformanceCase(rule, "p.tape", 0, program.args, Limits.DEFAULT, expect);
        for (boolean compiled : new boolean[] {false, true}) {
            ConformanceResult r = ConformanceRunner.run(dir, c, compiled);
            assertTrue(r.passed(), (compiled ? "compiled: " : "interpreter: ") + rule + ": " + r.mismatch()
                    + "; got " + r.actual());
        }
    }
}
