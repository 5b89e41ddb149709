package dev.tape.debug.dap;

import java.io.Reader;
import java.util.Arrays;

/**
 * A message made as it is read, for tests of reading without a copy: a head, a run of spaces, a
 * tail, in O(1) memory however long the run. Test support only.
 */
final class PaddedReader extends Reader {
    private final char[] head;
    private final long pad;
    private final char[] tail;
    private final long total;
    private long at;

    /**
     * @param head the text before the spaces
     * @param pad how many spaces
     * @param tail the text after them
     */
    PaddedReader(String head, long pad, String tail) {
        this.head = head.toCharArray();
        this.pad = pad;
        this.tail = tail.toCharArray();
        this.total = this.head.length + pad + this.tail.length;
    }

    @Override
    public int read(char[] buf, int off, int len) {
        if (at >= total) {
            return -1;
        }
        int n = (int) Math.min(len, total - at);
        for (int i = 0; i < n; ) {
            long p = at + i;
            if (p < head.length) {
                buf[off + i++] = head[(int) p];
            } else if (p < head.length + pad) {
                int k = (int) Math.min(n - i, head.length + pad - p);
                Arrays.fill(buf, off + i, off + i + k, ' ');
                i += k;
            } else {
                buf[off + i++] = tail[(int) (p - head.length - pad)];
            }
        }
        at += n;
        return n;
    }

    @Override
    public void close() {
    }
}
