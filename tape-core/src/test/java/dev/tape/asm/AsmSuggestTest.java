package dev.tape.asm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The "did you mean" suggestion for a misspelt name: the first candidate nearest in edit distance
 * when that distance is at most a third of the name's length (at least 1, at most 3), as the full
 * edit distance (the oracle below) gives it; and in time linear in the names' lengths: the full
 * distance of two names is the product of their lengths, so a misspelt label of 40,000 chars
 * beside one of 40,000 took 3.3 s, of 400,000 minutes.
 */
class AsmSuggestTest {
    /** the full Levenshtein distance, every cell of the table */
    private static int fullDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            for (int j = 0; j <= b.length(); j++) {
                d[i][j] = i == 0 ? j : j == 0 ? i : Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1),
                        d[i - 1][j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
        }
        return d[a.length()][b.length()];
    }

    private static String oracle(String w, List<String> candidates) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = fullDistance(w, c);
            if (d < bestD) {
                bestD = d;
                best = c;
            }
        }
        return best != null && bestD <= Math.max(1, Math.min(3, w.length() / 3)) ? " (did you mean '" + best + "'?)"
                : "";
    }

    private static String name(Random r, int max) {
        StringBuilder b = new StringBuilder();
        for (int n = r.nextInt(max + 1); n > 0; n--) {
            b.append("aab._1".charAt(r.nextInt(6)));
        }
        return b.toString();
    }

    @Test
    void suggestsAsTheFullEditDistance() {
        Random r = new Random(11);
        int suggested = 0;
        for (int k = 0; k < 20_000; k++) {
            int max = k % 10 == 0 ? 30 : 12;
            String w = name(r, max);
            List<String> candidates = new ArrayList<>();
            for (int n = r.nextInt(6); n > 0; n--) {
                // near w often: w with a few edits
                StringBuilder c = new StringBuilder(r.nextBoolean() ? w : name(r, max));
                for (int e = r.nextInt(5); e > 0; e--) {
                    int at = r.nextInt(c.length() + 1);
                    switch (r.nextInt(3)) {
                        case 0 -> c.insert(at, "ab._1".charAt(r.nextInt(5)));
                        case 1 -> {
                            if (c.length() > 0) {
                                c.deleteCharAt(Math.min(at, c.length() - 1));
                            }
                        }
                        default -> {
                            if (at < c.length()) {
                                c.setCharAt(at, 'b');
                            }
                        }
                    }
                    if (c.length() == 0) {
                        c.append('a');
                    }
                }
                candidates.add(c.toString());
            }
            String expected = oracle(w, candidates);
            assertEquals(expected, AsmValues.suggest(w, candidates), w + " " + candidates);
            suggested += expected.isEmpty() ? 0 : 1;
        }
        assertTrue(suggested > 5_000 && suggested < 19_000, "suggested " + suggested);
    }

    @Test
    void longMisspeltNamesAreSuggestedInLinearTime() {
        String label = "a".repeat(400_000);
        String near = "a".repeat(200_000) + "b" + "a".repeat(199_999);
        String far = "b".repeat(400_000);
        String source = "func f() -> () {\n" + label + ":\n" + far + ":\n    jmp " + near + "\n}\n";
        AsmException e = assertTimeoutPreemptively(Duration.ofSeconds(60),
                () -> assertThrows(AsmException.class, () -> Assembler.assemble(source, "t.tasm")));
        assertEquals("t.tasm:4:9: undefined label '" + near + "' in function 'f' (did you mean '" + label + "'?)",
                e.getMessage());
        String none = "c".repeat(400_000);
        AsmException f = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(AsmException.class,
                () -> Assembler.assemble(source.replace("jmp " + near, "jmp " + none), "t.tasm")));
        assertEquals("t.tasm:4:9: undefined label '" + none + "' in function 'f'", f.getMessage());
    }
}
