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
 *
 * <p>A command that runs a program ({@code tape run}) asks to be told of a failure as it happens
 * ({@link #onFailure}), so that it can stop the run there rather than run it to its end for
 * output that is lost.
 */
final class CheckedStream extends OutputStream {
    /** the file descriptor's stream */
    private final OutputStream target;
    /** the first write failure, or null (volatile: a {@code --timeout} run prints from its own thread) */
    private volatile IOException failure;
    /** called at the first failure that is not a broken pipe, or null ({@link #onFailure}) */
    private volatile Runnable onFailure;

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
                failed(e);
            }
        }
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (failure == null) {
            try {
                target.write(b, off, len);
            } catch (IOException e) {
                failed(e);
            }
        }
    }

    @Override
    public void flush() {
        if (failure == null) {
            try {
                target.flush();
            } catch (IOException e) {
                failed(e);
            }
        }
    }

    /** Keeps the first failure and tells the {@link #onFailure} listener of it, unless a broken pipe. */
    private void failed(IOException e) {
        failure = e;
        Runnable r = onFailure;
        if (r != null && !brokenPipe(e)) {
            r.run();
        }
    }

    /**
     * Sets what to do, on the writing thread, when a write or flush fails for a reason other than a
     * broken pipe ({@link #brokenPipe}, which stays quiet and keeps the command's code): at once when
     * such a failure has happened already. Called at most once a failure per listener; a listener
     * set twice in a race with the failure may be called twice, so it must be idempotent (as
     * {@link dev.tape.vm.Run#interrupt()} is).
     *
     * @param listener the action, or null for none; it must not throw
     */
    void onFailure(Runnable listener) {
        onFailure = listener;
        IOException e = failure;
        if (listener != null && e != null && !brokenPipe(e)) {
            listener.run();
        }
    }

    /**
     * Whether a write or flush failed for a reason other than a broken pipe ({@link #brokenPipe}):
     * one volatile read while nothing failed.
     *
     * @return true after such a failure
     */
    boolean failedHard() {
        IOException e = failure;
        return e != null && !brokenPipe(e);
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
     * an {@link IOException} whose message is the system's text for {@code EPIPE}, from
     * {@code strerror}, in the language of the locale ({@code LC_ALL}, {@code LC_MESSAGES},
     * {@code LANG}): "Broken pipe" on Linux and macOS in English, "Datenübergabe unterbrochen
     * (broken pipe)" in German, "Relais brisé (pipe)" in French ("The pipe is being closed" or "The
     * pipe has been ended" on Windows). A message that is none of the English ones is compared with
     * the system's own text, learnt by writing one byte to a pipe whose reader is closed
     * ({@link #systemText()}, once, and only after a write failed). A reader that stopped reading
     * wants no more, as with programs that die of {@code SIGPIPE}: {@code tape} stays quiet then,
     * with its own exit code, as before this class.
     *
     * @param e a write failure
     * @return true for a broken pipe
     */
    static boolean brokenPipe(IOException e) {
        return brokenPipe(e, null) || brokenPipe(e, systemText());
    }

    /**
     * Whether {@code e}'s message is one of the English texts of a broken pipe or contains
     * {@code system}, the system's own text for it.
     *
     * @param e a write failure
     * @param system the system's text for {@code EPIPE} ({@link #systemText()}), or null for the
     *     English texts alone; a blank one matches nothing
     * @return true for a broken pipe
     */
    static boolean brokenPipe(IOException e, String system) {
        String m = e.getMessage();
        if (m == null) {
            return false;
        }
        if (m.contains("Broken pipe") || m.contains("pipe is being closed") || m.contains("pipe has been ended")) {
            return true;
        }
        return system != null && !system.isBlank() && m.contains(system);
    }

    /** The system's text for a broken pipe, learnt at the first {@link #systemText()}; "" for none. */
    private static volatile String systemText;

    /**
     * The message of a write to a pipe whose reader is closed, in this JVM (the system's
     * {@code strerror} text for {@code EPIPE} in the locale the JVM started in, as every write of a
     * {@link java.io.FileOutputStream} reports it), learnt once.
     *
     * @return the text, or "" when the pipe could not be made or the write did not fail
     */
    static String systemText() {
        String s = systemText;
        if (s == null) {
            s = provoked();
            systemText = s;
        }
        return s;
    }

    /**
     * Writes a byte to a pipe whose reading end is closed.
     *
     * @return the write's failure message, or "" when the pipe could not be made, the write did
     *     not fail or its failure had no message
     */
    private static String provoked() {
        java.nio.channels.Pipe pipe;
        try {
            pipe = java.nio.channels.Pipe.open();
        } catch (IOException | RuntimeException e) {
            return "";
        }
        try (java.nio.channels.Pipe.SinkChannel sink = pipe.sink()) {
            pipe.source().close();
            try {
                sink.write(java.nio.ByteBuffer.wrap(new byte[1]));
            } catch (IOException e) {
                return e.getMessage() == null ? "" : e.getMessage();
            }
        } catch (IOException | RuntimeException e) {
            return "";
        }
        return "";
    }
}
