package dev.tape.debug.dap;

import dev.tape.debug.Text;
import org.eclipse.lsp4j.jsonrpc.MessageIssueException;
import org.eclipse.lsp4j.jsonrpc.debug.json.DebugMessageJsonHandler;
import org.eclipse.lsp4j.jsonrpc.debug.messages.DebugNotificationMessage;
import org.eclipse.lsp4j.jsonrpc.debug.messages.DebugRequestMessage;
import org.eclipse.lsp4j.jsonrpc.json.JsonRpcMethod;
import org.eclipse.lsp4j.jsonrpc.json.MessageJsonHandler;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.jsonrpc.messages.Message;
import org.eclipse.lsp4j.jsonrpc.messages.MessageIssue;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonIOException;
import com.google.gson.JsonParseException;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.util.Map;
import java.util.function.Consumer;

/**
 * LSP4J's message reader, but every request the server can identify (its top-level
 * {@code command} read, its {@code type} {@code request} or absent) is answered, with an error
 * response when LSP4J alone could not read it and so sent nothing (the client waiting for an answer
 * that never came), or would have run it without the seq the protocol requires:
 * <ul>
 *   <li>no {@code seq}, or a null one (LSP4J read it as 0, and ran the request):
 *       {@code the request has no seq; the request was not run}, its {@code request_seq} 0 (no
 *       client's request has it: a client's seq starts at 1); said only of a message read to its
 *       end: one whose seq may come after what the reader cannot read (a value nested deeper than
 *       Gson's limit, a message cut short) gets {@code Message could not be parsed} (below);
 *   <li>a {@code seq} that is no number (an object, an array, a boolean, a string LSP4J does not read
 *       as a number): {@code the request's seq is not a number; the request was not run}, also with
 *       {@code request_seq} 0;
 *   <li>a {@code seq} that is a number but no int (above 2<sup>31</sup> - 1, below
 *       -2<sup>31</sup>, or not whole): {@code the request's seq N is not a whole number from
 *       -2147483648 to 2147483647; the request was not run}, its {@code request_seq} the number as
 *       the client wrote it;
 *   <li>an {@code event} field besides (or instead of) its {@code command}: the {@code type}
 *       decides what a message is, and a request is named by its command (LSP4J took the last of
 *       the two as the name, and read the arguments as those of the name it had then):
 *       {@code the request has an event field, which names an event, not a request; the request was
 *       not run};
 *   <li>another top-level field of a type LSP4J cannot read ({@code request_seq} no int,
 *       {@code success} no boolean, {@code type}, {@code command}, {@code event} or {@code message}
 *       no string): {@code the request's FIELD is not ...; the request was not run} (the first such
 *       field);
 *   <li>any other failure to read it (its {@code type} missing, say): LSP4J's
 *       {@code Message could not be parsed}, with the reason in JSON's words
 *       ({@link ServerEndpoint#jsonWords}).
 * </ul>
 * None of these is run. Each answer's {@code command} is the request's command when that is a
 * string, else its event's name when that is a string, else an empty string (the protocol requires
 * a string in every response). Where LSP4J stops reading at a value it cannot read (arguments of the wrong
 * type), the fields after it are still read ({@link FieldReader#readRest()}): VS Code writes a
 * request's {@code seq} after its arguments. A message whose command cannot be read, or whose
 * {@code type} is a string other than {@code request}, is dropped as LSP4J drops it (a request with
 * a seq but no command LSP4J answers itself, and one with a seq whose {@code command}, or
 * {@code event} without a command, is no string gets {@code the request's FIELD is not a string;
 * the request was not run}; one of type {@code request} named by its {@code event} alone gets the
 * {@code event} field's refusal above when it has a seq, whether or not its arguments could be
 * read, and is dropped without one); so is a client's event, which the protocol does not have and which
 * LSP4J passed to the request of the event's name, run without an answer.
 *
 * <p>The message is read once, as LSP4J reads it (leniently, as it streams, no copy of it kept):
 * only the top-level fields the adapter reads with a typed read are read differently
 * ({@link FieldReader}), with constant extra memory.
 */
final class RequestCheckingHandler extends DebugMessageJsonHandler {
    private static final String NOT_RUN = "; the request was not run";
    private static final String EVENT = "the request has an event field, which names an event, not a request";

