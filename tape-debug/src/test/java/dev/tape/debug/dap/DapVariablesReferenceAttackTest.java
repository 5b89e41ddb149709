package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tape.debug.TestTargets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Attacks on {@code variables} references over the wire: a reference kept across a second
 * {@code launch} (the same frame level in a new run), across a move that fails, after the program
 * ended, and references out of the int range. None shows another stop's registers; each refusal is
 * one line.
 */
@Timeout(120)
class DapVariablesReferenceAttackTest {
    private final String program = TestTargets.resource("loop.tasm").toString().replace("\\", "\\\\");

    private static int reference(JsonObject scopes) {
        return scopes.getAsJsonObject("body").getAsJsonArray("scopes").get(0).getAsJsonObject()
                .get("variablesReference").getAsInt();
    }

    private static String variables(long reference) {
        return "{\"variablesReference\":" + reference + "}";
    }

    private static String firstValue(JsonObject variables) {
        JsonObject v = variables.getAsJsonObject("body").getAsJsonArray("variables").get(1).getAsJsonObject();
        return v.get("name").getAsString() + " = " + v.get("value").getAsString();
    }

    @Test
    void referencesAcrossRelaunchFailedMovesAndTheEnd() throws Exception {
        try (DapClient c = new DapClient()) {
            c.ok(c.send("initialize", "{\"adapterID\":\"tape\"}"));
            c.ok(c.send("launch", "{\"program\":\"" + program + "\",\"args\":[\"i64:3\"],\"stopOnEntry\":true}"));
            c.ok(c.send("configurationDone", null));
            c.await(0, "stopped");
            int first = reference(c.ok(c.send("scopes", "{\"frameId\":1}")));
            assertEquals("r1 (n) = i64:3", firstValue(c.ok(c.send("variables", variables(first)))));

            // a second launch, with another argument: the old reference names a frame of the old run
            c.ok(c.send("launch", "{\"program\":\"" + program + "\",\"args\":[\"i64:7\"],\"stopOnEntry\":true}"));
            c.ok(c.send("configurationDone", null));
            c.await(0, "stopped");
            assertTrue(c.error(c.send("variables", variables(first))).contains(" is from an earlier stop"));
            int second = reference(c.ok(c.send("scopes", "{\"frameId\":1}")));
            assertNotEquals(first, second);
            assertEquals("r1 (n) = i64:7", firstValue(c.ok(c.send("variables", variables(second)))));

            // a step back at the entry has nowhere to go: the program stays, and says it stopped again
            c.ok(c.send("stepBack", "{\"threadId\":1}"));
            c.await(0, "stopped");
            int third = reference(c.ok(c.send("scopes", "{\"frameId\":1}")));
            assertEquals("r1 (n) = i64:7", firstValue(c.ok(c.send("variables", variables(third)))));

            // out of the int range: refused in one line, answered
            for (long r : new long[] {2147483648L, -2147483649L}) {
                String e = c.error(c.send("variables", variables(r)));
                assertFalse(e.contains("\n"), e);
            }
            String max = c.error(c.send("variables", variables(Integer.MAX_VALUE)));
            assertEquals("no variables reference 2147483647 (scopes gives one for each frame)", max);

            // to the end: no reference shows anything
            c.ok(c.send("continue", "{\"threadId\":1}"));
            c.await(0, "terminated");
            for (int r : new int[] {first, second, third, 0}) {
                String e = c.error(c.send("variables", variables(r)));
                assertFalse(e.contains("\n") || e.contains("r1 (n)"), e);
            }
            c.ok(c.send("disconnect", null));
        }
    }
}
