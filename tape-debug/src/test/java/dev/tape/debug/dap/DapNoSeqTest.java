package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tape.debug.TestTargets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Requests without a {@code seq} the server can read. The protocol requires a seq on every message
 * (its {@code ProtocolMessage}); LSP4J reads a missing one as 0, so such a {@code next} was run and
 * answered as request 0, and one whose seq was no number ({@code {}}, {@code "x"}, {@code true})
 * was dropped without an answer. As for a seq out of range, a request whose {@code command} can be
 * read is answered with a one-line error ({@code request_seq} 0, which no client's request has: a
 * client's seq starts at 1) and not run.
 */
@Timeout(120)
class DapNoSeqTest {
    private final String program = TestTargets.resource("loop.tasm").toString();

    private static final String NOT_RUN = "; the request was not run";

    /** The responses to request 0 and the number of stopped events, from a batch after the opening. */
    record Answers(List<JsonObject> toZero, Map<Integer, JsonObject> others, int stops) {}

    static Answers answers(List<String> batch) throws Exception {
        List<JsonObject> zero = new ArrayList<>();
        Map<Integer, JsonObject> others = new LinkedHashMap<>();
        int stops = 0;
        for (JsonObject m : DapWireTest.messages(DapWireTest.serve(batch))) {
            String type = m.get("type").getAsString();
            if (type.equals("event") && m.get("event").getAsString().equals("stopped")) {
                stops++;
            } else if (type.equals("response") && m.get("request_seq").getAsInt() == 0) {
                zero.add(m);
            } else if (type.equals("response")) {
                assertNull(others.put(m.get("request_seq").getAsInt(), m), m.toString());
            }
        }
        return new Answers(zero, others, stops);
    }

    @Test
    void aRequestWithoutASeqIsAnsweredWithAnErrorAndNotRun() throws Exception {
        Map<String, String> cases = new LinkedHashMap<>();
        String args = ",\"arguments\":{\"threadId\":1}";
        String none = "the request has no seq" + NOT_RUN;
        String wrong = "the request's seq is not a number" + NOT_RUN;
        cases.put("{\"type\":\"request\",\"command\":\"next\"" + args + "}", none);
        // as VS Code orders a request's fields
        cases.put("{\"command\":\"next\"" + args + ",\"type\":\"request\"}", none);
        cases.put("{\"command\":\"next\",\"arguments\":5,\"type\":\"request\"}", none);
        cases.put("{\"type\":\"request\",\"command\":\"next\",\"arguments\":5}", none);
        cases.put("{\"seq\":null,\"type\":\"request\",\"command\":\"next\"" + args + "}", none);
        cases.put("{\"command\":\"next\"" + args + "}", none);
        // given twice, the last null (LSP4J keeps the last)
        cases.put("{\"seq\":5,\"seq\":null,\"type\":\"request\",\"command\":\"next\"" + args + "}", none);
        cases.put("{\"type\":\"request\",\"command\":\"next\",\"success\":\"x\"}", none);
        cases.put("{\"seq\":{},\"type\":\"request\",\"command\":\"next\",\"success\":1}", wrong);
        cases.put("{\"seq\":\"x\",\"type\":\"request\",\"command\":\"next\"" + args + "}", wrong);
        cases.put("{\"seq\":true,\"type\":\"request\",\"command\":\"next\"" + args + "}", wrong);
        // given twice, the last no number: as an object last is (it was answered as request 5)
        cases.put("{\"seq\":5,\"seq\":\"x\",\"type\":\"request\",\"command\":\"next\"" + args + "}", wrong);
        cases.put("{\"seq\":5,\"seq\":{},\"type\":\"request\",\"command\":\"next\"" + args + "}", wrong);
        cases.put("{\"seq\":[1],\"type\":\"request\",\"command\":\"next\"" + args + "}", wrong);
        cases.put("{\"command\":\"next\",\"arguments\":{\"threadId\":[1,{}]},\"type\":\"request\",\"seq\":{\"a\":1}}", wrong);
        List<String> batch = DapWireTest.opening(program);
        batch.addAll(cases.keySet());
        // still dropped: no request
        batch.add("{\"type\":\"response\",\"command\":\"next\",\"success\":true}");
        batch.add("{\"seq\":4,\"type\":\"request\",\"command\":\"stackTrace\"" + args + "}");
        Answers a = answers(batch);
        assertEquals(cases.size(), a.toZero().size(), a.toZero().toString());
        List<String> want = new ArrayList<>(cases.values());
        for (int i = 0; i < want.size(); i++) {
            JsonObject m = a.toZero().get(i);
            assertFalse(m.get("success").getAsBoolean(), m.toString());
            assertEquals("next", m.get("command").getAsString(), m.toString());
            assertEquals(want.get(i), m.get("message").getAsString(), new ArrayList<>(cases.keySet()).get(i));
            assertNull(m.get("body"), m.toString());
        }
        assertEquals(List.of(1, 2, 3, 4), List.copyOf(a.others().keySet()));
        assertTrue(a.others().get(4).get("success").getAsBoolean(), a.others().get(4).toString());
        assertEquals(1, a.stops(), "no next ran: the one stop is the entry");
    }
}
