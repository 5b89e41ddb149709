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
 * What a client hears of a request the JSON reader could not read: one line that says what is
 * wrong and where, in JSON's words, never the Java API of the reader ({@code JsonReader.setStrictness},
 * its token names {@code BEGIN_OBJECT} and the like, {@code NumberFormatException}'s
 * {@code For input string}); and a request named by an {@code event} alone (its {@code type}
 * {@code request}) whose arguments cannot be read is refused as one whose arguments can be
 * ({@link DapMessageTypeTest}), not answered {@code Message could not be parsed}.
 */
@Timeout(120)
class DapParseMessageTest {
    private final String program = TestTargets.resource("loop.tasm").toString();

    private static final String PARSE = "Message could not be parsed: ";
    private static final String EVENT = "the request has an event field, which names an event, not a request;"
            + " the request was not run";

    @Test
    void parseFailuresSayWhatIsWrongInJsonsWords() throws Exception {
        String threads = "{\"seq\":%d,\"type\":\"request\",\"command\":\"threads\"}";
        Map<Integer, String> cases = new TreeMap<>();
        Map<Integer, String> expected = new TreeMap<>();
        // text after the message (Gson: "Use JsonReader.setStrictness(Strictness.LENIENT) to accept ...")
        cases.put(5, threads.formatted(5) + " x");
        expected.put(5, PARSE + "malformed JSON at line 1 column 49 path $");
        cases.put(6, threads.formatted(6) + "}");
        expected.put(6, PARSE + "malformed JSON at line 1 column 48 path $");
        // a value of another type than the arguments' (Gson: "Expected BEGIN_OBJECT but was NUMBER ...")
        cases.put(7, "{\"seq\":7,\"type\":\"request\",\"command\":\"next\",\"arguments\":5}");
        expected.put(7, PARSE + "Expected an object but was a number at line 1 column 57 path $.arguments");
        cases.put(8, "{\"seq\":8,\"type\":\"request\",\"command\":\"next\",\"arguments\":[]}");
        // an array of arguments (LSP4J reads it as the parameters, and failed at its first element)
        expected.put(8, PARSE + "Expected an object but was an array at path $.arguments");
        cases.put(9, "{\"seq\":9,\"type\":\"request\",\"command\":\"evaluate\",\"arguments\":{\"expression\":[]}}");
        expected.put(9, PARSE + "Expected a string but was an array at line 1 column 75 path $.arguments.expression");
        // a string where a number goes (NumberFormatException: "For input string: ...")
        cases.put(10, "{\"seq\":10,\"type\":\"request\",\"command\":\"stackTrace\","
                + "\"arguments\":{\"threadId\":\"x\\u001by\"}}");
        expected.put(10, PARSE + "\"x\\u001by\" is not a number");
        // as Gson says it, with the client's text escaped
        cases.put(11, "{\"seq\":11,\"type\":\"request\",\"command\":\"stackTrace\",\"arguments\":{\"threadId\":1.5}}");
        expected.put(11, PARSE + "Expected an int but was 1.5 at line 1 column 78 path $.arguments.threadId");
        // a request named by its event alone, its arguments unreadable: refused as with readable ones
        cases.put(12, "{\"seq\":12,\"type\":\"request\",\"event\":\"next\",\"arguments\":5}");
        expected.put(12, EVENT);
        cases.put(13, "{\"seq\":13,\"type\":\"request\",\"event\":\"next\",\"arguments\":[1]}");
        expected.put(13, EVENT);
        cases.put(14, "{\"type\":\"request\",\"arguments\":5,\"event\":\"next\",\"seq\":14}");
        expected.put(14, EVENT);
        cases.put(15, "{\"seq\":15,\"type\":\"request\",\"event\":\"next\",\"arguments\":5} x");
        expected.put(15, EVENT);
        List<String> batch = DapWireTest.opening(program);
        batch.addAll(cases.values());
        // dropped, as DapMessageTypeTest's: named by an event, without a seq or without a type
        batch.add("{\"type\":\"request\",\"event\":\"next\",\"arguments\":5}");
        batch.add("{\"seq\":16,\"event\":\"next\",\"arguments\":5}");
        batch.add("{\"seq\":4,\"type\":\"request\",\"command\":\"threads\"}");
        Map<Integer, JsonObject> r = DapWireTest.responses(DapWireTest.messages(DapWireTest.serve(batch)));
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), List.copyOf(r.keySet()));
        Map<Integer, String> said = new TreeMap<>();
        for (int seq : expected.keySet()) {
            JsonObject m = r.get(seq);
            assertFalse(m.get("success").getAsBoolean(), m.toString());
            assertNull(m.get("body"), m.toString());
            said.put(seq, m.get("message").getAsString());
        }
        assertEquals(expected, said);
        assertEquals("next", r.get(12).get("command").getAsString());
        assertTrue(r.get(4).get("success").getAsBoolean(), r.get(4).toString());
    }
}
