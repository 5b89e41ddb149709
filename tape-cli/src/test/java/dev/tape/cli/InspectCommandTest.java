package dev.tape.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tape.program.HostSig;
import dev.tape.program.ValueType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.tape.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code tape inspect}: sections that tile the file, functions, host imports and types, as text and JSON. */
class InspectCommandTest {
    @TempDir
    Path tmp;

    static final String PROGRAM = """
            program shapes
            host add = "test.add_i64" (i64, i64) -> (i64)
            struct point = { x: i64, y: bool }
            array ints = i64
            func "main\\ntrap: fake\\u001b[31m"(a: i64) -> (i64) {
                host_call r0, add, r0, [r1, r1] -> [r2]
                ret r0, [r2]
            }
            func helper() -> () {
                ret r0, []
            }
            """;

    @Test
    void listsSectionsFunctionsImportsAndTypes() throws Exception {
        Path src = tmp.resolve("shapes.tasm");
        Files.writeString(src, PROGRAM);
        Path bin = tmp.resolve("shapes.tape");
        assertEquals(0, run("asm", src.toString(), "-o", bin.toString()).code());
        byte[] bytes = Files.readAllBytes(bin);

        Cli.Result json = run("inspect", bin.toString(), "--json");
        assertEquals(0, json.code(), json.err());
        assertTrue(json.out().chars().allMatch(c -> c < 0x80), "the JSON is plain ASCII");
        JsonNode m = new ObjectMapper().readTree(json.out());
        assertEquals(bytes.length, m.get("bytes").asInt());
        // the sections tile the file after the 12-byte header: tag, ULEB128 length, payload
        long at = 12;
        for (JsonNode s : m.get("sections")) {
            assertEquals(at, s.get("offset").asLong());
            assertEquals(bytes[(int) at] & 0xFF, s.get("tag").asInt());
            long size = s.get("size").asLong();
            at += 1 + (size < 128 ? 1 : size < 16384 ? 2 : 3) + size;
        }
        assertEquals(bytes.length, at);
        JsonNode f0 = m.get("functions").get(0);
        assertEquals("main\ntrap: fake\u001b[31m", f0.get("name").asText(), "JSON keeps the name exact");
        assertEquals(List.of("i64"), List.of(f0.get("args").get(0).asText()));
        assertEquals(3, f0.get("registers").asInt());
        assertEquals(2, m.get("functions").size());
        JsonNode h = m.get("host_imports").get(0);
        assertEquals("test.add_i64", h.get("symbol").asText());
        assertEquals(2, h.get("symbol_id").asInt(), "symbol 1 is the program's name, shapes");
        assertEquals(String.format("0x%016x", HostSig.hash(List.of(ValueType.I64, ValueType.I64),
                List.of(ValueType.I64))), h.get("sig_hash").asText());
        assertEquals("x", m.get("structs").get(0).get("fields").get(0).get("name").asText());
        assertEquals("bool", m.get("structs").get(0).get("fields").get(1).get("type").asText());
        assertEquals("i64", m.get("array_elements").get(0).asText());

        Cli.Result text = run("inspect", src.toString());
        assertEquals(0, text.code(), text.err());
        assertFalse(text.out().contains("\u001b"), "names are escaped");
        List<String> lines = text.outLines();
        assertTrue(lines.contains("  func 0 (\"main\\ntrap: fake\\u001b[31m\"): (i64) -> (i64), 3 registers, "
                + f0.get("code_bytes").asInt() + " code bytes, 0 span entries"), text.out());
        assertTrue(lines.contains("  host 0 test.add_i64: (i64, i64) -> (i64) hash " + h.get("sig_hash").asText()),
                text.out());
        assertTrue(lines.contains("  struct 0 (x: i64, y: bool)"), text.out());
        assertTrue(lines.contains("  array 0 of i64"), text.out());
        assertTrue(lines.contains("2 functions"), text.out());
    }

    /**
     * A register count the file declares as 2^31 to 2^32-1 (kept as 2^31-1 by the decoder, refused
     * by the verifier) is shown as declared, in the text and the JSON, as {@code tape disasm} and
     * {@code tape verify} name it.
     */
    @Test
    void aRegisterCountOf2To31OrMoreIsShownAsDeclared() throws Exception {
        Path src = tmp.resolve("huge.tasm");
        Files.writeString(src, "func f() -> () regs 4000000000 {\n    ret r0, []\n}\n");
        Path bin = tmp.resolve("huge.tape");
        assertEquals(0, run("asm", src.toString(), "-o", bin.toString()).code());
        Cli.Result json = run("inspect", bin.toString(), "--json");
        assertEquals(0, json.code(), json.err());
        assertEquals(4_000_000_000L, new ObjectMapper().readTree(json.out()).get("functions").get(0)
                .get("registers").asLong());
        Cli.Result text = run("inspect", bin.toString());
        assertTrue(text.out().contains(", 4000000000 registers, "), text.out());
        Cli.Result disasm = run("disasm", bin.toString());
        assertEquals(0, disasm.code(), disasm.err());
        assertTrue(disasm.out().contains("func f() -> () regs 4000000000 {"), disasm.out());
        Cli.Result verify = run("verify", bin.toString());
        assertTrue(verify.err().contains("the function declares 4000000000 registers"), verify.err());
        assertFalse((json.out() + text.out() + disasm.out() + verify.err()).contains("2147483647"));
    }

