package dev.tape.program;

import dev.tape.format.DecodeException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Container round trips and decoder robustness over random programs and random corruptions. */
class ProgramPropertiesTest {
    private static final List<byte[]> VECTORS = load();

    private static List<byte[]> load() {
        List<byte[]> out = new ArrayList<>();
        for (Path p : ConformanceFiles.tapes()) {
            try {
                out.add(Files.readAllBytes(p));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    /** (a) A built program encodes, decodes to an equal program, and re-encodes to the same bytes. */
    @Property(tries = 2000)
    void builtProgramsRoundTrip(@ForAll("seeds") long seed) throws DecodeException {
        Program p = RandomPrograms.program(seed);
        byte[] bytes = ProgramEncoder.encode(p);
        Program q = ProgramDecoder.decode(bytes);
        assertEquals(p, q, "seed " + seed);
        assertArrayEquals(bytes, ProgramEncoder.encode(q), "seed " + seed);
    }

    /**
     * (b) A corrupted file either decodes or fails with a DecodeException, never another exception;
     * when it decodes, encoding is idempotent from there on.
     */
    @Property(tries = 5000)
    void corruptedFilesOnlyEverThrowDecodeException(@ForAll("seeds") long seed) {
        Random rnd = new Random(seed);
        byte[] original = rnd.nextInt(3) == 0 ? ProgramEncoder.encode(RandomPrograms.program(rnd.nextLong()))
                : VECTORS.get(rnd.nextInt(VECTORS.size()));
        byte[] mutated = Mutations.mutate(original, rnd);
        Program p;
        try {
            p = ProgramDecoder.decode(mutated);
        } catch (DecodeException e) {
            return;
        } catch (RuntimeException | Error e) {
            throw new AssertionError("seed " + seed + ": decoding threw " + e + " for " + TapeBytes.hex(mutated), e);
        }
        byte[] once = ProgramEncoder.encode(p);
        try {
            assertArrayEquals(once, ProgramEncoder.encode(ProgramDecoder.decode(once)), "seed " + seed);
        } catch (DecodeException e) {
            fail("seed " + seed + ": re-encoding a decoded program gave an undecodable file: " + e.getMessage());
        }
    }
}
