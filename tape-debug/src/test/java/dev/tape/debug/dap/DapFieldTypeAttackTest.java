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
 * Attacks on the reading of a request's top-level fields: a request whose seq and command can be
 * read, but with another top-level field of a type LSP4J cannot read ({@code request_seq} above
 * 2<sup>31</sup>, a {@code success} that is no boolean, an {@code arguments} that is a number, a
 * {@code type} that is no string or none, ...), got no answer at all (LSP4J failed to read the
 * message and dropped it), the client waiting for ever. Each now gets a one-line error response
 * and is not run (the arguments of the wrong type were answered already: they guard the new
 * reading); a message that says it is no request is dropped as before (one whose seq cannot be read
 * is answered as request 0, one whose command cannot be read as its seq says), and the same field
 * nested in the arguments is no false alarm.
 */
@Timeout(120)
class DapFieldTypeAttackTest {
    private final String program = TestTargets.resource("loop.tasm").toString();

    private static final String NOT_RUN = "; the request was not run";

    private static String next(int seq, String before, String after) {
        return "{" + before + "\"seq\":" + seq + ",\"type\":\"request\",\"command\":\"next\"" + after + "}";
    }

    /**
     * Each case is a {@code next} the server can identify (its seq and command read), with a
     * top-level field LSP4J cannot read; each was answered by nothing.
     */
    @Test
    void aRequestWithATopLevelFieldOfTheWrongTypeIsAnsweredAndNotRun() throws Exception {
        String args = ",\"arguments\":{\"threadId\":1}";
        Map<Integer, String> cases = new TreeMap<>();
        Map<Integer, String> expected = new TreeMap<>();
        String requestSeq = "the request's request_seq is not a whole number from -2147483648 to 2147483647" + NOT_RUN;
        cases.put(101, next(101, "", ",\"request_seq\":3000000000" + args));
        expected.put(101, requestSeq);
        cases.put(102, next(102, "\"request_seq\":{},", args));
        expected.put(102, requestSeq);
        cases.put(103, next(103, "\"request_seq\":\"x\",", args));
        expected.put(103, requestSeq);
        String success = "the request's success is not a boolean" + NOT_RUN;
        cases.put(104, next(104, "\"success\":\"yes\",", args));
        expected.put(104, success);
        cases.put(105, next(105, "", args + ",\"success\":1"));
        expected.put(105, success);
        cases.put(106, next(106, "", args + ",\"success\":\"true\""));
        expected.put(106, success);
        cases.put(107, next(107, "", args + ",\"message\":{}"));
        expected.put(107, "the request's message is not a string" + NOT_RUN);
        cases.put(108, next(108, "", args + ",\"event\":[]"));
        expected.put(108, "the request's event is not a string" + NOT_RUN);
        cases.put(109, "{\"seq\":109,\"type\":true,\"command\":\"next\"" + args + "}");
        expected.put(109, "the request's type is not a string" + NOT_RUN);
        cases.put(110, "{\"seq\":110,\"type\":{\"a\":[1]},\"command\":\"next\"" + args + "}");
        expected.put(110, "the request's type is not a string" + NOT_RUN);
        cases.put(119, "{\"seq\":119,\"command\":\"next\"" + args + "}");
        expected.put(119, "Message could not be parsed: Unable to identify the input message. Missing 'type' field.");
        // twice wrong: one answer, for the first
        cases.put(111, next(111, "\"success\":\"a\",", args + ",\"success\":\"b\",\"message\":[]"));
        expected.put(111, success);
        // as LSP4J reads it leniently: unquoted names and strings, comments, ';' and '=' as separators
        cases.put(112, "{seq:112,type:request,command:next,arguments:{threadId:1},success:yes}");
        expected.put(112, success);
        cases.put(113, "{/* c */\"seq\"=113;\"type\":\"request\" # c\n;\"command\":'next';'success':null}");
        expected.put(113, success);
        // the arguments a number, a boolean, an array, before and after the command
        String arguments = "Message could not be parsed: Expected an object but was ";
        cases.put(114, next(114, "", ",\"arguments\":5"));
        expected.put(114, arguments + "a number");
        cases.put(115, next(115, "", ",\"arguments\":true"));
        expected.put(115, arguments + "a boolean");
        cases.put(116, "{\"seq\":116,\"type\":\"request\",\"arguments\":7,\"command\":\"next\"}");
        expected.put(116, arguments + "a number");
        cases.put(117, next(117, "", ",\"arguments\":[]"));
        expected.put(117, "Message could not be parsed: Expected an object but was an array at path $.arguments");
        cases.put(118, next(118, "", ",\"arguments\":[1]"));
        // an array of arguments: named as one, not as its first element (fifteenth round)
        expected.put(118, "Message could not be parsed: Expected an object but was an array at path $.arguments");
        List<String> batch = DapWireTest.opening(program);
        batch.addAll(cases.values());
        // a command that cannot be read, with a seq: answered, as a request without a command is
        // (DapCommandNotAStringTest)
        batch.add("{\"seq\":201,\"type\":\"request\",\"command\":{},\"success\":\"x\"}");
        batch.add("{\"seq\":202,\"type\":\"request\",\"command\":null,\"request_seq\":[]}");
        // not identified, dropped as before: a message that is no request (a seq that cannot be read,
        // or none, is answered as request 0: DapNoSeqTest)
        batch.add("{\"seq\":203,\"type\":\"event\",\"event\":\"x\",\"success\":\"x\"}");
        batch.add("{\"seq\":204,\"type\":\"response\",\"command\":\"next\",\"request_seq\":{},\"success\":true}");
        // no false alarm: the same fields nested in the arguments
        batch.add("{\"seq\":7,\"type\":\"request\",\"command\":\"threads\",\"arguments\":{\"success\":\"x\","
                + "\"request_seq\":{},\"type\":[],\"message\":{},\"event\":1,\"command\":{}}}");
        batch.add("{\"seq\":4,\"type\":\"request\",\"command\":\"stackTrace\",\"arguments\":{\"threadId\":1}}");
        List<JsonObject> all = DapWireTest.messages(DapWireTest.serve(batch));
        Map<Integer, JsonObject> r = DapWireTest.responses(all);
        for (var e : cases.entrySet()) {
            JsonObject m = r.get(e.getKey());
            assertTrue(m != null, e.getKey() + " " + e.getValue() + ": no answer in " + r.keySet());
            assertFalse(m.get("success").getAsBoolean(), m.toString());
            assertEquals("next", m.get("command").getAsString(), m.toString());
            String message = m.get("message").getAsString();
            assertTrue(message.startsWith(expected.get(e.getKey())) && !message.contains("\n"),
                    e.getValue() + ": " + message);
            assertNull(m.get("body"), m.toString());
        }
        assertTrue(r.get(7).get("success").getAsBoolean(), r.get(7).toString());
        for (int seq : new int[] {201, 202}) {
            assertEquals("the request's command is not a string" + NOT_RUN, r.get(seq).get("message").getAsString());
        }
        assertEquals(List.of(1, 2, 3, 4, 7, 201, 202), r.keySet().stream().filter(k -> !cases.containsKey(k)).toList(),
                "the unidentified messages are not answered");
        // no next ran: the run is still at its entry
        JsonObject frames = r.get(4).getAsJsonObject("body");
        assertEquals("main pc 0", frames.getAsJsonArray("stackFrames").get(0).getAsJsonObject().get("name")
                .getAsString(), frames.toString());
    }
}
