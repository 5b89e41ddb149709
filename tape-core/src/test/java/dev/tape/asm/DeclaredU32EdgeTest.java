package dev.tape.asm;

import dev.tape.program.AggShape;
import dev.tape.program.HostSig;
import dev.tape.program.Program;
import dev.tape.program.ProgramBuilder;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.ValueType;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifyException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.LongFunction;

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
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seven u32 fields the program keeps capped and as declared, at every edge (2^31-1, 2^31,
 * 2^32-2, 2^32-1): a file in the encoder's canonical form re-encodes to the same bytes, its
 * disassembly assembles to those bytes, and the verifier's message names the declared value; and
 * programs an embedder makes with a negative {@code int} (which stands for a u32 of 2^31 or more)
 * are refused naming that u32, by the verifier and by {@link ProgramBuilder#build()}.
 */
class DeclaredU32EdgeTest {
    private static final long U32_MAX = (1L << 32) - 1;
    private static final long[] EDGES = {(1L << 31) - 1, 1L << 31, U32_MAX - 1, U32_MAX};
    /** one function taking one agg argument, in 2 registers */
    private static final String AGG_SIG = "01 01 09 00 00 00";

    private record Field(String name, LongFunction<byte[]> file, String message) {}

    private static List<Field> fields() {
        return List.of(
                new Field("reg_count", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(0, 0, v), SIGS, HOSTS),
                        "the function declares {v} registers"),
                new Field("arg_count", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(v, 0, 1), SIGS, HOSTS),
                        "the function table says {v} arguments and 0 results"),
                new Field("ret_count", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(0, v, 1), SIGS, HOSTS),
                        "the function table says 0 arguments and {v} results"),
                new Field("host symbol", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, FUNCS, SIGS,
                        "01 " + uleb(v) + " 00 00 00 00 00 00 00 00 00 00"),
                        "host signature 0 names symbol {v}, which does not exist"),
                new Field("struct shape", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(1, 0, 2), AGG_SIG,
                        HOSTS, section(11, "01 00 00 02 " + uleb(v))),
                        "names struct type {v}, which does not exist"),
                new Field("array shape", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(1, 0, 2), AGG_SIG,
                        HOSTS, section(11, "01 00 00 03 " + uleb(v))),
                        "names array element type {v}, which does not exist"),
                new Field("shape argument", v -> minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(U32_MAX, 0, 2),
                        AGG_SIG, HOSTS, section(11, "01 00 " + uleb(v) + " 01 00")),
                        "an argument shape names argument {v} of a function with 1"));
    }

    @Test
    void everyEdgeReencodesAndReassemblesToTheSameBytes() throws Exception {
        int checked = 0;
        for (Field f : fields()) {
            for (long v : EDGES) {
                if (f.name().equals("shape argument") && v == U32_MAX) {
                    continue; // past the declared arg_count: a decode error (DeclaredU32FieldTest)
                }
                String what = f.name() + " " + v;
                byte[] file = f.file().apply(v);
                Program p = ProgramDecoder.decode(file);
                assertArrayEquals(file, ProgramEncoder.encode(p), what + ": the re-encoding");
                String text = Disassembler.disassemble(p);
                assertArrayEquals(file, ProgramEncoder.encode(Assembler.assemble(text, "edge.tasm")),
                        what + ": the disassembly assembles to other bytes:\n" + text);
                String message = assertThrows(VerifyException.class, () -> Verifier.verify(p), what).getMessage();
                assertTrue(message.contains(f.message().replace("{v}", Long.toString(v))), what + ": " + message);
                checked++;
            }
        }
        assertEquals(7 * 4 - 1, checked);
    }

    @Test
    void negativeIntsAreU32sOf2To31AndMoreAndAreRefusedAsSuch() {
        for (int id : new int[] {-1, Integer.MIN_VALUE}) {
            long u32 = Integer.toUnsignedLong(id);
            ProgramBuilder pb = new ProgramBuilder();
            pb.addFunction(List.of(), List.of()).ret(0);
            Program base = pb.build();
            // a host signature: its symbol
            Program host = new Program(base.symbols(), base.constants(), base.types(), base.functions(),
                    List.of(HostSig.of(id, List.of(), List.of())), base.callSigs(), base.argShapes(), base.names());
            assertEquals(u32, host.hostSigs().get(0).declaredSymbolId());
            assertTrue(assertThrows(VerifyException.class, () -> Verifier.verify(host)).getMessage()
                    .contains("names symbol " + u32 + ", which does not exist"));
            assertEquals(host, ProgramDecoder.decode(ProgramEncoder.encode(host)), "host " + id);
            // shapes: struct type, element type and argument index
            for (AggShape shape : List.of(new AggShape.Struct(id), new AggShape.Array(id))) {
                ProgramBuilder sb = new ProgramBuilder();
                sb.addFunction(List.of(ValueType.AGG), List.of()).ret(0);
                sb.argShape(0, 0, shape);
                String what = shape + " " + id;
                String built = assertThrows(IllegalStateException.class, sb::build, what).getMessage();
                assertTrue(built.contains(" " + u32 + ", but there are 0"), what + ": " + built);
                Program p = sb.buildUnchecked();
                String verified = assertThrows(VerifyException.class, () -> Verifier.verify(p), what).getMessage();
                assertTrue(verified.contains("type " + u32 + ", which does not exist"), what + ": " + verified);
                assertEquals(p, ProgramDecoder.decode(ProgramEncoder.encode(p)), what);
            }
            Program arg = new Program(base.symbols(), base.constants(), base.types(), base.functions(),
                    base.hostSigs(), base.callSigs(), List.of(new AggShape.ArgShape(0, id, new AggShape.Tuple(List.of()))),
                    base.names());
            assertEquals(u32, arg.argShapes().get(0).declaredArg());
            assertTrue(assertThrows(VerifyException.class, () -> Verifier.verify(arg)).getMessage()
                    .contains("names argument " + u32 + " of a function with 0"));
        }
    }

    /**
     * Several shapes of one function whose declared argument indexes are kept as one (2^31-2):
     * in order, out of order and repeated, each file re-encodes and reassembles to its own bytes.
     */
    @Test
    void shapesWhoseArgumentsAreKeptAsOneRoundTrip() throws Exception {
        long[][] orders = {
            {0, 1L << 31, (1L << 31) + 1, U32_MAX - 1},
            {U32_MAX - 1, 1L << 31, 0, (1L << 31) - 1},
            {(1L << 31) - 2, (1L << 31) - 1, (1L << 31) - 1, 1L << 31},
        };
        // the kept index, as AggShape.ArgShape.arg() documents it
        AggShape t = new AggShape.Tuple(List.of());
        assertEquals(Integer.MAX_VALUE - 2, AggShape.ArgShape.declared(0, (1L << 31) - 3, t).arg());
        assertEquals(Integer.MAX_VALUE - 1, AggShape.ArgShape.declared(0, (1L << 31) - 2, t).arg());
        assertEquals(Integer.MAX_VALUE - 1, AggShape.ArgShape.declared(0, (1L << 31) - 1, t).arg());
        assertEquals(Integer.MAX_VALUE - 1, new AggShape.ArgShape(0, -1, t).arg());
        assertEquals(U32_MAX, new AggShape.ArgShape(0, -1, t).declaredArg());
        for (long[] args : orders) {
            StringBuilder entries = new StringBuilder(uleb(args.length));
            for (int i = 0; i < args.length; i++) {
                entries.append(" 00 ").append(uleb(args[i])).append(i % 2 == 0 ? " 02 " : " 03 ").append(uleb(args[i]));
            }
            byte[] file = minimal(SYMBOLS, CONSTS, TYPES, BLOBS, SPANS, funcs(U32_MAX, 0, 2), AGG_SIG, HOSTS,
                    section(11, entries.toString()));
            Program p = ProgramDecoder.decode(file);
            String what = java.util.Arrays.toString(args);
            for (int i = 0; i < args.length; i++) {
                assertEquals(args[i], p.argShapes().get(i).declaredArg(), what);
            }
            assertArrayEquals(file, ProgramEncoder.encode(p), what + ": the re-encoding");
            String text = Disassembler.disassemble(p);
            assertArrayEquals(file, ProgramEncoder.encode(Assembler.assemble(text, "edge.tasm")),
                    what + ": the disassembly assembles to other bytes:\n" + text);
        }
    }
}