    /**
     * A host signature whose symbol id is past the symbol table (the decoder keeps it, the verifier
     * refuses it) is shown by its declared id, in the text and the JSON, as {@code tape disasm}
     * writes it ({@code $N}), whether it fits an {@code int} or not.
     */
    @Test
    void aHostSymbolIdPastTheTableIsShownAsDeclared() throws Exception {
        for (long id : new long[] {7, 4_000_000_000L}) {
            Path src = tmp.resolve("far" + id + ".tasm");
            Files.writeString(src, "host h = $" + id + " (i64) -> ()\nfunc f() -> () {\n    ret r0, []\n}\n");
            Path bin = tmp.resolve("far" + id + ".tape");
            Cli.Result asm = run("asm", src.toString(), "-o", bin.toString());
            assertEquals(0, asm.code(), asm.err());
            Cli.Result text = run("inspect", bin.toString());
            assertEquals(0, text.code(), text.err());
            assertTrue(text.outLines().stream().anyMatch(l -> l.startsWith("  host 0 symbol #" + id
                    + " (out of range): (i64) -> () hash ")), text.out());
            Cli.Result json = run("inspect", bin.toString(), "--json");
            assertEquals(0, json.code(), json.err());
            JsonNode h = new ObjectMapper().readTree(json.out()).get("host_imports").get(0);
            assertEquals(id, h.get("symbol_id").asLong());
            assertTrue(h.get("symbol").isNull(), json.out());
            Cli.Result disasm = run("disasm", bin.toString());
            assertTrue(disasm.out().contains("host @0 = $" + id + " (i64) -> ()"), disasm.out());
            assertFalse((text.out() + json.out()).contains("no symbol"));
        }
    }

    /** The text form of {@code src}'s listing, as lines. */
    private List<String> inspect(String name, String src) throws Exception {
        Path f = tmp.resolve(name + ".tasm");
        Files.writeString(f, src);
        Cli.Result text = run("inspect", f.toString());
        assertEquals(0, text.code(), text.err());
        return text.outLines().subList(1, text.outLines().size());
    }

    /**
     * Names that are not identifiers print as quoted literals, with {@code "} and backslashes
     * escaped and uncut, so two programs that differ in a name never print the same listing: a host
     * symbol spelled as the listing spells a symbol id past the table, a newline against a backslash
     * and {@code n}, a quote that would close the name early, a field named {@code ?} against one the
     * field-name table lacks, and two long names that differ in the middle (cut to the same text
     * before). Every listing is one line a name, and the same program prints the same listing.
     */
    @Test
    void namesPrintUnambiguously() throws Exception {
        String far = "host h = $7 (i64) -> ()\nfunc f() -> () {\n    ret r0, []\n}\n";
        String spoof = "host h = \"symbol #7 (out of range)\" (i64) -> ()\nfunc f() -> () {\n    ret r0, []\n}\n";
        List<String> a = inspect("far", far);
        List<String> b = inspect("spoof", spoof);
        assertTrue(a.stream().anyMatch(l -> l.startsWith("  host 0 symbol #7 (out of range): ")), a.toString());
        assertTrue(b.stream().anyMatch(l -> l.startsWith("  host 0 \"symbol #7 (out of range)\": ")), b.toString());
        String[][] pairs = {
            {"a\\nb", "a\\\\nb"},
            {"x\\\" (y", "x\\\\\\\" (y"},
            {"q\\\"", "q\\\\"},
            {"e\\u001b", "e\\\\u001b"},
            {"m".repeat(3000) + "1" + "m".repeat(3000), "m".repeat(3000) + "2" + "m".repeat(3000)},
        };
        for (String[] p : pairs) {
            List<String> x = inspect("x", "func \"" + p[0] + "\"() -> () {\n    ret r0, []\n}\n");
            List<String> y = inspect("y", "func \"" + p[1] + "\"() -> () {\n    ret r0, []\n}\n");
            assertFalse(x.equals(y), p[0] + " against " + p[1] + ": " + x);
            assertEquals(x, inspect("x", "func \"" + p[0] + "\"() -> () {\n    ret r0, []\n}\n"));
        }
        // the name exactly, as the disassembler quotes it: a newline as \n, a quote as \", a backslash as \\
        List<String> q = inspect("q", "func \"a\\nb\\\\n\\\"c\"() -> () {\n    ret r0, []\n}\n");
        assertTrue(q.stream().anyMatch(l -> l.startsWith("  func 0 (\"a\\nb\\\\n\\\"c\"): ")), q.toString());
        List<String> fields = inspect("fields", "struct s = { \"?\": i64, \"a, b: i64\": bool }\n"
                + "func f() -> () {\n    ret r0, []\n}\n");
        assertTrue(fields.contains("  struct 0 (\"?\": i64, \"a, b: i64\": bool)"), fields.toString());
    }

    @Test
    void aFileThatDoesNotDecodeIsOneErrorLine() throws Exception {
        Path f = tmp.resolve("junk.tape");
        Files.write(f, new byte[] {1, 2, 3});
        assertTrue(run("inspect", f.toString()).oneErrorLine(2).startsWith("tape inspect: " + f + ": decode error"));
    }
}
