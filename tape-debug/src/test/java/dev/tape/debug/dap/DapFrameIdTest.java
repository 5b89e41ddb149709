package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.tape.debug.DebugException;
import dev.tape.debug.TestTargets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Frame ids on the wire: the protocol makes a frame id, like a variables reference, valid only
 * while the program stays paused where {@code stackTrace} gave it. An id kept from before a move
 * was still accepted by {@code scopes}, which showed whatever frame had that number after the move
 * (after a {@code stepOut}, the caller's frame for an id {@code stackTrace} had given to the callee).
 */
@Timeout(120)
class DapFrameIdTest {
    private final String program = TestTargets.resource("loop.tasm").toString();

    private static final String EARLIER = " is from an earlier stop of the program (a frame id lasts only while the"
            + " program stays paused where it was given): ask stackTrace for new ones";

    /** The ids of a stackTrace response's frames, innermost first. */
    private static List<Integer> ids(JsonObject stackTrace) {
        List<Integer> out = new ArrayList<>();
        for (var f : stackTrace.getAsJsonObject("body").getAsJsonArray("stackFrames")) {
            out.add(f.getAsJsonObject().get("id").getAsInt());
        }
        return out;
    }

    @Test
    void anIdFromBeforeAMoveIsRefusedInABatch() throws Exception {
        List<String> batch = DapWireTest.opening(program);
        batch.add("{\"seq\":4,\"type\":\"request\",\"command\":\"stackTrace\",\"arguments\":{\"threadId\":1}}");
        batch.add("{\"seq\":5,\"type\":\"request\",\"command\":\"scopes\",\"arguments\":{\"frameId\":1}}");
        batch.add("{\"seq\":6,\"type\":\"request\",\"command\":\"next\",\"arguments\":{\"threadId\":1}}");
        batch.add("{\"seq\":7,\"type\":\"request\",\"command\":\"scopes\",\"arguments\":{\"frameId\":1}}");
        batch.add("{\"seq\":8,\"type\":\"request\",\"command\":\"stackTrace\",\"arguments\":{\"threadId\":1}}");
        batch.add("{\"seq\":9,\"type\":\"request\",\"command\":\"scopes\",\"arguments\":{\"frameId\":2}}");
        batch.add("{\"seq\":10,\"type\":\"request\",\"command\":\"scopes\",\"arguments\":{\"frameId\":3}}");
        batch.add("{\"seq\":11,\"type\":\"request\",\"command\":\"scopes\",\"arguments\":{\"frameId\":0}}");
        Map<Integer, JsonObject> r = DapWireTest.responses(DapWireTest.messages(DapWireTest.serve(batch)));
        assertEquals(List.of(1), ids(r.get(4)));
        assertTrue(r.get(5).get("success").getAsBoolean(), r.get(5).toString());
        assertFalse(r.get(7).get("success").getAsBoolean(), r.get(7).toString());
        assertEquals("the frame id 1" + EARLIER, r.get(7).get("message").getAsString());
        assertEquals(List.of(2), ids(r.get(8)), "the frame has a new id after the move");
        assertTrue(r.get(9).get("success").getAsBoolean(), r.get(9).toString());
        assertEquals("no frame 3 (stackTrace gives each frame's id)", r.get(10).get("message").getAsString());
        assertEquals("no frame 0 (stackTrace gives each frame's id)", r.get(11).get("message").getAsString());
    }

    /** In inc, called from main: after a stepOut, the id inc's frame had is refused, main's new id shows main. */
    @Test
    void anIdKeptAcrossAStepOutNoLongerShowsTheCaller() throws Exception {
        String path = program.replace("\\", "\\\\");
        try (DapClient c = new DapClient()) {
            c.ok(c.send("initialize", "{\"adapterID\":\"tape\"}"));
            c.ok(c.send("launch", "{\"program\":\"" + path + "\",\"args\":[\"i64:3\"],\"stopOnEntry\":false}"));
            c.ok(c.send("setBreakpoints", "{\"source\":{\"path\":\"" + path + "\"},\"breakpoints\":[{\"line\":20}]}"));
            c.ok(c.send("configurationDone", null));
            c.await(0, "stopped");
            List<Integer> inInc = ids(c.ok(c.send("stackTrace", "{\"threadId\":1}")));
            assertEquals(2, inInc.size());
            assertEquals(4, registerCount(c.ok(c.send("scopes", "{\"frameId\":" + inInc.get(0) + "}"))));
            c.ok(c.send("stepOut", "{\"threadId\":1}"));
            c.await(0, "stopped");
            for (int old : inInc) {
                assertEquals("the frame id " + old + EARLIER,
                        c.error(c.send("scopes", "{\"frameId\":" + old + "}")));
            }
            List<Integer> inMain = ids(c.ok(c.send("stackTrace", "{\"threadId\":1}")));
            assertEquals(1, inMain.size());
            assertFalse(inInc.contains(inMain.get(0)), inInc + " " + inMain);
            assertEquals(4, registerCount(c.ok(c.send("scopes", "{\"frameId\":" + inMain.get(0) + "}"))));
            // asked twice in one stop: the same ids
            assertEquals(inMain, ids(c.ok(c.send("stackTrace", "{\"threadId\":1}"))));
            c.ok(c.send("disconnect", null));
        }
    }

    private static int registerCount(JsonObject scopes) {
        JsonArray s = scopes.getAsJsonObject("body").getAsJsonArray("scopes");
        return s.get(0).getAsJsonObject().get("indexedVariables").getAsInt();
    }

    /**
     * Ids near the largest int start again at 1 when a stop's whole stack would not fit below it;
     * each stop that gave an id ends the ids of all its frames when the program moves.
     */
    @Test
    void theIdsStartAgainBeforeTheyPassTheLargestInt() throws Exception {
        FrameIds ids = new FrameIds(Integer.MAX_VALUE - 3);
        assertEquals(Integer.MAX_VALUE - 2, ids.of(0, 3));
        assertEquals(Integer.MAX_VALUE, ids.of(2, 3));
        assertEquals(2, ids.frame(Integer.MAX_VALUE, 3));
        ids.moved();
        assertEquals(1, ids.of(0, 3), "the stack of 3 does not fit above " + Integer.MAX_VALUE);
        DebugException e = assertThrows(DebugException.class, () -> ids.frame(Integer.MAX_VALUE - 2, 3));
        assertTrue(e.getMessage().endsWith(EARLIER), e.getMessage());
        assertEquals(0, ids.frame(1, 3));
        ids.moved();
        // the last stop reserved ids 1 to 3 (for its three frames) though it gave only 1
        assertEquals(4, ids.of(0, 1));
        assertEquals(0, ids.frame(4, 1));
        for (int old : new int[] {1, 2, 3}) {
            assertTrue(assertThrows(DebugException.class, () -> ids.frame(old, 1)).getMessage().endsWith(EARLIER));
        }
    }

    /** After the ids start again, an id above every id ever reserved was never given: "no frame", not "earlier". */
    @Test
    void afterTheIdsStartAgainAnIdNeverGivenIsNoFrame() throws Exception {
        FrameIds ids = new FrameIds(1000);
        int deep = Integer.MAX_VALUE - 500;
        assertEquals(1, ids.of(0, deep), "ids 1001 and up do not hold a stack of " + deep);
        ids.moved();
        // ids 1 to MAX - 500 reserved; the next stop does not fit above them either
        assertEquals(1, ids.of(0, 1000));
        assertEquals(999, ids.frame(1000, 1000));
        for (int old : new int[] {1001, Integer.MAX_VALUE - 600, Integer.MAX_VALUE - 500}) {
            DebugException e = assertThrows(DebugException.class, () -> ids.frame(old, 1000));
            assertEquals("the frame id " + old + EARLIER, e.getMessage());
        }
        for (int never : new int[] {Integer.MAX_VALUE - 499, Integer.MAX_VALUE}) {
            DebugException e = assertThrows(DebugException.class, () -> ids.frame(never, 1000));
            assertEquals("no frame " + never + " (stackTrace gives each frame's id)", e.getMessage());
        }
    }

    /**
     * A second launch ends the ids of the first program's stops: the new program is paused only by
     * a move (its {@code configurationDone}), and the launch itself ends them too.
     */
    @Test
    void anIdFromBeforeALaunchIsRefused() throws Exception {
        List<String> batch = DapWireTest.opening(program);
        String launch = batch.get(1).replace("\"seq\":2", "\"seq\":6");
        batch.add("{\"seq\":4,\"type\":\"request\",\"command\":\"stackTrace\",\"arguments\":{\"threadId\":1}}");
        batch.add("{\"seq\":5,\"type\":\"request\",\"command\":\"scopes\",\"arguments\":{\"frameId\":1}}");
        batch.add(launch);
        batch.add("{\"seq\":7,\"type\":\"request\",\"command\":\"configurationDone\"}");
        batch.add("{\"seq\":8,\"type\":\"request\",\"command\":\"scopes\",\"arguments\":{\"frameId\":1}}");
        batch.add("{\"seq\":9,\"type\":\"request\",\"command\":\"stackTrace\",\"arguments\":{\"threadId\":1}}");
        batch.add("{\"seq\":10,\"type\":\"request\",\"command\":\"scopes\",\"arguments\":{\"frameId\":2}}");
        Map<Integer, JsonObject> r = DapWireTest.responses(DapWireTest.messages(DapWireTest.serve(batch)));
        assertEquals(List.of(1), ids(r.get(4)));
        assertTrue(r.get(5).get("success").getAsBoolean(), r.get(5).toString());
        assertTrue(r.get(6).get("success").getAsBoolean(), r.get(6).toString());
        assertFalse(r.get(8).get("success").getAsBoolean(), r.get(8).toString());
        assertEquals("the frame id 1" + EARLIER, r.get(8).get("message").getAsString());
        assertEquals(List.of(2), ids(r.get(9)), "the new program's frame has a new id");
        assertTrue(r.get(10).get("success").getAsBoolean(), r.get(10).toString());
    }
}