    /**
     * @param methods the requests and notifications served, as LSP4J's handler takes them
     * @param configureGson LSP4J's configuration of its JSON reader and writer
     */
    RequestCheckingHandler(Map<String, JsonRpcMethod> methods, Consumer<GsonBuilder> configureGson) {
        super(methods, configureGson);
    }

    /**
     * {@link MessageJsonHandler#parseMessage(Reader)}, over a {@link FieldReader}.
     *
     * @throws MessageIssueException for a request to answer with an error (see the class comment)
     * @throws JsonParseException for a message that cannot be read and is no request the server can identify
     */
    @Override
    public Message parseMessage(Reader input) {
        try {
            return parse(input);
        } finally {
            skipRest(input);
        }
    }

    /**
     * Reads what is left of the message ({@code input} ends at its {@code Content-Length}): LSP4J's
     * stream reader leaves in the stream what the parse did not read, and a message longer than its
     * 8 KiB buffer that the JSON reader stopped reading early (nested past its limit, a syntax error)
     * left the rest to be read as the next message's header, and no later request was answered.
     * Stops at the first error; memory O(1).
     */
    private static void skipRest(Reader input) {
        try {
            char[] buffer = new char[8192];
            while (input.read(buffer) >= 0) {
                // thrown away
            }
        } catch (IOException e) {
            // the stream ends or fails: the next read of a header says so
        }
    }

