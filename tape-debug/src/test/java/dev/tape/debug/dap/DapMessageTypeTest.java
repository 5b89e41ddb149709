package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tape.debug.TestTargets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Messages whose {@code type} disagrees with the field that names them. The protocol names a
 * request by its {@code command} and an event by its {@code event}, and a client sends no events;
 * LSP4J took whichever of the two came last as the name, so a request with an {@code event} field
 * ran the request the event named (its arguments read as the command's), and a client's event ran
 * the request of its name without an answer. The {@code type} decides: a request with an
 * {@code event} field is refused in one line and not run, and a client's event is dropped.
 */
@Timeout(120)
class DapMessageTypeTest {
    private final String program = TestTargets.resource("loop.tasm").toString();

    private static final String REFUSED = "the request has an event field, which names an event, not a request;"
            + " the request was not run";

    @Test
    void theTypeDecidesWhatAMessageIsAndNothingRunsByAnEventsName() throws Exception {
        String args = ",\"arguments\":{\"threadId\":1}";
        Map<Integer, String> refused = new TreeMap<>();
        refused.put(5, "{\"seq\":5,\"type\":\"request\",\"event\":\"next\"" + args + "}");
        refused.put(6, "{\"seq\":6,\"type\":\"request\",\"command\":\"threads\",\"event\":\"next\"}");
        refused.put(7, "{\"seq\":7,\"type\":\"request\",\"event\":\"next\",\"command\":\"threads\"}");
        refused.put(8, "{\"seq\":8,\"command\":\"next\"" + args + ",\"event\":\"stopped\",\"type\":\"request\"}");
        refused.put(9, "{\"seq\":9,\"type\":\"request\",\"command\":\"scopes\",\"event\":\"next\","
                + "\"arguments\":{\"frameId\":1}}");
        refused.put(10, "{\"seq\":10,\"command\":\"next\",\"event\":\"next\"" + args + "}");
        List<String> batch = DapWireTest.opening(program);
        batch.addAll(refused.values());
        // dropped: a client's events (the protocol has none), a response, a message with no type or command
        batch.add("{\"seq\":11,\"type\":\"event\",\"event\":\"next\",\"body\":{\"threadId\":1}}");
        batch.add("{\"seq\":12,\"type\":\"event\",\"command\":\"next\"" + args + "}");
        batch.add("{\"seq\":13,\"type\":\"event\",\"event\":\"next\",\"command\":\"next\"" + args + "}");
        batch.add("{\"type\":\"event\",\"event\":\"next\"}");
        batch.add("{\"seq\":14,\"type\":\"response\",\"command\":\"next\",\"success\":true,\"request_seq\":1}");
        batch.add("{\"seq\":15,\"event\":\"next\"" + args + "}");
        batch.add("{\"type\":\"request\",\"event\":\"next\"" + args + "}");
        batch.add("{\"seq\":4,\"type\":\"request\",\"command\":\"stackTrace\"" + args + "}");
        Map<Integer, JsonObject> r = new TreeMap<>();
        int stops = 0;
        for (JsonObject m : DapWireTest.messages(DapWireTest.serve(batch))) {
            String type = m.get("type").getAsString();
            if (type.equals("response")) {
                assertNull(r.put(m.get("request_seq").getAsInt(), m), m.toString());
            } else if (m.get("event").getAsString().equals("stopped")) {
                stops++;
            }
        }
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), List.copyOf(r.keySet()));
        for (var e : refused.entrySet()) {
            JsonObject m = r.get(e.getKey());
            assertFalse(m.get("success").getAsBoolean(), m.toString());
            assertEquals(REFUSED, m.get("message").getAsString(), e.getValue());
            assertNull(m.get("body"), m.toString());
        }
        assertEquals("threads", r.get(6).get("command").getAsString());
        assertEquals("next", r.get(8).get("command").getAsString());
        assertTrue(r.get(4).get("success").getAsBoolean(), r.get(4).toString());
        assertEquals(1, stops, "no next ran: the one stop is the entry");
    }
}
