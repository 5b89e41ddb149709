package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.tape.debug.TestTargets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code tape dap} moving backward over a long history: a {@code reverseContinue} replays the run
 * from each checkpoint, one instruction at a time, and must stop at a pause like a forward move,
 * whether the client asks for it or the client's stream ends (a move still waiting or running
 * then pauses at once, so the drain that answers the last requests is bounded).
 */
@Timeout(300)
class DapReverseMoveTest {
    private final String program = TestTargets.resource("loop.tasm").toString().replace("\\", "\\\\");

    /** What the server wrote, readable while it writes. */
    private static final class Sink extends OutputStream {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
        }

        synchronized List<JsonObject> messages() {
            String raw = bytes.toString(StandardCharsets.UTF_8);
            List<JsonObject> out = new ArrayList<>();
            int at = 0;
            while (raw.startsWith("Content-Length: ", at)) {
                int eol = raw.indexOf("\r\n\r\n", at);
                int n = Integer.parseInt(raw.substring(at + "Content-Length: ".length(), eol));
                String body = new String(raw.substring(eol + 4).getBytes(StandardCharsets.UTF_8), 0, n,
                        StandardCharsets.UTF_8);
                out.add(JsonParser.parseString(body).getAsJsonObject());
                at = eol + 4 + body.length();
            }
            return out;
        }
    }

    private static void send(OutputStream in, int seq, String command, String arguments) throws IOException {
        byte[] b = ("{\"seq\":" + seq + ",\"type\":\"request\",\"command\":\"" + command + "\""
                + (arguments == null ? "" : ",\"arguments\":" + arguments) + "}").getBytes(StandardCharsets.UTF_8);
        in.write(("Content-Length: " + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        in.write(b);
        in.flush();
    }

    /** The stopped events and responses, in order, once {@code count} messages match. */
    private static List<JsonObject> await(Sink out, java.util.function.Predicate<JsonObject> wanted, int count)
            throws InterruptedException {
        while (true) {
            List<JsonObject> all = out.messages();
            if (all.stream().filter(wanted).count() >= count) {
                return all;
            }
            java.lang.Thread.sleep(5);
        }
    }

    private static boolean stopped(JsonObject m) {
        return m.get("type").getAsString().equals("event") && m.get("event").getAsString().equals("stopped");
    }

    private static boolean response(JsonObject m, int seq) {
        return m.get("type").getAsString().equals("response") && m.get("request_seq").getAsInt() == seq;
    }

    /**
     * Runs {@code loop.tasm} with n = 1,000,000 (7 million instructions) to a breakpoint after its
     * loop, deletes the breakpoint, and starts a reverseContinue (which has no stop to find before
     * the start: it replays the whole history).
     */
    private Sink startReverseContinue(PipedOutputStream in, java.lang.Thread[] server) throws Exception {
        PipedInputStream pin = new PipedInputStream(in, 1 << 16);
        Sink out = new Sink();
        server[0] = new java.lang.Thread(() -> {
            try {
                DapServer.serve(TestTargets::target, pin, out);
            } catch (InterruptedException e) {
                java.lang.Thread.currentThread().interrupt();
            }
        });
        server[0].start();
        send(in, 1, "initialize", "{\"adapterID\":\"tape\"}");
        send(in, 2, "launch", "{\"program\":\"" + program + "\",\"args\":[\"i64:1000000\"],\"fuel\":100000000}");
        send(in, 3, "setBreakpoints", "{\"source\":{\"path\":\"" + program + "\"},\"breakpoints\":[{\"line\":15}]}");
        send(in, 4, "configurationDone", null);
        List<JsonObject> first = await(out, DapReverseMoveTest::stopped, 1);
        assertEquals("breakpoint", first.stream().filter(DapReverseMoveTest::stopped).findFirst().orElseThrow()
                .getAsJsonObject("body").get("reason").getAsString(), first.toString());
        send(in, 5, "setBreakpoints", "{\"source\":{\"path\":\"" + program + "\"},\"breakpoints\":[]}");
        send(in, 6, "reverseContinue", "{\"threadId\":1}");
        return out;
    }

    private static String lastStopReason(List<JsonObject> all) {
        JsonObject last = null;
        for (JsonObject m : all) {
            if (stopped(m)) {
                last = m;
            }
        }
        return last == null ? null : last.getAsJsonObject("body").get("reason").getAsString();
    }

    @Test
    void aPauseStopsAReverseContinue() throws Exception {
        PipedOutputStream in = new PipedOutputStream();
        java.lang.Thread[] server = new java.lang.Thread[1];
        Sink out = startReverseContinue(in, server);
        // the response is sent once the move runs: the pause reaches it
        await(out, m -> response(m, 6), 1);
        send(in, 7, "pause", "{\"threadId\":1}");
        List<JsonObject> all = await(out, DapReverseMoveTest::stopped, 2);
        assertEquals("pause", lastStopReason(all), all.toString());
        send(in, 8, "stackTrace", "{\"threadId\":1}");
        send(in, 9, "disconnect", null);
        in.close();
        server[0].join();
        all = out.messages();
        assertTrue(all.stream().anyMatch(m -> response(m, 8) && m.get("success").getAsBoolean()), all.toString());
    }

    @Test
    void theEndOfTheStreamPausesAReverseContinue() throws Exception {
        PipedOutputStream in = new PipedOutputStream();
        java.lang.Thread[] server = new java.lang.Thread[1];
        Sink out = startReverseContinue(in, server);
        in.close();
        server[0].join();
        List<JsonObject> all = out.messages();
        assertTrue(all.stream().anyMatch(m -> response(m, 6) && m.get("success").getAsBoolean()), all.toString());
        assertEquals("pause", lastStopReason(all), all.toString());
    }
}
