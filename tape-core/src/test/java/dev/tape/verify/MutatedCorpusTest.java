package dev.tape.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tape.program.ConformanceFiles;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The decoder and verifier give, for 3,348 mutated programs ({@link MutatedCorpus}), exactly what
 * the object decoder and verifier of 291317c gave (written down in {@code mutated-corpus.txt.gz}):
 * the same accept/refuse decision, decode error offset and reason, verify error kind, function, pc
 * and reason, and for accepted programs the same hash, instruction counts and register types
 * (except 11 refusals, rewritten when the verifier took the reference's order of checks: its
 * must-init pass, with effect registers and call and return arity, over the whole function before
 * any type check, so an UninitializedRead or EffectInNotR0 later in the code now comes before a
 * TypeMismatch earlier; the decisions are unchanged). Two
 * threads verify the corpus at the same time, so scratch shared between verifications would show.
 */
class MutatedCorpusTest {
    private static List<String> expected() throws Exception {
        InputStream in = MutatedCorpusTest.class.getResourceAsStream("mutated-corpus.txt.gz");
        assertNotNull(in, "mutated-corpus.txt.gz missing");
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8))) {
            return r.lines().toList();
        }
    }

    private static void assertLines(List<String> want, List<String> got) {
        for (int i = 0; i < Math.min(want.size(), got.size()); i++) {
            assertEquals(want.get(i), got.get(i), "program " + i);
        }
        assertEquals(want.size(), got.size(), "programs");
    }

    @Test
    void mutatedProgramsLoadAsBefore() throws Exception {
        List<String> want = expected();
        assertEquals(3348, want.size());
        List<Path> tapes = ConformanceFiles.tapes();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<List<String>> a = pool.submit(() -> MutatedCorpus.outcomes(tapes));
            Future<List<String>> b = pool.submit(() -> MutatedCorpus.outcomes(tapes));
            assertLines(want, a.get());
            assertLines(want, b.get());
        } finally {
            pool.shutdownNow();
        }
    }
}
