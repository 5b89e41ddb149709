package dev.tape.debug.dap;

import dev.tape.debug.Text;
import org.eclipse.lsp4j.debug.services.IDebugProtocolClient;
import org.eclipse.lsp4j.debug.services.IDebugProtocolServer;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.jsonrpc.MessageConsumer;
import org.eclipse.lsp4j.jsonrpc.ResponseErrorException;
import org.eclipse.lsp4j.jsonrpc.debug.DebugLauncher;
import org.eclipse.lsp4j.jsonrpc.debug.messages.DebugNotificationMessage;
import org.eclipse.lsp4j.jsonrpc.debug.messages.DebugResponseMessage;
import org.eclipse.lsp4j.jsonrpc.json.MessageJsonHandler;
import org.eclipse.lsp4j.jsonrpc.json.StreamMessageConsumer;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseError;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseErrorCode;
import org.eclipse.lsp4j.jsonrpc.messages.ResponseMessage;
import org.eclipse.lsp4j.jsonrpc.services.JsonRequest;

import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How {@link DapServer} meets LSP4J: the server behind a proxy that answers every request LSP4J's
 * {@link IDebugProtocolServer} declares but {@code DapServer} does not implement with
 * {@code "unsupported request: NAME"} (LSP4J's own default throws, and its default exception
 * handler sends the Java stack trace to the client), an exception handler that turns any other
 * exception into a one-line message, and a last guard on every error response the server sends:
 * its message made one line and escaped ({@link Text}), a JSON reader's words for what it could not
 * read put in JSON's ({@link #jsonWords}), its {@code body} (LSP4J's error data, a
 * stack trace or a parser's exception) dropped; a response without a {@code command} given an
 * empty one; and the server's messages numbered ({@code seq}) in the order they are written. A
 * request the server can identify (its top-level {@code command} read, its {@code type}
 * {@code request} or absent) but LSP4J cannot read (a {@code seq} that is no int, a
 * {@code success} that is no boolean, ...) or would run without a seq is answered with an error and
 * not run; one whose seq is missing, null or no number is refused as request 0
 * ({@link RequestCheckingHandler}).
 */
final class ServerEndpoint {
    /** The requests {@code DapServer} leaves to LSP4J's defaults, by method, with their DAP command names. */
    private static final Map<Method, String> UNSUPPORTED = unsupported();

    private ServerEndpoint() {}

    /**
     * @param server the server
     * @param in the client's requests
     * @param out the responses and events
     * @param io the executor LSP4J runs its message reader on (one task)
     * @return a launcher serving {@code server} on the streams, not yet listening
     */
    static Launcher<IDebugProtocolClient> launcher(DapServer server, InputStream in, OutputStream out,
            java.util.concurrent.ExecutorService io) {
        IDebugProtocolServer service = (IDebugProtocolServer) Proxy.newProxyInstance(
                IDebugProtocolServer.class.getClassLoader(), new Class<?>[] {IDebugProtocolServer.class},
                (proxy, method, args) -> invoke(server, proxy, method, args));
        return new DebugLauncher.Builder<IDebugProtocolClient>() {
                    @Override
                    protected MessageJsonHandler createJsonHandler() {
                        return new RequestCheckingHandler(getSupportedMethods(), configureGson == null ? gson -> { }
                                : configureGson);
                    }
                }
                .setLocalService(service)
                .setRemoteInterface(IDebugProtocolClient.class)
                .setInput(in)
                .setOutput(out)
                .setExecutorService(io)
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

    /**
     * A consumer of messages that passes each on after {@link #guard}, a response without a
     * {@code command} given an empty one (the protocol requires a string). On the way out (to the
     * stream) it also numbers the server's responses and events as they are written, 1 for the
     * first and each next one 1 greater, as the protocol says: LSP4J numbers a message when it makes
     * it, on the thread that answers (the debugger's worker, or LSP4J's reader for {@code threads},
     * {@code pause} and the requests it refuses), and two threads could write in the other order.
     * (The server sends no requests, whose seq LSP4J keeps to match their responses.)
     */
    private static MessageConsumer guarded(MessageConsumer next) {
        boolean out = next instanceof StreamMessageConsumer;
        Object lock = new Object();
        int[] written = {0};
        return message -> {
            if (message instanceof ResponseMessage r && r.getError() != null) {
                guard(r.getError());
            }
            if (message instanceof DebugResponseMessage r && r.getMethod() == null) {
                // LSP4J's own answer to a request without a command: the protocol requires one, a string
                r.setMethod("");
            }
            if (!out) {
                next.consume(message);
                return;
            }
            synchronized (lock) {
                if (message instanceof DebugResponseMessage r) {
                    r.setResponseId(++written[0]);
                } else if (message instanceof DebugNotificationMessage n) {
                    n.setId(++written[0]);
                }
                next.consume(message);
            }
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
                String own = firstLine(message);
                // the cause's text is the JSON reader's, quoting the client's: escaped whole, not cut at a line
                e.setMessage(Text.line((own.endsWith(".") ? own.substring(0, own.length() - 1) : own) + ": "
                        + jsonWords(said.getMessage())));
                e.setData(null);
                return;
            }
        }
        e.setMessage(firstLine(message));
        e.setData(null);
    }

