package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tape.debug.TestTargets;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import org.eclipse.lsp4j.debug.services.IDebugProtocolServer;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;
import org.eclipse.lsp4j.jsonrpc.services.JsonRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code tape dap} on the wire: a client sends a batch of framed messages and closes its stream,
 * and the test reads every message the server wrote. No response carries a Java stack trace or
 * exception, every error is one line, every request read before the end is answered, and the
 * session goes on after an error.
 */
@Timeout(120)
class DapWireTest {
    /** The requests the server implements (DapServer's javadoc lists the same). */
    private static final List<String> SUPPORTED = List.of("configurationDone", "continue", "disconnect",
            "initialize", "launch", "next", "pause", "reverseContinue", "scopes", "setBreakpoints", "stackTrace",
            "stepBack", "stepIn", "stepOut", "threads", "variables");

    private final String program = TestTargets.resource("loop.tasm").toString();

    /** The DAP command of every request method of LSP4J's server interface, and whether DapServer overrides it. */
    private static Map<String, Boolean> requests() throws NoSuchMethodException {
        Map<String, Boolean> out = new TreeMap<>();
        for (Method m : IDebugProtocolServer.class.getMethods()) {
            JsonRequest r = m.getAnnotation(JsonRequest.class);
            if (r != null) {
                boolean overridden = DapServer.class.getMethod(m.getName(), m.getParameterTypes())
                        .getDeclaringClass() == DapServer.class;
                out.put(r.value().isEmpty() ? m.getName() : r.value(), overridden);
            }
        }
        return out;
    }

    private static String request(int seq, String command, String arguments) {
        return "{\"seq\":" + seq + ",\"type\":\"request\",\"command\":\"" + command + "\""
                + (arguments == null ? "" : ",\"arguments\":" + arguments) + "}";
    }

