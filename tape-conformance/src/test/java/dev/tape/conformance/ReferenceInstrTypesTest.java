package dev.tape.conformance;

import dev.tape.asm.Assembler;
import dev.tape.format.Access;
import dev.tape.format.Opcode;
import dev.tape.format.Operand;
import dev.tape.format.OperandClass;
import dev.tape.format.OperandKind;
import dev.tape.host.ConformanceHost;
import dev.tape.jit.Jit;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.VerifyException;
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
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reference's per-instruction type rules, opcode by opcode, read off its source
 * ({@code verifier.rs} at 2ac7ea5: {@code validate_instr_types} with {@code check_expected} and
 * {@code check_assignable}, {@code transfer_types}, {@code compute_must_types} with
 * {@code meet_value} and {@code meet_agg} over {@code dataflow::solve_forward}, then
 * {@code verify_function_bytecode}'s checks of every reachable block's in and out types
 * ({@code UnstableRegType}) and of one type per register ({@code UnstableRegTypeAt})). Each case
 * is a small program with the decision the reference makes (accepted, or the name of the
 * {@code VerifyError} it returns first), checked against the conformance runner's verifier, and
 * loaded on both tiers (accepted) or refused at verification by the runner on both tiers.
 *
 * <p>Every opcode whose register operands all have one fixed class in the opcode table is
 * generated: its operands of the right types (accepted), each read operand of another type
 * ({@code TypeMismatch}), the first read operand of a type that differs between the paths into
 * its block ({@code UnknownTypeAtUse}), and the result written to an argument register of another
 * type ({@code UnstableRegTypeAt}). The other opcodes ({@code mov}, {@code select}, calls,
 * {@code ret}, aggregates, {@code const.pool}) and the joins have cases written out.
 */
class ReferenceInstrTypesTest {
    @TempDir
    Path dir;

    static final String ACCEPT = "accept";

    static String typeName(OperandClass c) {
        return c == OperandClass.DEC ? "dec" : c.name().toLowerCase(Locale.ROOT);
    }

    /** a fixed class other than {@code c} */
    static OperandClass other(OperandClass c) {
        return c == OperandClass.I64 ? OperandClass.U64 : OperandClass.I64;
    }

    /** whether the generator can write {@code op}: fixed-class registers and plain immediates only */
    static boolean plain(Opcode op) {
        boolean anyReg = false;
        for (Operand o : op.operands()) {
            switch (o.kind()) {
                case REG -> {
                    if (!o.regClass().isFixed() || o.regClass() == OperandClass.OBJ) {
                        return false;
                    }
                    anyReg = true;
                }
                case IMM_BOOL, IMM_I64, IMM_U64, IMM_U8, IMM_U32 -> {
                    // written as 0 or true
                }
                default -> {
                    return false;
                }
            }
        }
        return anyReg;
    }

    /**
     * One instruction of {@code op}: its read operands r{@code readBase}, r{@code readBase}+1, ...
     * in encoding order, its result r{@code dst}.
     */
    static String instr(Opcode op, int dst, int[] reads) {
        StringBuilder b = new StringBuilder(op.mnemonic());
        int k = 0;
        String sep = " ";
        for (Operand o : op.operands()) {
            b.append(sep);
            sep = ", ";
            if (o.kind() == OperandKind.REG) {
                b.append('r').append(o.access() == Access.WRITE ? dst : reads[k++]);
            } else {
                b.append(o.kind() == OperandKind.IMM_BOOL ? "true" : "0");
            }
        }
        return b.toString();
    }

    static List<OperandClass> readClasses(Opcode op) {
        List<OperandClass> out = new ArrayList<>();
        for (Operand o : op.operands()) {
            if (o.kind() == OperandKind.REG && o.access() == Access.READ) {
                out.add(o.regClass());
            }
        }
        return out;
    }

    static OperandClass writeClass(Opcode op) {
        for (Operand o : op.operands()) {
            if (o.kind() == OperandKind.REG && o.access() == Access.WRITE) {
                return o.regClass();
            }
        }
        throw new AssertionError(op + " writes no register");
    }

    static String params(List<OperandClass> types) {
        StringBuilder b = new StringBuilder();
        for (OperandClass c : types) {
            b.append(b.isEmpty() ? "" : ", ").append(typeName(c));
        }
        return b.toString();
    }

