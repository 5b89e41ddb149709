package dev.tape.program;

import dev.tape.format.DecodeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Decoding then encoding every conformance vector gives back its exact bytes. */
class ConformanceRoundTripTest {
    static List<Path> tapes() {
        return ConformanceFiles.tapes();
    }

    @Test
    void theFolderHoldsAllVectors() {
        // The vector set described in shared/conformance/README.md and notes/container-format.md section 4.
        assertEquals(372, ConformanceFiles.tapes().size(), "conformance vectors in " + ConformanceFiles.dir());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tapes")
    void decodeThenEncodeIsByteIdentical(Path file) throws IOException, DecodeException {
        byte[] original = Files.readAllBytes(file);
        Program p = ProgramDecoder.decode(original);
        byte[] again = ProgramEncoder.encode(p);
        assertArrayEquals(original, again, () -> "re-encoded " + file.getFileName() + "\n  was "
                + HexFormat.ofDelimiter(" ").formatHex(original) + "\n  now "
                + HexFormat.ofDelimiter(" ").formatHex(again));
        assertEquals(p, ProgramDecoder.decode(again));
    }
}
