package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tape.debug.Shell;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code variables} on the wire (framed bytes, as a client writes them), on a frame of 65,536
 * registers that each hold a string of 5,000 characters: the scope counts them as
 * {@code indexedVariables}, a response holds at most {@link DapServer#MAX_VARIABLES} of them from
 * {@code start} on ({@code count} of them when it asks for fewer), a {@code named} filter gets
 * none, and every name and value is at most {@link DapServer#MAX_VARIABLE_CHARS} characters. Before
 * the bounds one response held all 65,536 (51 MB: half of each value's characters are {@code <},
 * which the JSON writer sends as {@code \u003c}); now one holds 1,000 (0.77 MB).
 */
@Timeout(180)
class DapVariablesPagingTest {
    private static final int REGISTERS = 65536;

    @TempDir
    Path dir;

    private DapClient client;

    @AfterEach
    void close() throws Exception {
        if (client != null) {
            client.close();
        }
    }

    /**
     * main, whose argument has a name of 600 characters: every register r2 to r65535 a copy of one
     * string of 5,000 characters, then a {@code ret} on its own line.
     */
    private Path wide() throws IOException {
        StringBuilder s = new StringBuilder("program wide\nfunc main(").append("n".repeat(600))
                .append(": i64) -> (i64) {\n    const.pool r2, str:\"");
        // a name's worth of characters, and one that escapes ('<' is sent as \\u003c by JSON writers that escape HTML)
        s.append("a<".repeat(2500)).append("\"\n");
        for (int r = 3; r < REGISTERS; r++) {
            s.append("    mov r").append(r).append(", r2\n");
        }
        s.append("    ret r0, [r1]\n}\n");
        Path p = dir.resolve("wide.tasm");
        Files.writeString(p, s);
        return p;
    }

    private int send(String command, String arguments) throws IOException {
        return client.send(command, arguments);
    }

    private String await(int n, String event) throws IOException {
        return client.await(n, event);
    }

    private JsonObject ok(int n) throws IOException {
        return client.ok(n);
    }

    /** The variables response's raw body and its variables, checked: names and values bounded. */
    private JsonArray variables(String arguments, int[] size) throws IOException {
        String raw = await(send("variables", arguments), null);
        size[0] = raw.length();
        JsonObject m = JsonParser.parseString(raw).getAsJsonObject();
        assertTrue(m.get("success").getAsBoolean(), arguments);
        JsonArray vars = m.getAsJsonObject("body").getAsJsonArray("variables");
        for (var e : vars) {
            JsonObject v = e.getAsJsonObject();
            assertTrue(v.get("name").getAsString().length() <= DapServer.MAX_VARIABLE_CHARS, v.toString());
            assertTrue(v.get("value").getAsString().length() <= DapServer.MAX_VARIABLE_CHARS, v.toString());
        }
        return vars;
    }

    private static String name(JsonArray vars, int i) {
        return vars.get(i).getAsJsonObject().get("name").getAsString();
    }

    @Test
    void variablesComeInPagesOfBoundedSize() throws Exception {
        Path program = wide();
        client = new DapClient();
        ok(send("initialize", "{\"adapterID\":\"tape\"}"));
        ok(send("launch", "{\"program\":\"" + program.toString().replace("\\", "\\\\") + "\",\"args\":[\"i64:7\"]}"));
        ok(send("setBreakpoints", "{\"source\":{\"path\":\"" + program.toString().replace("\\", "\\\\")
                + "\"},\"breakpoints\":[{\"line\":" + (REGISTERS + 1) + "}]}"));
        ok(send("configurationDone", null));
        await(0, "stopped");

        JsonObject scope = ok(send("scopes", "{\"frameId\":1}")).getAsJsonObject("body").getAsJsonArray("scopes")
                .get(0).getAsJsonObject();
        assertEquals(REGISTERS, scope.get("indexedVariables").getAsInt(), scope.toString());
        assertNull(scope.get("namedVariables"), scope.toString());
        String ref = "{\"variablesReference\":" + scope.get("variablesReference").getAsInt();

        int[] size = new int[1];
        JsonArray all = variables(ref + "}", size);
        assertEquals(DapServer.MAX_VARIABLES, all.size(), "count absent: at most the bound");
        assertEquals("r0", name(all, 0));
        assertEquals("r999", name(all, 999));
        String value = all.get(2).getAsJsonObject().get("value").getAsString();
        // the literal cut as the CLI debugger cuts it
        assertEquals(Shell.MAX_VALUE_CHARS + 3, value.length(), value);
        assertTrue(value.startsWith("str:\"a<a<") && value.endsWith("..."), value);
        assertEquals("r1 (" + "n".repeat(DapServer.MAX_VARIABLE_CHARS - 7) + "...", name(all, 1));
        assertTrue(size[0] < 1_000_000, "one response: " + size[0] + " characters");

        JsonArray page = variables(ref + ",\"filter\":\"indexed\",\"start\":100,\"count\":100}", size);
        assertEquals(100, page.size());
        assertEquals("r100", name(page, 0));
        assertEquals("r199", name(page, 99));

        JsonArray end = variables(ref + ",\"start\":65000,\"count\":5000}", size);
        assertEquals(REGISTERS - 65000, end.size(), "count past the end: up to the last register");
        assertEquals("r65535", name(end, end.size() - 1));
        assertEquals(DapServer.MAX_VARIABLES,
                variables(ref + ",\"start\":1000,\"count\":100000}", size).size());
        assertEquals("r0", name(variables(ref + ",\"start\":-5,\"count\":3}", size), 0));
        assertEquals(0, variables(ref + ",\"start\":70000}", size).size());
        assertEquals(0, variables(ref + ",\"filter\":\"named\"}", size).size(),
                "the registers are indexed variables");

        // a reference never given is named as the client sent it (it named the frame level 4)
        JsonObject bad = JsonParser.parseString(await(send("variables", "{\"variablesReference\":5}"), null))
                .getAsJsonObject();
        assertFalse(bad.get("success").getAsBoolean());
        assertEquals("no variables reference 5 (scopes gives one for each frame)", bad.get("message").getAsString());
        ok(send("disconnect", null));
    }

    @Test
    void longNamesAreCutWithAnEllipsis() {
        assertEquals("short", DapServer.cut("short"));
        String exact = "x".repeat(DapServer.MAX_VARIABLE_CHARS);
        assertEquals(exact, DapServer.cut(exact));
        String cut = DapServer.cut("y".repeat(10_000));
        assertEquals("y".repeat(DapServer.MAX_VARIABLE_CHARS - 3) + "...", cut);
        // a pair of surrogates is never split
        String pairs = "\ud83d\ude00".repeat(1000);
        String c = DapServer.cut(pairs);
        assertTrue(c.length() <= DapServer.MAX_VARIABLE_CHARS && c.endsWith("..."), c);
        assertFalse(Character.isHighSurrogate(c.charAt(c.length() - 4)), c);
    }
}
