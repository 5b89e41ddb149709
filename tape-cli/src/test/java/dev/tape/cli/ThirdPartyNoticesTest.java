package dev.tape.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The runnable jar's licences: every library the shade step bundles (the runtime class path, which
 * the build writes to {@code target/bundled-classpath.txt}) has an entry in
 * {@code META-INF/THIRD-PARTY-NOTICES.txt} naming it as {@code group:artifact:version} whose
 * packages cover every package of the library's classes; every entry names a bundled library; and
 * the project's own licence files are in the jar's {@code META-INF}.
 */
class ThirdPartyNoticesTest {
    /** One entry of the notice: its coordinates and package prefixes. */
    private record Entry(String group, String artifact, String version, List<String> packages) {
        String coordinates() {
            return group + ":" + artifact + ":" + version;
        }

        boolean covers(String pkg) {
            return packages.stream().anyMatch(p -> pkg.equals(p) || pkg.startsWith(p + "."));
        }
    }

    private static String notice() throws IOException {
        try (InputStream in = ThirdPartyNoticesTest.class.getResourceAsStream("/META-INF/THIRD-PARTY-NOTICES.txt")) {
            assertNotNull(in, "META-INF/THIRD-PARTY-NOTICES.txt is a resource of tape-cli");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The entries, by coordinates, read from "Library:" and "Packages:" lines. */
    private static Map<String, Entry> entries(String notice) {
        Map<String, Entry> out = new LinkedHashMap<>();
        String library = null;
        for (String line : notice.split("\n")) {
            if (line.startsWith("Library:")) {
                assertEquals(null, library, "a Library line without a Packages line before: " + line);
                library = line.substring("Library:".length()).trim();
            } else if (line.startsWith("Packages:")) {
                assertNotNull(library, "a Packages line without a Library line: " + line);
                String[] gav = library.split(":");
                assertEquals(3, gav.length, library);
                List<String> packages = List.of(line.substring("Packages:".length()).trim().split(",\\s*"));
                assertFalse(out.containsKey(library), "listed twice: " + library);
                out.put(library, new Entry(gav[0], gav[1], gav[2], packages));
                library = null;
            }
        }
        assertEquals(null, library, "the last Library line has no Packages line");
        return out;
    }

    /** The packages of the class files of a jar or a folder of classes (multi-release ones folded in). */
    private static Set<String> packages(Path entry) throws IOException {
        List<String> names = new ArrayList<>();
        if (Files.isDirectory(entry)) {
            try (Stream<Path> files = Files.walk(entry)) {
                files.filter(Files::isRegularFile).forEach(f -> names.add(entry.relativize(f).toString()
                        .replace(File.separatorChar, '/')));
            }
        } else {
            try (ZipFile zip = new ZipFile(entry.toFile())) {
                for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                    names.add(e.nextElement().getName());
                }
            }
        }
        Set<String> out = new TreeSet<>();
        for (String name : names) {
            if (!name.endsWith(".class")) {
                continue;
            }
            String n = name.replaceFirst("^META-INF/versions/[0-9]+/", "");
            if (n.equals("module-info.class") || n.startsWith("META-INF/")) {
                continue;
            }
            int slash = n.lastIndexOf('/');
            out.add(slash < 0 ? "(the unnamed package)" : n.substring(0, slash).replace('/', '.'));
        }
        return out;
    }

    /** The notice's entry for a jar of a Maven repository (.../GROUP/ARTIFACT/VERSION/ARTIFACT-VERSION*.jar). */
    private static Entry entryFor(Path jar, Map<String, Entry> entries) {
        String path = jar.toAbsolutePath().toString().replace(File.separatorChar, '/');
        for (Entry e : entries.values()) {
            String dir = "/" + e.group().replace('.', '/') + "/" + e.artifact() + "/" + e.version() + "/";
            if (path.contains(dir) && jar.getFileName().toString().startsWith(e.artifact() + "-" + e.version())) {
                return e;
            }
        }
        return null;
    }

    /**
     * The problems of a class path against the notice's entries: a bundled item (a jar or a folder
     * of classes that is not the project's own) without an entry, a package of one its entry does
     * not cover, an entry naming nothing bundled.
     *
     * @param jars incremented for each bundled item that is not the project's own
     */
    private static List<String> problems(String classpath, Map<String, Entry> entries, int[] jars) throws IOException {
        Set<String> used = new TreeSet<>();
        List<String> problems = new ArrayList<>();
        for (String item : classpath.split(File.pathSeparator)) {
            Path p = Path.of(item);
            Set<String> packages = packages(p);
            // the project's own classes (a module's folder, or its jar); a jar without classes (data,
            // native libraries, a module-info alone) is a library like any other
            if (!packages.isEmpty()
                    && packages.stream().allMatch(k -> k.equals("dev.tape") || k.startsWith("dev.tape."))) {
                continue;
            }
            jars[0]++;
            Entry e = entryFor(p, entries);
            if (e == null) {
                problems.add(p.getFileName() + " (packages " + packages + ") has no entry in the notice");
                continue;
            }
            used.add(e.coordinates());
            for (String k : packages) {
                if (!e.covers(k)) {
                    problems.add(e.coordinates() + ": package " + k + " is not among its Packages " + e.packages());
                }
            }
        }
        for (String c : entries.keySet()) {
            if (!used.contains(c)) {
                problems.add(c + " is in the notice but not bundled");
            }
        }
        return problems;
    }

    @Test
    void everyBundledLibraryHasAnEntryCoveringItsPackagesAndEveryEntryIsBundled() throws IOException {
        Path list = Path.of("target", "bundled-classpath.txt");
        assertTrue(Files.isRegularFile(list), "the build writes " + list.toAbsolutePath()
                + " (maven-dependency-plugin, generate-test-resources): run the tests through Maven");
        String classpath = Files.readString(list, StandardCharsets.UTF_8).trim();
        int[] jars = {0};
        assertEquals(List.of(), problems(classpath, entries(notice()), jars));
        assertTrue(jars[0] >= 10, "the class path lists the bundled libraries: " + classpath);
    }

    /** Writes a jar of the given entries (each empty) under {@code dir}. */
    private static Path jar(Path dir, String name, String... entries) throws IOException {
        Path jar = dir.resolve(name);
        Files.createDirectories(jar.getParent());
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar))) {
            for (String e : entries) {
                z.putNextEntry(new ZipEntry(e));
                z.closeEntry();
            }
        }
        return jar;
    }

    /**
     * The check itself, on made-up class paths: a library without an entry is found whether it has
     * classes or only resources (a data or native-library jar, one of {@code module-info.class}
     * alone), and the project's own modules need none.
     */
    @Test
    void aBundledLibraryWithoutAnEntryIsFoundEvenWithoutClasses(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException {
        Map<String, Entry> none = Map.of();
        Path own = jar(dir, "tape-x.jar", "dev/tape/x/A.class", "META-INF/MANIFEST.MF");
        Path classes = jar(dir, "repo/org/acme/lib/1.0/lib-1.0.jar", "org/acme/lib/A.class");
        Path data = jar(dir, "repo/org/acme/data/1.0/data-1.0.jar", "org/acme/data/tz.dat", "META-INF/LICENSE");
        Path moduleOnly = jar(dir, "repo/org/acme/mod/1.0/mod-1.0.jar", "module-info.class");
        int[] jars = {0};
        assertEquals(List.of(), problems(own.toString(), none, jars));
        assertEquals(0, jars[0]);
        for (Path p : List.of(classes, data, moduleOnly)) {
            List<String> found = problems(own + File.pathSeparator + p, none, jars);
            assertEquals(1, found.size(), p + ": " + found);
            assertTrue(found.get(0).startsWith(p.getFileName() + " ")
                    && found.get(0).endsWith("has no entry in the notice"), found.get(0));
        }
        Map<String, Entry> acme = Map.of("org.acme:data:1.0",
                new Entry("org.acme", "data", "1.0", List.of("org.acme.data")));
        assertEquals(List.of(), problems(data.toString(), acme, jars));
        assertEquals(List.of("org.acme:data:1.0 is in the notice but not bundled"),
                problems(own.toString(), acme, jars));
    }

    @Test
    void theNoticeGivesEachLibrarysLicence() throws IOException {
        String notice = notice();
        for (String block : notice.split("\n-{20,}\n")) {
            if (block.startsWith("Library:")) {
                assertTrue(block.contains("\nLicence:  "), block);
            }
        }
        assertTrue(notice.contains("Eclipse Public License - v 2.0"), "the EPL's text, for LSP4J");
        assertTrue(notice.contains("Copyright (c) 2000-2011 INRIA, France Telecom"), "ASM's copyright");
        assertTrue(notice.contains("3. Neither the name of the copyright holders"), "ASM's conditions");
    }

    @Test
    void theProjectsLicencesAreInTheJarsMetaInf() throws IOException {
        for (String name : List.of("LICENSE-APACHE", "LICENSE-MIT")) {
            try (InputStream in = ThirdPartyNoticesTest.class.getResourceAsStream("/META-INF/" + name)) {
                if (in == null) {
                    fail("META-INF/" + name + " is a resource of tape-cli");
                }
                assertEquals(Files.readString(Path.of("..", name), StandardCharsets.UTF_8),
                        new String(in.readAllBytes(), StandardCharsets.UTF_8), name);
            }
        }
    }
}
