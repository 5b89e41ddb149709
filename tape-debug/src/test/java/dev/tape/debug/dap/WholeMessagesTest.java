package dev.tape.debug.dap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The adapter's output passes whole messages, and none once shut (a flaky half message before). */
class WholeMessagesTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aMessageReachesTheStreamOnlyAtItsFlushAndNothingAfterShut() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        WholeMessages whole = new WholeMessages(out);
        whole.write(bytes("Content-Length: 2\r\n\r\n"));
        assertEquals(0, out.size(), "nothing before the flush");
        whole.write(bytes("{}"));
        whole.flush();
        assertEquals("Content-Length: 2\r\n\r\n{}", out.toString(StandardCharsets.UTF_8));
        // a message cut by the end of the session: its header written, then shut, then the rest
        whole.write(bytes("Content-Length: 2\r\n\r\n"));
        whole.shut();
        whole.write(bytes("{}"));
        whole.flush();
        whole.write(bytes("Content-Length: 2\r\n\r\n{}"));
        whole.flush();
        assertEquals("Content-Length: 2\r\n\r\n{}", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shutWaitsForAMessageBeingWrittenToBeWrittenWhole() throws Exception {
        CountDownLatch writing = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        OutputStream slow = new OutputStream() {
            @Override
            public void write(int b) {
                got.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writing.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                got.write(b, off, len);
            }
        };
        WholeMessages whole = new WholeMessages(slow);
        byte[] message = bytes("Content-Length: 2\r\n\r\n{}");
        Thread writer = new Thread(() -> {
            try {
                whole.write(message);
                whole.flush();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        writer.start();
        assertTrue(writing.await(10, TimeUnit.SECONDS));
        Thread shutter = new Thread(whole::shut);
        shutter.start();
        shutter.join(200);
        assertTrue(shutter.isAlive(), "shut returned while a message was half written");
        release.countDown();
        shutter.join(10_000);
        writer.join(10_000);
        assertArrayEquals(message, got.toByteArray());
    }
}
