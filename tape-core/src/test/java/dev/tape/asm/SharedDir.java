package dev.tape.asm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Finds {@code shared/conformance}, the reference vectors kept beside the checkout. */
final class SharedDir {
    private SharedDir() {}

    /**
     * @return the conformance folder: from the system property {@code tape.shared.dir} (set by
     *     surefire), else the first {@code shared/conformance} found walking up from the working
     *     directory
     * @throws IllegalStateException when neither exists, so a test fails loudly instead of passing on nothing
     */
    static Path conformance() {
        String prop = System.getProperty("tape.shared.dir");
        if (prop != null && Files.isDirectory(Paths.get(prop, "conformance"))) {
            return Paths.get(prop, "conformance").toAbsolutePath().normalize();
        }
        for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path c = d.resolve("shared").resolve("conformance");
            if (Files.isDirectory(c)) {
                return c;
            }
        }
        throw new IllegalStateException("cannot find shared/conformance: tape.shared.dir=" + prop
                + ", and no shared/conformance above " + Paths.get("").toAbsolutePath());
    }
}
