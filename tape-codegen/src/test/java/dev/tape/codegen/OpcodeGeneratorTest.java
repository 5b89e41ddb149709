package dev.tape.codegen;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The checked-in generated sources match {@code spec/opcodes.json}, and the generator rejects
 * malformed specs.
 */
class OpcodeGeneratorTest {
    private static final String REGENERATE = "generated source is stale: run "
            + "`java tape-codegen/src/main/java/dev/tape/codegen/OpcodeGenerator.java` from the repository root";

    /**
     * The repository root: the {@code tape.root.dir} system property (set by surefire) when it holds
     * {@code spec/opcodes.json}, else the nearest directory above the working directory that does.
     */
    static Path root() {
        String prop = System.getProperty("tape.root.dir");
        if (prop != null && Files.isRegularFile(Path.of(prop, "spec", "opcodes.json"))) {
            return Path.of(prop).toAbsolutePath().normalize();
        }
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("spec").resolve("opcodes.json"))) {
                return d;
            }
        }
        throw new IllegalStateException("spec/opcodes.json not found (tape.root.dir=" + prop + ", working directory "
                + Path.of("").toAbsolutePath() + ")");
    }

    static String spec() throws IOException {
        return Files.readString(root().resolve("spec/opcodes.json"), StandardCharsets.UTF_8);
    }

    static String checkedIn(String relativePath) throws IOException {
        Path p = root().resolve("tape-core/src/main/java").resolve(relativePath);
        assertTrue(Files.isRegularFile(p), p + " is missing: " + REGENERATE);
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    @Test
    void checkedInSourcesMatchTheSpec() throws IOException {
        Map<String, String> generated = OpcodeGenerator.generate(spec());
        assertFalse(generated.isEmpty());
        for (Map.Entry<String, String> e : generated.entrySet()) {
            assertEquals(e.getValue(), checkedIn(e.getKey()), e.getKey() + ": " + REGENERATE);
        }
    }

    /** Replaces the first {@code "doc": "..."} value of the spec. */
    private static String withFirstDocChanged(String spec, String newDoc) {
        Matcher m = Pattern.compile("\"doc\": \"([^\"\\\\]*)\"").matcher(spec);
        assertTrue(m.find(), "the spec has a doc string");
        return spec.substring(0, m.start(1)) + newDoc + spec.substring(m.end(1));
    }

    @Test
    void theStalenessCheckWouldCatchASpecChange() throws IOException {
        String changed = withFirstDocChanged(spec(), "A changed description.");
        Map<String, String> generated = OpcodeGenerator.generate(changed);
        String path = "dev/tape/format/Opcode.java";
        assertTrue(generated.get(path).contains("A changed description."));
        assertNotEquals(checkedIn(path), generated.get(path));
    }

    @Test
    void outputIsDeterministic() throws IOException {
        String spec = spec();
        Map<String, String> a = OpcodeGenerator.generate(spec);
        Map<String, String> b = OpcodeGenerator.generate(spec);
        assertEquals(a, b);
        assertEquals(new ArrayList<>(a.keySet()), new ArrayList<>(b.keySet()));
    }

    @Test
    void opcodesAreOrderedByByteWhateverTheSpecOrder() throws IOException {
        // Moving the first opcode to the end of the list must not change the output.
        String spec = spec();
        int listStart = spec.indexOf("\"opcodes\": [") + "\"opcodes\": [".length();
        int firstEnd = spec.indexOf("\"operands\": []},", listStart) + "\"operands\": []},".length();
        String first = spec.substring(listStart, firstEnd - 1).trim();
        int listEnd = spec.lastIndexOf(']');
        String moved = spec.substring(0, listStart) + spec.substring(firstEnd, listEnd).stripTrailing() + ",\n    "
                + first + "\n  " + spec.substring(listEnd);
        assertNotEquals(spec, moved);
        assertEquals(OpcodeGenerator.generate(spec), OpcodeGenerator.generate(moved));
    }

    private static void rejects(String spec, String messagePart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OpcodeGenerator.generate(spec));
        assertTrue(e.getMessage().contains(messagePart), () -> "message \"" + e.getMessage() + "\" lacks \""
                + messagePart + "\"");
    }

    @Test
    void duplicateByteIsRejected() throws IOException {
        String spec = spec();
        assertTrue(spec.contains("\"byte\": \"0x01\""));
        rejects(spec.replace("\"byte\": \"0x01\"", "\"byte\": \"0x00\""), "byte 0x0 used twice");
    }

    @Test
    void duplicateMnemonicIsRejected() throws IOException {
        String spec = spec();
        assertTrue(spec.contains("\"mnemonic\": \"mov\""));
        rejects(spec.replace("\"mnemonic\": \"mov\"", "\"mnemonic\": \"nop\""), "mnemonic nop used twice");
    }

    @Test
    void unknownKindAndEncodingAreRejected() throws IOException {
        String spec = spec();
        rejects(spec.replaceFirst("\"kind\": \"reg\"", "\"kind\": \"register\""), "unknown operand kind register");
        rejects(spec.replaceFirst("\"encoding\": \"uleb32\"", "\"encoding\": \"uleb31\""), "unknown encoding uleb31");
    }

    @Test
    void otherMalformedSpecsAreRejected() throws IOException {
        String spec = spec();
        rejects(spec.replace("\"tape-opcodes-v1\"", "\"tape-opcodes-v2\""), "format must be");
        rejects(spec.replaceFirst("\"byte\": \"0x00\"", "\"byte\": \"00\""), "byte must be written 0xNN");
        rejects(spec.replaceFirst("\"byte\": \"0x00\"", "\"byte\": \"0x100\""), "byte out of range");
        rejects(spec.replaceFirst("\"terminator\": false", "\"terminator\": 0"), "terminator must be true or false");
        rejects(spec.replaceFirst("\"fuel\": 1", "\"fuel\": -1"), "fuel must be a non-negative integer");
        rejects(spec.replaceFirst("\"access\": \"write\"", "\"access\": \"both\""), "needs access read or write");
        rejects(spec.replaceFirst(", \"class\": \"same\"", ""), "mov.dst: a register operand needs a class");
        rejects(spec.replaceFirst("\"class\": \"same\"", "\"class\": \"word\""), "needs a class, one of");
        rejects(spec.replaceFirst("\"encoding\": \"uleb32\"\\}", "\"encoding\": \"uleb32\", \"class\": \"i64\"}"),
                "only register operands have an access and a class");
        rejects(spec + "x", "trailing characters");
        rejects("{\"format\": \"tape-opcodes-v1\", \"opcodes\": {}}", "opcodes must be an array");
        rejects("[]", "document must be an object");
        rejects("{\"a\": 1, \"a\": 2}", "duplicate key a");
    }

    @Test
    void everyTruncationOfTheSpecIsAnIllegalArgument() throws IOException {
        String spec = spec();
        List<String> failures = new ArrayList<>();
        for (int n = 0; n < spec.length(); n += Math.max(1, n / 50)) {
            String cut = spec.substring(0, n);
            try {
                OpcodeGenerator.generate(cut);
                failures.add(n + ": accepted");
            } catch (IllegalArgumentException expected) {
                // the documented failure
            } catch (RuntimeException e) {
                failures.add(n + ": " + e);
            }
        }
        if (!failures.isEmpty()) {
            fail("truncated specs not rejected with IllegalArgumentException: " + failures);
        }
    }

    @Test
    void badEscapesAreIllegalArguments() {
        String head = "{\"format\": \"tape-opcodes-v1\", \"opcodes\": [], \"about\": \"";
        for (String tail : new String[] {"\\", "\\u12", "\\uzzzz\"}", "\\q\"}", "\\u00"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OpcodeGenerator.generate(head + tail), tail);
            assertTrue(e.getMessage().startsWith("spec: JSON error"), e.getMessage());
        }
        Map<String, String> ok = OpcodeGenerator.generate(head + "\\u00e9 \\\" \\\\ \\/ \\n\"}");
        assertEquals(java.util.Set.of("dev/tape/format/Op.java", "dev/tape/format/Opcode.java"), ok.keySet());
    }
}
