package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.debug.TestTargets;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many {@link DapServer#serve} sessions in one JVM, each of whose clients goes away at another
 * point of the conversation (its stream ends there, mid-message too): every session returns, writes
 * whole messages only, and leaves no thread of its own behind once its stream has ended, so that
 * the JVM's thread count stays bounded however many sessions it serves.
 */
@Timeout(300)
class AttackDapSessionsTest {
    private static String framed(String body) {
        return "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    private static String request(int seq, String command, String arguments) {
        return framed("{\"seq\":" + seq + ",\"type\":\"request\",\"command\":\"" + command + "\""
                + (arguments == null ? "" : ",\"arguments\":" + arguments) + "}");
    }

    /** The messages of {@code raw}, each whole (its header's length of body present). */
    private static int wholeMessages(byte[] raw) {
        int at = 0;
        int n = 0;
        String head = "Content-Length: ";
        while (at < raw.length) {
            String rest = new String(raw, at, Math.min(64, raw.length - at), StandardCharsets.US_ASCII);
            assertTrue(rest.startsWith(head), "a message starts at byte " + at + ": " + rest);
            int end = rest.indexOf("\r\n\r\n");
            assertTrue(end > 0, rest);
            int len = Integer.parseInt(rest.substring(head.length(), end));
            at += end + 4 + len;
            assertTrue(at <= raw.length, "message " + n + " cut");
            n++;
        }
        return n;
    }

    /** The live threads not in {@code before}. */
    private static List<Thread> newThreads(Set<Thread> before) {
        List<Thread> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (!before.contains(t) && t.isAlive()) {
                out.add(t);
            }
        }
        return out;
    }

    @Test
    void sessionsCutAtEveryPointEachEndAndLeaveNoThread() throws Exception {
        String program = TestTargets.resource("loop.tasm").toString().replace("\\", "\\\\");
        String[] messages = {request(1, "initialize", "{\"adapterID\":\"tape\"}"),
            request(2, "launch", "{\"program\":\"" + program + "\",\"args\":[\"i64:3\"],\"stopOnEntry\":true}"),
            request(3, "configurationDone", null), request(4, "stackTrace", "{\"threadId\":1}"),
            request(5, "next", "{\"threadId\":1}"), request(6, "continue", "{\"threadId\":1}"),
            request(7, "disconnect", null), request(8, "threads", null)};
        byte[] all = String.join("", messages).getBytes(StandardCharsets.UTF_8);
        // every message boundary, and points inside the header and the body of each message
        List<Integer> cuts = new ArrayList<>();
        int at = 0;
        for (String m : messages) {
            int len = m.getBytes(StandardCharsets.UTF_8).length;
            for (int d : new int[] {0, 1, 15, 17, len / 2, len - 1}) {
                cuts.add(at + d);
            }
            at += len;
        }
        cuts.add(all.length);
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        int most = 0;
        for (int cut : cuts) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            DapServer.serve(TestTargets::target, new ByteArrayInputStream(Arrays.copyOf(all, cut)), out);
            int n = wholeMessages(out.toByteArray());
            if (cut >= at - messages[messages.length - 1].length()) {
                assertTrue(n >= 7, cut + ": " + n + " messages");
            }
            // the session's threads end once its stream has (a daemon reader would otherwise pile up)
            for (Thread t : newThreads(before)) {
                if (t.getName().startsWith("tape-dap")) {
                    t.join();
                }
            }
            List<Thread> left = newThreads(before);
            most = Math.max(most, left.size());
            assertEquals(List.of(), left.stream().filter(t -> t.getName().startsWith("tape-dap")).toList(),
                    "cut at " + cut);
        }
        // whatever other threads the JVM started (JIT, common pool) do not grow with the sessions
        assertTrue(most < 16, most + " threads");
    }
}
