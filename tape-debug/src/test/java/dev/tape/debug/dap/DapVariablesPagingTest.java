package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tape.debug.Shell;
import dev.tape.debug.TestTargets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
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

    private OutputStream toServer;
    private InputStream fromServer;
    private java.lang.Thread serving;
    private int seq;

    @AfterEach
    void close() throws Exception {
        if (toServer != null) {
            toServer.close();
        }
        if (serving != null) {
            serving.join(30_000);
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

    private void start() throws IOException {
        PipedOutputStream clientOut = new PipedOutputStream();
        PipedInputStream serverIn = new PipedInputStream(clientOut, 1 << 16);
        PipedOutputStream serverOut = new PipedOutputStream();
        fromServer = new PipedInputStream(serverOut, 1 << 20);
        toServer = clientOut;
        serving = new java.lang.Thread(() -> {
            try (serverOut) {
                DapServer.serve(TestTargets::target, serverIn, serverOut);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        serving.setDaemon(true);
        serving.start();
    }

    /** Sends a request, framed; returns its seq. */
    private int send(String command, String arguments) throws IOException {
        int n = ++seq;
        String m = "{\"seq\":" + n + ",\"type\":\"request\",\"command\":\"" + command + "\""
                + (arguments == null ? "" : ",\"arguments\":" + arguments) + "}";
        byte[] b = m.getBytes(StandardCharsets.UTF_8);
        toServer.write(("Content-Length: " + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        toServer.write(b);
        toServer.flush();
        return n;
    }

    /** The next message's body as the server framed it. */
    private String next() throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        while (!header.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int c = fromServer.read();
            assertTrue(c >= 0, "the server's stream ended");
            header.write(c);
        }
        String h = header.toString(StandardCharsets.US_ASCII);
        assertTrue(h.startsWith("Content-Length: "), h);
        int n = Integer.parseInt(h.substring("Content-Length: ".length(), h.length() - 4));
        return new String(fromServer.readNBytes(n), StandardCharsets.UTF_8);
    }

    /** Reads messages until the response to request {@code n} (or the event, when n is 0 and event given). */
    private String await(int n, String event) throws IOException {
        while (true) {
            String body = next();
            JsonObject m = JsonParser.parseString(body).getAsJsonObject();
            String type = m.get("type").getAsString();
            if (type.equals("response") && m.get("request_seq").getAsInt() == n
                    || type.equals("event") && m.get("event").getAsString().equals(event)) {
                return body;
            }
        }
    }

    private JsonObject ok(int n) throws IOException {
        JsonObject m = JsonParser.parseString(await(n, null)).getAsJsonObject();
        assertTrue(m.get("success").getAsBoolean(), m.toString());
        return m;
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
        start();
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

        int[] size = new int[1];
        JsonArray all = variables("{\"variablesReference\":1}", size);
        assertEquals(DapServer.MAX_VARIABLES, all.size(), "count absent: at most the bound");
        assertEquals("r0", name(all, 0));
        assertEquals("r999", name(all, 999));
        String value = all.get(2).getAsJsonObject().get("value").getAsString();
        // the literal cut as the CLI debugger cuts it
        assertEquals(Shell.MAX_VALUE_CHARS + 3, value.length(), value);
        assertTrue(value.startsWith("str:\"a<a<") && value.endsWith("..."), value);
        assertEquals("r1 (" + "n".repeat(DapServer.MAX_VARIABLE_CHARS - 7) + "...", name(all, 1));
        assertTrue(size[0] < 1_000_000, "one response: " + size[0] + " characters");

        JsonArray page = variables("{\"variablesReference\":1,\"filter\":\"indexed\",\"start\":100,\"count\":100}", size);
        assertEquals(100, page.size());
        assertEquals("r100", name(page, 0));
        assertEquals("r199", name(page, 99));

        JsonArray end = variables("{\"variablesReference\":1,\"start\":65000,\"count\":5000}", size);
        assertEquals(REGISTERS - 65000, end.size(), "count past the end: up to the last register");
        assertEquals("r65535", name(end, end.size() - 1));
        assertEquals(DapServer.MAX_VARIABLES,
                variables("{\"variablesReference\":1,\"start\":1000,\"count\":100000}", size).size());
        assertEquals("r0", name(variables("{\"variablesReference\":1,\"start\":-5,\"count\":3}", size), 0));
        assertEquals(0, variables("{\"variablesReference\":1,\"start\":70000}", size).size());
        assertEquals(0, variables("{\"variablesReference\":1,\"filter\":\"named\"}", size).size(),
                "the registers are indexed variables");

        JsonObject bad = JsonParser.parseString(await(send("variables", "{\"variablesReference\":5}"), null))
                .getAsJsonObject();
        assertFalse(bad.get("success").getAsBoolean());
        assertEquals("No frame at level 4.", bad.get("message").getAsString());
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