    /** Serves the messages, framed, then the end of the stream; returns the raw output. */
    static String serve(List<String> messages) throws Exception {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        for (String m : messages) {
            byte[] b = m.getBytes(StandardCharsets.UTF_8);
            in.write(("Content-Length: " + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            in.write(b);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DapServer.serve(TestTargets::target, new ByteArrayInputStream(in.toByteArray()), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * The messages of the server's output, checked: framed, no trace, no Java exception named, no
     * name of the JSON reader's API.
     */
    static List<JsonObject> messages(String raw) {
        assertFalse(raw.contains("\tat "), raw);
        assertFalse(raw.contains("\\tat "), raw);
        assertFalse(raw.contains("java."), raw);
        assertFalse(java.util.regex.Pattern.compile("(Exception|Error)([^A-Za-z]|$)").matcher(raw).find(), raw);
        assertFalse(raw.contains("lsp4j"), raw);
        // nor the JSON reader's Java API (its methods, its token names, a number parser's words)
        assertFalse(java.util.regex.Pattern.compile("JsonReader|Strictness|BEGIN_OBJECT|BEGIN_ARRAY|END_OBJECT|END_ARRAY"
                + "|END_DOCUMENT|For input string").matcher(raw).find(), raw);
        List<JsonObject> out = new ArrayList<>();
        int at = 0;
        while (at < raw.length()) {
            assertTrue(raw.startsWith("Content-Length: ", at), raw.substring(at));
            int eol = raw.indexOf("\r\n\r\n", at);
            int n = Integer.parseInt(raw.substring(at + "Content-Length: ".length(), eol));
            byte[] rest = raw.substring(eol + 4).getBytes(StandardCharsets.UTF_8);
            String body = new String(rest, 0, n, StandardCharsets.UTF_8);
            out.add(JsonParser.parseString(body).getAsJsonObject());
            at = eol + 4 + body.length();
        }
        return out;
    }

    /**
     * The responses by request seq; each request answered once, each error response with a
     * non-empty message of one line and no body.
     */
    static Map<Integer, JsonObject> responses(List<JsonObject> messages) {
        Map<Integer, JsonObject> out = new TreeMap<>();
        for (JsonObject m : messages) {
            if (m.get("type").getAsString().equals("response")) {
                int seq = m.get("request_seq").getAsInt();
                assertNull(out.put(seq, m), "answered once: " + seq);
                if (!m.get("success").getAsBoolean()) {
                    String message = m.get("message").getAsString();
                    assertFalse(message.isEmpty() || message.contains("\n") || message.contains("\r"), message);
                    assertNull(m.get("body"), "an error response has no body (LSP4J's error data): " + m);
                }
            }
        }
        return out;
    }

    @Test
    void theServerImplementsTheRequestsItsJavadocLists() throws Exception {
        List<String> overridden = new ArrayList<>();
        requests().forEach((name, o) -> {
            if (o) {
                overridden.add(name);
            }
        });
        assertEquals(new TreeSet<>(SUPPORTED), new TreeSet<>(overridden));
        assertEquals(new TreeSet<>(ServerEndpoint.unsupportedRequests().values()),
                new TreeSet<>(requests().entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList()));
    }

    @Test
    void everyUnsupportedRequestGetsAOneLineErrorAndTheSessionGoesOn() throws Exception {
        List<String> unsupported = requests().entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey)
                .toList();
        assertTrue(unsupported.containsAll(List.of("evaluate", "setVariable", "completions", "gotoTargets",
                "setExpression", "restart", "terminate", "source")), unsupported.toString());
        List<String> batch = new ArrayList<>();
        batch.add(request(1, "initialize", "{\"adapterID\":\"tape\"}"));
        int seq = 2;
        for (String name : unsupported) {
            batch.add(request(seq++, name, "{}"));
            batch.add(request(seq++, name, null));
        }
        batch.add(request(seq, "threads", null));
        Map<Integer, JsonObject> r = responses(messages(serve(batch)));
        assertEquals(seq, r.size());
        for (int i = 0; i < unsupported.size() * 2; i++) {
            JsonObject m = r.get(i + 2);
            String name = unsupported.get(i / 2);
            assertEquals(name, m.get("command").getAsString());
            assertFalse(m.get("success").getAsBoolean());
            assertEquals("unsupported request: " + name, m.get("message").getAsString());
        }
        assertTrue(r.get(seq).get("success").getAsBoolean());
        assertEquals(1, r.get(seq).getAsJsonObject("body").getAsJsonArray("threads").size());
    }

    @Test
    void everyRequestBeforeInitializeOrLaunchIsAnsweredWithoutATrace() throws Exception {
        List<String> names = new ArrayList<>(requests().keySet());
        names.remove("disconnect");
        List<String> batch = new ArrayList<>();
        int seq = 1;
        for (String name : names) {
            batch.add(request(seq++, name, "{}"));
            batch.add(request(seq++, name, null));
        }
        batch.add(request(seq++, "initialize", "{}"));
        batch.add(request(seq++, "threads", null));
        batch.add(request(seq, "disconnect", null));
        Map<Integer, JsonObject> r = responses(messages(serve(batch)));
        assertEquals(seq, r.size(), r.keySet().toString());
        assertTrue(r.get(seq - 1).get("success").getAsBoolean());
        assertTrue(r.get(seq).get("success").getAsBoolean());
        assertEquals("the program is not launched", r.get(names.indexOf("stackTrace") * 2 + 1).get("message")
                .getAsString());
    }

    @Test
    void malformedMessagesGetOneLineErrorsOrNoneAndTheSessionGoesOn() throws Exception {
        List<String> batch = List.of("{bad", "[]", "null", "{\"seq\":\"x\",\"type\":\"request\",\"command\":\"threads\"}",
                request(1, "stackTrace", "\"x\""),
                request(2, "scopes", "{\"frameId\":\"zz\\u001b[31m\\u0085\\n\"}"),
                request(3, "setBreakpoints", "{\"breakpoints\":\"x\"}"),
                "{\"seq\":4,\"type\":\"request\"}",
                request(5, "no such request", "{}"),
                request(6, "threads", null));
        Map<Integer, JsonObject> r = responses(messages(serve(batch)));
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), List.copyOf(r.keySet()));
        assertEquals("the request's seq is not a number; the request was not run", r.get(0).get("message").getAsString());
        assertEquals("Message could not be parsed: Expected an object but was a string at line 1 column 63 path "
                + "$.arguments", r.get(1).get("message").getAsString());
        String scopes = r.get(2).get("message").getAsString();
        assertTrue(scopes.contains("zz\\u001b[31m\\u0085"), "the client's text escaped: " + scopes);
        for (int i = 1; i <= 5; i++) {
            assertFalse(r.get(i).get("success").getAsBoolean());
        }
        assertTrue(r.get(6).get("success").getAsBoolean());
    }

    /**
     * A request whose {@code seq} does not fit LSP4J's int (above 2<sup>31</sup> - 1, below
     * -2<sup>31</sup>, or not a whole number) is not run and gets a one-line error response that
     * names the seq as the client wrote it; one that fits goes on as any other.
     */
    @Test
    void aRequestWhoseSeqIsOutOfRangeGetsAnErrorAndIsNotRun() throws Exception {
        String launch = "{\"program\":\"" + program.replace("\\", "\\\\") + "\",\"args\":[\"i64:3\"],"
                + "\"stopOnEntry\":true}";
        List<String> seqs = List.of("3000000000", "-2147483649", "1e20", "2.5", "18446744073709551616",
                "1" + "0".repeat(100), "3000000001");
        List<String> batch = new ArrayList<>();
        batch.add(request(1, "initialize", "{\"adapterID\":\"tape\"}"));
        batch.add(request(2, "launch", launch));
        batch.add(request(3, "configurationDone", null));
        for (String seq : seqs) {
            // the last with seq after the arguments
            batch.add(seq.equals("3000000001")
                    ? "{\"type\":\"request\",\"command\":\"next\",\"arguments\":{\"threadId\":1,\"x\":[1,{}]},\"seq\":" + seq + "}"
                    : "{\"seq\":" + seq + ",\"type\":\"request\",\"command\":\"next\",\"arguments\":{\"threadId\":1}}");
        }
        batch.add(request(Integer.MAX_VALUE, "threads", null));
        batch.add(request(4, "stackTrace", "{\"threadId\":1}"));
        List<JsonObject> all = messages(serve(batch));
        Map<String, JsonObject> r = new TreeMap<>();
        for (JsonObject m : all) {
            if (m.get("type").getAsString().equals("response")) {
                assertNull(r.put(m.get("request_seq").getAsString(), m), m.toString());
            }
        }
        for (String seq : seqs) {
            JsonObject m = r.get(seq);
            assertTrue(m != null, seq + ": " + all);
            assertFalse(m.get("success").getAsBoolean(), m.toString());
            assertEquals("next", m.get("command").getAsString());
            assertEquals("the request's seq " + seq + " is not a whole number from -2147483648 to 2147483647; "
                    + "the request was not run", m.get("message").getAsString());
            assertNull(m.get("body"));
        }
        assertTrue(r.get(String.valueOf(Integer.MAX_VALUE)).get("success").getAsBoolean());
        // no next ran: the run is still at its entry
        JsonObject frames = r.get("4").getAsJsonObject("body");
        assertEquals("main pc 0", frames.getAsJsonArray("stackFrames").get(0).getAsJsonObject().get("name")
                .getAsString(), frames.toString());
    }

    @Test
    void aBatchOfRequestsThenTheEndOfTheStreamGetsAnAnswerToEachRequest() throws Exception {
        for (boolean stopOnEntry : new boolean[] {true, false}) {
            String launch = "{\"program\":\"" + program.replace("\\", "\\\\") + "\",\"args\":[\"i64:1000000\"],"
                    + "\"stopOnEntry\":" + stopOnEntry + "}";
            List<String> batch = List.of(request(1, "initialize", "{\"adapterID\":\"tape\"}"),
                    request(2, "launch", launch),
                    request(3, "setBreakpoints", "{\"source\":{\"path\":\"" + program.replace("\\", "\\\\")
                            + "\"},\"breakpoints\":[{\"line\":9}]}"),
                    request(4, "configurationDone", null),
                    request(5, "threads", null),
                    request(6, "stackTrace", "{\"threadId\":1}"),
                    request(7, "next", "{\"threadId\":1}"),
                    // the frame ids stackTrace gave end with the move: the innermost frame's is 2 now
                    request(8, "scopes", "{\"frameId\":2}"),
                    request(9, "variables", "{\"variablesReference\":1}"),
                    request(10, "continue", "{\"threadId\":1}"),
                    request(11, "stepBack", "{\"threadId\":1}"),
                    request(12, "evaluate", "{\"expression\":\"r0\"}"));
            List<JsonObject> all = messages(serve(batch));
            Map<Integer, JsonObject> r = responses(all);
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), List.copyOf(r.keySet()), all.toString());
            for (int i = 1; i <= 11; i++) {
                assertTrue(r.get(i).get("success").getAsBoolean(), r.get(i).toString());
            }
            assertEquals("unsupported request: evaluate", r.get(12).get("message").getAsString());
        }
    }

