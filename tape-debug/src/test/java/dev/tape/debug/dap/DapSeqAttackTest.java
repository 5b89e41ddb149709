package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tape.debug.TestTargets;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.lsp4j.debug.services.IDebugProtocolServer;
import org.eclipse.lsp4j.jsonrpc.debug.messages.DebugRequestMessage;
import org.eclipse.lsp4j.jsonrpc.messages.Message;
import org.eclipse.lsp4j.jsonrpc.services.ServiceEndpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Attacks on the check of a request's {@code seq} ({@code RequestCheckingHandler}):
 * messages LSP4J reads (it reads leniently: comments, unquoted or single-quoted names and strings,
 * {@code ;} and {@code =} as separators, a seq as a quoted number, a number longer than its
 * reader's buffer) whose seq is no int are answered with the error like any other, none is run,
 * and reading a message costs no copy of it.
 */
@Timeout(120)
class DapSeqAttackTest {
    private final String program = TestTargets.resource("loop.tasm").toString();

    private static final String BAD = "; the request was not run";

    /**
     * Each message is a {@code next} whose seq is no int, written as LSP4J still reads it; each
     * was answered by nothing (the client waiting for ever) while a plain one was answered.
     */
    @Test
    void aSeqOutOfRangeIsAnsweredHoweverLsp4jReadsTheMessage() throws Exception {
        String next = "\"type\":\"request\",\"command\":\"next\",\"arguments\":{\"threadId\":1}";
        String digits = "1" + "0".repeat(5000);
        Map<String, String> cases = new TreeMap<>();
        cases.put("3000000000", "{/* a comment */\"seq\":3000000000," + next + "}");
        cases.put("3000000001", "{seq:3000000001,type:request,command:next,arguments:{threadId:1}}");
        cases.put("3000000002", "{'seq':3000000002,'type':'request','command':'next','arguments':{'threadId':1}}");
        cases.put("3000000003", "{\"seq\":3000000003;\"type\":\"request\";\"command\":\"next\";"
                + "\"arguments\":{\"threadId\":1}}");
        cases.put("3000000004", "{\"seq\"=3000000004," + next + "}");
        cases.put("3000000005", "{\"seq\":3000000005,\"seq\":6," + next + "}");
        cases.put("3000000006", "{\"seq\":\"3000000006\"," + next + "}");
        cases.put("3000000007", "{\"seq\":3000000007 # a comment\n," + next + "}");
        cases.put("3000000008", "{\"seq\":3000000008," + next.replace("{\"threadId\":1}", "{/**/\"threadId\":1}") + "}");
        cases.put(digits, "{\"seq\":" + digits + "," + next + "}");
        List<String> batch = DapWireTest.opening(program);
        batch.addAll(cases.values());
        // no false alarm: a seq nested in the arguments, a seq LSP4J reads from a quoted number
        batch.add("{\"seq\":7,\"type\":\"request\",\"command\":\"threads\",\"arguments\":{\"seq\":3000000000}}");
        batch.add("{\"seq\":\"8\",\"type\":\"request\",\"command\":\"threads\"}");
        // an event from the client is not answered, whatever its seq
        batch.add("{\"seq\":3000000009,\"type\":\"event\",\"event\":\"x\"}");
        batch.add("{\"seq\":4,\"type\":\"request\",\"command\":\"stackTrace\",\"arguments\":{\"threadId\":1}}");
        List<JsonObject> all = DapWireTest.messages(DapWireTest.serve(batch));
        Map<String, JsonObject> r = new TreeMap<>();
        for (JsonObject m : all) {
            if (m.get("type").getAsString().equals("response")) {
                assertNull(r.put(m.get("request_seq").getAsString(), m), m.toString());
            }
        }
        for (String seq : cases.keySet()) {
            JsonObject m = r.get(seq);
            assertTrue(m != null, seq.length() > 20 ? seq.length() + " digits" : seq);
            assertFalse(m.get("success").getAsBoolean(), m.toString());
            assertEquals("next", m.get("command").getAsString());
            String message = m.get("message").getAsString();
            assertTrue(message.startsWith("the request's seq " + (seq.length() > 20 ? "1000" : seq + " is not"))
                    && message.endsWith(BAD), message);
        }
        assertTrue(r.get("7").get("success").getAsBoolean(), r.get("7").toString());
        assertTrue(r.get("8").get("success").getAsBoolean(), r.get("8").toString());
        assertNull(r.get("3000000009"));
        assertEquals(4 + cases.size() + 2, r.size(), r.keySet().toString());
        // no next ran: the run is still at its entry
        JsonObject frames = r.get("4").getAsJsonObject("body");
        assertEquals("main pc 0", frames.getAsJsonArray("stackFrames").get(0).getAsJsonObject().get("name")
                .getAsString(), frames.toString());
    }

    /**
     * The check reads the message as it streams: a request padded with 64 M spaces (which LSP4J
     * skips without keeping) allocates far less than the message's size. The check copied each
     * message whole into a String (192 MB allocated here; a 300 MB message got no answer in a
     * 256 MB heap that served it before the check, and no String holds a message of 2 GB).
     */
    @Test
    void aMessageIsCheckedWithoutCopyingIt() {
        RequestCheckingHandler handler = new RequestCheckingHandler(
                ServiceEndpoints.getSupportedMethods(IDebugProtocolServer.class), gson -> { });
        long pad = 64L << 20;
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // warm up the parser's classes first
        handler.parseMessage(padded(1000));
        long before = threads.getCurrentThreadAllocatedBytes();
        Message m = handler.parseMessage(padded(pad));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        DebugRequestMessage request = assertInstanceOf(DebugRequestMessage.class, m);
        assertEquals("threads", request.getMethod());
        assertEquals("1", request.getId());
        assertTrue(allocated < pad / 8, allocated + " bytes allocated reading a message of " + pad + " chars");
    }

    /** A threads request with seq 1 and {@code pad} spaces before its closing brace, made as it is read. */
    private static Reader padded(long pad) {
        return new PaddedReader("{\"seq\":1,\"type\":\"request\",\"command\":\"threads\"", pad, "}");
    }
}
