package dev.tape.asm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.format.Instruction;
import dev.tape.format.InstructionCodec;
import dev.tape.format.Opcode;
import dev.tape.program.AggShape;
import dev.tape.program.Function;
import dev.tape.program.HostSig;
import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.ValueType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The example programs in {@code examples/} assemble, decode, and round-trip through the disassembler. */
class ExamplesTest {
    static Path examplesDir() {
        String root = System.getProperty("tape.root.dir");
        if (root != null && Files.isDirectory(Paths.get(root, "examples"))) {
            return Paths.get(root, "examples");
        }
        for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("examples")) && Files.isRegularFile(d.resolve("spec/opcodes.json"))) {
                return d.resolve("examples");
            }
        }
        throw new IllegalStateException("cannot find the examples folder from " + Paths.get("").toAbsolutePath());
    }

    static List<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(examplesDir())) {
            return files.filter(f -> f.toString().endsWith(".tasm")).sorted().collect(Collectors.toList());
        }
    }

    static Program load(String name) throws Exception {
        Path f = examplesDir().resolve(name);
        return Assembler.assemble(Files.readString(f, StandardCharsets.UTF_8), name);
    }

    @Test
    void theSixExamplesAreThere() throws IOException {
        List<String> names = examples().stream().map(p -> p.getFileName().toString()).collect(Collectors.toList());
        assertTrue(names.containsAll(List.of("fib.tasm", "sum_loop.tasm", "closures.tasm", "aggregates.tasm",
                "strings.tasm", "hello_host.tasm")), names.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void assemblesAndRoundTrips(Path file) throws Exception {
        Program p = Assembler.assemble(Files.readString(file, StandardCharsets.UTF_8), file.getFileName().toString());
        byte[] bytes = ProgramEncoder.encode(p);
        ProgramDecoder.decode(bytes);
        for (Function f : p.functions()) {
            List<Instruction> code = InstructionCodec.decodeAll(f.code());
            assertFalse(code.isEmpty());
            assertTrue(code.get(code.size() - 1).opcode().isTerminator(), "ends in a terminator");
        }
        Program back = Assembler.assemble(Disassembler.disassemble(p), "again.tasm");
        assertArrayEquals(bytes, ProgramEncoder.encode(back));
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Program crlf = Assembler.assemble("\uFEFF" + text.replace("\n", "\r\n"), "crlf.tasm");
        assertArrayEquals(bytes, ProgramEncoder.encode(crlf), "Windows line ends and a byte-order mark");
        assertTrue(p.names().programName() > 0, "every example names its program");
    }

    @Test
    void closuresDeclareTheEnvironmentShape() throws Exception {
        Program p = load("closures.tasm");
        int addEnv = p.functionId("add_env");
        assertEquals(List.of(new AggShape.ArgShape(addEnv, 0, new AggShape.Tuple(List.of(ValueType.I64)))),
                p.argShapes());
        assertEquals(0, p.functionId("main"));
    }

    @Test
    void hostCallsUseTheDefaultHostSymbols() throws Exception {
        Program p = load("hello_host.tasm");
        HostSig str = p.hostSigs().get(0);
        assertEquals("std.print_str", p.symbols().get(str.symbolId()));
        assertEquals(HostSig.hash(List.of(ValueType.STR), List.of()), str.sigHash());
        for (Instruction in : InstructionCodec.decodeAll(p.functions().get(0).code())) {
            if (in.opcode() == Opcode.HOST_CALL) {
                assertEquals(0, in.value(0), "eff_out is r0");
                assertEquals(0, in.value(2), "eff_in is r0");
            }
        }
    }
}
