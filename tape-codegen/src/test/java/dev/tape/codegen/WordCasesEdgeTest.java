package dev.tape.codegen;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The word-case generator on odd inputs: markers inside a case body, CRLF line endings, a region
 * closed on a file's last line, a run from another working directory, regenerating twice, and
 * marked regions in files the template does not name.
 */
class WordCasesEdgeTest {
    private static final String BEGIN = OpcodeGenerator.BEGIN_WORD_CASES;
    private static final String END = OpcodeGenerator.END_WORD_CASES;

    private static final String SPEC = WordCasesTest.SPEC;

    private static final String TEMPLATE = String.join("\n",
            "@case add Op.I64_ADD",
            "if ($budget == 0) {",
            "    w[0] = 1; // ü",
            "}",
            "@end",
            "@file E.java execute",
            "@region add",
            "");

    private static final String RENDERED = "    case Op.I64_ADD -> {\n"
            + "        if (budget == 0) {\n"
            + "            w[0] = 1; // ü\n"
            + "        }\n"
            + "    }\n";

    @Test
    void aMarkerInsideACaseBodyIsRejected() {
        // rendered into a region, such a line would close (or nest) the region on the next run
        for (String marker : new String[] {END, BEGIN, "    " + END, "\t" + BEGIN}) {
            String t = TEMPLATE.replace("    w[0] = 1; // ü", marker);
            String source = BEGIN + "\n" + END + "\n";
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OpcodeGenerator.writeWordCases(SPEC, t, "E.java", source), marker);
            assertTrue(e.getMessage().contains("line 3") && e.getMessage().contains("marker"), e.getMessage());
        }
    }

    @Test
    void regeneratingTwiceChangesNothing() throws IOException {
        String s = "class E {\n    " + BEGIN + "\n    old\n    " + END + "\n}\n";
        String once = OpcodeGenerator.writeWordCases(SPEC, TEMPLATE, "E.java", s);
        assertEquals("class E {\n    " + BEGIN + "\n" + RENDERED + "    " + END + "\n}\n", once);
        assertEquals(once, OpcodeGenerator.writeWordCases(SPEC, TEMPLATE, "E.java", once));
        String spec = OpcodeGeneratorTest.spec();
        String template = WordCasesTest.template();
        List<String> whole = OpcodeGenerator.wholeFiles(template);
        for (String f : OpcodeGenerator.wordCaseFiles(template)) {
            // a file generated whole from nothing
            String emptied = whole.contains(f) ? "" : WordCasesTest.source(f).replaceAll("(?s)(" + java.util.regex.Pattern.quote(BEGIN)
                    + "\n).*?(\n *" + java.util.regex.Pattern.quote(END) + ")", "$1// gone$2");
            String first = OpcodeGenerator.writeWordCases(spec, template, f, emptied);
            assertNotEquals(emptied, first, f);
            assertEquals(first, OpcodeGenerator.writeWordCases(spec, template, f, first), f);
        }
    }

    @Test
    void crlfTemplatesAndLoopsRegenerateToThemselves() {
        String lf = "class E {\n    " + BEGIN + "\n" + RENDERED + "    " + END + "\n}\n";
        String crlf = lf.replace("\n", "\r\n");
        // a template checked out with CRLF renders as with LF
        assertEquals(lf, OpcodeGenerator.writeWordCases(SPEC, TEMPLATE.replace("\n", "\r\n"), "E.java", lf));
        // a loop checked out with CRLF keeps CRLF inside its region too
        assertEquals(crlf, OpcodeGenerator.writeWordCases(SPEC, TEMPLATE, "E.java", crlf));
        assertEquals(crlf, OpcodeGenerator.writeWordCases(SPEC, TEMPLATE.replace("\n", "\r\n"), "E.java",
                crlf.replace(RENDERED.replace("\n", "\r\n"), "")));
    }

    @Test
    void aRegionClosedOnTheLastLineWithoutANewline() {
        String s = "x\n" + BEGIN + "\n" + END;
        assertEquals("x\n" + BEGIN + "\n" + RENDERED.replace("\n    ", "\n").replaceFirst("^    ", "") + END,
                OpcodeGenerator.writeWordCases(SPEC, TEMPLATE, "E.java", s));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OpcodeGenerator.writeWordCases(SPEC, TEMPLATE, "E.java", "x\n" + BEGIN + "\nold"));
        assertTrue(e.getMessage().contains("region not closed"), e.getMessage());
    }

    @Test
    void mainFindsTheLoopsFromTheSpecNotTheWorkingDirectory(@TempDir Path root) throws IOException {
        // the working directory (the module) is not the repository given by the spec's path
        assertTrue(!Files.exists(Path.of("E.java")));
        Files.createDirectories(root.resolve("spec"));
        Files.writeString(root.resolve("spec/opcodes.json"), SPEC, StandardCharsets.UTF_8);
        Files.writeString(root.resolve("spec/word-cases.txt"), TEMPLATE, StandardCharsets.UTF_8);
        Path loop = root.resolve("E.java");
        Files.writeString(loop, "class E {\n    " + BEGIN + "\n    " + END + "\n}\n", StandardCharsets.UTF_8);
        OpcodeGenerator.main(new String[] {root.resolve("spec/opcodes.json").toString(),
            root.resolve("out").toString()});
        assertEquals("class E {\n    " + BEGIN + "\n" + RENDERED + "    " + END + "\n}\n",
                Files.readString(loop, StandardCharsets.UTF_8));
        assertTrue(Files.isRegularFile(root.resolve("out/dev/tape/format/Op.java")));
    }

    @Test
    void noUnnamedFileHasAMarkedRegion() throws IOException {
        // a region in a file the template does not name would never be regenerated nor checked
        Path root = OpcodeGeneratorTest.root();
        List<String> marked = new ArrayList<>();
        for (String module : new String[] {"tape-core", "tape-jit", "tape-debug", "tape-cli", "tape-conformance"}) {
            Path src = root.resolve(module).resolve("src/main/java");
            if (!Files.isDirectory(src)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(src)) {
                for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
                    for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                        if (line.trim().equals(BEGIN)) {
                            marked.add(root.relativize(p).toString().replace('\\', '/'));
                            break;
                        }
                    }
                }
            }
        }
        marked.sort(null);
        // those generated whole have none
        List<String> named = new ArrayList<>(OpcodeGenerator.wordCaseFiles(WordCasesTest.template()));
        named.removeAll(OpcodeGenerator.wholeFiles(WordCasesTest.template()));
        named.sort(null);
        assertEquals(named, marked);
    }
}