    /**
     * A JSON reader's message (Gson's) in JSON's words, not its Java API's, as one escaped line of
     * bounded length: {@code Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed
     * JSON at ...} (text after the message's end, say) as {@code malformed JSON at ...}; the token
     * names of {@code Expected BEGIN_OBJECT but was NUMBER} as {@code Expected an object but was a
     * number}, and, where the reader read the request's arguments as an array and failed at an
     * element ({@code path $.arguments[0]}), {@code Expected an object but was an array at path
     * $.arguments}; a number
     * parser's {@code For input string: "x"} as {@code "x" is not a number}, the client's text
     * between the quotes with backslashes and quotes escaped ({@code \\}, {@code \"}) and cut in the
     * middle past {@link #MAX_QUOTED} characters; any other text as it is. The reader's last line
     * pointing to its guide ({@code See https://...}) is dropped; every other line break, as any
     * control character, is escaped ({@link Text#escape}: the whole cut in the middle past
     * {@link Text#MAX_CHARS} characters), so no text of the client's can end the line or leave a
     * quote open.
     *
     * @param s the message
     * @return it reworded, escaped: one line of at most about 6 x {@link Text#MAX_CHARS} + 30
     *     characters
     */
    static String jsonWords(String s) {
        if (s.startsWith(NOT_A_NUMBER)) {
            // before the guide's line is looked for: the client's text may hold one
            String rest = s.substring(NOT_A_NUMBER.length());
            int close = rest.lastIndexOf('"');
            if (rest.startsWith("\"") && close > 0) {
                return quoted(rest.substring(1, close)) + Text.escape(rest.substring(close + 1)) + " is not a number";
            }
            return Text.escape(rest) + " is not a number";
        }
        int see = s.lastIndexOf("\nSee ");
        String text = see >= 0 && s.indexOf('\n', see + 1) < 0 ? s.substring(0, see) : s;
        Matcher strict = STRICT.matcher(text);
        if (strict.lookingAt()) {
            return Text.escape("malformed JSON" + text.substring(strict.end()));
        }
        int but = text.indexOf(" but was ");
        if (text.startsWith("Expected ") && but > 0) {
            String want = text.substring("Expected ".length(), but);
            String rest = text.substring(but + " but was ".length());
            if (ARGUMENTS_ARRAY.matcher(rest).find()) {
                // LSP4J reads an array of arguments as the method's parameters, and fails at its first
                return Text.escape("Expected " + TOKENS.getOrDefault(want, want) + " but was an array at path $.arguments");
            }
            int end = rest.indexOf(' ');
            String got = end < 0 ? rest : rest.substring(0, end);
            return Text.escape("Expected " + TOKENS.getOrDefault(want, want) + " but was " + TOKENS.getOrDefault(got, got)
                    + (end < 0 ? "" : rest.substring(end)));
        }
        return Text.escape(text);
    }

    /** The most characters of the client's text that {@link #quoted} keeps. */
    static final int MAX_QUOTED = 200;

    /**
     * The client's text in quotes: cut in the middle past {@link #MAX_QUOTED} characters (its first
     * and last half kept around {@code ...(N chars)...}, no surrogate pair split), then each
     * backslash and quote escaped ({@code \\}, {@code \"}) and every other character that needs it
     * ({@link Text#line}).
     */
    static String quoted(String s) {
        int n = s.length();
        String kept = s;
        if (n > MAX_QUOTED) {
            int head = MAX_QUOTED / 2;
            if (Character.isHighSurrogate(s.charAt(head - 1)) && Character.isLowSurrogate(s.charAt(head))) {
                head--;
            }
            int tail = n - MAX_QUOTED / 2;
            if (Character.isLowSurrogate(s.charAt(tail)) && Character.isHighSurrogate(s.charAt(tail - 1))) {
                tail++;
            }
            kept = s.substring(0, head) + "...(" + (tail - head) + " chars)..." + s.substring(tail);
        }
        return "\"" + Text.line(kept.replace("\\", "\\\\").replace("\"", "\\\"")) + "\"";
    }

    /** Gson's advice to change its reader's strictness, before the place in the message. */
    private static final Pattern STRICT = Pattern.compile(
            "Use JsonReader\\.set[A-Za-z]+\\([A-Za-z.]*\\) to accept malformed JSON");
    /** The place of a request's arguments read as an array, at the message's end. */
    private static final Pattern ARGUMENTS_ARRAY = Pattern.compile(" path \\$\\.arguments\\[\\d+\\]$");
    /** What {@link NumberFormatException} says of text that is no number, before the text. */
    private static final String NOT_A_NUMBER = "For input string: ";
    /** Gson's token names ({@code JsonToken}), in JSON's words. */
    private static final Map<String, String> TOKENS = Map.of("BEGIN_OBJECT", "an object", "END_OBJECT",
            "the end of an object", "BEGIN_ARRAY", "an array", "END_ARRAY", "the end of an array", "NAME", "a name",
            "STRING", "a string", "NUMBER", "a number", "BOOLEAN", "a boolean", "NULL", "null", "END_DOCUMENT",
            "the end of the message");

    /** The first line of a text, escaped ({@link Text#escape}: at most about 2,000 characters). */
    private static String firstLine(String s) {
        int eol = s.indexOf('\n');
        return Text.escape(eol < 0 ? s : s.substring(0, eol));
    }
}
