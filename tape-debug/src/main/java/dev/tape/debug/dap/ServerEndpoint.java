package dev.tape.debug.dap;

import dev.tape.debug.Text;
import org.eclipse.lsp4j.debug.services.IDebugProtocolClient;
import org.eclipse.lsp4j.debug.services.IDebugProtocolServer;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.jsonrpc.MessageConsumer;
import org.eclipse.lsp4j.jsonrpc.MessageIssueException;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.debug.DebugLauncher;
import org.eclipse.lsp4j.jsonrpc.debug.json.DebugMessageJsonHandler;
import org.eclipse.lsp4j.jsonrpc.debug.messages.DebugRequestMessage;
import org.eclipse.lsp4j.jsonrpc.json.JsonRpcMethod;
import org.eclipse.lsp4j.jsonrpc.json.MessageJsonHandler;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.jsonrpc.messages.Message;
import org.eclipse.lsp4j.jsonrpc.messages.MessageIssue;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseMessage;
import org.eclipse.lsp4j.jsonrpc.services.JsonRequest;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonIOException;
import com.google.gson.JsonParseException;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Reader;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.lang.reflect.UndeclaredThrowableException;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * How {@link DapServer} meets LSP4J: the server behind a proxy that answers every request LSP4J's
 * {@link IDebugProtocolServer} declares but {@code DapServer} does not implement with
 * {@code "unsupported request: NAME"} (LSP4J's own default throws, and its default exception
 * handler sends the Java stack trace to the client), an exception handler that turns any other
 * exception into a one-line message, and a last guard on every error response the server sends:
 * its message made one line and escaped ({@link Text}), its {@code body} (LSP4J's error data, a
 * stack trace or a parser's exception) dropped. A request whose {@code seq} LSP4J cannot read (it
 * reads an int) is answered with an error before LSP4J parses it ({@link SeqCheckingHandler}).
 */
final class ServerEndpoint {
    /** The requests {@code DapServer} leaves to LSP4J's defaults, by method, with their DAP command names. */
    private static final Map<Method, String> UNSUPPORTED = unsupported();

    private ServerEndpoint() {}

    /**
     * @param server the server
     * @param in the client's requests
     * @param out the responses and events
     * @return a launcher serving {@code server} on the streams, not yet listening
     */
    static Launcher<IDebugProtocolClient> launcher(DapServer server, InputStream in, OutputStream out) {
        IDebugProtocolServer service = (IDebugProtocolServer) Proxy.newProxyInstance(
                IDebugProtocolServer.class.getClassLoader(), new Class<?>[] {IDebugProtocolServer.class},
                (proxy, method, args) -> invoke(server, proxy, method, args));
        return new DebugLauncher.Builder<IDebugProtocolClient>() {
                    @Override
                    protected MessageJsonHandler createJsonHandler() {
                        return new SeqCheckingHandler(getSupportedMethods(), configureGson == null ? gson -> { }
                                : configureGson);
                    }
                }
                .setLocalService(service)
                .setRemoteInterface(IDebugProtocolClient.class)
                .setInput(in)
                .setOutput(out)
                .setExceptionHandler(ServerEndpoint::toError)
                .wrapMessages(ServerEndpoint::guarded)
                .create();
    }

    /**
     * @return the DAP command names of the requests {@link DapServer} does not support (those it
     *     does not override), for tests and documentation
     */
    static Map<Method, String> unsupportedRequests() {
        return UNSUPPORTED;
    }

    private static Map<Method, String> unsupported() {
        Map<Method, String> out = new HashMap<>();
        for (Method m : IDebugProtocolServer.class.getMethods()) {
            JsonRequest request = m.getAnnotation(JsonRequest.class);
            if (request == null) {
                continue;
            }
            try {
                if (DapServer.class.getMethod(m.getName(), m.getParameterTypes()).getDeclaringClass()
                        == DapServer.class) {
                    continue;
                }
            } catch (NoSuchMethodException e) {
                // an interface method is a method of its implementation: cannot happen
            }
            out.put(m, request.value().isEmpty() ? m.getName() : request.value());
        }
        return Collections.unmodifiableMap(out);
    }

