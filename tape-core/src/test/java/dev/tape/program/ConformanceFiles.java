package dev.tape.program;

import dev.tape.format.DecodeException;
import dev.tape.verify.VerifiedProgram;
import dev.tape.verify.Verifier;
import dev.tape.verify.VerifyException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds the conformance vectors ({@code shared/conformance}, beside the repository checkout).
 *
 * <p>The folder is taken from the system property {@code tape.shared.dir} (set by surefire in the
 * parent pom) when that names an existing folder; otherwise the working directory and its parents
 * are searched for {@code shared/conformance}. A missing folder is an error, never a skip.
 */
public final class ConformanceFiles {
    private ConformanceFiles() {}

    /**
     * @return the conformance folder
     * @throws IllegalStateException when it cannot be found
     */
    public static Path dir() {
        String prop = System.getProperty("tape.shared.dir");
        if (prop != null && !prop.isBlank()) {
            Path p = Path.of(prop).resolve("conformance");
            if (Files.isDirectory(p)) {
                return p.toAbsolutePath().normalize();
            }
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve("shared").resolve("conformance");
            if (Files.isDirectory(p)) {
                return p.normalize();
            }
        }
        throw new IllegalStateException("conformance vectors not found: tape.shared.dir=" + prop
                + " and no shared/conformance above " + Path.of("").toAbsolutePath());
    }

    /**
     * @return every {@code .tape} file in the conformance folder, sorted by name
     * @throws IllegalStateException when the folder is missing or holds no {@code .tape} file
     */
    public static List<Path> tapes() {
        Path dir = dir();
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> out = s.filter(p -> p.getFileName().toString().endsWith(".tape")).sorted().toList();
            if (out.isEmpty()) {
                throw new IllegalStateException("no .tape files in " + dir);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * @return the conformance vectors that decode and verify (the rejection vectors left out), by
     *     file name, in name order
     * @throws IllegalStateException as {@link #tapes()}
     * @throws UncheckedIOException when a file cannot be read
     */
    public static Map<String, VerifiedProgram> verified() {
        Map<String, VerifiedProgram> out = new LinkedHashMap<>();
        for (Path p : tapes()) {
            try {
                out.put(p.getFileName().toString(), Verifier.verify(ProgramDecoder.decode(Files.readAllBytes(p))));
            } catch (DecodeException | VerifyException e) {
                // a vector of a rejection
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return out;
    }

    /**
     * @param name a vector's base name, for example {@code "sum_loop"}
     * @return the bytes of {@code name.tape}
     * @throws UncheckedIOException when the file cannot be read
     */
    public static byte[] read(String name) {
        try {
            return Files.readAllBytes(dir().resolve(name + ".tape"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
