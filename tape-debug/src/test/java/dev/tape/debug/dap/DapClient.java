package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tape.debug.TestTargets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A DAP client for tests that talk to {@code tape dap} one request at a time, as framed bytes over
 * pipes: {@link DapServer#serve} runs on a thread of its own, over {@link TestTargets#target}.
 */
final class DapClient implements AutoCloseable {
    private final OutputStream toServer;
    private final InputStream fromServer;
    private final java.lang.Thread serving;
    private int seq;

    /** Starts the server. */
    DapClient() throws IOException {
        PipedOutputStream clientOut = new PipedOutputStream();
        PipedInputStream serverIn = new PipedInputStream(clientOut, 1 << 16);
        PipedOutputStream serverOut = new PipedOutputStream();
        fromServer = new PipedInputStream(serverOut, 1 << 20);
        toServer = clientOut;
        serving = new java.lang.Thread(() -> {
            try (serverOut) {
                DapServer.serve(TestTargets::target, serverIn, serverOut);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        serving.setDaemon(true);
        serving.start();
    }

    /** Ends the client's stream and waits (at most 30 s) for the server to return. */
    @Override
    public void close() throws IOException {
        toServer.close();
        try {
            serving.join(30_000);
        } catch (InterruptedException e) {
            java.lang.Thread.currentThread().interrupt();
        }
    }

    /** Sends a request, framed; returns its seq. */
    int send(String command, String arguments) throws IOException {
        int n = ++seq;
        String m = "{\"seq\":" + n + ",\"type\":\"request\",\"command\":\"" + command + "\""
                + (arguments == null ? "" : ",\"arguments\":" + arguments) + "}";
        byte[] b = m.getBytes(StandardCharsets.UTF_8);
        toServer.write(("Content-Length: " + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        toServer.write(b);
        toServer.flush();
        return n;
    }

    /** The next message's body as the server framed it. */
    String next() throws IOException {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        while (!header.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int c = fromServer.read();
            assertTrue(c >= 0, "the server's stream ended");
            header.write(c);
        }
        String h = header.toString(StandardCharsets.US_ASCII);
        assertTrue(h.startsWith("Content-Length: "), h);
        int n = Integer.parseInt(h.substring("Content-Length: ".length(), h.length() - 4));
        return new String(fromServer.readNBytes(n), StandardCharsets.UTF_8);
    }

    /** Reads messages until the response to request {@code n} (or the event, when n is 0 and event given). */
    String await(int n, String event) throws IOException {
        while (true) {
            String body = next();
            JsonObject m = JsonParser.parseString(body).getAsJsonObject();
            String type = m.get("type").getAsString();
            if (type.equals("response") && m.get("request_seq").getAsInt() == n
                    || type.equals("event") && m.get("event").getAsString().equals(event)) {
                return body;
            }
        }
    }

    /** The response to request {@code n}, checked to be a success. */
    JsonObject ok(int n) throws IOException {
        JsonObject m = JsonParser.parseString(await(n, null)).getAsJsonObject();
        assertTrue(m.get("success").getAsBoolean(), m.toString());
        return m;
    }

    /** The response to request {@code n}, checked to be an error; its message. */
    String error(int n) throws IOException {
        JsonObject m = JsonParser.parseString(await(n, null)).getAsJsonObject();
        assertTrue(!m.get("success").getAsBoolean(), m.toString());
        return m.get("message").getAsString();
    }
}