    /**
     * Requests read just after {@code disconnect} race the end of the session: one the server
     * dispatches after the debugger thread has shut down gets a one-line error, not the executor's
     * rejection (which named Java classes and object addresses, 4 times in 200 such batches), and
     * others get no answer once the server has stopped reading. Many batches, to meet the race.
     */
    @Test
    void requestsReadAfterDisconnectGetAOneLineErrorOrNone() throws Exception {
        for (int i = 0; i < 300; i++) {
            List<String> batch = new ArrayList<>();
            batch.add(request(1, "initialize", "{}"));
            batch.add(request(2, "disconnect", null));
            for (int k = 0; k <= i % 12; k++) {
                batch.add(request(3 + k, List.of("stackTrace", "next", "launch", "disconnect").get(k % 4),
                        "{\"threadId\":1}"));
            }
            Map<Integer, JsonObject> r = responses(messages(serve(batch)));
            assertTrue(r.get(2).get("success").getAsBoolean(), r.toString());
            for (int k = 3; k < batch.size() + 1; k++) {
                JsonObject m = r.get(k);
                if (m != null && !m.get("success").getAsBoolean()) {
                    assertTrue(m.get("message").getAsString().equals("the session is over")
                            || m.get("message").getAsString().startsWith("the program is not launched")
                            || m.get("message").getAsString().startsWith("launch: "), m.toString());
                }
            }
        }
    }

