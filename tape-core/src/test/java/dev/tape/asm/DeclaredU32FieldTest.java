package dev.tape.asm;

import dev.tape.format.DecodeException;
import dev.tape.program.AggShape;
import dev.tape.program.Function;
import dev.tape.program.HostSig;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifyException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.tape.program.TapeBytes.BLOBS;
import static dev.tape.program.TapeBytes.CONSTS;
import static dev.tape.program.TapeBytes.FUNCS;
import static dev.tape.program.TapeBytes.HOSTS;
import static dev.tape.program.TapeBytes.SIGS;
import static dev.tape.program.TapeBytes.SPANS;
import static dev.tape.program.TapeBytes.SYMBOLS;
import static dev.tape.program.TapeBytes.TYPES;
import static dev.tape.program.TapeBytes.funcs;
import static dev.tape.program.TapeBytes.minimal;
import static dev.tape.program.TapeBytes.section;
import static dev.tape.program.TapeBytes.uleb;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each u32 container field the decoder keeps as 2^31-1 when the file declares 2^31 to 2^32-1 (a
 * function's {@code arg_count}, {@code ret_count} and {@code reg_count}, a host signature's symbol
 * id, an argument shape's struct type id, array element type id and argument index; see
 * {@code U32FieldStageTest}): the verifier's message, the disassembly and the re-encoding give
 * the value the file declares, never 2147483647 (or 2147483646 for an argument index), and the
 * program keeps the declared value beside the capped one.
 */
class DeclaredU32FieldTest {
    private static final long DECLARED = 4_000_000_000L;
    private static final long U32_MAX = (1L << 32) - 1;
    /** one function taking one agg argument, in 2 registers */
    private static final String AGG_SIG = "01 01 09 00 00 00";

    /** a file with one field declared {@code v}; what its verify error says and its disassembly holds */
    private record Field(String name, java.util.function.LongFunction<byte[]> file, String message, String disasm) {}

