package dev.tape.asm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tape.program.Program;
import dev.tape.program.ProgramDecoder;
import dev.tape.program.ProgramEncoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every conformance vector survives disassemble then assemble byte for byte. */
class ConformanceRoundTripTest {
    static List<Path> vectors() throws IOException {
        try (Stream<Path> files = Files.list(SharedDir.conformance())) {
            return files.filter(f -> f.getFileName().toString().endsWith(".tape")).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void allVectorsAreThere() throws IOException {
        assertEquals(372, vectors().size(), "conformance vectors in " + SharedDir.conformance());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void roundTrips(Path file) throws Exception {
        byte[] original = Files.readAllBytes(file);
        Program p = ProgramDecoder.decode(original);
        // every vector is in the reference encoder's canonical form (notes/container-format.md 2.1)
        assertArrayEquals(original, ProgramEncoder.encode(p), "decode/encode of " + file.getFileName());
        String text = Disassembler.disassemble(p);
        Program back;
        try {
            back = Assembler.assemble(text, file.getFileName() + ".tasm");
        } catch (AsmException e) {
            throw new AssertionError(e.getMessage() + "\n--- text ---\n" + text, e);
        }
        assertArrayEquals(original, ProgramEncoder.encode(back), () -> "round trip of " + file.getFileName()
                + "\n--- text ---\n" + text);
        assertEquals(text, Disassembler.disassemble(back), "the text is a fixed point");
    }
}