    private static Object invoke(DapServer server, Object proxy, Method method, Object[] args) throws Throwable {
        if (method.getDeclaringClass() == Object.class) {
            return switch (method.getName()) {
                case "equals" -> proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                default -> "DapServer";
            };
        }
        String unsupported = UNSUPPORTED.get(method);
        if (unsupported != null) {
            return CompletableFuture.failedFuture(new ResponseErrorException(
                    new ResponseError(ResponseErrorCode.MethodNotFound, "unsupported request: " + unsupported, null)));
        }
        try {
            return method.invoke(server, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * The response error for an exception a request ended with: its own when it is a
     * {@link ResponseErrorException} (as {@link DapServer}'s errors are), else
     * {@code "internal error: CLASS: MESSAGE"} on one line, without a stack trace.
     */
    static ResponseError toError(Throwable t) {
        Throwable c = t;
        for (int i = 0; i < 100 && c.getCause() != null && (c instanceof CompletionException
                || c instanceof ExecutionException || c instanceof InvocationTargetException
                || c instanceof UndeclaredThrowableException); i++) {
            c = c.getCause();
        }
        if (c instanceof ResponseErrorException r && r.getResponseError() != null) {
            return r.getResponseError();
        }
        String message = c.getMessage();
        return new ResponseError(ResponseErrorCode.InternalError, "internal error: " + c.getClass().getSimpleName()
                + (message == null ? "" : ": " + firstLine(message)), null);
    }

    /** A consumer of messages that passes each on after {@link #guard}. */
    private static MessageConsumer guarded(MessageConsumer next) {
        return message -> {
            if (message instanceof ResponseMessage r && r.getError() != null) {
                guard(r.getError());
            }
            next.consume(message);
        };
    }

    /**
     * Makes an error response's error safe to send: a one-line, escaped message (with the first
     * line of the cause's message when LSP4J gives one as data, as when the request's arguments
     * could not be read) and no data (DAP's {@code body}).
     */
    static void guard(ResponseError e) {
        String message = e.getMessage() == null ? "the request failed" : e.getMessage();
        if (e.getData() instanceof Throwable cause) {
            // the innermost cause that says something: its wrappers' messages name its class
            Throwable said = null;
            for (int i = 0; i < 100 && cause != null; i++, cause = cause.getCause()) {
                if (cause.getMessage() != null) {
                    said = cause;
                }
            }
            if (said != null) {
                message = (message.endsWith(".") ? message.substring(0, message.length() - 1) : message)
                        + ": " + said.getMessage();
            }
        }
        e.setMessage(firstLine(message));
        e.setData(null);
    }

    /**
     * LSP4J's message reader, but a request whose {@code seq} is a number that is no int (above
     * 2<sup>31</sup> - 1, below -2<sup>31</sup>, or not whole) is not run: it gets the error
     * response {@code the request's seq N is not a whole number from -2147483648 to 2147483647;
     * the request was not run}, its {@code request_seq} the number as the client wrote it. LSP4J
     * alone failed to read such a message and sent nothing, so the client waited for an answer
     * that never came. The message is read once, as LSP4J reads it (leniently, as it streams, no
     * copy of it kept): only the top-level {@code seq} is read differently ({@link SeqReader}).
     * A seq that is no number ({@code null}, {@code "x"}) fails as it did.
     */
    static final class SeqCheckingHandler extends DebugMessageJsonHandler {
        SeqCheckingHandler(Map<String, JsonRpcMethod> methods, Consumer<GsonBuilder> configureGson) {
            super(methods, configureGson);
        }

        /** {@link MessageJsonHandler#parseMessage(Reader)}, over a {@link SeqReader}. */
        @Override
        public Message parseMessage(Reader input) {
            SeqReader reader = new SeqReader(input);
            Message message;
            try {
                message = getGson().fromJson(reader, Message.class);
            } catch (MessageIssueException e) {
                // the arguments could not be read either: the seq is what the client must hear of
                if (reader.written != null && e.getRpcMessage() instanceof DebugRequestMessage r) {
                    throw seqIssue(reader.written, r.getMethod());
                }
                throw e;
            }
            if (message == null) {
                return null;
            }
            message.setJsonHandler(this);
            if (reader.written != null) {
                if (message instanceof DebugRequestMessage r) {
                    throw seqIssue(reader.written, r.getMethod());
                }
                // LSP4J read no other message with such a seq either
                throw new JsonParseException("the message's seq " + Text.escape(reader.written) + " is no int");
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

        private static MessageIssueException seqIssue(String written, String command) {
            DebugRequestMessage request = new DebugRequestMessage();
            request.setRawId(Either.forRight(new Written(written)));
            request.setMethod(command);
            return new MessageIssueException(request, new MessageIssue("the request's seq " + Text.escape(written)
                    + " is not a whole number from -2147483648 to 2147483647; the request was not run",
                    ResponseErrorCode.InvalidRequest.getValue()));
        }
    }

    /**
     * The reader LSP4J's message adapter reads a message from, but the message's own (top-level)
     * {@code seq}, which the adapter reads with {@link #nextInt()}, is read as text: a JSON number
     * that is an int is returned; one that is not (the first such, when the seq is given twice) is
     * kept in {@link #written} and read as 0, so that the adapter reads the rest of the message
     * and the request is answered. A seq that is no JSON number literal is read as LSP4J reads it
     * (a quoted {@code "5"} is 5; {@code "x"} fails as before).
     */
    private static final class SeqReader extends JsonReader {
        /** The first top-level seq read that is a number but no int, as written; else null. */
        String written;

        SeqReader(Reader in) {
            super(in);
        }

        @Override
        public int nextInt() throws IOException {
            JsonToken t = peek();
            if ((t != JsonToken.NUMBER && t != JsonToken.STRING) || !"$.seq".equals(getPath())) {
                return super.nextInt();
            }
            String text = nextString();
            if (!isJsonNumber(text)) {
                return lenientInt(text);
            }
            try {
                // a longer number is no int (and BigDecimal's work grows faster than its length)
                if (text.length() <= 64) {
                    return new BigDecimal(text).intValueExact();
                }
            } catch (ArithmeticException e) {
                // no int: kept below
            }
            if (written == null) {
                written = text;
            }
            return 0;
        }

        /** What {@link JsonReader#nextInt()} makes of text that is no JSON number ({@code 01}, {@code " 5"}). */
        private int lenientInt(String text) {
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

    /** The first line of a text, escaped ({@link Text#escape}: at most about 2,000 characters). */
    private static String firstLine(String s) {
        int eol = s.indexOf('\n');
        return Text.escape(eol < 0 ? s : s.substring(0, eol));
    }
}
