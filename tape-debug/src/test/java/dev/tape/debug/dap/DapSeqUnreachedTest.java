package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tape.debug.TestTargets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Requests whose {@code seq} comes after a value the reader cannot read through: nested deeper than
 * Gson's limit of 255 (in the arguments or in a field the adapter skips), or a message cut short
 * before its end. The server cannot know whether such a request has a seq, so it must not say it
 * has none: it was answered {@code the request has no seq} (request 0) though the client had written
 * {@code "seq":5} after the deep value. It is answered as request 0 that its message could not be
 * read, and not run.
 */
@Timeout(120)
class DapSeqUnreachedTest {
    private final String program = TestTargets.resource("loop.tasm").toString();

    @Test
    void aSeqTheReaderNeverReachedIsNotSaidToBeMissing() throws Exception {
        String deep = "[".repeat(300) + "]".repeat(300);
        List<String> cases = new ArrayList<>();
        cases.add("{\"command\":\"next\",\"type\":\"request\",\"arguments\":{\"threadId\":1,\"x\":" + deep + "},\"seq\":5}");
        cases.add("{\"command\":\"next\",\"type\":\"request\",\"arguments\":" + deep + ",\"seq\":6}");
        cases.add("{\"command\":\"next\",\"type\":\"request\",\"x\":" + deep + ",\"seq\":7}");
        cases.add("{\"type\":\"request\",\"command\":\"next\",\"body\":{\"a\":" + deep + "},\"seq\":8}");
        // cut short: its seq may have come after
        cases.add("{\"command\":\"next\",\"type\":\"request\",\"arguments\":{\"threadId\":1}");
        cases.add("{\"command\":\"next\",\"type\":\"request\",\"arguments\":{\"threadId\":1},");
        List<String> batch = DapWireTest.opening(program);
        batch.addAll(cases);
        // still "no seq": the whole message was read
        batch.add("{\"command\":\"next\",\"type\":\"request\",\"arguments\":{\"threadId\":1,\"x\":[[1]]}}");
        batch.add("{\"seq\":4,\"type\":\"request\",\"command\":\"stackTrace\",\"arguments\":{\"threadId\":1}}");
        DapNoSeqTest.Answers a = DapNoSeqTest.answers(batch);
        assertEquals(cases.size() + 1, a.toZero().size(), a.toZero().toString());
        for (int i = 0; i < cases.size(); i++) {
            JsonObject m = a.toZero().get(i);
            String message = m.get("message").getAsString();
            assertFalse(m.get("success").getAsBoolean(), m.toString());
            assertEquals("next", m.get("command").getAsString(), m.toString());
            assertTrue(message.startsWith("Message could not be parsed: "), cases.get(i) + " -> " + message);
            assertFalse(message.contains("\n") || message.length() > 2100, message);
            assertNull(m.get("body"), m.toString());
        }
        assertEquals("the request has no seq; the request was not run",
                a.toZero().get(cases.size()).get("message").getAsString());
        assertEquals(List.of(1, 2, 3, 4), List.copyOf(a.others().keySet()));
        assertEquals(1, a.stops(), "no next ran: the one stop is the entry");
    }
}
