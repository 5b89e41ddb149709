package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.eclipse.lsp4j.jsonrpc.MessageIssueException;
import org.eclipse.lsp4j.jsonrpc.debug.messages.DebugNotificationMessage;
import org.eclipse.lsp4j.jsonrpc.debug.messages.DebugRequestMessage;
import org.eclipse.lsp4j.jsonrpc.messages.Message;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random messages whose top-level fields come more than once, in any order ({@code FieldReaderFuzzTest}'s
 * model leaves such messages out): LSP4J keeps the last of each, and {@link RequestCheckingHandler}
 * reads every one. A request that is run must be one that every reading agrees is a well-formed
 * request: each {@code seq} null or an int and the last an int (the seq run), no {@code event}
 * field at all, each {@code command} a string and the last the command run, the last {@code type}
 * {@code "request"}, and every {@code success}, {@code request_seq} and {@code message} of its type.
 * A client's event is never passed on, and nothing but what LSP4J's reader handles is thrown.
 */
@Timeout(300)
class DuplicateFieldsFuzzTest {
    private static final String[] NAMES = {"seq", "seq", "seq", "type", "type", "command", "command", "event",
        "arguments", "success", "request_seq", "message"};

    private final RequestCheckingHandler handler = new RequestCheckingHandler(FieldReaderFuzzTest.methods(), g -> { });

    @Test
    void aRequestRunHasNoFieldThatAnyOfItsCopiesMakesWrong() {
        Random rnd = new Random(1313);
        int run = 0;
        int duplicated = 0;
        for (int i = 0; i < 60_000; i++) {
            List<String> fields = new ArrayList<>();
            // mostly a plausible request with some fields again
            fields.add("\"seq\":" + (rnd.nextInt(4) == 0 ? FieldReaderFuzzTest.value(rnd, "seq", 0) : rnd.nextInt(100)));
            fields.add("\"type\":" + (rnd.nextInt(4) == 0 ? FieldReaderFuzzTest.value(rnd, "type", 0) : "\"request\""));
            fields.add("\"command\":" + (rnd.nextInt(4) == 0 ? FieldReaderFuzzTest.value(rnd, "command", 0) : "\"threads\""));
            int more = 1 + rnd.nextInt(4);
            for (int k = 0; k < more; k++) {
                String f = NAMES[rnd.nextInt(NAMES.length)];
                fields.add("\"" + f + "\":" + FieldReaderFuzzTest.value(rnd, f, 0));
            }
            java.util.Collections.shuffle(fields, rnd);
            String text = "{" + String.join(",", fields) + "}";
            List<Map.Entry<String, JsonElement>> pairs = pairs(text);
            DebugRequestMessage ran = runOf(text);
            if (pairs == null) {
                continue;
            }
            if (pairs.stream().map(Map.Entry::getKey).distinct().count() < pairs.size()) {
                duplicated++;
            }
            if (ran == null) {
                continue;
            }
            run++;
            List<JsonElement> seqs = all(pairs, "seq");
            assertFalse(seqs.isEmpty(), "run without a seq: " + text);
            for (JsonElement s : seqs) {
                assertTrue(s.isJsonNull() || intOf(s) != null, "run with a seq " + s + ": " + text);
            }
            JsonElement lastSeq = seqs.get(seqs.size() - 1);
            assertFalse(lastSeq.isJsonNull(), "run with the last seq null: " + text);
            assertEquals(Integer.toString(intOf(lastSeq)), ran.getId(), text);
            assertTrue(all(pairs, "event").isEmpty(), "run with an event field: " + text);
            List<JsonElement> commands = all(pairs, "command");
            for (JsonElement c : commands) {
                assertTrue(text(c), "run with a command " + c + ": " + text);
            }
            assertEquals(commands.get(commands.size() - 1).getAsString(), ran.getMethod(), text);
            List<JsonElement> types = all(pairs, "type");
            for (JsonElement t : types) {
                assertTrue(text(t), "run with a type " + t + ": " + text);
            }
            assertEquals("request", types.get(types.size() - 1).getAsString(), text);
            for (JsonElement s : all(pairs, "success")) {
                assertTrue(s.isJsonPrimitive() && s.getAsJsonPrimitive().isBoolean(), "run with success " + s + ": " + text);
            }
            for (JsonElement s : all(pairs, "request_seq")) {
                assertTrue(s.isJsonPrimitive() && !s.getAsJsonPrimitive().isBoolean() && lenientInt(s.getAsString()),
                        "run with request_seq " + s + ": " + text);
            }
            for (JsonElement s : all(pairs, "message")) {
                assertTrue(s.isJsonNull() || text(s), "run with message " + s + ": " + text);
            }
        }
        // 17,067 run, 35,864 with a field twice
        assertTrue(run > 8_000 && duplicated > 20_000, "run " + run + ", duplicated " + duplicated);
    }

