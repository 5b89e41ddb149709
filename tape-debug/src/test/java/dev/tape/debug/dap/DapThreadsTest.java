package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tape.debug.TestTargets;
import java.io.ByteArrayOutputStream;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The threads a {@code tape dap} session leaves behind: none that would keep a JVM whose
 * {@code main} has returned running. A client that sends {@code disconnect} and keeps its stream
 * open leaves the message reader blocked on it after {@link DapServer#serve} returns; LSP4J's
 * default executor ran that reader on a non-daemon cached-pool thread ({@code pool-N-thread-M}),
 * and {@code CompletableFuture.runAsync} ran the task that waits for it on the common pool, a new
 * non-daemon thread on a machine of 2 CPUs. Both now run on the session's own daemon threads,
 * {@code tape-dap-io-N}, at most {@link DapServer#IO_THREADS}.
 */
@Timeout(120)
class DapThreadsTest {
    private static String framed(String body) {
        return "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    }

    private static String request(int seq, String command, String arguments) {
        return framed("{\"seq\":" + seq + ",\"type\":\"request\",\"command\":\"" + command + "\""
                + (arguments == null ? "" : ",\"arguments\":" + arguments) + "}");
    }

    /**
     * The client's stream as standard input is: its bytes, then a read that blocks, deaf to
     * interrupts (as a {@code FileInputStream}'s), until {@link #close} ends the stream.
     */
    private static final class OpenStream extends InputStream {
        private final ByteArrayInputStream bytes;
        private final CountDownLatch closed = new CountDownLatch(1);

        OpenStream(byte[] b) {
            bytes = new ByteArrayInputStream(b);
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (bytes.available() > 0) {
                return bytes.read(b, off, len);
            }
            boolean interrupted = false;
            while (closed.getCount() > 0) {
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return -1;
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }

    @Test
    void aSessionsEndLeavesNoNonDaemonThreadOfItsOwn() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        String program = TestTargets.resource("loop.tasm").toString().replace("\\", "\\\\");
        OpenStream in = new OpenStream((request(1, "initialize", "{\"adapterID\":\"tape\"}")
                + request(2, "launch", "{\"program\":\"" + program + "\",\"args\":[\"i64:3\"],\"stopOnEntry\":true}")
                + request(3, "configurationDone", null)
                + request(4, "continue", "{\"threadId\":1}")
                + request(5, "disconnect", null)).getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            // returns on disconnect, the client's stream still open
            DapServer.serve(TestTargets::target, in, out);
            String raw = out.toString(StandardCharsets.UTF_8);
            assertTrue(raw.contains("\"command\":\"disconnect\""), raw);
            List<String> left = new ArrayList<>();
            int ours = 0;
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (!before.contains(t) && t.isAlive()) {
                    if (!t.isDaemon()) {
                        left.add(t.getName());
                    }
                    if (t.getName().startsWith("tape-dap-io-")) {
                        ours++;
                    }
                }
            }
            assertEquals(List.of(), left, "non-daemon threads the session left alive");
            // the reader, blocked on the open stream, is one of the session's own
            assertTrue(ours >= 1 && ours <= DapServer.IO_THREADS, ours + " tape-dap-io threads");
        } finally {
            in.close();
        }
    }
}
