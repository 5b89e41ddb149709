package dev.tape.codegen;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The marked word-case regions of the interpreter's run loops match {@code spec/word-cases.txt},
 * and the generator renders and rejects templates as documented.
 */
class WordCasesTest {
    private static final String REGENERATE = "word cases are stale: edit spec/word-cases.txt (not the marked region) "
            + "and run `java tape-codegen/src/main/java/dev/tape/codegen/OpcodeGenerator.java` from the repository root";
    private static final String BEGIN = OpcodeGenerator.BEGIN_WORD_CASES;
    private static final String END = OpcodeGenerator.END_WORD_CASES;

    static String template() throws IOException {
        return Files.readString(OpcodeGeneratorTest.root().resolve("spec/word-cases.txt"), StandardCharsets.UTF_8);
    }

    static String source(String path) throws IOException {
        Path p = OpcodeGeneratorTest.root().resolve(path);
        assertTrue(Files.isRegularFile(p), p + " is missing");
        return Files.readString(p, StandardCharsets.UTF_8);
    }

    @Test
    void checkedInRegionsMatchTheTemplate() throws IOException {
        String spec = OpcodeGeneratorTest.spec();
        String template = template();
        List<String> files = OpcodeGenerator.wordCaseFiles(template);
        assertEquals(List.of("tape-core/src/main/java/dev/tape/vm/Interpreter.java",
                "tape-core/src/main/java/dev/tape/vm/CallLoop.java", "tape-core/src/main/java/dev/tape/vm/LeafLoop.java",
                "tape-core/src/main/java/dev/tape/vm/ClosureLoop.java", "tape-core/src/main/java/dev/tape/vm/WordRun.java", "tape-core/src/main/java/dev/tape/vm/FloatRun.java",
                "tape-core/src/main/java/dev/tape/vm/TupleRun.java", "tape-core/src/main/java/dev/tape/vm/ArrayRun.java",
                "tape-core/src/main/java/dev/tape/vm/DecimalRun.java",
                "tape-core/src/main/java/dev/tape/vm/HostRun.java"),
                files);
        for (String f : files) {
            String s = source(f);
            assertTrue(s.contains(BEGIN), f);
            assertEquals(s, OpcodeGenerator.writeWordCases(spec, template, f, s), f + ": " + REGENERATE);
        }
    }