    /** The request the handler passes on to be run, or null (refused, dropped). */
    private DebugRequestMessage runOf(String text) {
        Message m;
        try {
            m = handler.parseMessage(text);
        } catch (MessageIssueException | com.google.gson.JsonParseException e) {
            return null;
        } catch (RuntimeException e) {
            // dropped, as LSP4J drops what it cannot read
            return null;
        } catch (Error e) {
            fail("escaped: " + e + " reading " + text);
            return null;
        }
        assertFalse(m instanceof DebugNotificationMessage, "a client's event passed on: " + text);
        return m instanceof DebugRequestMessage r ? r : null;
    }

    /** The message's top-level fields in order, each value read alone (leniently); null when it is no such object. */
    private static List<Map.Entry<String, JsonElement>> pairs(String text) {
        try {
            JsonReader r = new JsonReader(new StringReader(text));
            r.setStrictness(Strictness.LENIENT);
            List<Map.Entry<String, JsonElement>> out = new ArrayList<>();
            r.beginObject();
            while (r.hasNext()) {
                String name = r.nextName();
                out.add(new AbstractMap.SimpleEntry<>(name, JsonParser.parseReader(r)));
            }
            r.endObject();
            return r.peek() == JsonToken.END_DOCUMENT ? out : null;
        } catch (RuntimeException | java.io.IOException e) {
            return null;
        }
    }

    private static List<JsonElement> all(List<Map.Entry<String, JsonElement>> pairs, String name) {
        return pairs.stream().filter(p -> p.getKey().equals(name)).map(Map.Entry::getValue).toList();
    }

    /** Whether LSP4J reads it with nextString: a string or a number. */
    private static boolean text(JsonElement e) {
        return e.isJsonPrimitive() && !e.getAsJsonPrimitive().isBoolean();
    }

    /** The int a seq is, as the protocol and LSP4J agree (a JSON number that is an int, or a string LSP4J reads as one); else null. */
    private static Integer intOf(JsonElement e) {
        if (!e.isJsonPrimitive() || e.getAsJsonPrimitive().isBoolean()) {
            return null;
        }
        String s = e.getAsString();
        if (((JsonPrimitive) e).isNumber() || RequestCheckingHandler.FieldReader.isJsonNumber(s)) {
            try {
                return s.length() > 64 ? null : new BigDecimal(s).intValueExact();
            } catch (ArithmeticException | NumberFormatException x) {
                return null;
            }
        }
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException x) {
            // as a double, below
        }
        try {
            double d = Double.parseDouble(s);
            return (int) d == d ? (int) d : null;
        } catch (NumberFormatException x) {
            return null;
        }
    }

    private static boolean lenientInt(String s) {
        try {
            Integer.parseInt(s);
            return true;
        } catch (NumberFormatException x) {
            // as a double, below
        }
        try {
            double d = Double.parseDouble(s);
            return (int) d == d;
        } catch (NumberFormatException x) {
            return false;
        }
    }
}
