package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.eclipse.lsp4j.debug.services.IDebugProtocolClient;
import org.eclipse.lsp4j.debug.services.IDebugProtocolServer;
import org.eclipse.lsp4j.jsonrpc.MessageIssueException;
import org.eclipse.lsp4j.jsonrpc.debug.messages.DebugNotificationMessage;
import org.eclipse.lsp4j.jsonrpc.debug.messages.DebugRequestMessage;
import org.eclipse.lsp4j.jsonrpc.json.JsonRpcMethod;
import org.eclipse.lsp4j.jsonrpc.messages.Message;
import org.eclipse.lsp4j.jsonrpc.services.ServiceEndpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random messages against {@link RequestCheckingHandler}, checked against a model read by Gson's
 * own tree parser (lenient, as LSP4J reads): a request the model identifies (one {@code command}
 * that is a string, a {@code type} of {@code "request"} or none, and one top-level {@code seq} that
 * is an int, or none, null, an object, an array or a boolean) is answered, run or refused, with its
 * seq (0 for none) and command, and one without a seq that is a number, or with an {@code event}
 * field, is refused; a request with an int seq whose command is no string (null, an object, an
 * array, a boolean) is refused; one that says it is no request is never answered as a request, and a client's
 * event is never passed on; a request that is run has no top-level field of the wrong type; and
 * reading a message throws nothing but what LSP4J's reader handles.
 */
@Timeout(300)
class FieldReaderFuzzTest {
    private static final String[] NAMES = {"seq", "type", "command", "arguments", "request_seq", "success",
        "message", "event", "body", "x"};

    private final RequestCheckingHandler handler = new RequestCheckingHandler(methods(), gson -> { });

    static Map<String, JsonRpcMethod> methods() {
        Map<String, JsonRpcMethod> m = new LinkedHashMap<>(ServiceEndpoints.getSupportedMethods(IDebugProtocolClient.class));
        m.putAll(ServiceEndpoints.getSupportedMethods(IDebugProtocolServer.class));
        return m;
    }

    @Test
    void randomMessagesAreReadAsTheModelSays() {
        Random rnd = new Random(12);
        int identified = 0;
        int run = 0;
        int refused = 0;
        int dropped = 0;
        int unnamed = 0;
        for (int i = 0; i < 40_000; i++) {
            String text = message(rnd);
            if (rnd.nextInt(20) == 0) {
                text = mutate(rnd, text);
            }
            Outcome o = outcome(text);
            Expect e = model(text);
            if (o.run != null) {
                run++;
            } else if (o.refused != null) {
                refused++;
            } else {
                dropped++;
            }
            if (e.identified) {
                identified++;
                DebugRequestMessage r = o.run != null ? o.run : o.refused;
                assertTrue(r != null, "identified but not answered: " + text + " -> " + o.thrown);
                assertEquals(e.command, r.getMethod(), text);
                assertEquals(Integer.toString(e.seq), r.getId(), text);
            }
            if (e.noSeq) {
                assertTrue(o.run == null, "run without a seq: " + text);
            }
            if (e.event) {
                assertTrue(o.run == null, "run with an event field: " + text);
            }
            if (e.notRequest) {
                assertTrue(o.run == null && o.refused == null, "no request, answered: " + text);
            }
            if (e.unnamed) {
                unnamed++;
                assertTrue(o.run == null && o.refused != null, "a command that is no string, not answered: " + text);
            }
            if (o.run != null) {
                assertTrue(e.wellTyped, "run with a field of the wrong type: " + text);
            }
        }
        // the shapes the properties speak of were made (about 1,600, 4,000, 7,000, 29,000 of 40,000)
        assertTrue(identified > 1_500 && run > 3_000 && refused > 5_000 && dropped > 20_000 && unnamed > 100,
                "identified " + identified + ", run " + run + ", refused " + refused + ", dropped " + dropped
                        + ", unnamed " + unnamed);
    }

    /**
     * Over the wire: a batch of random requests the model identifies (each seq once) and messages
     * that say they are no request, then the end of the stream: each request is answered exactly
     * once (run or refused), nothing else is answered, and the output has no trace.
     */
    @Test
    void overTheWireEachIdentifiedRequestIsAnsweredOnce() throws Exception {
        Random rnd = new Random(13);
        List<String> batch = new ArrayList<>();
        java.util.Set<Integer> seqs = new java.util.TreeSet<>();
        Map<Integer, String> sent = new HashMap<>();
        int others = 0;
        while (batch.size() < 400) {
            String text = message(rnd);
            Expect e = model(text);
            if (e.identified && !text.contains("launch") && !text.contains("disconnect") && seqs.add(e.seq)) {
                batch.add(text);
                sent.put(e.seq, text);
            } else if (e.notRequest && !e.identified && others < 100) {
                batch.add(text);
                others++;
            }
        }
        List<com.google.gson.JsonObject> all = DapWireTest.messages(DapWireTest.serve(batch));
        Map<Integer, Integer> answered = new HashMap<>();
        for (com.google.gson.JsonObject m : all) {
            if (m.get("type").getAsString().equals("response")) {
                answered.merge(m.get("request_seq").getAsInt(), 1, Integer::sum);
            }
        }
        for (int seq : seqs) {
            assertEquals(1, answered.getOrDefault(seq, 0), "answers to " + sent.get(seq));
        }
        assertEquals(seqs, new java.util.TreeSet<>(answered.keySet()), "answered only the requests");
        assertTrue(seqs.size() > 250 && others > 50, seqs.size() + " " + others);
    }

