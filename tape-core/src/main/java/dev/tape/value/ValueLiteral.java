package dev.tape.value;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The value literal syntax shared by conformance manifests, command-line arguments and printed
 * results ({@code conformance/README.md}, "Value literals"):
 *
 * <pre>
 * unit   bool:true   i64:-5   u64:18446744073709551615   f64:0x3ff8000000000000 (or f64:1.5 on input)
 * dec:-1.50   str:"h\u00e9llo" (a JSON string)   bytes:00ff10   func:3   obj:TYPE/HANDLE
 * tuple(i64:1, bool:true)   struct#0(i64:7)   array#0(i64:1, i64:2)   closure:2(tuple(i64:100))
 * </pre>
 */
public final class ValueLiteral {
    private ValueLiteral() {}

    /** The longest literal, in chars, {@link #format(Value)} makes (16 Mi). */
    public static final int MAX_LENGTH = 1 << 24;

    /** What {@link #format(Value, int)} appends to a literal it cut. */
    public static final String CUT_MARK = "...";

    /**
     * Formats a value whole; f64 as its 16 hex digits of bits, aggregates and closures at any depth
     * (walked with a heap stack, never by recursion on the Java stack).
     *
     * <p>A program can return values that are cheap to build and huge to render: a 16-million-char
     * string, or a tuple that holds the same tuple twice at each of 60 levels (2^60 leaves). So this
     * refuses a value whose literal would exceed {@link #MAX_LENGTH} chars, after writing at most
     * that many; {@link #format(Value, int)} cuts instead.
     *
     * @param v the value
     * @return the literal
     * @throws IllegalArgumentException when the literal would be longer than {@link #MAX_LENGTH} chars
     */
    public static String format(Value v) {
        StringBuilder b = new StringBuilder();
        if (!LiteralWriter.write(v, b, MAX_LENGTH)) {
            throw new IllegalArgumentException("value too large to format: its literal is longer than "
                    + MAX_LENGTH + " chars");
        }
        return b.toString();
    }

    /**
     * Formats a value as {@link #format(Value)} does, but never fails on size: a literal longer than
     * {@code maxChars} is cut after its first {@code maxChars} chars (one fewer when the last would be
     * the first half of a surrogate pair) and ends with {@link #CUT_MARK} ({@code "..."}). A whole
     * literal never ends with {@code '.'}, so the mark is unambiguous. The work and memory are
     * proportional to {@code maxChars} (plus the nesting depth entered before the cut), never to
     * the value's size. For showing results a program chose (for example on a command line).
     *
     * @param v the value
     * @param maxChars the most chars of the literal to keep before the mark; below 0 counts as 0
     * @return the literal, or its start followed by {@code "..."}
     */
    public static String format(Value v, int maxChars) {
        int max = Math.max(0, maxChars);
        StringBuilder b = new StringBuilder(Math.min(max, 1 << 16) + CUT_MARK.length());
        if (!LiteralWriter.write(v, b, max)) {
            int keep = max;
            if (keep > 0 && Character.isHighSurrogate(b.charAt(keep - 1))) {
                keep--;
            }
            b.setLength(keep);
            b.append(CUT_MARK);
        }
        return b.toString();
    }

    /**
     * Writes a decimal as plain digits with exactly {@code scale} decimal places.
     *
     * @param mantissa a decimal's mantissa
     * @param scale its scale, 0 to 255
     * @return the plain decimal text, for example {@code -1.50}
     */
    public static String formatDecimal(long mantissa, int scale) {
        return new BigDecimal(BigInteger.valueOf(mantissa), scale).toPlainString();
    }

    /**
     * Whether a char of a string is written as a six-char escape (backslash, {@code u}, four hex
     * digits) rather than as itself (besides JSON's two-char escapes for quote, backslash, newline,
     * return, tab, backspace and form feed): the C0 controls, DEL, the C1 controls
     * (U+0080 to U+009F, which some terminals obey) and the line and paragraph separators U+2028 and
     * U+2029, so a printed literal is always one line of inert text.
     *
     * @param c a UTF-16 char
     * @return whether the formatter escapes it
     */
    static boolean mustEscape(char c) {
        return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029;
    }

    /**
     * Parses one literal. Nesting of any depth is parsed with a heap stack, never by recursion on
     * the Java stack; the work is linear in the text's length.
     *
     * @param text the literal
     * @return the value
     * @throws IllegalArgumentException when the text is not a literal, with the position and what
     *     was expected (the text itself quoted up to its first 100 chars)
     */
    public static Value parse(String text) {
        return new LiteralParser(text).parse();
    }
}
