package dev.tape.value;

import dev.tape.program.ValueKind;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Writes a value's literal ({@link ValueLiteral}) into a {@link StringBuilder} and stops once the
 * builder is longer than a limit. The work done is proportional to the chars written (each step
 * writes at least one char; a leaf writes at most a few hundred past the limit), never to the size
 * of the value: a 16-million-char string or a million-element array costs what its written prefix
 * costs. Nesting is walked with an explicit stack on the heap, never by recursion on the Java
 * stack, so any depth the heap holds can be written; the stack never holds more frames than the
 * chars written divided by the shortest opener ({@code "tuple("}, 6 chars).
 */
final class LiteralWriter {
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** Chars decoded from a string per step: a bounded buffer, so a huge string is never decoded whole. */
    private static final int CHUNK = 4096;

    private final StringBuilder b;
    private final int limit;
    /** Open frames: an {@link Aggregate} (with the index of its next element) or a {@link Value.Closure}. */
    private Object[] frames = new Object[16];
    private int[] next = new int[16];
    private int depth;
    private CharBuffer chars;

    private LiteralWriter(StringBuilder b, int limit) {
        this.b = b;
        this.limit = limit;
    }

    /**
     * Appends {@code v}'s literal to {@code b}, stopping soon after {@code b.length()} exceeds
     * {@code limit}.
     *
     * @param v the value
     * @param b where to write
     * @param limit the builder length (not a count of new chars) past which writing stops
     * @return whether the whole literal was written and {@code b.length() <= limit}; when false,
     *     {@code b} is longer than {@code limit} and its text up to {@code limit} is a prefix of
     *     the literal
     */
    static boolean write(Value v, StringBuilder b, int limit) {
        return new LiteralWriter(b, limit).run(v);
    }

    private boolean run(Value root) {
        value(root);
        while (depth > 0 && b.length() <= limit) {
            Object top = frames[depth - 1];
            if (top instanceof Aggregate a) {
                int i = next[depth - 1];
                if (i < a.size()) {
                    next[depth - 1] = i + 1;
                    if (i > 0) {
                        b.append(", ");
                    }
                    element(a, i);
                    continue;
                }
            }
            frames[--depth] = null;
            b.append(')');
        }
        return depth == 0 && b.length() <= limit;
    }

    private void push(Object frame) {
        if (depth == frames.length) {
            frames = java.util.Arrays.copyOf(frames, depth * 2);
            next = java.util.Arrays.copyOf(next, depth * 2);
        }
        frames[depth] = frame;
        next[depth] = 0;
        depth++;
    }

    /** Writes element {@code i} of {@code a}, straight from its unboxed storage when it is a word. */
    private void element(Aggregate a, int i) {
        ValueKind k = ValueKind.fromTag(a.tag(i));
        if (k == ValueKind.UNIT) {
            b.append("unit");
        } else if (Aggregate.isWord(k)) {
            word(k, a.word(i));
        } else {
            value((Value) a.ref(i));
        }
    }

    private void word(ValueKind k, long w) {
        switch (k) {
            case BOOL -> b.append("bool:").append(w != 0);
            case I64 -> b.append("i64:").append(w);
            case U64 -> b.append("u64:").append(Long.toUnsignedString(w));
            case F64 -> {
                b.append("f64:0x");
                for (int shift = 60; shift >= 0; shift -= 4) {
                    b.append(HEX[(int) (w >>> shift) & 15]);
                }
            }
            case FUNC -> b.append("func:").append((int) w);
            default -> throw new IllegalStateException(k + " is not a word kind");
        }
    }

    /** Writes a leaf whole (up to the limit), or an aggregate's or closure's opener and pushes its frame. */
    private void value(Value v) {
        if (v instanceof Aggregate a) {
            switch (a.aggKind()) {
                case TUPLE -> b.append("tuple(");
                case STRUCT -> b.append("struct#").append(a.typeId()).append('(');
                case ARRAY -> b.append("array#").append(a.typeId()).append('(');
            }
            push(a);
        } else if (v instanceof Value.Closure x) {
            b.append("closure:").append(x.func()).append('(');
            push(x);
            value(x.env());
        } else if (v instanceof Value.Str x) {
            str(x.utf8, x.len);
        } else if (v instanceof Value.Bytes x) {
            b.append("bytes:");
            byte[] d = x.data;
            for (int i = 0; i < d.length && b.length() <= limit; i++) {
                b.append(HEX[(d[i] >> 4) & 15]).append(HEX[d[i] & 15]);
            }
        } else if (v instanceof Value.Unit) {
            b.append("unit");
        } else if (v instanceof Value.Decimal x) {
            b.append("dec:").append(ValueLiteral.formatDecimal(x.mantissa(), x.scale()));
        } else if (v instanceof Value.Obj x) {
            b.append("obj:").append(Long.toUnsignedString(x.hostType())).append('/')
                    .append(Long.toUnsignedString(x.handle()));
        } else {
            word(v.kind(), Aggregate.wordOf(v));
        }
    }

    /**
     * Writes {@code str:"..."}: the UTF-8 decoded a chunk at a time (malformed input, which the VM
     * never makes, becomes U+FFFD as in {@code new String(bytes, UTF_8)}), escaped as JSON.
     */
    private void str(byte[] utf8, int len) {
        b.append("str:\"");
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        ByteBuffer in = ByteBuffer.wrap(utf8, 0, len);
        if (chars == null) {
            chars = CharBuffer.allocate(CHUNK);
        }
        boolean flushed = false;
        while (b.length() <= limit && !flushed) {
            chars.clear();
            // at most as many chars as may still be written (escapes only make the output longer),
            // and at least 2 so that a surrogate pair always fits
            chars.limit(Math.max(2, Math.min(CHUNK, limit - b.length() + 1)));
            if (dec.decode(in, chars, true).isUnderflow()) {
                flushed = dec.flush(chars).isUnderflow();
            }
            chars.flip();
            while (chars.hasRemaining() && b.length() <= limit) {
                escape(chars.get());
            }
        }
        b.append('"');
    }

    private void escape(char c) {
        switch (c) {
            case '"' -> b.append("\\\"");
            case '\\' -> b.append("\\\\");
            case '\n' -> b.append("\\n");
            case '\r' -> b.append("\\r");
            case '\t' -> b.append("\\t");
            case '\b' -> b.append("\\b");
            case '\f' -> b.append("\\f");
            default -> {
                if (ValueLiteral.mustEscape(c)) {
                    b.append("\\u").append(HEX[c >>> 12]).append(HEX[(c >>> 8) & 15]).append(HEX[(c >>> 4) & 15])
                            .append(HEX[c & 15]);
                } else {
                    b.append(c);
                }
            }
        }
    }
}