    record Outcome(DebugRequestMessage run, DebugRequestMessage refused, Throwable thrown) {}

    private Outcome outcome(String text) {
        Message m;
        try {
            m = handler.parseMessage(text);
        } catch (MessageIssueException e) {
            return new Outcome(null, e.getRpcMessage() instanceof DebugRequestMessage r ? r : null, e);
        } catch (RuntimeException e) {
            // dropped (LSP4J's reader logs it, off here): as LSP4J alone drops it
            return new Outcome(null, null, e);
        } catch (Error e) {
            fail("escaped: " + e + " reading " + text);
            return null;
        }
        assertFalse(m instanceof DebugNotificationMessage, "a client's event passed on: " + text);
        return new Outcome(m instanceof DebugRequestMessage r ? r : null, null, null);
    }

    record Expect(boolean identified, int seq, String command, boolean notRequest, boolean wellTyped, boolean noSeq,
            boolean event, boolean unnamed) {
        Expect(boolean identified, int seq, String command, boolean notRequest, boolean wellTyped) {
            this(identified, seq, command, notRequest, wellTyped, false, false, false);
        }
    }

    /** What the message must come to, read by Gson's tree parser; unsure cases assert nothing. */
    private static Expect model(String text) {
        JsonObject o;
        Map<String, Integer> count = new HashMap<>();
        try {
            JsonReader r = new JsonReader(new StringReader(text));
            r.setStrictness(Strictness.LENIENT);
            JsonElement e = JsonParser.parseReader(r);
            if (!e.isJsonObject() || r.peek() != com.google.gson.stream.JsonToken.END_DOCUMENT) {
                return new Expect(false, 0, null, false, true);
            }
            o = e.getAsJsonObject();
            JsonReader names = new JsonReader(new StringReader(text));
            names.setStrictness(Strictness.LENIENT);
            names.beginObject();
            while (names.hasNext()) {
                count.merge(names.nextName(), 1, Integer::sum);
                names.skipValue();
            }
        } catch (RuntimeException | java.io.IOException | StackOverflowError e) {
            return new Expect(false, 0, null, false, true);
        }
        for (int c : count.values()) {
            if (c > 1) {
                return new Expect(false, 0, null, false, true);
            }
        }
        JsonElement type = o.get("type");
        boolean typeString = type != null && type.isJsonPrimitive() && type.getAsJsonPrimitive().isString();
        boolean notRequest = typeString && !type.getAsString().equals("request");
        Integer seq = intOf(o.get("seq"));
        JsonElement given = o.get("seq");
        // none, or none that is a number: answered as request 0, never run
        boolean noSeq = given == null || given.isJsonNull() || given.isJsonObject() || given.isJsonArray()
                || given.getAsJsonPrimitive().isBoolean();
        JsonElement command = o.get("command");
        boolean commandString = command != null && command.isJsonPrimitive() && command.getAsJsonPrimitive().isString();
        boolean identified = (seq != null || noSeq) && commandString && (type == null || typeString && !notRequest);
        boolean wellTyped = stringOrAbsent(o, "type") && stringOrAbsent(o, "command") && stringOrAbsent(o, "event")
                && (stringOrAbsent(o, "message") || o.get("message").isJsonNull())
                && (o.get("success") == null || o.get("success").isJsonPrimitive()
                        && o.get("success").getAsJsonPrimitive().isBoolean())
                && intLike(o.get("request_seq")) && intLike(o.get("seq"));
        // a request with a seq whose command is null, an object, an array or a boolean: answered, as one
        // without a command is
        boolean unnamed = seq != null && typeString && !notRequest && command != null
                && (!command.isJsonPrimitive() || command.getAsJsonPrimitive().isBoolean());
        return new Expect(identified, seq == null ? 0 : seq, commandString ? command.getAsString() : null, notRequest,
                wellTyped, noSeq && identified, o.get("event") != null && !notRequest, unnamed);
    }

    private static boolean stringOrAbsent(JsonObject o, String name) {
        JsonElement e = o.get(name);
        return e == null || e.isJsonPrimitive() && !e.getAsJsonPrimitive().isBoolean();
    }

