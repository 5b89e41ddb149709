package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.tape.debug.TestTargets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Malformed arguments for every field of every request the adapter serves (and some fields of
 * their nested objects), each value of every wrong JSON type, huge and odd numbers, control
 * characters and quotes, a 100,000-character string, deep nesting, duplicate keys and truncated
 * messages: each request with a seq is answered once, and a refusal is one line of bounded length
 * (the client's text cut to {@link dev.tape.debug.Text#MAX_CHARS} before escaping)
 * with the client's text escaped, and names no Java class, method or exception nor the JSON
 * reader's API ({@link DapWireTest#messages} checks the whole output for those).
 */
@Timeout(180)
class DapMalformedArgumentsTest {
    private final String program = TestTargets.resource("loop.tasm").toString();

    /** Requests the adapter serves, with the fields of their arguments (dotted: a nested object's). */
    private static final Map<String, List<String>> FIELDS = Map.ofEntries(
            Map.entry("initialize", List.of("clientID", "adapterID", "linesStartAt1", "columnsStartAt1",
                    "pathFormat", "supportsVariableType", "supportsRunInTerminalRequest", "locale")),
            Map.entry("setBreakpoints", List.of("source", "source.path", "source.name", "source.sourceReference",
                    "source.presentationHint", "source.checksums", "breakpoints", "breakpoints.line",
                    "breakpoints.condition", "lines", "sourceModified")),
            Map.entry("continue", List.of("threadId", "singleThread")),
            Map.entry("next", List.of("threadId", "singleThread", "granularity")),
            Map.entry("stepIn", List.of("threadId", "targetId", "granularity")),
            Map.entry("stepOut", List.of("threadId", "granularity")),
            Map.entry("stepBack", List.of("threadId", "granularity")),
            Map.entry("reverseContinue", List.of("threadId")),
            Map.entry("pause", List.of("threadId")),
            Map.entry("stackTrace", List.of("threadId", "startFrame", "levels", "format", "format.hex")),
            Map.entry("scopes", List.of("frameId")),
            Map.entry("variables", List.of("variablesReference", "filter", "start", "count", "format",
                    "format.hex")),
            Map.entry("configurationDone", List.of("x")),
            Map.entry("threads", List.of("x")),
            Map.entry("disconnect", List.of("restart", "terminateDebuggee", "suspendDebuggee")));

    /** A value of every JSON type, and texts and numbers a reader finds hard. */
    private static List<String> badValues() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        return List.of("\"x\\u0001\\\"\\n\\u2028y\"", "\"\"", "\"99999999999999999999999\"", "1e400", "-1e400",
                "99999999999999999999999", "-0.0", "1.5", "true", "null", "[]", "{}", "[1,\"a\",{}]",
                "{\"a\":{\"b\":[]}}", "\"" + "z\\u0000".repeat(100_000 / 7) + "\"", deep,
                "{\"k\":" + deep + "}", "\"NaN\"", "\"0x10\"", "\"1_000\"", "\" 1\"");
    }

    /** {@code {"a":{"b":V}}} for the dotted field {@code a.b}, nested in an array when it is one. */
    private static String arguments(String field, String value) {
        int dot = field.indexOf('.');
        if (dot < 0) {
            return "{\"" + field + "\":" + value + "}";
        }
        String outer = field.substring(0, dot);
        String inner = "{\"" + field.substring(dot + 1) + "\":" + value + "}";
        return "{\"" + outer + "\":" + (outer.equals("breakpoints") || outer.equals("checksums") ? "[" + inner + "]" : inner)
                + "}";
    }

    /**
     * A message longer than the stream reader's 8 KiB buffer that the JSON reader stops reading
     * before its end (nested past its limit, a syntax error, text after its end, a number or a
     * string where none may be): the rest of the message stayed in the stream, read as the next
     * message's header, and every later request went unanswered. Each is refused, and the request
     * after it answered.
     */
    @Test
    void aLongMessageReadOnlyInPartLeavesNothingInTheStream() throws Exception {
        String pad = "\"" + "p".repeat(20_000) + "\"";
        List<String> bad = List.of(
                "{\"seq\":%d,\"type\":\"request\",\"command\":\"threads\",\"arguments\":{\"k\":"
                        + "[".repeat(10_000) + "]".repeat(10_000) + "}}",
                "{\"seq\":%d,\"type\":\"request\",\"command\":\"threads\",\"arguments\":{\"k\":1 2,\"p\":" + pad + "}}",
                "{\"seq\":%d,\"type\":\"request\",\"command\":\"threads\"} {\"p\":" + pad + "}",
                "{\"seq\":%d,\"type\":\"request\",\"command\":\"stackTrace\",\"arguments\":{\"threadId\":\"x\","
                        + "\"p\":" + pad + "}}",
                "{\"seq\":%d,\"type\":\"request\",\"command\":\"next\",\"arguments\":5,\"p\":" + pad + "}");
        List<String> batch = DapWireTest.opening(program);
        int seq = 10;
        for (String m : bad) {
            batch.add(m.formatted(seq++));
            batch.add("{\"seq\":" + seq++ + ",\"type\":\"request\",\"command\":\"threads\"}");
        }
        Map<Integer, JsonObject> r = DapWireTest.responses(DapWireTest.messages(DapWireTest.serve(batch)));
        assertEquals(List.of(1, 2, 3, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19), List.copyOf(r.keySet()));
        for (int s = 10; s < seq; s += 2) {
            assertFalse(r.get(s).get("success").getAsBoolean(), r.get(s).toString());
            assertTrue(r.get(s + 1).get("success").getAsBoolean(), r.get(s + 1).toString());
        }
    }

    @Test
    void everyMalformedArgumentIsAnsweredInOneBoundedLineWithoutJavaNames() throws Exception {
        List<String> batch = DapWireTest.opening(program);
        List<Integer> seqs = new ArrayList<>(List.of(1, 2, 3));
        int seq = 10;
        for (Map.Entry<String, List<String>> e : new TreeMap<>(FIELDS).entrySet()) {
            if (e.getKey().equals("disconnect") || e.getKey().equals("initialize")) {
                continue; // below, last: they end the session, or begin one again
            }
            for (String field : e.getValue()) {
                for (String v : badValues()) {
                    batch.add("{\"seq\":" + seq + ",\"type\":\"request\",\"command\":\"" + e.getKey()
                            + "\",\"arguments\":" + arguments(field, v) + "}");
                    seqs.add(seq++);
                }
            }
        }
        // duplicate keys, at the top and in the arguments; text cut short; nesting past any limit
        for (String m : List.of(
                "{\"seq\":%d,\"type\":\"request\",\"command\":\"stackTrace\",\"arguments\":{\"threadId\":1,\"threadId\":\"x\"}}",
                "{\"seq\":%d,\"type\":\"request\",\"command\":\"next\",\"command\":[],\"arguments\":{\"threadId\":1}}",
                "{\"seq\":%d,\"type\":\"request\",\"command\":\"stackTrace\",\"arguments\":{\"threadId\":1,\"threadId",
                "{\"seq\":%d,\"type\":\"request\",\"command\":\"stackTrace\",\"arguments\":{\"threadId\":1",
                "{\"seq\":%d,\"type\":\"request\",\"command\":\"variables\",\"arguments\":{\"variablesReference\":1e",
                "{\"seq\":%d,\"type\":\"request\",\"command\":\"threads\",\"arguments\":" + "{\"a\":".repeat(20_000),
                "{\"seq\":%d,\"type\":\"request\",\"command\":\"threads\",\"arguments\":\"\\ud800\\",
                "{\"seq\":%d,\"type\":\"request\",\"command\":\"threads\",\"arguments\":\"\\uZZZZ\"}",
                "{\"seq\":%d,\"type\":\"request\",\"command\":\"threads\",\"arguments\":{'a':1,b:c}} ]")) {
            batch.add(m.formatted(seq));
            seqs.add(seq++);
        }
        for (String field : FIELDS.get("initialize")) {
            for (String v : List.of("{}", "[]", "\"x\"", "1e400", "-1")) {
                batch.add("{\"seq\":" + seq + ",\"type\":\"request\",\"command\":\"initialize\",\"arguments\":"
                        + arguments(field, v) + "}");
                seqs.add(seq++);
            }
        }
        for (String field : FIELDS.get("disconnect")) {
            batch.add("{\"seq\":" + seq + ",\"type\":\"request\",\"command\":\"disconnect\",\"arguments\":"
                    + arguments(field, "\"x\"") + "}");
            seqs.add(seq++);
        }
        Pattern javaName = Pattern.compile("\\b(java|javax|com|org|dev|sun|jdk)\\.[a-z]|\\$[A-Z]|\\bclass [a-z]"
                + "|[a-z][A-Za-z]*\\([A-Za-z.]*\\)|NumberFormat|IllegalState|ClassCast|StackOverflow|OutOfMemory"
                + "|NullPointer|Throwable|Gson|Lsp4j|JsonElement|JsonPrimitive|JsonObject|JsonArray|JsonNull");
        Map<Integer, JsonObject> r = new TreeMap<>();
        for (JsonObject m : DapWireTest.messages(DapWireTest.serve(batch))) {
            if (m.get("type").getAsString().equals("response")) {
                int s = m.get("request_seq").getAsInt();
                assertNull(r.put(s, m), "answered once: " + m);
                if (!m.get("success").getAsBoolean()) {
                    String message = m.get("message").getAsString();
                    assertFalse(message.isEmpty(), m.toString());
                    assertTrue(message.chars().allMatch(c -> c >= 0x20 && c != 0x7f && c != 0x2028 && c != 0x2029),
                            "one line, control characters escaped: " + message);
                    assertTrue(message.length() <= 6 * dev.tape.debug.Text.MAX_CHARS + 100, () -> "bounded: " + message.length() + " " + message.substring(0, 200));
                    assertFalse(javaName.matcher(message).find(), "no Java names: " + message);
                    assertNull(m.get("body"), m.toString());
                }
            }
        }
        // every request answered (the last disconnect ends the session; those after it are not)
        List<Integer> missing = new ArrayList<>(seqs);
        missing.removeAll(r.keySet());
        assertTrue(missing.size() <= FIELDS.get("disconnect").size(), "unanswered: " + missing);
        assertEquals(seqs.subList(0, seqs.size() - FIELDS.get("disconnect").size()),
                List.copyOf(r.keySet()).subList(0, seqs.size() - FIELDS.get("disconnect").size()));
    }
}