    private static List<Field> fields() {
        return List.of(
                new Field("reg_count", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(0, 0, v), SIGS, HOSTS),
                        "the function declares {v} registers", " regs {v} {"),
                new Field("arg_count", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(v, 0, 1), SIGS, HOSTS),
                        "the function table says {v} arguments and 0 results", " argc {v} {"),
                new Field("ret_count", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(0, v, 1), SIGS, HOSTS),
                        "the function table says 0 arguments and {v} results", " retc {v} {"),
                new Field("host symbol", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS,
                        "01 " + uleb(v) + " 00 00 00 00 00 00 00 00 00 00"),
                        "host signature 0 names symbol {v}, which does not exist", "host @0 = ${v} () -> ()"),
                new Field("struct shape", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(1, 0, 2), AGG_SIG,
                        HOSTS, section(11, "01 00 00 02 " + uleb(v))),
                        "names struct type {v}, which does not exist", "struct @{v}"),
                new Field("array shape", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(1, 0, 2), AGG_SIG,
                        HOSTS, section(11, "01 00 00 03 " + uleb(v))),
                        "names array element type {v}, which does not exist", "array @{v}"),
                new Field("shape argument", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(U32_MAX, 0, 2),
                        AGG_SIG, HOSTS, section(11, "01 00 " + uleb(v) + " 01 00")),
                        "an argument shape names argument {v} of a function with 1", " arg {v} = tuple()"));
    }

    @Test
    void theVerifierAndTheDisassemblyNameTheDeclaredValue() throws DecodeException {
        for (Field f : fields()) {
            for (long v : new long[] {1L << 31, DECLARED, U32_MAX - 1}) {
                String what = f.name() + " " + v;
                Program p = ProgramDecoder.decode(f.file().apply(v));
                String message = assertThrows(VerifyException.class, () -> Verifier.verify(p), what).getMessage();
                assertTrue(message.contains(f.message().replace("{v}", Long.toString(v))), what + ": " + message);
                String text = Disassembler.disassemble(p);
                assertTrue(text.contains(f.disasm().replace("{v}", Long.toString(v))), what + ":\n" + text);
                assertTrue(!text.contains("2147483647") && !text.contains("2147483646"), what + ":\n" + text);
                // the re-encoding declares the value again
                Program again = ProgramDecoder.decode(ProgramEncoder.encode(p));
                assertEquals(p, again, what);
                assertEquals(message, assertThrows(VerifyException.class, () -> Verifier.verify(again)).getMessage());
            }
        }
    }

    @Test
    void theProgramKeepsTheCappedValueAndTheDeclaredOne() throws DecodeException {
        Function fn = ProgramDecoder.decode(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS,
                funcs(DECLARED, DECLARED + 1, DECLARED + 2), SIGS, HOSTS)).functions().get(0);
        assertEquals(List.of(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE),
                List.of(fn.argCount(), fn.retCount(), fn.regCount()));
        assertEquals(List.of(DECLARED, DECLARED + 1, DECLARED + 2),
                List.of(fn.declaredArgCount(), fn.declaredRetCount(), fn.declaredRegCount()));
        HostSig h = ProgramDecoder.decode(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS,
                "01 " + uleb(DECLARED) + " 00 00 00 00 00 00 00 00 00 00")).hostSigs().get(0);
        assertEquals(Integer.MAX_VALUE, h.symbolId());
        assertEquals(DECLARED, h.declaredSymbolId());
        AggShape.ArgShape s = ProgramDecoder.decode(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS,
                funcs(U32_MAX, 0, 2), AGG_SIG, HOSTS, section(11, "01 00 " + uleb(DECLARED) + " 02 "
                        + uleb(DECLARED)))).argShapes().get(0);
        assertEquals(Integer.MAX_VALUE - 1, s.arg());
        assertEquals(DECLARED, s.declaredArg());
        assertEquals(Integer.MAX_VALUE, ((AggShape.Struct) s.shape()).typeId());
        assertEquals(DECLARED, ((AggShape.Struct) s.shape()).declaredTypeId());
        // below 2^31 the two agree, and a program built with ints declares what it keeps
        Function small = ProgramDecoder.decode(minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(0, 0, 7), SIGS,
                HOSTS)).functions().get(0);
        assertEquals(7, small.declaredRegCount());
        assertEquals(new AggShape.Array(5), AggShape.Array.declared(5));
        // a value that is no u32 is refused
        assertThrows(IllegalArgumentException.class, () -> AggShape.Array.declared(1L << 32));
        assertThrows(IllegalArgumentException.class, () -> HostSig.declared(-1, 0, List.of(), List.of()));
    }

    @Test
    void aDecodeErrorNamesTheDeclaredArgumentCount() {
        // an argument index at or past the declared arg_count is refused at decode, naming both as declared
        byte[] file = minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(DECLARED, 0, 2), AGG_SIG, HOSTS,
                section(11, "01 00 " + uleb(U32_MAX) + " 01 00"));
        String message = assertThrows(DecodeException.class, () -> ProgramDecoder.decode(file)).getMessage();
        assertTrue(message.contains("argument " + U32_MAX + " is out of range: function 0 takes " + DECLARED),
                message);
    }

    @Test
    void theAssemblerTakesDeclaredValuesUpTo2To32Minus1() throws AsmException, DecodeException {
        String src = "host h = $" + DECLARED + " () -> ()\n"
                + "shape @0 arg " + (DECLARED - 1) + " = struct @" + DECLARED + "\n"
                + "func f(a: agg) -> () regs " + (DECLARED + 2) + " argc " + DECLARED + " retc " + (DECLARED + 1)
                + " {\n    ret r0, []\n}\n";
        Program p = Assembler.assemble(src, "u32.tasm");
        Function fn = p.functions().get(0);
        assertEquals(List.of(DECLARED, DECLARED + 1, DECLARED + 2),
                List.of(fn.declaredArgCount(), fn.declaredRetCount(), fn.declaredRegCount()));
        assertEquals(DECLARED, p.hostSigs().get(0).declaredSymbolId());
        assertEquals(AggShape.ArgShape.declared(0, DECLARED - 1, AggShape.Struct.declared(DECLARED)),
                p.argShapes().get(0));
        assertEquals(p, ProgramDecoder.decode(ProgramEncoder.encode(p)));
    }
}
