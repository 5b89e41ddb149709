package dev.tape.cli;

import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;

/**
 * The input of an interactive command ({@code tape debug}'s commands, {@code tape dap}'s requests)
 * that ends once the command line's stdout has failed to be written for a reason other than a
 * broken pipe ({@link CheckedWriter#failed}): what the command would answer is lost, so it reads
 * no further and ends as at the end of its input, and {@link TapeCli#writeErrors} ends it with
 * exit 2 and its one line, instead of serving every later command for nothing. The check is made
 * before each read, so a read already waiting for its input ends only once that input comes (or
 * the input ends). Over writers that {@link TapeCli#run} did not make, the input is the input.
 */
final class UntilWriteFails {
    private UntilWriteFails() {}

    /**
     * @param in the command lines
     * @param out the command line's stdout writer
     * @return a reader whose {@link BufferedReader#readLine()} gives {@code in}'s lines until
     *     {@code out}'s stream failed, then null, and whose {@code read()} and
     *     {@code read(char[], int, int)} (and so every other read: {@code lines()},
     *     {@code read(char[])}, {@code transferTo}) give {@code in}'s characters until then, then
     *     its end (-1)
     */
    static BufferedReader lines(BufferedReader in, PrintWriter out) {
        return new BufferedReader(in, 1) {
            @Override
            public String readLine() throws IOException {
                return CheckedWriter.failed(out) ? null : in.readLine();
            }

            @Override
            public int read() throws IOException {
                return CheckedWriter.failed(out) ? -1 : in.read();
            }

            @Override
            public int read(char[] cbuf, int off, int len) throws IOException {
                return CheckedWriter.failed(out) ? -1 : in.read(cbuf, off, len);
            }
        };
    }

    /**
     * @param in the byte input
     * @param out the command line's stdout writer
     * @return a stream that gives {@code in}'s bytes until {@code out}'s stream failed, then its end
     */
    static InputStream bytes(InputStream in, PrintWriter out) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                return CheckedWriter.failed(out) ? -1 : in.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return CheckedWriter.failed(out) ? -1 : in.read(b, off, len);
            }
        };
    }
}
