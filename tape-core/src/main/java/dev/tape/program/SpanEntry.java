package dev.tape.program;

/**
 * One entry of a function's span table (spec section "Span table encoding (compact)"): from the
 * byte offset {@code previous pc + pcDelta} on, the span in force is {@code spanId}.
 *
 * <p>Span ids are unsigned 64-bit numbers from 1 to 2^64-1, held in a {@code long} by their bits
 * (read them with {@link Long#toUnsignedString(long)}): 2^63 is {@link Long#MIN_VALUE} and
 * 2^64-1 is {@code -1L}. Id 0 is reserved, as in the reference (its {@code SpanId} is a
 * {@code NonZeroU64}); the decoder refuses it, and this record cannot hold it. That is what lets
 * the VM report "no span" as 0 (see {@code dev.tape.vm.Trap#hasSpan()}), distinct from every id.
 *
 * @param pcDelta bytes after the previous entry's pc (the first entry counts from 0), unsigned
 * @param spanId the span id, an unsigned 64-bit number other than 0
 */
public record SpanEntry(long pcDelta, long spanId) {
    /**
     * Checks the span id.
     *
     * @param pcDelta bytes after the previous entry's pc (the first entry counts from 0), unsigned
     * @param spanId the span id, an unsigned 64-bit number other than 0
     * @throws IllegalArgumentException when {@code spanId} is 0 (span ids are non-zero)
     */
    public SpanEntry {
        if (spanId == 0) {
            throw new IllegalArgumentException("span id 0 is reserved (span ids are non-zero)");
        }
    }
}
