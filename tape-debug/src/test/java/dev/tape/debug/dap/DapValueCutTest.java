package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.tape.debug.Shell;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shown values cut on the wire ({@code variables}): a value is its literal cut to
 * {@link Shell#MAX_VALUE_CHARS} characters, then escaped, then cut to
 * {@link DapServer#MAX_VARIABLE_CHARS}; neither cut may split an escape or a surrogate pair. The
 * 256-character cut split the {@code \}{@code u200b} that a zero-width space (a format character)
 * is shown as, leaving {@code \}{@code u...}; the 200-character cut split the literal's own
 * {@code \}{@code u0001}, leaving {@code \}{@code u0...}.
 */
@Timeout(120)
class DapValueCutTest {
    @TempDir
    Path dir;

    /** r2: 300 zero-width spaces; r3: 300 U+0001; r4: 40 of them, "ab" and smileys; r5: 200 quote and backslash pairs. */
    private Path program() throws Exception {
        String smileys = "\ud83d\ude00".repeat(100);
        String s = "program cut\nfunc main(n: i64) -> (i64) {\n"
                + "    const.pool r2, str:\"" + "\\u200b".repeat(300) + "\"\n"
                + "    const.pool r3, str:\"" + "\\u0001".repeat(300) + "\"\n"
                + "    const.pool r4, str:\"" + "\\u200b".repeat(40) + "ab" + smileys + "\"\n"
                + "    const.pool r5, str:\"" + "\\\"\\\\".repeat(200) + "\"\n"
                + "    ret r0, [r1]\n}\n";
        Path p = dir.resolve("cut.tasm");
        Files.writeString(p, s);
        return p;
    }

    @Test
    void aShownValueIsCutBetweenEscapesAndPairs() throws Exception {
        String path = program().toString().replace("\\", "\\\\");
        List<String> values = new ArrayList<>();
        try (DapClient c = new DapClient()) {
            c.ok(c.send("initialize", "{\"adapterID\":\"tape\"}"));
            c.ok(c.send("launch", "{\"program\":\"" + path + "\",\"args\":[\"i64:1\"]}"));
            c.ok(c.send("setBreakpoints", "{\"source\":{\"path\":\"" + path + "\"},\"breakpoints\":[{\"line\":7}]}"));
            c.ok(c.send("configurationDone", null));
            c.await(0, "stopped");
            JsonObject scopes = c.ok(c.send("scopes", "{\"frameId\":1}"));
            int ref = scopes.getAsJsonObject("body").getAsJsonArray("scopes").get(0).getAsJsonObject()
                    .get("variablesReference").getAsInt();
            JsonArray vars = c.ok(c.send("variables", "{\"variablesReference\":" + ref + "}"))
                    .getAsJsonObject("body").getAsJsonArray("variables");
            for (var v : vars) {
                values.add(v.getAsJsonObject().get("value").getAsString());
            }
            c.ok(c.send("disconnect", null));
        }
        // 5 + 41 x 6 = 251 characters: the 42nd escape would end at 257, past 253
        assertEquals("str:\"" + "\\u200b".repeat(41) + "...", values.get(2));
        // the literal's 200: 5 + 32 x 6 = 197, the 33rd escape would end at 203
        assertEquals("str:\"" + "\\u0001".repeat(32) + "...", values.get(3));
        // 5 + 240 + "ab" = 247, then three smileys (pairs) to 253
        assertEquals("str:\"" + "\\u200b".repeat(40) + "ab" + "\ud83d\ude00".repeat(3) + "...", values.get(4));
        // the literal's 200: 5 + 48 x 4 = 197, then \" (199) and the \\ that would end at 201
        assertEquals("str:\"" + "\\\"\\\\".repeat(48) + "\\\"" + "...", values.get(5));
    }
}
