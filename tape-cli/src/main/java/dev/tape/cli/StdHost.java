package dev.tape.cli;

import dev.tape.host.HostRegistry;
import dev.tape.host.Signature;
import dev.tape.program.ValueType;
import dev.tape.value.Value;

import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The standard host of {@code tape run --host std} (the default): five functions that print one
 * value and a newline ({@code \n}) to the command's standard output, and return nothing.
 *
 * <table>
 * <caption>Host functions</caption>
 * <tr><th>symbol</th><th>signature</th><th>prints</th></tr>
 * <tr><td>{@code std.print_str}</td><td>{@code (str) -> ()}</td><td>the string as it is</td></tr>
 * <tr><td>{@code std.print_i64}</td><td>{@code (i64) -> ()}</td><td>signed decimal, {@code -42}</td></tr>
 * <tr><td>{@code std.print_u64}</td><td>{@code (u64) -> ()}</td><td>unsigned decimal,
 *     {@code 18446744073709551615}</td></tr>
 * <tr><td>{@code std.print_f64}</td><td>{@code (f64) -> ()}</td><td>Java's
 *     {@link Double#toString(double)}: {@code 1.5}, {@code -0.0}, {@code NaN},
 *     {@code Infinity}, {@code 1.0E21}</td></tr>
 * <tr><td>{@code std.print_bool}</td><td>{@code (bool) -> ()}</td><td>{@code true} or
 *     {@code false}</td></tr>
 * </table>
 *
 * <p>A program resolves a function only with exactly that symbol and signature; any other host
 * call traps {@code host_call_failed}. Each call costs the ordinary fuel of a {@code host_call}
 * (1 unit, whatever it prints) and counts against {@code --max-host-calls}.
 *
 * <p><b>Output limit.</b> Output is not charged in fuel; it is bounded by its own budget instead:
 * the host writes at most {@code maxOutputBytes} bytes in all, counted as UTF-8 with each line's
 * newline ({@code --max-output-bytes}, {@link #DEFAULT_MAX_OUTPUT_BYTES} by default). A print that
 * would pass the limit writes nothing and fails with {@link OutputLimitExceeded}, so the run traps
 * {@code host_call_failed} at that {@code host_call}, on either tier. The count runs over the host's
 * whole life: for {@code tape bench}, over all its runs together.
 *
 * <p><b>Memory.</b> A string is decoded from its UTF-8 bytes and written in chunks of at most
 * {@link #CHUNK_CHARS} chars through one reused buffer, so printing a 16-million-character string
 * needs a fixed few KiB beyond the string itself. The writer is not flushed after each line;
 * {@code tape} flushes it when the run ends or traps.
 *
 * <p><b>A failed standard output.</b> In {@code tape run} (without {@code --record}),
 * {@code tape resume}, {@code tape bench}, {@code tape debug} and {@code tape replay}'s re-prints,
 * once stdout has failed to be written for a reason other than a broken pipe (a full disk, a closed
 * descriptor), every further print writes nothing and fails with {@link OutputFailed}, so the run
 * traps {@code host_call_failed} at its next print on either tier, and the command ends with code 2
 * and one line ({@code TapeCli.writeErrors}) instead of running on for output that is lost. The
 * check is bound, when the host is made, to its own writer's stream ({@link CheckedWriter}): a
 * host over any other writer never stops. The failure shows when the writer's buffer (8 KiB)
 * reaches the stream: a run makes at most the prints that fill it, plus one, after the disk filled.
 * A broken pipe stays quiet: the run goes on. Checking costs one volatile read per print.
 * ({@code tape profile} and {@code tape run --record} run on: their product is a file of the whole
 * run.)
 *
 * <p>Not thread-safe: one host serves one run at a time.
 */
public final class StdHost {
    /** The default of {@code --max-output-bytes}: 16 MiB. */
    public static final long DEFAULT_MAX_OUTPUT_BYTES = 16L << 20;

    /** The most chars handed to the writer at once. */
    public static final int CHUNK_CHARS = 8192;

    /** The symbols this host provides, in the order of the table above. */
    public static final List<String> SYMBOLS = List.of("std.print_str", "std.print_i64", "std.print_u64",
            "std.print_f64", "std.print_bool");

    private static final Value[] NONE = new Value[0];

    private final PrintWriter out;
    private final long maxOutputBytes;
    /** the stream under {@code out} whose failure stops prints, or null ({@link #create(PrintWriter, long, boolean)}) */
    private final CheckedStream stopOn;
    private long written;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final CharBuffer chunk = CharBuffer.allocate(CHUNK_CHARS);

    private StdHost(PrintWriter out, long maxOutputBytes, CheckedStream stopOn) {
        this.out = out;
        this.maxOutputBytes = maxOutputBytes;
        this.stopOn = stopOn;
    }

    /**
     * A print would have passed the output limit. The message says how many bytes it needed and
     * the limit; the VM turns it into a {@code host_call_failed} trap.
     */
    static final class OutputLimitExceeded extends Exception {
        private static final long serialVersionUID = 1L;

        OutputLimitExceeded(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The command line's standard output has failed to be written (not a broken pipe) and the host
     * was made to stop then ({@link #create(PrintWriter, long, boolean)}): the print writes nothing; the VM turns it
     * into a {@code host_call_failed} trap, whose report {@code tape} does not print (it ends with
     * code 2 and the write error's line).
     */
    static final class OutputFailed extends Exception {
        private static final long serialVersionUID = 1L;

        OutputFailed(String symbol) {
            super(symbol + ": the standard output cannot be written", null, false, false);
        }
    }

    /**
     * Makes the standard host.
     *
     * @param out where the functions print; each call prints one line
     * @param maxOutputBytes the most bytes all calls together may write (UTF-8, newlines counted),
     *     0 or more
     * @return a host registry holding the five functions
     * @throws IllegalArgumentException when {@code maxOutputBytes} is negative
     */
    public static HostRegistry create(PrintWriter out, long maxOutputBytes) {
        return create(out, maxOutputBytes, false);
    }

    /**
     * Makes the standard host, which with {@code stopAtFailure} stops printing once {@code out}'s
     * stream has failed ("A failed standard output"): the check is bound to that writer's own
     * {@link CheckedStream} here, at creation, so it holds for this host's command line alone.
     *
     * @param out where the functions print; each call prints one line
     * @param maxOutputBytes the most bytes all calls together may write (UTF-8, newlines counted),
     *     0 or more
     * @param stopAtFailure whether prints fail once {@code out}'s stream failed; has no effect when
     *     {@code out} is not a {@link CheckedWriter} (a caller of {@code TapeCli.execute} with its
     *     own writers)
     * @return a host registry holding the five functions
     * @throws IllegalArgumentException when {@code maxOutputBytes} is negative
     */
    static HostRegistry create(PrintWriter out, long maxOutputBytes, boolean stopAtFailure) {
        if (maxOutputBytes < 0) {
            throw new IllegalArgumentException("maxOutputBytes must be 0 or more");
        }
        StdHost h = new StdHost(out, maxOutputBytes, stopAtFailure ? CheckedWriter.stream(out) : null);
        HostRegistry host = new HostRegistry();
        host.register("std.print_str", sig(ValueType.STR), args -> h.printStr((Value.Str) args[0]));
        host.register("std.print_i64", sig(ValueType.I64),
                args -> h.printAscii("std.print_i64", Long.toString(((Value.I64) args[0]).value())));
        host.register("std.print_u64", sig(ValueType.U64),
                args -> h.printAscii("std.print_u64", Long.toUnsignedString(((Value.U64) args[0]).value())));
        host.register("std.print_f64", sig(ValueType.F64),
                args -> h.printAscii("std.print_f64", Double.toString(((Value.F64) args[0]).value())));
        host.register("std.print_bool", sig(ValueType.BOOL),
                args -> h.printAscii("std.print_bool", Boolean.toString(((Value.Bool) args[0]).value())));
        return host;
    }

    private static Signature sig(ValueType arg) {
        return Signature.of(List.of(arg), List.of());
    }

    /**
     * Counts {@code bytes} against the limit, or fails without counting them; fails first when the
     * host's stdout failed and it was made to stop then ({@link OutputFailed}).
     */
    private void reserve(String symbol, long bytes) throws OutputLimitExceeded, OutputFailed {
        if (stopOn != null && stopOn.failedHard()) {
            throw new OutputFailed(symbol);
        }
        if (bytes > maxOutputBytes - written) {
            throw new OutputLimitExceeded(symbol + " would write " + bytes + " bytes, past the output limit of "
                    + maxOutputBytes + " bytes (--max-output-bytes) with " + written + " written");
        }
        written += bytes;
    }

    private Value[] printAscii(String symbol, String text) throws OutputLimitExceeded, OutputFailed {
        reserve(symbol, text.length() + 1L);
        out.write(text);
        out.write('\n');
        return NONE;
    }

    /**
     * Counts the string's bytes against the limit first, so that a refused print copies nothing
     * (copying its UTF-8 out of the value first held n uncharged bytes for nothing), then writes it.
     */
    private Value[] printStr(Value.Str s) throws OutputLimitExceeded, OutputFailed {
        reserve("std.print_str", s.length() + 1L);
        byte[] utf8 = s.toUtf8();
        ByteBuffer in = ByteBuffer.wrap(utf8);
        decoder.reset();
        boolean flushed = false;
        while (!flushed) {
            chunk.clear();
            if (decoder.decode(in, chunk, true).isUnderflow()) {
                flushed = decoder.flush(chunk).isUnderflow();
            }
            out.write(chunk.array(), 0, chunk.position());
        }
        out.write('\n');
        return NONE;
    }
}