    @Test
    void anExceptionBecomesOneLineWithoutATrace() {
        ResponseError e = ServerEndpoint.toError(new CompletionException(new IllegalStateException("a\nb\u001b")));
        assertEquals(ResponseErrorCode.InternalError.getValue(), e.getCode());
        assertEquals("internal error: IllegalStateException: a", e.getMessage());
        assertNull(e.getData());
        ResponseError own = new ResponseError(ResponseErrorCode.InvalidRequest, "mine", null);
        assertEquals(own, ServerEndpoint.toError(new CompletionException(new ResponseErrorException(own))));
        assertEquals("internal error: StackOverflowError", ServerEndpoint.toError(new StackOverflowError()).getMessage());
        ResponseError issue = new ResponseError(ResponseErrorCode.ParseError, "Message could not be parsed.",
                new RuntimeException("java.lang.IllegalStateException: Expected X",
                        new IllegalStateException("Expected X\u001b[2J\nSee the guide")));
        ServerEndpoint.guard(issue);
        assertEquals("Message could not be parsed: Expected X\\u001b[2J", issue.getMessage());
        assertNull(issue.getData());
        ResponseError trace = new ResponseError(ResponseErrorCode.InternalError, "Internal error.\r\n",
                "java.lang.RuntimeException\n\tat somewhere");
        ServerEndpoint.guard(trace);
        assertEquals("Internal error.\\r", trace.getMessage());
        assertNull(trace.getData());
    }

    /**
     * The opening of a session over the wire: {@code initialize}, a {@code launch} of
     * {@code program} with the argument {@code i64:3}, stopped on entry, and
     * {@code configurationDone}, as requests with seq 1 to 3 (seq first), in a list the caller may
     * extend.
     *
     * @param program the path of the program to launch
     * @return a new mutable list of three framed-message bodies
     */
    static List<String> opening(String program) {
        String launch = "{\"program\":\"" + program.replace("\\", "\\\\") + "\",\"args\":[\"i64:3\"],"
                + "\"stopOnEntry\":true}";
        List<String> batch = new ArrayList<>();
        batch.add("{\"seq\":1,\"type\":\"request\",\"command\":\"initialize\",\"arguments\":{\"adapterID\":\"t\"}}");
        batch.add("{\"seq\":2,\"type\":\"request\",\"command\":\"launch\",\"arguments\":" + launch + "}");
        batch.add("{\"seq\":3,\"type\":\"request\",\"command\":\"configurationDone\"}");
        return batch;
    }
}
