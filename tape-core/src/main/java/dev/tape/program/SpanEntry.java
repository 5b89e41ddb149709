package dev.tape.program;

/**
 * One entry of a function's span table (spec section "Span table encoding (compact)"): from the
 * byte offset {@code previous pc + pcDelta} on, the span in force is {@code spanId}.
 *
 * @param pcDelta bytes after the previous entry's pc (the first entry counts from 0)
 * @param spanId the span id, an unsigned 64-bit number
 */
public record SpanEntry(long pcDelta, long spanId) {}
