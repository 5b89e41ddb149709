package dev.tape.hostile;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code examples/hostile/} holds exactly {@link HostilePrograms#files()}. Run with
 * {@code -Dtape.hostile.write=true} to (re)write the files.
 */
class HostileExamplesTest {
    static Path dir() {
        String root = System.getProperty("tape.root.dir");
        Path base = root == null || root.isBlank() ? Path.of("..") : Path.of(root);
        return base.resolve("examples").resolve("hostile");
    }

    @Test
    void examplesMatchTheGenerator() throws IOException {
        Path dir = dir();
        boolean write = Boolean.getBoolean("tape.hostile.write");
        if (write) {
            Files.createDirectories(dir);
        }
        for (Map.Entry<String, byte[]> e : HostilePrograms.files().entrySet()) {
            Path f = dir.resolve(e.getKey());
            if (write) {
                Files.write(f, e.getValue());
            }
            assertTrue(Files.isRegularFile(f), f + " is missing: run with -Dtape.hostile.write=true");
            assertArrayEquals(e.getValue(), Files.readAllBytes(f), f + " is stale: run with -Dtape.hostile.write=true");
        }
    }
}
