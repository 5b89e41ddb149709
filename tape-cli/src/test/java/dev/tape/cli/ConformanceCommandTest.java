package dev.tape.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.tape.cli.Cli.run;
import static dev.tape.cli.Cli.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tape conformance}. */
class ConformanceCommandTest {
    @TempDir
    Path tmp;

    @Test
    void theSharedVectorsAllPass() {
        Cli.Result r = run("conformance", Cli.conformanceDir().toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertEquals(List.of("372 passed, 0 failed"), r.outLines());
        assertEquals("", r.err());
    }

    @Test
    void failingCasesGetOneLineEachAndExit1() throws IOException {
        Files.copy(Path.of(vector("fib_20.tape")), tmp.resolve("fib.tape"));
        Files.writeString(tmp.resolve("manifest.json"), """
                {"format": "tape-conformance-v1", "cases": [
                  {"name": "right", "program": "fib.tape", "entry": 0, "args": ["i64:10"],
                   "expect": {"returns": ["i64:55"]}},
                  {"name": "wrong", "program": "fib.tape", "entry": 0, "args": ["i64:10"],
                   "expect": {"returns": ["i64:56"]}},
                  {"name": "missing", "program": "gone.tape", "entry": 0, "args": [],
                   "expect": {"returns": []}}
                ]}
                """);
        Cli.Result r = run("conformance", tmp.toString());
        assertEquals(1, r.code());
        List<String> lines = r.outLines();
        assertEquals(3, lines.size(), r.out());
        assertEquals("FAIL wrong: expected returns [i64:56]; got returns [i64:55]", lines.get(0));
        assertTrue(lines.get(1).startsWith("FAIL missing: "), lines.get(1));
        assertEquals("1 passed, 2 failed", lines.get(2));
        r.assertNoStackTrace();
    }

    @Test
    void aFolderWithoutAManifestIsAnError() {
        assertEquals("tape conformance: " + tmp + ": no manifest.json in this folder", run("conformance", tmp.toString()).oneErrorLine(2));
        assertEquals("tape conformance: " + tmp.resolve("x") + ": no such folder",
                run("conformance", tmp.resolve("x").toString()).oneErrorLine(2));
    }

    @Test
    void aMalformedManifestIsAnError() throws IOException {
        Files.writeString(tmp.resolve("manifest.json"), "{\"format\": \"something-else\"}");
        String line = run("conformance", tmp.toString()).oneErrorLine(2);
        assertTrue(line.startsWith("tape conformance: " + tmp.resolve("manifest.json") + ": cannot read the manifest: "), line);
        assertTrue(line.endsWith("cannot read the manifest: not a tape-conformance-v1 manifest (its \"format\" must be"
                + " \"tape-conformance-v1\")"), line);
        Files.writeString(tmp.resolve("manifest.json"), "{\"format\": ");
        line = run("conformance", tmp.toString()).oneErrorLine(2);
        assertTrue(line.matches(".*: cannot read the manifest: not valid JSON at line 1, column \\d+: .+"), line);
        assertFalse(line.contains("Source:") || line.contains("StreamReadFeature") || line.contains("REDACTED"), line);
        Files.writeString(tmp.resolve("manifest.json"), "{\"format\": \"tape-conformance-v1\"}");
        line = run("conformance", tmp.toString()).oneErrorLine(2);
        assertTrue(line.endsWith("cannot read the manifest: the manifest has no \"cases\" list"), line);
    }
}
