package dev.tape.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.tape.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * attack-a18: {@code tape inspect} on host symbol ids at the edges: the last symbol (shown by
 * name), the table's size and one past it, 2^31-1, 2^31 and 2^32-1 (shown as declared, out of
 * range), each host on one line of text and the JSON valid with the declared {@code symbol_id}.
 */
class AttackInspectSymbolIdTest {
    @TempDir
    Path tmp;

    @Test
    void hostSymbolIdsAtTheEdgesAreShownAsDeclared() throws Exception {
        // symbols: "" (0), "h" (1), "x\"y" (2): the table holds 3
        long[] ids = {2, 3, 4, 2147483647L, 2147483648L, 4294967295L};
        StringBuilder src = new StringBuilder("symbols {\n    \"h\"\n    \"x\\\"y\"\n}\n");
        for (int i = 0; i < ids.length; i++) {
            src.append("host h").append(i).append(" = $").append(ids[i]).append(" (i64) -> ()\n");
        }
        src.append("func h() -> () {\n    ret r0, []\n}\n");
        Path s = tmp.resolve("edges.tasm");
        Files.writeString(s, src.toString());
        Path bin = tmp.resolve("edges.tape");
        Cli.Result asm = run("asm", s.toString(), "-o", bin.toString());
        assertEquals(0, asm.code(), asm.err());
        Cli.Result text = run("inspect", bin.toString());
        assertEquals(0, text.code(), text.err());
        List<String> hosts = text.outLines().stream().filter(l -> l.startsWith("  host ")).toList();
        assertEquals(ids.length, hosts.size(), text.out());
        // quoted, its quote escaped (mend19: it printed as x"y)
        assertTrue(hosts.get(0).startsWith("  host 0 \"x\\\"y\": (i64) -> () hash "), hosts.get(0));
        for (int i = 1; i < ids.length; i++) {
            assertTrue(hosts.get(i).startsWith("  host " + i + " symbol #" + ids[i] + " (out of range): (i64) -> () hash 0x"),
                    hosts.get(i));
        }
        Cli.Result json = run("inspect", bin.toString(), "--json");
        assertEquals(0, json.code(), json.err());
        JsonNode h = new ObjectMapper().readTree(json.out()).get("host_imports");
        assertEquals(ids.length, h.size());
        assertEquals("x\"y", h.get(0).get("symbol").asText());
        for (int i = 0; i < ids.length; i++) {
            assertEquals(ids[i], h.get(i).get("symbol_id").asLong(), json.out());
            assertEquals(i == 0, h.get(i).get("symbol").isTextual(), json.out());
        }
    }
}