    /** Whether LSP4J may read it as an int: absent, an int, or a string (unsure). */
    private static boolean intLike(JsonElement e) {
        if (e == null || e.isJsonPrimitive() && ((JsonPrimitive) e).isString()) {
            return true;
        }
        if (!e.isJsonPrimitive() || !((JsonPrimitive) e).isNumber()) {
            return false;
        }
        // as Gson's JsonReader.nextInt: a double that is an int
        double d = Double.parseDouble(e.getAsString());
        return (int) d == d;
    }

    /** The int a JSON number (not a quoted one) is, or null. */
    private static Integer intOf(JsonElement e) {
        if (e == null || !e.isJsonPrimitive() || !((JsonPrimitive) e).isNumber()) {
            return null;
        }
        try {
            String s = e.getAsString();
            if (s.length() > 64) {
                return null;
            }
            return new BigDecimal(s).intValueExact();
        } catch (ArithmeticException | NumberFormatException x) {
            return null;
        }
    }

    private static String message(Random rnd) {
        StringBuilder b = new StringBuilder("{");
        int n = rnd.nextInt(7);
        List<String> fields = new ArrayList<>();
        // mostly a plausible request
        if (rnd.nextInt(3) > 0) {
            fields.add(name(rnd, "seq") + ":" + value(rnd, "seq", 0));
            fields.add(name(rnd, "type") + ":" + value(rnd, "type", 0));
            fields.add(name(rnd, "command") + ":" + value(rnd, "command", 0));
        }
        for (int i = 0; i < n; i++) {
            String f = NAMES[rnd.nextInt(NAMES.length)];
            fields.add(name(rnd, f) + ":" + value(rnd, f, 0));
        }
        java.util.Collections.shuffle(fields, rnd);
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                b.append(rnd.nextInt(10) == 0 ? ";" : ",");
            }
            if (rnd.nextInt(15) == 0) {
                b.append("/* c */ ");
            }
            b.append(fields.get(i));
        }
        return b.append("}").toString();
    }

    private static String name(Random rnd, String f) {
        return switch (rnd.nextInt(12)) {
            case 0 -> f;
            case 1 -> "'" + f + "'";
            case 2 -> "\"" + escapeFirst(f) + "\"";
            default -> "\"" + f + "\"";
        };
    }

    private static String escapeFirst(String f) {
        return String.format("\\u%04x", (int) f.charAt(0)) + f.substring(1);
    }

    static String value(Random rnd, String field, int depth) {
        if (rnd.nextInt(3) > 0) {
            // the right type, mostly
            switch (field) {
                case "seq", "request_seq" -> {
                    return Integer.toString(rnd.nextInt(1000));
                }
                case "type" -> {
                    return rnd.nextInt(6) == 0 ? "\"response\"" : rnd.nextInt(6) == 0 ? "\"event\"" : "\"request\"";
                }
                case "command" -> {
                    String[] c = {"threads", "next", "scopes", "variables", "launch", "evaluate", "bogus"};
                    return "\"" + c[rnd.nextInt(c.length)] + "\"";
                }
                case "success" -> {
                    return rnd.nextBoolean() ? "true" : "false";
                }
                case "arguments", "body" -> {
                    return rnd.nextBoolean() ? "{\"threadId\":1}" : "{}";
                }
                default -> {
                    return "\"s\"";
                }
            }
        }
        String[] atoms = {"0", "-1", "2147483647", "2147483648", "-2147483649", "3000000000", "1e3", "1.5", "1.0",
            "-0", "1E400", "NaN", "Infinity", "-Infinity", "null", "true", "false", "\"5\"", "\"x\"", "'y'", "z",
            "\"1e2\"", "\"NaN\"", "\" 7\"", "0x10", "01", "\"\\u0041\"", "\"\"", "9" + "9".repeat(70), "1e-400"};
        int k = rnd.nextInt(depth > 3 ? 1 : 4);
        return switch (k) {
            case 0 -> atoms[rnd.nextInt(atoms.length)];
            case 1 -> {
                StringBuilder b = new StringBuilder("{");
                int n = rnd.nextInt(3);
                for (int i = 0; i < n; i++) {
                    String f = NAMES[rnd.nextInt(NAMES.length)];
                    b.append(i > 0 ? "," : "").append(name(rnd, f)).append(":").append(value(rnd, f, depth + 1));
                }
                yield b.append("}").toString();
            }
            case 2 -> {
                StringBuilder b = new StringBuilder("[");
                int n = rnd.nextInt(3);
                for (int i = 0; i < n; i++) {
                    b.append(i > 0 ? "," : "").append(value(rnd, field, depth + 1));
                }
                yield b.append("]").toString();
            }
            default -> "[".repeat(rnd.nextInt(300)) + "]".repeat(rnd.nextInt(300));
        };
    }

    private static String mutate(Random rnd, String text) {
        int at = rnd.nextInt(text.length() + 1);
        return switch (rnd.nextInt(4)) {
            case 0 -> text.substring(0, at);
            case 1 -> text.substring(0, at) + "]" + text.substring(at);
            case 2 -> text.substring(0, at) + "}" + text.substring(at);
            default -> text + " {\"seq\":1}";
        };
    }
}
