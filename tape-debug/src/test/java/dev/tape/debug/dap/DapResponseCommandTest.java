package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.tape.debug.TestTargets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The protocol requires a {@code command}, a string, in every response. A refused request that has
 * no command that is a string is answered with its {@code event}'s name when that is a string, else
 * with an empty command (these were answered without one: {@code command} null, left out).
 */
@Timeout(120)
class DapResponseCommandTest {
    private final String program = TestTargets.resource("loop.tasm").toString();

    @Test
    void everyResponseHasACommandThatIsAString() throws Exception {
        String args = ",\"arguments\":{\"threadId\":1}";
        // request_seq -> the command its answer must carry
        Map<Integer, String> command = new TreeMap<>();
        Map<Integer, String> sent = new TreeMap<>();
        sent.put(10, "{\"seq\":10,\"type\":\"request\",\"event\":\"next\"" + args + "}");
        command.put(10, "next");
        sent.put(11, "{\"seq\":11,\"type\":\"request\",\"command\":{},\"event\":\"next\"}");
        command.put(11, "next");
        sent.put(12, "{\"seq\":12,\"type\":\"request\",\"command\":null}");
        command.put(12, "");
        sent.put(13, "{\"seq\":13,\"type\":\"request\",\"command\":[\"next\"]" + args + "}");
        command.put(13, "");
        sent.put(14, "{\"seq\":14,\"type\":\"request\",\"event\":null}");
        command.put(14, "");
        sent.put(15, "{\"seq\":15,\"type\":\"request\",\"event\":{\"command\":\"next\"}}");
        command.put(15, "");
        sent.put(16, "{\"seq\":16,\"type\":\"request\"}");
        command.put(16, "");
        sent.put(17, "{\"seq\":17,\"type\":\"request\",\"command\":true,\"event\":false}");
        command.put(17, "");
        sent.put(18, "{\"seq\":18,\"type\":\"request\",\"command\":\"threads\",\"event\":\"next\"}");
        command.put(18, "threads");
        List<String> batch = DapWireTest.opening(program);
        batch.addAll(sent.values());
        batch.add("{\"seq\":19,\"type\":\"request\",\"command\":\"stackTrace\"" + args + "}");
        Map<Integer, JsonObject> r = new TreeMap<>();
        for (JsonObject m : DapWireTest.messages(DapWireTest.serve(batch))) {
            if (m.get("type").getAsString().equals("response")) {
                JsonElement c = m.get("command");
                assertTrue(c != null && c.isJsonPrimitive() && c.getAsJsonPrimitive().isString(),
                        "a response's command is a string: " + m);
                assertNull(r.put(m.get("request_seq").getAsInt(), m), "answered once: " + m);
            }
        }
        assertEquals(List.of(1, 2, 3, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19), List.copyOf(r.keySet()));
        for (var e : command.entrySet()) {
            JsonObject m = r.get(e.getKey());
            assertFalse(m.get("success").getAsBoolean(), m.toString());
            assertEquals(e.getValue(), m.get("command").getAsString(), sent.get(e.getKey()));
        }
        assertEquals("stackTrace", r.get(19).get("command").getAsString());
    }
}
