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
 * Requests with a seq whose {@code command} (or, without one, whose {@code event}) is no string:
 * null, an object, an array, a boolean. A request with no command at all is answered (by LSP4J:
 * {@code Unsupported request method: null}), and so is one named by an event alone; these were
 * dropped, the client waiting for an answer that never came. Each gets one one-line error with its
 * {@code request_seq}, and nothing runs.
 */
@Timeout(120)
class DapCommandNotAStringTest {
    private final String program = TestTargets.resource("loop.tasm").toString();

    @Test
    void aRequestWhoseCommandIsNoStringIsAnsweredOnce() throws Exception {
        Map<Integer, String> cases = new TreeMap<>();
        cases.put(10, "{\"seq\":10,\"type\":\"request\",\"command\":null}");
        cases.put(11, "{\"seq\":11,\"type\":\"request\",\"command\":{}}");
        cases.put(12, "{\"seq\":12,\"type\":\"request\",\"command\":[\"next\"],\"arguments\":{\"threadId\":1}}");
        cases.put(13, "{\"seq\":13,\"type\":\"request\",\"command\":true}");
        cases.put(14, "{\"command\":null,\"arguments\":{\"threadId\":1},\"type\":\"request\",\"seq\":14}");
        cases.put(15, "{\"seq\":15,\"type\":\"request\",\"event\":null}");
        cases.put(16, "{\"seq\":16,\"type\":\"request\",\"event\":{\"command\":\"next\"},\"arguments\":{\"threadId\":1}}");
        // answered before: no command at all, or named by an event alone
        cases.put(17, "{\"seq\":17,\"type\":\"request\"}");
        cases.put(18, "{\"seq\":18,\"type\":\"request\",\"event\":\"next\"}");
        List<String> batch = DapWireTest.opening(program);
        batch.addAll(cases.values());
        batch.add("{\"seq\":19,\"type\":\"request\",\"command\":\"stackTrace\",\"arguments\":{\"threadId\":1}}");
        Map<Integer, JsonObject> r = new TreeMap<>();
        int stops = 0;
        for (JsonObject m : DapWireTest.messages(DapWireTest.serve(batch))) {
            if (m.get("type").getAsString().equals("response")) {
                assertNull(r.put(m.get("request_seq").getAsInt(), m), "answered once: " + m);
            } else if (m.get("event").getAsString().equals("stopped")) {
                stops++;
            }
        }
        assertEquals(List.of(1, 2, 3, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19), List.copyOf(r.keySet()));
        for (int seq : cases.keySet()) {
            JsonObject m = r.get(seq);
            String message = m.get("message").getAsString();
            assertFalse(m.get("success").getAsBoolean(), m.toString());
            assertFalse(message.isEmpty() || message.contains("\n") || message.length() > 200, message);
            assertNull(m.get("body"), m.toString());
            if (seq <= 14) {
                assertEquals("the request's command is not a string; the request was not run", message, cases.get(seq));
            } else if (seq <= 16) {
                assertEquals("the request's event is not a string; the request was not run", message, cases.get(seq));
            }
        }
        assertTrue(r.get(19).get("success").getAsBoolean(), r.get(19).toString());
        assertEquals(1, stops, "nothing ran: the one stop is the entry");
    }
}
