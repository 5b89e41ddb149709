package dev.tape.debug.dap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The adapter's output, passed on a whole message at a time and closed for good when the session
 * ends: LSP4J writes each message as its header, its content and a {@code flush} (under a lock of
 * its own), so the bytes written since the last flush are kept and passed on at the flush, unless
 * {@link #shut} came first, which waits for a message being passed on to be written whole. A thread
 * that still answers a request read just before the session ended (LSP4J's reading thread, which
 * {@link DapServer#serve} cannot wait for: it may be blocked reading a stream that never closes)
 * then writes nothing, rather than part of a message after {@code serve} returned.
 *
 * <p>Memory: one message at a time (a response is bounded, see {@link DapServer#MAX_VARIABLES}).
 */
final class WholeMessages extends OutputStream {
    /** a kept buffer larger than this is let go after its message */
    private static final int KEEP_BYTES = 1 << 16;

    private final OutputStream out;
    private ByteArrayOutputStream message = new ByteArrayOutputStream();
    private boolean shut;

    /** @param out the stream whole messages are written to */
    WholeMessages(OutputStream out) {
        this.out = out;
    }

    @Override
    public synchronized void write(int b) {
        if (!shut) {
            message.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        if (!shut) {
            message.write(b, off, len);
        }
    }

    /**
     * Writes the bytes written since the last flush to the stream as one piece, and flushes it;
     * after {@link #shut}, drops them.
     *
     * @throws IOException when the stream fails
     */
    @Override
    public synchronized void flush() throws IOException {
        if (shut) {
            return;
        }
        try {
            message.writeTo(out);
            out.flush();
        } finally {
            if (message.size() > KEEP_BYTES) {
                message = new ByteArrayOutputStream();
            } else {
                message.reset();
            }
        }
    }

    /**
     * Ends the output: waits for a message being written to finish, then drops every later write
     * (and the part of a message not yet flushed). The stream itself is not closed.
     */
    synchronized void shut() {
        shut = true;
        message = new ByteArrayOutputStream();
    }
}
