package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tape.debug.TestTargets;
import java.io.Reader;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.eclipse.lsp4j.debug.services.IDebugProtocolServer;
import org.eclipse.lsp4j.jsonrpc.MessageIssueException;
import org.eclipse.lsp4j.jsonrpc.debug.messages.DebugRequestMessage;
import org.eclipse.lsp4j.jsonrpc.services.ServiceEndpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Requests whose {@code seq} comes after arguments LSP4J cannot read, as VS Code's client writes
 * every request ({@code command}, {@code arguments}, {@code type}, {@code seq}, in that order): LSP4J
 * stops reading at the arguments, so the seq after them was never read; such a request got no
 * answer at all (the client waiting for ever), or, with its {@code type} before the arguments, an
 * error answering seq 0 (a request the client never sent). Each is now answered with its own seq and
 * not run.
 */
@Timeout(120)
class DapSeqLastTest {
    private final String program = TestTargets.resource("loop.tasm").toString();

    @Test
    void aRequestWithItsSeqAfterUnreadableArgumentsIsAnsweredWithItsSeq() throws Exception {
        Map<Integer, String> cases = new TreeMap<>();
        cases.put(101, "{\"command\":\"next\",\"arguments\":{\"threadId\":\"x\"},\"type\":\"request\",\"seq\":101}");
        cases.put(102, "{\"command\":\"next\",\"arguments\":5,\"type\":\"request\",\"seq\":102}");
        cases.put(103, "{\"command\":\"next\",\"arguments\":[1,{\"a\":[2]}],\"type\":\"request\",\"seq\":103}");
        cases.put(104, "{\"type\":\"request\",\"command\":\"next\",\"arguments\":true,\"seq\":104}");
        cases.put(105, "{\"command\":\"next\",\"arguments\":{\"threadId\":{\"a\":[1,{}]},\"b\":2},\"x\":[3],"
                + "\"type\":\"request\",\"seq\":105,\"y\":{}}");
        cases.put(106, "{command:next,arguments:{threadId:x},/* c */type:request;seq:106}");
        cases.put(107, "{\"command\":\"next\",\"arguments\":{\"threadId\":\"x\"},\"success\":\"no\","
                + "\"type\":\"request\",\"seq\":107}");
        String launch = "{\"program\":\"" + program.replace("\\", "\\\\") + "\",\"args\":[\"i64:3\"],"
                + "\"stopOnEntry\":true}";
        List<String> batch = new ArrayList<>();
        batch.add("{\"command\":\"initialize\",\"arguments\":{\"adapterID\":\"t\"},\"type\":\"request\",\"seq\":1}");
        batch.add("{\"command\":\"launch\",\"arguments\":" + launch + ",\"type\":\"request\",\"seq\":2}");
        batch.add("{\"command\":\"configurationDone\",\"type\":\"request\",\"seq\":3}");
        batch.addAll(cases.values());
        // no seq: answered as request 0 (DapNoSeqTest); still dropped: a message that says it is no request
        batch.add("{\"command\":\"next\",\"arguments\":5,\"type\":\"request\"}");
        batch.add("{\"command\":\"next\",\"arguments\":5,\"type\":\"response\",\"seq\":201}");
        batch.add("{\"command\":\"stackTrace\",\"arguments\":{\"threadId\":1},\"type\":\"request\",\"seq\":4}");
        List<JsonObject> all = DapWireTest.messages(DapWireTest.serve(batch));
        Map<Integer, JsonObject> r = DapWireTest.responses(all);
        for (var e : cases.entrySet()) {
            JsonObject m = r.get(e.getKey());
            assertTrue(m != null, e.getValue() + ": no answer in " + r.keySet());
            assertFalse(m.get("success").getAsBoolean(), m.toString());
            assertEquals("next", m.get("command").getAsString(), m.toString());
            String message = m.get("message").getAsString();
            assertTrue(message.startsWith(e.getKey() == 107 ? "the request's success is not a boolean"
                    : "Message could not be parsed"), e.getValue() + ": " + message);
            assertFalse(message.contains("\n"), message);
        }
        assertEquals(List.of(0, 1, 2, 3, 4), r.keySet().stream().filter(k -> !cases.containsKey(k)).toList(),
                "answered only the requests sent: " + r.keySet());
        assertEquals("the request has no seq; the request was not run", r.get(0).get("message").getAsString());
        // no next ran: the run is still at its entry
        JsonObject frames = r.get(4).getAsJsonObject("body");
        assertEquals("main pc 0", frames.getAsJsonArray("stackFrames").get(0).getAsJsonObject().get("name")
                .getAsString(), frames.toString());
    }

    /**
     * Reading on past the arguments LSP4J stopped at costs no copy of the rest: 64 M spaces
     * between them and the seq are skipped with a few KB allocated, and the answer has the seq.
     */
    @Test
    void readingOnToALateSeqCopiesNothing() {
        RequestCheckingHandler handler = new RequestCheckingHandler(
                ServiceEndpoints.getSupportedMethods(IDebugProtocolServer.class), gson -> { });
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long pad = 64L << 20;
        assertThrows(MessageIssueException.class, () -> handler.parseMessage(padded(1000)));
        long before = threads.getCurrentThreadAllocatedBytes();
        MessageIssueException e = assertThrows(MessageIssueException.class, () -> handler.parseMessage(padded(pad)));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        DebugRequestMessage r = assertInstanceOf(DebugRequestMessage.class, e.getRpcMessage());
        assertEquals("77", r.getId());
        assertEquals("next", r.getMethod());
        assertTrue(allocated < pad / 8, allocated + " bytes allocated reading a message of " + pad + " chars");
    }

    /** A next whose arguments are a number, then {@code pad} spaces, then its type and seq 77. */
    private static Reader padded(long pad) {
        return new PaddedReader("{\"command\":\"next\",\"arguments\":{\"threadId\":[1,{\"a\":", pad,
                "0}]},\"type\":\"request\",\"seq\":77}");
    }
}