    /** {@link #parseMessage}, not yet reading the message to its end. */
    private Message parse(Reader input) {
        FieldReader reader = new FieldReader(input);
        Message message;
        try {
            message = getGson().fromJson(reader, Message.class);
        } catch (MessageIssueException e) {
            // LSP4J stopped at what it could not read (the arguments): the seq may come after it
            reader.readRest();
            // the arguments could not be read either: the seq, or a field, is what the client must hear of
            if (reader.written != null && e.getRpcMessage() instanceof DebugRequestMessage) {
                throw seqIssue(reader.written, name(reader));
            }
            if (reader.identified()) {
                MessageIssueException refused = refusal(reader);
                if (refused != null) {
                    throw refused;
                }
            }
            if (reader.identified() && e.getRpcMessage() instanceof DebugRequestMessage r) {
                // with the seq read (LSP4J's message has seq 0 when it came after the arguments)
                DebugRequestMessage request = request(reader);
                if (r.getMethod() != null) {
                    request.setMethod(r.getMethod());
                }
                throw new MessageIssueException(request, e.getIssues());
            }
            if (e.getRpcMessage() instanceof DebugRequestMessage && reader.command == null && reader.event != null) {
                // named by its event alone, as below, whether or not its arguments could be read
                throw namedByEvent(reader);
            }
            throw e;
        } catch (RuntimeException e) {
            // LSP4J read no message, and so answered nothing
            reader.readRest();
            if (!reader.identified()) {
                if (reader.command == null && reader.event != null && "request".equals(reader.type)) {
                    throw namedByEvent(reader);
                }
                throw e;
            }
            MessageIssueException refused = refusal(reader);
            if (refused != null) {
                throw refused;
            }
            throw new MessageIssueException(request(reader), new MessageIssue("Message could not be parsed.",
                    ResponseErrorCode.ParseError.getValue(), e));
        }
        if (message == null) {
            return null;
        }
        message.setJsonHandler(this);
        if (message instanceof DebugNotificationMessage) {
            // LSP4J would run the request the event names, unanswered
            throw new JsonParseException("a client sent an event: the protocol has none from a client");
        }
        if (reader.written != null) {
            if (message instanceof DebugRequestMessage) {
                throw seqIssue(reader.written, name(reader));
            }
            // LSP4J read no other message with such a seq either
            throw new JsonParseException("the message's seq " + Text.escape(reader.written) + " is no int");
        }
        if (message instanceof DebugRequestMessage && reader.identified()) {
            MessageIssueException refused = refusal(reader);
            if (refused != null) {
                throw refused;
            }
        } else if (message instanceof DebugRequestMessage && reader.event != null) {
            throw namedByEvent(reader);
        } else if (reader.problem != null || reader.seqUnreadable) {
            if (message instanceof DebugRequestMessage && reader.seqRead && !reader.seqUnreadable) {
                // its command (or event) no string: answered, as a request without one is (by LSP4J)
                throw fieldIssue(reader);
            }
            // LSP4J read no such message either
            throw new JsonParseException("the message's " + (reader.problem != null ? reader.problem
                    : "seq is not a number"));
        }
        try {
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new MessageIssueException(message, new MessageIssue("JSON document was not fully consumed.",
                        ResponseErrorCode.ParseError.getValue()));
            }
        } catch (MalformedJsonException e) {
            throw new MessageIssueException(message, new MessageIssue("Message could not be parsed.",
                    ResponseErrorCode.ParseError.getValue(), e));
        } catch (IOException e) {
            throw new JsonIOException(e);
        }
        return message;
    }

    /**
     * Why a request the reader identified is not run, checked before anything else is made of it:
     * its seq out of range, not a number, or missing (the protocol requires one: LSP4J reads a
     * missing seq as 0), a top-level field of the wrong type, or an {@code event} field (LSP4J
     * takes the last of {@code command} and {@code event} as the request's name); null when none
     * of these.
     */
    private static MessageIssueException refusal(FieldReader reader) {
        if (reader.written != null) {
            return seqIssue(reader.written, name(reader));
        }
        if (reader.seqUnreadable) {
            return issue(reader, "the request's seq is not a number");
        }
        if (!reader.seqRead && reader.ended) {
            return issue(reader, "the request has no seq");
        }
        if (reader.problem != null) {
            return fieldIssue(reader);
        }
        if (reader.event != null) {
            return issue(reader, EVENT);
        }
        return null;
    }

    /**
     * What becomes of a request (its {@code type} {@code request}) named by its {@code event}
     * alone, whether or not its arguments could be read: refused, not run, when it has a seq (as a
     * request without a command is answered), else dropped.
     *
     * @return the refusal, or a {@link JsonParseException} that drops the message
     */
    private static RuntimeException namedByEvent(FieldReader reader) {
        if (reader.written != null) {
            return seqIssue(reader.written, name(reader));
        }
        if (reader.seqRead && !reader.seqUnreadable) {
            return issue(reader, EVENT);
        }
        return new JsonParseException("a request named by an event, without a seq");
    }

    /** An error for the identified request, {@code what} and that it was not run. */
    private static MessageIssueException issue(FieldReader reader, String what) {
        return new MessageIssueException(request(reader), new MessageIssue(what + NOT_RUN,
                ResponseErrorCode.InvalidRequest.getValue()));
    }

    /** The request the reader identified, to answer: its seq (0 when it has none) and {@link #name}. */
    private static DebugRequestMessage request(FieldReader reader) {
        DebugRequestMessage request = new DebugRequestMessage();
        request.setId(reader.seq);
        request.setMethod(name(reader));
        return request;
    }

    /**
     * The command a refused request's response carries (the protocol requires a string in every
     * response): its {@code command} when that is a string, else its {@code event} when that is a
     * string, else an empty string.
     */
    private static String name(FieldReader reader) {
        return reader.command != null ? reader.command : reader.event != null ? reader.event : "";
    }

    private static MessageIssueException fieldIssue(FieldReader reader) {
        return issue(reader, "the request's " + reader.problem);
    }

    private static MessageIssueException seqIssue(String written, String command) {
        DebugRequestMessage request = new DebugRequestMessage();
        request.setRawId(Either.forRight(new Written(written)));
        request.setMethod(command);
        return new MessageIssueException(request, new MessageIssue("the request's seq " + Text.escape(written)
                + " is not a whole number from -2147483648 to 2147483647" + NOT_RUN,
                ResponseErrorCode.InvalidRequest.getValue()));
    }

    /**
     * The reader LSP4J's message adapter reads a message from, but the message's own (top-level)
     * fields that the adapter reads with a typed read are read so that a value of another type does
     * not end the reading: it is skipped, noted in {@link #problem} (the first such) and read as
     * 0, false or null, so that the adapter reads the rest of the message and a request whose
     * {@code command} it reads is answered. Besides, the {@code seq}, which the
     * adapter reads with {@link #nextInt()}, is read as text: a JSON number that is an int is
     * returned; one that is not (the first such, when the seq is given twice) is kept in
     * {@link #written} and read as 0. A seq that is no JSON number literal is read as LSP4J reads
     * it (a quoted {@code "5"} is 5); one LSP4J cannot read as a number ({@code "x"}, an object, an
     * array, a boolean) is skipped, noted in {@link #seqUnreadable} and read as 0, and a null one is
     * read as 0 and counts as none.
     *
     * <p>The top level is known from the containers this reader opened ({@link #depth}), in O(1),
     * and what is kept is a few fields, whatever the message's size.
     */
    static final class FieldReader extends JsonReader {
        /** The first top-level seq read that is a number but no int, as written; else null. */
        String written;
        /** The last top-level seq read as an int (0 for {@link #written}). */
        int seq;
        /** Whether a top-level seq was read (as an int, or kept in {@link #written}), the last not null. */
        boolean seqRead;
        /** Whether a top-level seq was neither null nor a number, nor a string LSP4J reads as one. */
        boolean seqUnreadable;
        /** The last top-level command read as a string, or null. */
        String command;
        /** The last top-level type read as a string, or null. */
        String type;
        /** The last top-level event read as a string, or null. */
        String event;
        /** The first top-level field of a type LSP4J cannot read, with what it is not ("success is not a boolean"); else null. */
        String problem;
        /**
         * Whether the message's own object was read to its end; until then a seq not read may
         * still come (after a value nested deeper than the reader's limit, or in a message cut short).
         */
        boolean ended;
        /** The containers open: 1 inside the message's own object. */
        private int depth;
        /** The name of the top-level field whose value comes next. */
        private String field;

        /** @param in the message's text */
        FieldReader(Reader in) {
            super(in);
        }

        /**
         * Reads on after LSP4J stopped at a value it could not read (arguments of the wrong type,
         * a seq that is no number), for the top-level fields after it ({@code seq}, {@code type},
         * {@code command}, ..., as VS Code writes them after the arguments): skips the rest of the
         * containers open (O(1) memory: {@link #skipValue()}), then reads the top level's fields
         * as LSP4J would. Stops at the first thing it cannot read (a message cut short, a syntax
         * error); never throws.
         */
        void readRest() {
            try {
                // LSP4J's Gson reads leniently, and restores the reader's strictness when it fails
                setStrictness(Strictness.LENIENT);
                if (depth < 1) {
                    return;
                }
                while (depth > 1) {
                    closeContainer();
                }
                // a value LSP4J peeked at but did not read
                JsonToken t = peek();
                if (t != JsonToken.NAME && t != JsonToken.END_OBJECT) {
                    skipValue();
                }
                while (hasNext()) {
                    switch (nextName()) {
                        case "seq", "request_seq" -> nextInt();
                        case "success" -> nextBoolean();
                        case "type", "command", "event", "message" -> {
                            if (peek() == JsonToken.NULL) {
                                skipValue();
                            } else {
                                nextString();
                            }
                        }
                        default -> skipValue();
                    }
                }
                // the message's end: every top-level field was read (sets ended)
                endObject();
            } catch (IOException | RuntimeException e) {
                // what was read so far is what is known
            }
        }

        /** Skips what is left of the innermost open container (below the message's own object) and closes it. */
        private void closeContainer() throws IOException {
            while (hasNext()) {
                if (peek() == JsonToken.NAME) {
                    super.nextName();
                }
                skipValue();
            }
            if (peek() == JsonToken.END_OBJECT) {
                endObject();
            } else {
                endArray();
            }
        }

        /**
         * @return whether the message is a request the server can answer: its command read, no
         *     other type (with no seq read, it is answered as request 0 and not run)
         */
        boolean identified() {
            return command != null && (type == null || type.equals("request"));
        }

        @Override
        public void beginObject() throws IOException {
            super.beginObject();
            depth++;
        }

        @Override
        public void endObject() throws IOException {
            super.endObject();
            depth--;
            if (depth == 0) {
                ended = true;
            }
        }

        @Override
        public void beginArray() throws IOException {
            super.beginArray();
            depth++;
        }

        @Override
        public void endArray() throws IOException {
            super.endArray();
            depth--;
        }

        @Override
        public String nextName() throws IOException {
            String name = super.nextName();
            if (depth == 1) {
                field = name;
            }
            return name;
        }

        @Override
        public int nextInt() throws IOException {
            if (depth != 1) {
                return super.nextInt();
            }
            if ("seq".equals(field)) {
                return topSeq();
            }
            if (!"request_seq".equals(field)) {
                return super.nextInt();
            }
            JsonToken t = peek();
            if (t == JsonToken.NUMBER || t == JsonToken.STRING) {
                try {
                    return lenientInt(nextString());
                } catch (NumberFormatException e) {
                    // no int: noted below
                }
            } else {
                skipValue();
            }
            note("request_seq is not a whole number from -2147483648 to 2147483647");
            return 0;
        }

        /** The top-level seq, read as the class comment says. */
        private int topSeq() throws IOException {
            JsonToken t = peek();
            if (t != JsonToken.NUMBER && t != JsonToken.STRING) {
                // null is no seq (given twice, the last counts, as for LSP4J); an object, array or
                // boolean is no seq that can be read
                skipValue();
                if (t == JsonToken.NULL) {
                    seqRead = false;
                } else {
                    seqUnreadable = true;
                }
                seq = 0;
                return 0;
            }
            String text = nextString();
            if (!isJsonNumber(text)) {
                try {
                    seq = lenientInt(text);
                } catch (NumberFormatException e) {
                    // as an object or array is (an int given before it is not the seq)
                    seqUnreadable = true;
                    seq = 0;
                    return 0;
                }
                seqRead = true;
                return seq;
            }
            try {
                // a longer number is no int (and BigDecimal's work grows faster than its length)
                if (text.length() <= 64) {
                    seq = new BigDecimal(text).intValueExact();
                    seqRead = true;
                    return seq;
                }
            } catch (ArithmeticException e) {
                // no int: kept below
            }
            if (written == null) {
                written = text;
            }
            seq = 0;
            seqRead = true;
            return 0;
        }

        @Override
        public boolean nextBoolean() throws IOException {
            if (depth == 1 && "success".equals(field) && peek() != JsonToken.BOOLEAN) {
                skipValue();
                note("success is not a boolean");
                return false;
            }
            return super.nextBoolean();
        }

        @Override
        public String nextString() throws IOException {
            if (depth != 1 || field == null) {
                return super.nextString();
            }
            switch (field) {
                case "type", "command", "event", "message" -> {
                    JsonToken t = peek();
                    if (t != JsonToken.STRING && t != JsonToken.NUMBER) {
                        skipValue();
                        note(field + " is not a string");
                        return null;
                    }
                    String s = super.nextString();
                    switch (field) {
                        case "type" -> type = s;
                        case "command" -> command = s;
                        case "event" -> event = s;
                        default -> { }
                    }
                    return s;
                }
                default -> {
                    return super.nextString();
                }
            }
        }

        private void note(String what) {
            if (problem == null) {
                problem = what;
            }
        }

        /** What {@link JsonReader#nextInt()} makes of text ({@code 01}, {@code " 5"}, {@code 3000000000}). */
        private static int lenientInt(String text) {
            try {
                return Integer.parseInt(text);
            } catch (NumberFormatException e) {
                // as a double, below
            }
            double d = Double.parseDouble(text);
            int i = (int) d;
            if (i != d) {
                throw new NumberFormatException("Expected an int but was " + text);
            }
            return i;
        }

        /** Whether {@code s} is a JSON number literal (RFC 8259 section 6), which a response can carry as it is. */
        static boolean isJsonNumber(String s) {
            int n = s.length();
            int i = 0;
            if (i < n && s.charAt(i) == '-') {
                i++;
            }
            if (i < n && s.charAt(i) == '0') {
                i++;
            } else {
                int d = i;
                while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                    i++;
                }
                if (i == d) {
                    return false;
                }
            }
            if (i < n && s.charAt(i) == '.') {
                int d = ++i;
                while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                    i++;
                }
                if (i == d) {
                    return false;
                }
            }
            if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                i++;
                if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                    i++;
                }
                int d = i;
                while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                    i++;
                }
                if (i == d) {
                    return false;
                }
            }
            return i == n;
        }
    }

    /**
     * A JSON number kept as the client wrote it (a valid JSON number literal), so that the
     * response's {@code request_seq} is the same text; its values are the literal's, rounded.
     */
    private static final class Written extends Number {
        private static final long serialVersionUID = 1L;
        private final String text;

        Written(String text) {
            this.text = text;
        }

        @Override
        public int intValue() {
            return (int) doubleValue();
        }

        @Override
        public long longValue() {
            return (long) doubleValue();
        }

        @Override
        public float floatValue() {
            return (float) doubleValue();
        }

        @Override
        public double doubleValue() {
            return Double.parseDouble(text);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
