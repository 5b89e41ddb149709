package dev.tape.cli;

import java.io.IOException;
import java.io.OutputStream;

/**
 * A standard stream of {@link TapeCli#main} (stdout or stderr) that keeps its first write failure
 * instead of losing it: {@link java.io.PrintWriter} (and {@link java.io.PrintStream}, which
 * {@code System.out} is) swallow every {@link IOException}, so output written to a full disk
 * ({@code > /dev/full}: "No space left on device") was lost with exit code 0. {@link TapeCli#main}
 * asks {@link #failure()} at the end and, for any failure but a broken pipe ({@link #brokenPipe}),
 * prints one line and exits 2 ({@link TapeCli#writeErrors}).
 *
 * <p>After the first failure every later write is dropped without a system call (the stream would
 * fail again), so a run that prints much into a closed pipe or a full disk is not slowed by it.
 * Writes go straight to the target, unbuffered (the writer above buffers and flushes at each line,
 * as over {@code System.out} before). Never throws.
 */
final class CheckedStream extends OutputStream {
    /** the file descriptor's stream */
    private final OutputStream target;
    /** the first write failure, or null (volatile: a {@code --timeout} run prints from its own thread) */
    private volatile IOException failure;

    /**
     * Wraps a standard stream.
     *
     * @param target the stream written to, typically a {@link java.io.FileOutputStream} of
     *     {@link java.io.FileDescriptor#out} or {@link java.io.FileDescriptor#err}
     */
    CheckedStream(OutputStream target) {
        this.target = target;
    }

    @Override
    public void write(int b) {
        if (failure == null) {
            try {
                target.write(b);
            } catch (IOException e) {
                failure = e;
            }
        }
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (failure == null) {
            try {
                target.write(b, off, len);
            } catch (IOException e) {
                failure = e;
            }
        }
    }

    @Override
    public void flush() {
        if (failure == null) {
            try {
                target.flush();
            } catch (IOException e) {
                failure = e;
            }
        }
    }

    /**
     * The first write or flush failure.
     *
     * @return the exception the target threw first, or null while every write succeeded
     */
    IOException failure() {
        return failure;
    }

    /**
     * Whether {@code e} is a write to a pipe whose reader has gone ({@code EPIPE}, as under
     * {@code tape run ... | head -c1}): the JVM ignores {@code SIGPIPE}, so such a write fails with
     * an {@link IOException} whose message is the system's text, "Broken pipe" on Linux and macOS
     * ("The pipe is being closed" or "The pipe has been ended" on Windows). A reader that stopped
     * reading wants no more, as with programs that die of {@code SIGPIPE}: {@code tape} stays
     * quiet then, with its own exit code, as before this class.
     *
     * @param e a write failure
     * @return true for a broken pipe
     */
    static boolean brokenPipe(IOException e) {
        String m = e.getMessage();
        return m != null && (m.contains("Broken pipe") || m.contains("pipe is being closed")
                || m.contains("pipe has been ended"));
    }
}