    @Test
    void theCheckWouldCatchATemplateChangeAndAHandEdit() throws IOException {
        String spec = OpcodeGeneratorTest.spec();
        String template = template();
        String line = "w[base + code[ip + 1]] = w[base + code[ip + 2]] - w[base + code[ip + 3]];";
        assertTrue(template.contains("\n" + line + "\n"));
        String changed = template.replace("\n" + line + "\n", "\n" + line.replace(" - ", " + ") + "\n");
        for (String f : OpcodeGenerator.wordCaseFiles(template)) {
            String s = source(f);
            // i64.sub (and const+sub in execute) is in every loop
            assertNotEquals(s, OpcodeGenerator.writeWordCases(spec, changed, f, s), f);
            // an edit inside a region is undone; one outside is kept
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^ *" + java.util.regex.Pattern.quote(BEGIN)
                    + "\n").matcher(s);
            assertTrue(m.find(), f);
            int inside = m.end();
            String edited = s.substring(0, inside) + "// edited by hand\n" + s.substring(inside);
            assertEquals(s, OpcodeGenerator.writeWordCases(spec, template, f, edited), f);
            String outside = "// kept\n" + s;
            assertEquals(outside, OpcodeGenerator.writeWordCases(spec, template, f, outside), f);
        }
    }

    private static final String SPEC = "{\"format\": \"tape-opcodes-v1\", \"opcodes\": ["
            + "{\"byte\": \"0x30\", \"mnemonic\": \"i64.add\", \"terminator\": false, \"fuel\": 1, \"doc\": \"d\","
            + " \"operands\": []}]}";

    private static final String TEMPLATE = String.join("\n",
            "# a comment",
            "@line jmp LOp.JMP_X",
            "ip = code[ip + 1];",
            "@end",
            "",
            "@case add Op.I64_ADD, LOp.ADD_X",
            "@handoff 4",
            "if ($budget == 0) {",
            "    w[0] = 1;",
            "}",
            "@end",
            "@same add2 LOp.ADD_Y = add",
            "@file E.java execute",
            "@region add jmp",
            "@file R.java run",
            "@region add2",
            "@region jmp",
            "");

    @Test
    void executeAndRunModesRenderAsDocumented() {
        String e = "class E {\n        " + BEGIN + "\n        old\n        " + END + "\n}\n";
        assertEquals("class E {\n        " + BEGIN + "\n"
                + "        case Op.I64_ADD, LOp.ADD_X -> {\n"
                + "            if (budget != 0 && LOp.floatRun(code, ip + 4)) {\n"
                + "                break words; // paid for: a FloatRun\n"
                + "            }\n"
                + "            if (budget == 0) {\n"
                + "                w[0] = 1;\n"
                + "            }\n"
                + "        }\n"
                + "        case LOp.JMP_X -> ip = code[ip + 1];\n"
                + "        " + END + "\n}\n", OpcodeGenerator.writeWordCases(SPEC, TEMPLATE, "E.java", e));
        String r = "x\n  " + BEGIN + "\n  " + END + "\ny\n" + BEGIN + "\n" + END + "\n";
        assertEquals("x\n  " + BEGIN + "\n"
                + "  case LOp.ADD_Y -> {\n"
                + "      if (b == 0) {\n"
                + "          w[0] = 1;\n"
                + "      }\n"
                + "  }\n"
                + "  " + END + "\ny\n" + BEGIN + "\n"
                + "case LOp.JMP_X -> ip = code[ip + 1];\n"
                + END + "\n", OpcodeGenerator.writeWordCases(SPEC, TEMPLATE, "R.java", r));
        assertEquals(List.of("E.java", "R.java"), OpcodeGenerator.wordCaseFiles(TEMPLATE));
    }

    /** A line for one mode: {@code @execute LINE} in MODE execute only, {@code @calls LINE} in MODE calls only. */
    @Test
    void modeLinesRenderInTheirModeOnly() {
        String template = String.join("\n",
                "@case call Op.I64_ADD",
                "@execute if (traced) {",
                "@execute     trace();",
                "@execute }",
                "@calls // untraced",
                "if ($budget == 0) {",
                "@calls     $budget++;",
                "    ip += 4;",
                "}",
                "@end",
                "@file E.java execute",
                "@region call",
                "@file C.java calls",
                "@region call",
                "");
        String src = BEGIN + "\n" + END + "\n";
        assertEquals(BEGIN + "\n"
                + "case Op.I64_ADD -> {\n"
                + "    if (traced) {\n"
                + "        trace();\n"
                + "    }\n"
                + "    if (budget == 0) {\n"
                + "        ip += 4;\n"
                + "    }\n"
                + "}\n" + END + "\n", OpcodeGenerator.writeWordCases(SPEC, template, "E.java", src));
        assertEquals(BEGIN + "\n"
                + "case Op.I64_ADD -> {\n"
                + "    // untraced\n"
                + "    if (budget == 0) {\n"
                + "        budget++;\n"
                + "        ip += 4;\n"
                + "    }\n"
                + "}\n" + END + "\n", OpcodeGenerator.writeWordCases(SPEC, template, "C.java", src));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OpcodeGenerator.writeWordCases(SPEC, template.replace("@calls // untraced", "@run x"), "C.java", src));
        assertTrue(e.getMessage().contains("a body line may not start with @"), e.getMessage());
    }

    private static void rejects(String template, String source, String messagePart) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OpcodeGenerator.writeWordCases(SPEC, template, "R.java", source));
        assertTrue(e.getMessage().contains(messagePart), () -> "message \"" + e.getMessage() + "\" lacks \""
                + messagePart + "\"");
    }

    @Test
    void malformedTemplatesAndRegionsAreRejected() {
        String two = BEGIN + "\n" + END + "\n" + BEGIN + "\n" + END + "\n";
        rejects(TEMPLATE, BEGIN + "\n" + END + "\n", "1 marked regions, the template has 2");
        rejects(TEMPLATE, two + two, "more marked regions than the 2 of the template");
        rejects(TEMPLATE, BEGIN + "\n" + BEGIN + "\n" + END + "\n", "region not closed");
        rejects(TEMPLATE, BEGIN + "\nx\n", "region not closed");
        rejects(TEMPLATE, END + "\n" + two, "without " + BEGIN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OpcodeGenerator.writeWordCases(SPEC, TEMPLATE, "Other.java", two));
        assertTrue(e.getMessage().contains("names no file Other.java"), e.getMessage());
        rejects(TEMPLATE.replace("@region jmp", "@region jump"), two, "undefined case jump");
        rejects(TEMPLATE.replace("Op.I64_ADD", "Op.I64_SUB"), two, "Op.I64_SUB is not an opcode of the spec");
        rejects(TEMPLATE.replace("LOp.JMP_X", "JMP_X"), two, "bad label JMP_X");
        rejects(TEMPLATE.replace("@region add2\n", ""), two, "case add2 is used by no region");
        rejects(TEMPLATE.replace("@same add2", "@line add2"), two, "bad label LOp.ADD_Y = add");
        rejects(TEMPLATE + "@what\n", two, "unexpected line: @what");
        rejects(TEMPLATE.replace("= add", "= sub"), two, "@same names an undefined case sub");
        rejects(TEMPLATE.replace("ip = code[ip + 1];\n", ""), two, "needs exactly one statement line");
        rejects(TEMPLATE.replace("@handoff 4", "@handof 4"), two, "a body line may not start with @");
        rejects(TEMPLATE + "@case z LOp.Z\nip++;\n", two, "case z has no @end");
        rejects(TEMPLATE + "@case add LOp.Z\nip++;\n@end\n", two, "case add defined twice");
        rejects(TEMPLATE + "@file R.java run\n", two, "file R.java named twice");
        rejects(TEMPLATE + "@file S.java walk\n", two, "a mode, execute or run");
        rejects(TEMPLATE + "@file S.java run\n", two, "file S.java has no @region");
        rejects(TEMPLATE + "@region\n", two, "@region names no case");
        rejects("@region add\n", two, "@region before any @file");
        rejects("@case x\n", two, "expected @case NAME LABEL");
        rejects("@case add LOp.A\n@end\n", two, "has an empty body");
    }
}
