package dev.tape.debug.dap;

import org.eclipse.lsp4j.debug.OutputEventArguments;
import org.eclipse.lsp4j.debug.services.IDebugProtocolClient;

import java.io.Writer;

/**
 * A writer that sends what the program prints to the client as {@code output} events, one per line
 * (a partial line when flushed). A line longer than {@link #MAX_LINE} chars is sent in pieces.
 */
final class OutputEvents extends Writer {
    /** The most chars in one event. */
    static final int MAX_LINE = 1 << 16;

    private final IDebugProtocolClient client;
    private final String category;
    private final StringBuilder pending = new StringBuilder();

    OutputEvents(IDebugProtocolClient client, String category) {
        this.client = client;
        this.category = category;
    }

    @Override
    public synchronized void write(char[] cbuf, int off, int len) {
        for (int i = off; i < off + len; i++) {
            pending.append(cbuf[i]);
            if (cbuf[i] == '\n' || pending.length() >= MAX_LINE) {
                send();
            }
        }
    }

    @Override
    public synchronized void flush() {
        if (pending.length() > 0) {
            send();
        }
    }

    @Override
    public void close() {
        flush();
    }

    private void send() {
        OutputEventArguments e = new OutputEventArguments();
        e.setCategory(category);
        e.setOutput(pending.toString());
        pending.setLength(0);
        client.output(e);
    }
}
