package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.tape.debug.DebugException;
import dev.tape.debug.TestTargets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code variables} references on the wire: the protocol makes a reference valid only while the
 * program stays paused where it was given. A reference kept from before a move showed, silently,
 * the registers of whatever frame had that number after it (those of {@code inc} for a reference
 * to {@code main}'s frame); and an unknown reference was refused naming the debugger's internal
 * frame level ({@code No frame at level 4.}), which the client never saw.
 */
@Timeout(120)
class DapVariablesReferenceTest {
    private final String program = TestTargets.resource("loop.tasm").toString().replace("\\", "\\\\");

    private static final String EARLIER = " is from an earlier stop of the program";

    /** The variables of a reference, as "name = value". */
    private static List<String> shown(JsonObject response) {
        List<String> out = new ArrayList<>();
        for (var e : response.getAsJsonObject("body").getAsJsonArray("variables")) {
            JsonObject v = e.getAsJsonObject();
            out.add(v.get("name").getAsString() + " = " + v.get("value").getAsString());
        }
        return out;
    }

    private static int reference(JsonObject scopes) {
        JsonArray s = scopes.getAsJsonObject("body").getAsJsonArray("scopes");
        assertEquals(1, s.size());
        return s.get(0).getAsJsonObject().get("variablesReference").getAsInt();
    }

    private static String variables(int reference) {
        return "{\"variablesReference\":" + reference + "}";
    }

    @Test
    void aReferenceFromBeforeAMoveIsRefusedAndNewOnesShowTheirFrames() throws Exception {
        try (DapClient c = new DapClient()) {
            c.ok(c.send("initialize", "{\"adapterID\":\"tape\"}"));
            c.ok(c.send("launch", "{\"program\":\"" + program + "\",\"args\":[\"i64:3\"],\"stopOnEntry\":true}"));
            c.ok(c.send("configurationDone", null));
            c.await(0, "stopped");
            // at main's entry
            int main = reference(c.ok(c.send("scopes", "{\"frameId\":1}")));
            assertTrue(main > 0, "a reference is positive: " + main);
            assertEquals(main, reference(c.ok(c.send("scopes", "{\"frameId\":1}"))), "the same frame, the same reference");
            List<String> atEntry = shown(c.ok(c.send("variables", variables(main))));
            assertEquals("r1 (n) = i64:3", atEntry.get(1), atEntry.toString());

            // on to inc's first instruction: frame 1 is inc's now, frame 2 main's
            c.ok(c.send("setBreakpoints", "{\"source\":{\"path\":\"" + program + "\"},\"breakpoints\":[{\"line\":20}]}"));
            c.ok(c.send("continue", "{\"threadId\":1}"));
            c.await(0, "stopped");
            String stale = c.error(c.send("variables", variables(main)));
            assertEquals("the variables reference " + main + EARLIER + " (a reference lasts only while the program "
                    + "stays paused where it was given): ask scopes for a new one", stale);
            int inc = reference(c.ok(c.send("scopes", "{\"frameId\":1}")));
            int caller = reference(c.ok(c.send("scopes", "{\"frameId\":2}")));
            assertNotEquals(main, inc);
            assertNotEquals(main, caller);
            assertNotEquals(inc, caller);
            List<String> incRegs = shown(c.ok(c.send("variables", variables(inc))));
            assertEquals("r1 (x) = i64:0", incRegs.get(1), incRegs.toString());
            List<String> mainRegs = shown(c.ok(c.send("variables", variables(caller))));
            assertEquals("r1 (n) = i64:3", mainRegs.get(1), mainRegs.toString());

            // every move ends them: a step, a step back
            c.ok(c.send("stepIn", "{\"threadId\":1}"));
            c.await(0, "stopped");
            assertTrue(c.error(c.send("variables", variables(inc))).endsWith(EARLIER
                    + " (a reference lasts only while the program stays paused where it was given): ask scopes for a new one"));
            int again = reference(c.ok(c.send("scopes", "{\"frameId\":1}")));
            c.ok(c.send("stepBack", "{\"threadId\":1}"));
            c.await(0, "stopped");
            assertTrue(c.error(c.send("variables", variables(again))).contains(EARLIER));

            // a reference never given, named as the client sent it (not as the debugger's frame level)
            int never = again + 1000;
            assertEquals("no variables reference " + never + " (scopes gives one for each frame)",
                    c.error(c.send("variables", variables(never))));
            assertEquals("no variables reference 0 (scopes gives one for each frame)", c.error(c.send("variables",
                    variables(0))));
            assertEquals("no variables reference -5 (scopes gives one for each frame)", c.error(c.send("variables",
                    variables(-5))));
            c.ok(c.send("disconnect", null));
        }
    }

    /** After 2^31 - 1 references the numbers start again at 1, and one given before is still refused. */
    @Test
    void theNumbersStartAgainAfterTheLast() throws Exception {
        VariableRefs refs = new VariableRefs(Integer.MAX_VALUE - 1);
        assertEquals(Integer.MAX_VALUE, refs.of(5));
        assertEquals(1, refs.of(6));
        assertEquals(Integer.MAX_VALUE, refs.of(5));
        assertEquals(5, refs.frame(Integer.MAX_VALUE));
        assertEquals(6, refs.frame(1));
        refs.clear();
        assertEquals(2, refs.of(6));
        for (int old : new int[] {1, 3, Integer.MAX_VALUE}) {
            DebugException e = assertThrows(DebugException.class, () -> refs.frame(old));
            assertTrue(e.getMessage().contains(EARLIER), e.getMessage());
        }
    }
}
