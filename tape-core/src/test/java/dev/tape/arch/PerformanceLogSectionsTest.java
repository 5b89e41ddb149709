package dev.tape.arch;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code docs/PERFORMANCE-LOG.md} holds each section once: no two lines are the same section
 * heading ({@code ### ...}) or the same helper's placeholder ({@code <!-- ... round: NAME -->}).
 * A section written in place of a placeholder over a wrong range of lines copies the log's older
 * sections into the middle of the round (dec28's first edit copied some 8,360 lines, its own
 * section twice and the placeholder before it again).
 */
class PerformanceLogSectionsTest {
    @Test
    void everySectionHeadingAndPlaceholderOccursOnce() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("../docs/PERFORMANCE-LOG.md"), StandardCharsets.UTF_8);
        Set<String> seen = new HashSet<>();
        List<String> twice = new ArrayList<>();
        int headings = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            boolean heading = line.startsWith("### ");
            if (heading || line.startsWith("<!-- ") && line.contains(" round: ")) {
                headings += heading ? 1 : 0;
                if (!seen.add(line)) {
                    twice.add("line " + (i + 1) + ": " + line);
                }
            }
        }
        assertTrue(headings > 200, "the log's sections: " + headings);
        assertEquals(List.of(), twice);
    }
}
