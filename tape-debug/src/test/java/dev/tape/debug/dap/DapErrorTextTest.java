package dev.tape.debug.dap;

import com.google.gson.JsonObject;
import dev.tape.debug.Text;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The error responses to requests whose arguments the server cannot read, where the message quotes
 * the client's text (fourteenth round's leftover): one line, the client's text escaped, its quotes
 * balanced, cut at a bounded length, whatever the client wrote (line breaks, quotes, control
 * characters, 100 KB strings); and arguments given as an array named as such.
 */
class DapErrorTextTest {
    private static String request(int seq, String command, String arguments) {
        return "{\"seq\":" + seq + ",\"type\":\"request\",\"command\":\"" + command + "\",\"arguments\":" + arguments + "}";
    }

    @Test
    void theClientsTextInAnErrorIsEscapedWholeOnOneLineWithItsQuotesBalanced() throws Exception {
        String big = "x".repeat(100_000);
        List<String> batch = List.of(
                // a newline and a quote in a number's text: the message used to end at the newline, "a
                request(1, "scopes", "{\"frameId\":\"a\\nb\\\"c\"}"),
                request(2, "scopes", "{\"frameId\":\"" + big + "\\n\\\"" + big + "\"}"),
                request(3, "scopes", "{\"frameId\":\"\\u0000\\u001b[2J\\u2028\\r\\n\"}"),
                // a line of the guide's form in the client's text is the client's, kept
                request(4, "scopes", "{\"frameId\":\"q\\nSee x\\\\\"}"),
                request(5, "setBreakpoints", "{\"breakpoints\":{\"a\\nb\\\"\":1}}"),
                "{\"seq\":6,\"type\":\"request\",\"command\":\"threads\"}");
        List<JsonObject> out = DapWireTest.messages(DapWireTest.serve(batch));
        assertEquals(6, out.size(), out.toString());
        List<String> messages = new ArrayList<>();
        for (JsonObject m : out.subList(0, 5)) {
            assertFalse(m.get("success").getAsBoolean(), m.toString());
            String message = m.get("message").getAsString();
            oneLineBalanced(message);
            messages.add(message);
        }
        assertEquals("Message could not be parsed: \"a\\nb\\\"c\" is not a number", messages.get(0));
        String cut = "x".repeat(ServerEndpoint.MAX_QUOTED / 2);
        // the client's text as the JDK's number parser quotes it (Gson's reader asks Double.parseDouble):
        // all 200,002 characters on JDK 17, JDK 25's own cut of them (1,000) later; the server keeps
        // the first and last 100 of whichever it gets
        int quotedByJdk = jdkQuotedLength(big + "\n\"" + big);
        assertEquals("Message could not be parsed: \"" + cut + "...(" + (quotedByJdk - ServerEndpoint.MAX_QUOTED)
                + " chars)..." + cut + "\" is not a number", messages.get(1));
        assertTrue(messages.get(2).contains("\\u0000\\u001b[2J\\u2028\\r\\n at line 1 column 96 path $.arguments.frameId"),
                messages.get(2));
        assertEquals("Message could not be parsed: \"q\\nSee x\\\\\" is not a number", messages.get(3));
        assertTrue(messages.get(4).startsWith("Message could not be parsed: Expected an array but was an object at line 1 "),
                messages.get(4));
        assertTrue(out.get(5).get("success").getAsBoolean());
    }

    @Test
    void argumentsGivenAsAnArrayAreNamedAnArray() throws Exception {
        List<String> batch = List.of(request(1, "scopes", "[]"), request(2, "stackTrace", "[1,2]"),
                request(3, "next", "[\"x\"]"), request(4, "stackTrace", "\"x\""),
                "{\"seq\":5,\"type\":\"request\",\"command\":\"threads\"}");
        List<JsonObject> out = DapWireTest.messages(DapWireTest.serve(batch));
        assertEquals(5, out.size(), out.toString());
        for (int i = 0; i < 3; i++) {
            assertEquals("Message could not be parsed: Expected an object but was an array at path $.arguments",
                    out.get(i).get("message").getAsString(), out.get(i).toString());
        }
        // a value that is no array, as before
        assertEquals("Message could not be parsed: Expected an object but was a string at line 1 column 63 path "
                + "$.arguments", out.get(3).get("message").getAsString());
        assertTrue(out.get(4).get("success").getAsBoolean());
    }

    @Test
    void aReadersMessageBecomesOneBoundedLine() {
        String name = "k\n\"\u001b".repeat(50_000);
        String words = ServerEndpoint.jsonWords("Expected BEGIN_ARRAY but was STRING at line 1 column 9 path $.arguments."
                + name + "\nSee https://github.com/google/gson/blob/main/Troubleshooting.md#unexpected-json-structure");
        oneLine(words);
        assertTrue(words.length() <= 6 * Text.MAX_CHARS + 30, words.length() + " characters");
        assertTrue(words.startsWith("Expected an array but was a string at line 1 column 9 path $.arguments.k\\n\"\\u001b"),
                words.substring(0, 100));
        assertFalse(words.contains("Troubleshooting"), "the reader's guide dropped");
        String number = ServerEndpoint.jsonWords("For input string: \"" + "\"\\\n".repeat(40_000) + "\" under radix 16");
        oneLineBalanced(number);
        assertTrue(number.length() < 3 * ServerEndpoint.MAX_QUOTED, number.length() + " characters");
        assertTrue(number.startsWith("\"\\\"\\\\\\n") && number.endsWith("\\n\" under radix 16 is not a number"), number);
    }

    /** no character that ends or breaks a line, no control character */
    private static void oneLine(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            assertFalse(c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == '\u2028' || c == '\u2029',
                    "character " + (int) c + " at " + i);
        }
    }

    /**
     * The length of the text between the quotes of the JDK's {@code For input string: "..."} message
     * for {@code text}, which the JDK may cut (JDK 25 keeps 1,000 characters).
     */
    private static int jdkQuotedLength(String text) {
        try {
            Double.parseDouble(text);
        } catch (NumberFormatException e) {
            String m = e.getMessage();
            assertTrue(m.startsWith("For input string: \"") && m.endsWith("\""), m.length() > 80 ? m.substring(0, 80) : m);
            return m.length() - "For input string: \"".length() - 1;
        }
        throw new AssertionError("a number: " + text.length() + " characters");
    }

    /** {@link #oneLine}, and an even number of quotes that no backslash escapes */
    private static void oneLineBalanced(String s) {
        oneLine(s);
        int quotes = 0;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == '\\') {
                i++;
            } else if (s.charAt(i) == '"') {
                quotes++;
            }
        }
        assertEquals(0, quotes % 2, s);
    }
}
