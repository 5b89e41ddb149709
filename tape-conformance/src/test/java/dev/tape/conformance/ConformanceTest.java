package dev.tape.conformance;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Every reference conformance vector, one test per case, compared exactly. */
class ConformanceTest {
    static Path dir() {
        String prop = System.getProperty("tape.shared.dir");
        if (prop != null && Files.isDirectory(Path.of(prop, "conformance"))) {
            return Path.of(prop, "conformance");
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path c = p.resolveSibling("shared").resolve("conformance");
            if (Files.isDirectory(c)) {
                return c;
            }
        }
        throw new IllegalStateException("cannot find shared/conformance next to the repository");
    }

    static List<ConformanceCase> cases() throws IOException {
        List<ConformanceCase> cases = ConformanceRunner.load(dir());
        Assertions.assertEquals(372, cases.size(), "the reference manifest has 372 cases");
        return cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesReference(ConformanceCase c) {
        ConformanceResult r = ConformanceRunner.run(dir(), c);
        Assertions.assertTrue(r.passed(), () -> c.name() + ": " + r.mismatch() + "; got " + r.actual());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void compiledTierMatchesReference(ConformanceCase c) {
        ConformanceResult r = ConformanceRunner.run(dir(), c, true);
        Assertions.assertTrue(r.passed(), () -> c.name() + " (compiled): " + r.mismatch() + "; got " + r.actual());
    }
}
