package dev.tape.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * The UTF-8 writer {@link TapeCli#run} gives a command line over one of its {@link CheckedStream}s
 * (stdout or stderr), line-flushed as {@code System.out}. It knows its stream, so that whatever
 * holds the writer can ask whether its writes failed ({@link #failed(PrintWriter)}), be told when
 * they do ({@link TapeCli#onWriteFailure}) and write bytes through it ({@code tape dap}), with no
 * state outside the command line: two command lines in one JVM, one after the other or at once,
 * each see their own streams only. A writer that is not one (a caller of
 * {@link TapeCli#execute} with its own writers) has no stream: nothing is watched or stopped.
 */
final class CheckedWriter extends PrintWriter {
    /** the stream written through */
    private final CheckedStream stream;

    /**
     * @param stream the stream to write UTF-8 to
     */
    CheckedWriter(CheckedStream stream) {
        super(new OutputStreamWriter(stream, StandardCharsets.UTF_8), true);
        this.stream = stream;
    }

    /**
     * The checked stream under a writer.
     *
     * @param w a command line's writer
     * @return its {@link CheckedStream} when it is a {@link CheckedWriter}, else null
     */
    static CheckedStream stream(PrintWriter w) {
        return w instanceof CheckedWriter c ? c.stream : null;
    }

    /**
     * Whether the writer's stream failed to be written for a reason other than a broken pipe
     * ({@link CheckedStream#failedHard()}).
     *
     * @param w a command line's writer
     * @return true when it did; false for a writer that is not a {@link CheckedWriter}
     */
    static boolean failed(PrintWriter w) {
        CheckedStream s = stream(w);
        return s != null && s.failedHard();
    }
}