    static int[] seq(int from, int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = from + i;
        }
        return r;
    }

    static Arguments c(String group, String rule, String expected, String source) {
        return Arguments.of(group + ": " + rule, expected, source);
    }

    static Stream<Arguments> generated() {
        List<Arguments> out = new ArrayList<>();
        for (Opcode op : Opcode.values()) {
            if (!plain(op)) {
                continue;
            }
            List<OperandClass> reads = readClasses(op);
            int n = reads.size();
            OperandClass w = writeClass(op);
            String m = op.mnemonic();
            out.add(c(m, "operands of the table's types", ACCEPT, "func main(" + params(reads) + ") {\n    "
                    + instr(op, n + 1, seq(1, n)) + "\n    ret r0, []\n}\n"));
            for (int k = 0; k < n; k++) {
                List<OperandClass> wrong = new ArrayList<>(reads);
                wrong.set(k, other(reads.get(k)));
                out.add(c(m, "read operand " + k + " of type " + typeName(wrong.get(k)), "TypeMismatch",
                        "func main(" + params(wrong) + ") {\n    " + instr(op, n + 1, seq(1, n))
                                + "\n    ret r0, []\n}\n"));
            }
            List<OperandClass> withDst = new ArrayList<>(reads);
            withDst.add(other(w));
            out.add(c(m, "result into an argument of type " + typeName(other(w)), "UnstableRegTypeAt",
                    "func main(" + params(withDst) + ") {\n    " + instr(op, n + 1, seq(1, n))
                            + "\n    ret r0, []\n}\n"));
            // unreachable code: typed only by the lowering's register map (verify_function_bytecode:
            // map_i64 and so on), where a register never written in reachable code is unit
            List<OperandClass> un = new ArrayList<>(reads);
            un.add(w);
            out.add(c(m, "unreachable, operands and result arguments of the table's types", ACCEPT,
                    "func main(" + params(un) + ") {\n    ret r0, []\n    " + instr(op, n + 1, seq(1, n))
                            + "\n    ret r0, []\n}\n"));
            out.add(c(m, "unreachable, result into a register never written (unit)",
                    w == OperandClass.UNIT ? ACCEPT : "UnstableRegTypeAt",
                    "func main(" + params(reads) + ") {\n    ret r0, []\n    " + instr(op, n + 1, seq(1, n))
                            + "\n    ret r0, []\n}\n"));
            for (int k = 0; k < n; k++) {
                List<OperandClass> wrong = new ArrayList<>(un);
                wrong.set(k, other(reads.get(k)));
                out.add(c(m, "unreachable, read operand " + k + " an argument of type " + typeName(wrong.get(k)),
                        "UnstableRegTypeAt", "func main(" + params(wrong) + ") {\n    ret r0, []\n    "
                                + instr(op, n + 1, seq(1, n)) + "\n    ret r0, []\n}\n"));
            }
            if (n > 0) {
                // r(n+1) the condition, r(n+2) a value of another type than operand 0's,
                // r(n+3) operand 0's type on one path and the other type on the other
                List<OperandClass> ps = new ArrayList<>(reads);
                ps.add(OperandClass.BOOL);
                ps.add(other(reads.get(0)));
                int[] rs = seq(1, n);
                rs[0] = n + 3;
                out.add(c(m, "read operand 0 of a type that differs between paths", "UnknownTypeAtUse",
                        "func main(" + params(ps) + ") {\n    br r" + (n + 1) + ", a, b\na:\n    mov r" + (n + 3)
                                + ", r1\n    jmp j\nb:\n    mov r" + (n + 3) + ", r" + (n + 2) + "\n    jmp j\nj:\n    "
                                + instr(op, n + 4, rs) + "\n    ret r0, []\n}\n"));
            }
        }
        return out.stream();
    }

    static final String TWO_PATHS = "    br r1, a, b\na:\n";

    /** Written cases: moves, constants, the effect register and select. */
    static Stream<Arguments> moves() {
        return Stream.of(
                // mov: no check of its own (validate_instr_types), the source's type and shape copied
                // (transfer_types copy_reg)
                c("mov", "an i64 into an unwritten register, read as i64", ACCEPT,
                        "func main(i64) -> (i64) {\n    mov r2, r1\n    ret r0, [r2]\n}\n"),
                c("mov", "an i64 into a bool argument", "UnstableRegTypeAt",
                        "func main(i64, bool) {\n    mov r2, r1\n    ret r0, []\n}\n"),
                c("mov", "an i64, read as bool", "TypeMismatch",
                        "func main(i64) {\n    mov r2, r1\n    bool.not r3, r2\n    ret r0, []\n}\n"),
                c("mov", "the effect register r0 (unit) into a register never read", ACCEPT,
                        "func main() {\n    mov r1, r0\n    ret r0, []\n}\n"),
                c("mov", "a register to itself", ACCEPT, "func main(str) {\n    mov r1, r1\n    ret r0, []\n}\n"),
                c("mov", "of a register whose type differs between paths, never read", "UnstableRegType",
                        "func main(bool, i64, u64) {\n" + TWO_PATHS + "    mov r4, r2\n    jmp j\nb:\n    mov r4, r3\n"
                                + "    jmp j\nj:\n    mov r5, r4\n    ret r0, []\n}\n"),
                c("mov", "a shaped tuple, read through the copy", ACCEPT,
                        "func main(t: agg tuple(i64)) -> (i64) {\n    mov r2, r1\n    tuple.get r3, r2, 0\n"
                                + "    ret r0, [r3]\n}\n"),
                // const.pool: the constant's type (transfer_types const_value_type)
                c("const.pool", "a str constant into an unwritten register, read as str", ACCEPT,
                        "func main() -> (u64) {\n    const.pool r1, str:\"ab\"\n    str.len r2, r1\n    ret r0, [r2]\n}\n"),
                c("const.pool", "a str constant into an i64 argument", "UnstableRegTypeAt",
                        "func main(i64) {\n    const.pool r1, str:\"ab\"\n    ret r0, []\n}\n"),
                c("const.pool", "a bytes constant read as str", "TypeMismatch",
                        "func main() {\n    const.pool r1, bytes:00\n    str.len r2, r1\n    ret r0, []\n}\n"),
                c("const.f64", "into a u64 argument", "UnstableRegTypeAt",
                        "func main(u64) {\n    const.f64 r1, 1.5\n    ret r0, []\n}\n"),
                c("const.func", "read as closure", "TypeMismatch",
                        "callsig s = () -> ()\nfunc main() {\n    const.func r1, main\n    closure.new r2, r1, r1\n"
                                + "    ret r0, []\n}\n"),
                // the effect register: r0 is unit for the whole function (reg_types[0])
                c("r0", "const.unit into r0", ACCEPT, "func main() {\n    const.unit r0\n    ret r0, []\n}\n"),
                c("r0", "const.i64 into r0", "UnstableRegTypeAt", "func main() {\n    const.i64 r0, 1\n    ret r0, []\n}\n"),
                c("r0", "r0 as an i64 operand", "TypeMismatch", "func main() {\n    i64.add r1, r0, r0\n    ret r0, []\n}\n"),
                c("r0", "r0 as a unit result of ret", ACCEPT, "func main() -> (unit) {\n    ret r0, [r0]\n}\n"),
                c("r0", "r0 as a tuple element", ACCEPT, "func main() {\n    tuple.new r1, [r0]\n    ret r0, []\n}\n"),
                // select: cond bool, then both operands initialised, ambiguity, equal types
                c("select", "two i64", ACCEPT,
                        "func main(bool, i64, i64) -> (i64) {\n    select r4, r1, r2, r3\n    ret r0, [r4]\n}\n"),
                c("select", "two aggregates", ACCEPT,
                        "func main(bool, agg, agg) {\n    select r4, r1, r2, r3\n    ret r0, []\n}\n"),
                c("select", "two obj of one host type", ACCEPT,
                        "func main(bool, obj<1>, obj<1>) {\n    select r4, r1, r2, r3\n    ret r0, []\n}\n"),
                c("select", "obj of two host types", "TypeMismatch",
                        "func main(bool, obj<1>, obj<2>) {\n    select r4, r1, r2, r3\n    ret r0, []\n}\n"),
                c("select", "a func and a closure", "TypeMismatch",
                        "func main(bool, func, closure) {\n    select r4, r1, r2, r3\n    ret r0, []\n}\n"),
                c("select", "a u64 condition", "TypeMismatch",
                        "func main(u64, i64, i64) {\n    select r4, r1, r2, r3\n    ret r0, []\n}\n"),
                c("select", "an i64 and a bool", "TypeMismatch",
                        "func main(bool, i64, bool) {\n    select r4, r1, r2, r3\n    ret r0, []\n}\n"),
                c("select", "result into an argument of another type", "UnstableRegTypeAt",
                        "func main(bool, i64, i64, u64) {\n    select r4, r1, r2, r3\n    ret r0, []\n}\n"),
                c("select", "operand a of a type that differs between paths", "UnknownTypeAtUse",
                        "func main(bool, i64, u64) {\n" + TWO_PATHS + "    mov r4, r2\n    jmp j\nb:\n    mov r4, r3\n"
                                + "    jmp j\nj:\n    select r5, r1, r2, r4\n    ret r0, []\n}\n"),
                c("select", "both operands of a type that differs between paths", "UnknownTypeAtSelect",
                        "func main(bool, i64, u64) {\n" + TWO_PATHS + "    mov r4, r2\n    jmp j\nb:\n    mov r4, r3\n"
                                + "    jmp j\nj:\n    select r5, r1, r4, r4\n    ret r0, []\n}\n"),
                c("select", "the result read as the operands' type", ACCEPT,
                        "func main(bool, i64, i64) -> (i64) {\n    select r4, r1, r2, r3\n    i64.add r5, r4, r4\n"
                                + "    ret r0, [r5]\n}\n"),
                c("br", "a condition of a type that differs between paths", "UnknownTypeAtUse",
                        "func main(bool, bool, u64) {\n" + TWO_PATHS + "    mov r4, r2\n    jmp j\nb:\n    mov r4, r3\n"
                                + "    jmp j\nj:\n    br r4, j2, j2\nj2:\n    ret r0, []\n}\n"));
    }

    /** Written cases: calls, returns, host calls and call.indirect. */
    static Stream<Arguments> calls() {
        return Stream.of(
                // call: args check_expected, rets check_assignable, results typed by the callee
                c("call", "arguments and results of the callee's types", ACCEPT,
                        "func main(i64) -> (bool) {\n    call r0, f, r0, [r1] -> [r2]\n    ret r0, [r2]\n}\n"
                                + "func f(i64) -> (bool) {\n    i64.eq r2, r1, r1\n    ret r0, [r2]\n}\n"),
                c("call", "an argument of another type", "TypeMismatch",
                        "func main(u64) {\n    call r0, f, r0, [r1] -> []\n    ret r0, []\n}\n"
                                + "func f(i64) {\n    ret r0, []\n}\n"),
                c("call", "an argument of a type that differs between paths", "UnknownTypeAtUse",
                        "func main(bool, i64, u64) {\n" + TWO_PATHS + "    mov r4, r2\n    jmp j\nb:\n    mov r4, r3\n"
                                + "    jmp j\nj:\n    call r0, f, r0, [r4] -> []\n    ret r0, []\n}\n"
                                + "func f(i64) {\n    ret r0, []\n}\n"),
                c("call", "a result into a register holding another type", "TypeMismatch",
                        "func main(u64) {\n    call r0, f, r0, [] -> [r1]\n    ret r0, []\n}\n"
                                + "func f() -> (i64) {\n    const.i64 r1, 1\n    ret r0, [r1]\n}\n"),
                c("call", "a result into a register of a type that differs between paths", "UnknownTypeAtUse",
                        "func main(bool, i64, u64) {\n" + TWO_PATHS + "    mov r4, r2\n    jmp j\nb:\n    mov r4, r3\n"
                                + "    jmp j\nj:\n    call r0, f, r0, [] -> [r4]\n    ret r0, []\n}\n"
                                + "func f() -> (i64) {\n    const.i64 r1, 1\n    ret r0, [r1]\n}\n"),
                c("call", "a result into a register holding the same type", ACCEPT,
                        "func main(i64) {\n    call r0, f, r0, [] -> [r1]\n    ret r0, []\n}\n"
                                + "func f() -> (i64) {\n    const.i64 r1, 1\n    ret r0, [r1]\n}\n"),
                c("call", "a result read as another type", "TypeMismatch",
                        "func main() {\n    call r0, f, r0, [] -> [r1]\n    bool.not r2, r1\n    ret r0, []\n}\n"
                                + "func f() -> (i64) {\n    const.i64 r1, 1\n    ret r0, [r1]\n}\n"),
                c("call", "an unshaped aggregate to a shaped argument", ACCEPT,
                        "func main(agg) {\n    call r0, f, r0, [r1] -> []\n    ret r0, []\n}\n"
                                + "func f(t: agg tuple(i64)) {\n    ret r0, []\n}\n"),
                c("call", "two results into one register, of two types, never read", ACCEPT,
                        "func main() {\n    call r0, f, r0, [] -> [r1, r1]\n    ret r0, []\n}\n"
                                + "func f() -> (i64, bool) {\n    const.i64 r1, 1\n    const.bool r2, true\n"
                                + "    ret r0, [r1, r2]\n}\n"),
                // ret: check_expected against the signature's result types
                c("ret", "a result of another type", "TypeMismatch", "func main(u64) -> (i64) {\n    ret r0, [r1]\n}\n"),
                c("ret", "obj of another host type", "TypeMismatch",
                        "func main(obj<1>) -> (obj<2>) {\n    ret r0, [r1]\n}\n"),
                c("ret", "an aggregate", ACCEPT, "func main(agg) -> (agg) {\n    ret r0, [r1]\n}\n"),
                c("ret", "a result of a type that differs between paths", "UnknownTypeAtUse",
                        "func main(bool, i64, u64) -> (i64) {\n" + TWO_PATHS + "    mov r4, r2\n    jmp j\nb:\n"
                                + "    mov r4, r3\n    jmp j\nj:\n    ret r0, [r4]\n}\n"),
                // host_call: as call, against the host signature
                c("host_call", "an argument of another type", "TypeMismatch",
                        "host h = \"test.id\" (i64) -> (i64)\nfunc main(u64) {\n    host_call r0, h, r0, [r1] -> [r2]\n"
                                + "    ret r0, []\n}\n"),
                c("host_call", "an obj argument of another host type", "TypeMismatch",
                        "host h = \"test.id\" (obj<1>) -> ()\nfunc main(obj<2>) {\n    host_call r0, h, r0, [r1] -> []\n"
                                + "    ret r0, []\n}\n"),
                c("host_call", "a result into a register holding another type", "TypeMismatch",
                        "host h = \"test.id\" (i64) -> (i64)\nfunc main(i64, bool) {\n    host_call r0, h, r0, [r1] -> [r2]\n"
                                + "    ret r0, []\n}\n"),
                c("host_call", "a result read as the signature's type", ACCEPT,
                        "host h = \"test.id\" (i64) -> (i64)\nfunc main(i64) -> (i64) {\n"
                                + "    host_call r0, h, r0, [r1] -> [r2]\n    ret r0, [r2]\n}\n"),
                // call.indirect: callee func or closure, then the call signature's types
                c("call.indirect", "a func callee", ACCEPT,
                        "callsig s = (i64) -> (i64)\nfunc main(func, i64) -> (i64) {\n"
                                + "    call.indirect r0, s, r1, r0, [r2] -> [r3]\n    ret r0, [r3]\n}\n"),
                c("call.indirect", "a closure callee", ACCEPT,
                        "callsig s = (i64) -> (i64)\nfunc main(closure, i64) -> (i64) {\n"
                                + "    call.indirect r0, s, r1, r0, [r2] -> [r3]\n    ret r0, [r3]\n}\n"),
                c("call.indirect", "an agg callee", "TypeMismatch",
                        "callsig s = () -> ()\nfunc main(agg) {\n    call.indirect r0, s, r1, r0, [] -> []\n"
                                + "    ret r0, []\n}\n"),
                c("call.indirect", "a callee func on one path and closure on the other", "UnknownTypeAtUse",
                        "callsig s = () -> ()\nfunc main(bool, func, closure) {\n" + TWO_PATHS + "    mov r4, r2\n"
                                + "    jmp j\nb:\n    mov r4, r3\n    jmp j\nj:\n    call.indirect r0, s, r4, r0, [] -> []\n"
                                + "    ret r0, []\n}\n"),
                c("call.indirect", "an argument of another type", "TypeMismatch",
                        "callsig s = (i64) -> ()\nfunc main(func, bool) {\n    call.indirect r0, s, r1, r0, [r2] -> []\n"
                                + "    ret r0, []\n}\n"),
                c("call.indirect", "a result into a register holding another type", "TypeMismatch",
                        "callsig s = () -> (i64)\nfunc main(func, bool) {\n    call.indirect r0, s, r1, r0, [] -> [r2]\n"
                                + "    ret r0, []\n}\n"),
                c("call.indirect", "a result read as another type", "TypeMismatch",
                        "callsig s = () -> (i64)\nfunc main(func) {\n    call.indirect r0, s, r1, r0, [] -> [r2]\n"
                                + "    bool.not r3, r2\n    ret r0, []\n}\n"));
    }

    /** Written cases: tuples, structs and arrays. */
    static Stream<Arguments> aggregates() {
        return Stream.of(
                // tuples: element types known only where the tuple's shape is (transfer_types,
                // meet_agg: the entry block's arguments and a block's own tuple.new)
                c("tuple", "tuple.get of a tuple made in the block, read as its element's type", ACCEPT,
                        "func main(i64) -> (i64) {\n    tuple.new r2, [r1, r1]\n    tuple.get r3, r2, 1\n"
                                + "    ret r0, [r3]\n}\n"),
                c("tuple", "tuple.get read as another type", "TypeMismatch",
                        "func main(i64) {\n    tuple.new r2, [r1]\n    tuple.get r3, r2, 0\n    bool.not r4, r3\n"
                                + "    ret r0, []\n}\n"),
                c("tuple", "tuple.get past the end", "TupleIndexOutOfBounds",
                        "func main(i64) {\n    tuple.new r2, [r1]\n    tuple.get r3, r2, 1\n    ret r0, []\n}\n"),
                c("tuple", "tuple.get of an unshaped argument, never read", "UnstableRegType",
                        "func main(agg) {\n    tuple.get r2, r1, 0\n    ret r0, []\n}\n"),
                c("tuple", "tuple.get of an element of unknown type, never read", "UnstableRegType",
                        "func main(t: agg tuple(_)) {\n    tuple.get r2, r1, 0\n    ret r0, []\n}\n"),
                c("tuple", "tuple.get of a shaped argument in the entry block", ACCEPT,
                        "func main(t: agg tuple(i64)) -> (i64) {\n    tuple.get r2, r1, 0\n    ret r0, [r2]\n}\n"),
                c("tuple", "tuple.get of a shaped argument in a later block", "UnstableRegType",
                        "func main(t: agg tuple(i64)) {\n    jmp b\nb:\n    tuple.get r2, r1, 0\n    ret r0, []\n}\n"),
                c("tuple", "tuple.get of a shaped argument in a later block, result returned", "UnknownTypeAtUse",
                        "func main(t: agg tuple(i64)) -> (i64) {\n    jmp b\nb:\n    tuple.get r2, r1, 0\n"
                                + "    ret r0, [r2]\n}\n"),
                c("tuple", "entry block looped back to with the same shape", ACCEPT,
                        "func main(t: agg tuple(i64), c: bool) -> (i64) {\ntop:\n    tuple.get r3, r1, 0\n"
                                + "    br r2, body, out\nbody:\n    tuple.new r1, [r3]\n    jmp top\nout:\n    ret r0, [r3]\n}\n"),
                c("tuple", "entry block looped back to with another shape", "UnknownTypeAtUse",
                        "func main(t: agg tuple(i64), c: bool) -> (i64) {\ntop:\n    tuple.get r3, r1, 0\n"
                                + "    br r2, body, out\nbody:\n    tuple.new r1, [r3, r3]\n    jmp top\nout:\n"
                                + "    ret r0, [r3]\n}\n"),
                c("tuple", "tuple.new of an element whose type differs between paths", "UnstableRegType",
                        "func main(bool, i64, u64) {\n" + TWO_PATHS + "    mov r4, r2\n    jmp j\nb:\n    mov r4, r3\n"
                                + "    jmp j\nj:\n    tuple.new r5, [r4]\n    ret r0, []\n}\n"),
                c("tuple", "tuple.len of an unshaped argument", ACCEPT,
                        "func main(agg) -> (u64) {\n    tuple.len r2, r1\n    ret r0, [r2]\n}\n"),
                c("tuple", "tuple.len of a struct", "AggKindMismatch",
                        "struct P = { x: i64 }\nfunc main(p: agg struct P) {\n    tuple.len r2, r1\n    ret r0, []\n}\n"),
                c("tuple", "tuple.get of an array", "AggKindMismatch",
                        "array ints = i64\nfunc main(a: agg array ints) {\n    tuple.get r2, r1, 0\n    ret r0, []\n}\n"),
                c("tuple", "tuple.get of an i64", "TypeMismatch",
                        "func main(i64) {\n    tuple.get r2, r1, 0\n    ret r0, []\n}\n"),
                c("tuple", "tuple.new of functions, units and aggregates", ACCEPT,
                        "func main(func, agg) {\n    tuple.new r3, [r1, r0, r2]\n    ret r0, []\n}\n"),
                // an agg result with no shape of its own keeps the register's earlier shape
                // (transfer_types set_reg_type clears the shape only for a type other than agg)
                c("tuple", "struct.get of an agg field into a register that held a tuple(i64), then tuple.get",
                        ACCEPT, "struct P = { t: agg }\nfunc main(i64, bool) -> (i64) {\n    tuple.new r3, [r1]\n"
                                + "    tuple.new r4, [r2]\n    struct.new r5, P, [r4]\n    struct.get r3, r5, 0\n"
                                + "    tuple.get r6, r3, 0\n    ret r0, [r6]\n}\n"),
                c("tuple", "a call's agg result into a register that held a tuple(i64), then tuple.get", ACCEPT,
                        "func main(i64) -> (i64) {\n    tuple.new r2, [r1]\n    call r0, f, r0, [] -> [r2]\n"
                                + "    tuple.get r3, r2, 0\n    ret r0, [r3]\n}\n"
                                + "func f() -> (agg) {\n    tuple.new r1, []\n    ret r0, [r1]\n}\n"),
                c("tuple", "select of two unshaped tuples into a register that held a tuple(i64), then tuple.get",
                        ACCEPT, "func main(bool, agg, agg, i64) -> (i64) {\n    tuple.new r5, [r4]\n"
                                + "    select r5, r1, r2, r3\n    tuple.get r6, r5, 0\n    ret r0, [r6]\n}\n"),
                c("tuple", "select of two tuple(i64) into a fresh register, then tuple.get", "UnstableRegType",
                        "func main(bool, i64) {\n    tuple.new r3, [r2]\n    select r4, r1, r3, r3\n"
                                + "    tuple.get r5, r4, 0\n    ret r0, []\n}\n"),
                // structs: field types from the type table
                c("struct", "struct.new of the field types, struct.get read as the field's type", ACCEPT,
                        "struct P = { x: i64, y: bool }\nfunc main(i64, bool) -> (bool) {\n"
                                + "    struct.new r3, P, [r1, r2]\n    struct.get r4, r3, 1\n    ret r0, [r4]\n}\n"),
                c("struct", "struct.new of a value of another type than its field's", "TypeMismatch",
                        "struct P = { x: i64, y: bool }\nfunc main(i64, i64) {\n    struct.new r3, P, [r1, r2]\n"
                                + "    ret r0, []\n}\n"),
                c("struct", "struct.get read as another type", "TypeMismatch",
                        "struct P = { x: i64 }\nfunc main(p: agg struct P) {\n    struct.get r2, r1, 0\n"
                                + "    bool.not r3, r2\n    ret r0, []\n}\n"),
                c("struct", "struct.get past the last field", "StructFieldIndexOutOfBounds",
                        "struct P = { x: i64 }\nfunc main(p: agg struct P) {\n    struct.get r2, r1, 1\n    ret r0, []\n}\n"),
                c("struct", "struct.get of a tuple", "AggKindMismatch",
                        "func main(t: agg tuple(i64)) {\n    struct.get r2, r1, 0\n    ret r0, []\n}\n"),
                c("struct", "struct.get of an unshaped argument, never read", "UnstableRegType",
                        "func main(agg) {\n    struct.get r2, r1, 0\n    ret r0, []\n}\n"),
                c("struct", "struct.field_count of an array", "AggKindMismatch",
                        "array ints = i64\nfunc main(a: agg array ints) {\n    struct.field_count r2, r1\n"
                                + "    ret r0, []\n}\n"),
                // arrays: the element type from the type table
                c("array", "array.new of the element type, array.get read as it", ACCEPT,
                        "array ints = i64\nfunc main(i64, u64) -> (i64) {\n    array.new r3, ints, [r1, r1]\n"
                                + "    array.get r4, r3, r2\n    ret r0, [r4]\n}\n"),
                c("array", "array.new of a value of another type", "TypeMismatch",
                        "array ints = i64\nfunc main(i64, u64) {\n    array.new r3, ints, [r1, r2]\n    ret r0, []\n}\n"),
                c("array", "array.get with an i64 index", "TypeMismatch",
                        "array ints = i64\nfunc main(a: agg array ints, i64) {\n    array.get r3, r1, r2\n    ret r0, []\n}\n"),
                c("array", "array.get_imm read as another type", "TypeMismatch",
                        "array ints = i64\nfunc main(a: agg array ints) {\n    array.get_imm r2, r1, 5\n"
                                + "    bool.not r3, r2\n    ret r0, []\n}\n"),
                c("array", "array.get_imm past any length (checked at run time)", ACCEPT,
                        "array ints = i64\nfunc main(a: agg array ints) -> (i64) {\n    array.get_imm r2, r1, 99\n"
                                + "    ret r0, [r2]\n}\n"),
                c("array", "array.get of an unshaped argument, never read", "UnstableRegType",
                        "func main(agg, u64) {\n    array.get r3, r1, r2\n    ret r0, []\n}\n"),
                c("array", "array.len of a tuple", "AggKindMismatch",
                        "func main(i64) {\n    tuple.new r2, [r1]\n    array.len r3, r2\n    ret r0, []\n}\n"),
                c("array", "array.len of an unshaped argument", ACCEPT,
                        "func main(agg) -> (u64) {\n    array.len r2, r1\n    ret r0, [r2]\n}\n"));
    }

    /** Written cases: joins at block starts and unreachable code. */
    static Stream<Arguments> joinsAndUnreachable() {
        return Stream.of(
                // joins (meet_value): uninitialised on one path, not read after; unwritten registers
                c("join", "written on one path only, not read after the join", ACCEPT,
                        "func main(bool) {\n" + TWO_PATHS + "    const.i64 r2, 1\n    jmp j\nb:\n    jmp j\nj:\n"
                                + "    ret r0, []\n}\n"),
                c("join", "written on one path only, read after the join", "UninitializedRead",
                        "func main(bool) -> (i64) {\n" + TWO_PATHS + "    const.i64 r2, 1\n    jmp j\nb:\n    jmp j\nj:\n"
                                + "    ret r0, [r2]\n}\n"),
                c("join", "i64 on one path, uninitialised on the other, u64 after the join", "UnstableRegTypeAt",
                        "func main(bool) -> (u64) {\n" + TWO_PATHS + "    const.i64 r2, 1\n    jmp j\nb:\n    jmp j\nj:\n"
                                + "    const.u64 r2, 2\n    ret r0, [r2]\n}\n"),
                c("join", "registers never written", ACCEPT, "func main() regs 9 {\n    ret r0, []\n}\n"),
                c("join", "a loop counter of one type around a loop header", ACCEPT,
                        "func main(i64) -> (i64) {\n    const.i64 r2, 0\n    jmp head\nhead:\n    i64.lt r3, r2, r1\n"
                                + "    br r3, body, done\nbody:\n    i64.add r2, r2, r2\n    jmp head\ndone:\n"
                                + "    ret r0, [r2]\n}\n"),
                c("join", "i64 before a loop, u64 in its body, never read", "UnstableRegType",
                        "func main(bool) {\n    const.i64 r2, 0\n    jmp head\nhead:\n    br r1, body, done\nbody:\n"
                                + "    const.u64 r2, 1\n    jmp head\ndone:\n    ret r0, []\n}\n"),
                c("join", "written in a loop body, read in its header", "UninitializedRead",
                        "func main(bool) {\n    jmp head\nhead:\n    i64.add r3, r2, r2\n    br r1, body, done\nbody:\n"
                                + "    const.i64 r2, 1\n    jmp head\ndone:\n    ret r0, []\n}\n"),
                c("join", "back to the entry block, an i64 argument made a u64, read", "UnknownTypeAtUse",
                        "func main(bool, i64) {\ntop:\n    br r1, body, out\nbody:\n    i64.to_u64 r2, r2\n    jmp top\n"
                                + "out:\n    ret r0, []\n}\n"),
                c("join", "back to the entry block, an i64 argument made a u64, never read", "UnstableRegType",
                        "func main(bool, i64) {\ntop:\n    br r1, body, out\nbody:\n    const.u64 r2, 1\n    jmp top\n"
                                + "out:\n    ret r0, []\n}\n"),
                c("tuple", "tuple.get of a tuple made in a later block, in that block", ACCEPT,
                        "func main(i64) -> (i64) {\n    jmp b\nb:\n    tuple.new r2, [r1]\n    tuple.get r3, r2, 0\n"
                                + "    ret r0, [r3]\n}\n"),
                c("tuple", "tuple.get of an unshaped argument, read in the same block", "UnknownTypeAtUse",
                        "func main(agg) {\n    tuple.get r2, r1, 0\n    i64.add r3, r2, r2\n    ret r0, []\n}\n"),
                c("struct", "struct.get of a struct made in the entry block, in a later block", "UnstableRegType",
                        "struct P = { x: i64 }\nfunc main(i64) {\n    struct.new r2, P, [r1]\n    jmp b\nb:\n"
                                + "    struct.get r3, r2, 0\n    ret r0, []\n}\n"),
                c("r0", "a call result of type unit into r0", ACCEPT,
                        "func main() {\n    call r0, f, r0, [] -> [r0]\n    ret r0, []\n}\n"
                                + "func f() -> (unit) {\n    ret r0, [r0]\n}\n"),
                c("r0", "a call result of type i64 into r0", "TypeMismatch",
                        "func main() {\n    call r0, f, r0, [] -> [r0]\n    ret r0, []\n}\n"
                                + "func f() -> (i64) {\n    const.i64 r1, 1\n    ret r0, [r1]\n}\n"),
                c("r0", "mov of an i64 into r0", "UnstableRegTypeAt",
                        "func main(i64) {\n    mov r0, r1\n    ret r0, []\n}\n"),
                // unreachable code: the lowering's register map only
                c("unreachable", "mov of an i64 into a bool", "UnstableRegTypeAt",
                        "func main(i64, bool) {\n    ret r0, []\n    mov r2, r1\n    ret r0, []\n}\n"),
                c("unreachable", "mov between registers never written (unit)", ACCEPT,
                        "func main() {\n    ret r0, []\n    mov r1, r2\n    ret r0, []\n}\n"),
                c("unreachable", "select of an i64 and a u64", "UnstableRegTypeAt",
                        "func main(bool, i64, u64) {\n    ret r0, []\n    select r2, r1, r2, r3\n    ret r0, []\n}\n"),
                c("unreachable", "select of two i64 into an i64, on a u64 condition", "UnstableRegTypeAt",
                        "func main(u64, i64, i64) {\n    ret r0, []\n    select r2, r1, r2, r3\n    ret r0, []\n}\n"),
                c("unreachable", "select of two i64 into an i64", ACCEPT,
                        "func main(bool, i64, i64) {\n    ret r0, []\n    select r2, r1, r2, r3\n    ret r0, []\n}\n"),
                c("unreachable", "br on an i64", "UnstableRegTypeAt",
                        "func main(i64) {\n    ret r0, []\n    br r1, x, x\nx:\n    ret r0, []\n}\n"),
                c("unreachable", "call of arguments and results of any types", ACCEPT,
                        "func main(str, bool) {\n    ret r0, []\n    call r0, f, r0, [r1, r2] -> [r3]\n    ret r0, []\n}\n"
                                + "func f(i64) -> (i64) {\n    ret r0, [r1]\n}\n"),
                c("unreachable", "ret of a result of another type", ACCEPT,
                        "func main(str) -> (i64) {\n    const.i64 r2, 1\n    ret r0, [r2]\n    ret r0, [r1]\n}\n"),
                c("unreachable", "tuple.get of an i64 argument", "UnstableRegTypeAt",
                        "func main(i64) {\n    ret r0, []\n    tuple.get r2, r1, 0\n    ret r0, []\n}\n"),
                c("unreachable", "tuple.get past the end of a tuple made there", ACCEPT,
                        "func main(agg, i64) {\n    ret r0, []\n    tuple.new r1, [r2]\n    tuple.get r2, r1, 5\n"
                                + "    ret r0, []\n}\n"),
                c("unreachable", "array.get with an i64 index", "UnstableRegTypeAt",
                        "func main(agg, i64) {\n    ret r0, []\n    array.get r2, r1, r2\n    ret r0, []\n}\n"),
                c("unreachable", "struct.new of values of other types than the fields'", ACCEPT,
                        "struct P = { x: i64 }\nfunc main(agg, str) {\n    ret r0, []\n    struct.new r1, P, [r2]\n"
                                + "    ret r0, []\n}\n"),
                c("join", "two types on two paths that never merge", "UnstableRegTypeAt",
                        "func main(bool) {\n" + TWO_PATHS + "    const.i64 r2, 1\n    ret r0, []\nb:\n"
                                + "    const.bool r2, true\n    ret r0, []\n}\n"));
    }

    static Stream<Arguments> written() {
        return Stream.of(moves(), calls(), aggregates(), joinsAndUnreachable()).flatMap(x -> x);
    }

    static Stream<Arguments> cases() {
        return Stream.concat(generated(), written());
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void decidedAsTheReferenceDecides(String rule, String expected, String source) throws Exception {
        byte[] bytes = ProgramEncoder.encode(Assembler.assemble(source, "types.tasm"));
        Program p = ProgramDecoder.decode(bytes);
        if (expected.equals(ACCEPT)) {
            VerifiedProgram vp = ConformanceRunner.REFERENCE_VERIFIER.check(p);
            VmOptions lazy = VmOptions.DEFAULT.withLazyLinking(true);
            assertNotNull(new Vm(vp, new ConformanceHost(), lazy), rule);
            assertNotNull(Jit.compile(vp, new ConformanceHost(), lazy), rule);
            return;
        }
        VerifyException e = assertThrows(VerifyException.class, () -> ConformanceRunner.REFERENCE_VERIFIER.check(p),
                rule);
        assertEquals(expected, e.kind(), rule + ": " + e.getMessage());
        Files.write(dir.resolve("p.tape"), bytes);
        ConformanceCase c = new ConformanceCase(rule, "p.tape", 0, List.of(), Limits.DEFAULT,
                new ConformanceCase.Expect(null, null, 0, 0, null, "verify", expected));
        for (boolean compiled : new boolean[] {false, true}) {
            ConformanceResult r = ConformanceRunner.run(dir, c, compiled);
            assertTrue(r.passed(), (compiled ? "compiled: " : "interpreter: ") + rule + ": " + r.mismatch()
                    + "; got " + r.actual());
        }
    }
}
