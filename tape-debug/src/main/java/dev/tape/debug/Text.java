package dev.tape.debug;

/**
 * The one implementation that makes text from a program, a source file, a command line or a user
 * safe to print inside one line of output; the debugger uses it, and {@code tape}'s other commands
 * reach it through {@code dev.tape.cli.Escape}. Nothing a program's author wrote can break a line
 * in two, forge a {@code trap:} line, move the cursor or colour the terminal.
 *
 * <p>These characters are written as escapes (the same set the disassembler escapes in quoted
 * assembly strings):
 * <ul>
 *   <li>C0 controls and DEL ({@code U+0000-U+001F}, {@code U+007F}): {@code \n}, {@code \r},
 *       {@code \t}, {@code \b}, {@code \f}, the rest as {@code \}{@code u} and four hex digits
 *       ({@code ESC} is {@code \}{@code u001b});
 *   <li>C1 controls ({@code U+0080-U+009F}, which some terminals read as escape sequences);
 *   <li>format characters (Unicode category Cf), among them the bidirectional overrides and
 *       isolates ({@code U+202A-U+202E}, {@code U+2066-U+2069}) that reorder what is shown;
 *   <li>the line and paragraph separators ({@code U+2028}, {@code U+2029}), unassigned and
 *       private-use code points, and unpaired surrogates.
 * </ul>
 * A backslash is printed as it is, so escaping is idempotent: text escaped twice reads as text
 * escaped once, and a whole line can be passed through {@link #line(String)} again as a last guard.
 *
 * <p>A piece of text longer than {@link #MAX_CHARS} characters (a 2 MB function name, say) is cut
 * by {@link #escape(String)} in the middle: its first and last {@code MAX_CHARS / 2} characters are
 * kept around {@code ...(N chars)...} (a surrogate pair is never split), so a message stays short
 * and still ends with what came last.
 */
public final class Text {
    private Text() {}

    /** The most characters of one piece of text kept by {@link #escape(String)} (before escaping). */
    public static final int MAX_CHARS = 2000;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /**
     * Escapes one piece of text, cutting it in the middle when it is longer than
     * {@link #MAX_CHARS}.
     *
     * @param s text, or {@code null}
     * @return the escaped text ({@code ""} for {@code null}; {@code s} itself when it is short and
     *     nothing needed escaping); at most about 6 x {@code MAX_CHARS} + 30 characters, with no
     *     character that needs escaping
     */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        int n = s.length();
        if (n <= MAX_CHARS) {
            return line(s);
        }
        int head = MAX_CHARS / 2;
        if (Character.isHighSurrogate(s.charAt(head - 1)) && Character.isLowSurrogate(s.charAt(head))) {
            head--;
        }
        int tail = n - MAX_CHARS / 2;
        if (Character.isLowSurrogate(s.charAt(tail)) && Character.isHighSurrogate(s.charAt(tail - 1))) {
            tail++;
        }
        StringBuilder b = new StringBuilder(MAX_CHARS + 40);
        append(b, s, 0, head);
        b.append("...(").append(tail - head).append(" chars)...");
        append(b, s, tail, n);
        return b.toString();
    }

    /**
     * Escapes a whole line without cutting it: the last guard before a message is printed.
     *
     * @param s the line, or {@code null}
     * @return the escaped line ({@code ""} for {@code null}); {@code s} itself when nothing
     *     needed escaping
     */
    public static String line(String s) {
        if (s == null) {
            return "";
        }
        int n = s.length();
        for (int i = 0; i < n; i++) {
            if (needsEscape(s, i)) {
                StringBuilder b = new StringBuilder(n + 16).append(s, 0, i);
                append(b, s, i, n);
                return b.toString();
            }
        }
        return s;
    }

    /**
     * Where to cut escaped text so that no escape and no surrogate pair is split: the end of the
     * last whole character or escape that ends at or before {@code max}. The text is read from its
     * start: a backslash begins an escape of six characters when {@code u} and four hex digits
     * follow (or when the text ends before four digits), else of two (JSON's {@code \n},
     * {@code \"}, {@code \\}, ..., or a backslash {@link #escape} printed as it is and the
     * character after it, three when that is a surrogate pair); a surrogate pair is one
     * character. An escape that the end of the text cuts short (as in a value literal cut short)
     * never fits. Costs O({@code max}).
     *
     * @param s escaped text ({@link #escape}, a value literal, or both)
     * @param max the most characters to keep, 0 or more
     * @return the length to keep: at most {@code max} and {@code s.length()}, and at least
     *     {@code max - 5} when {@code s} is longer than {@code max}
     */
    public static int boundary(String s, int max) {
        int n = s.length();
        int limit = Math.min(max, n);
        int i = 0;
        while (i < n) {
            int len = 1;
            char c = s.charAt(i);
            if (c == '\\') {
                // at the end: an escape cut short, which never fits
                len = 2;
                if (i + 1 < n && s.charAt(i + 1) == 'u') {
                    int hex = 0;
                    while (hex < 4 && i + 2 + hex < n && isHex(s.charAt(i + 2 + hex))) {
                        hex++;
                    }
                    if (hex == 4 || i + 2 + hex == n) {
                        len = 6;
                    }
                } else if (i + 2 < n && Character.isHighSurrogate(s.charAt(i + 1))
                        && Character.isLowSurrogate(s.charAt(i + 2))) {
                    // a backslash printed as it is, then a surrogate pair: kept whole
                    len = 3;
                }
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                len = 2;
            }
            if (i + len > limit) {
                break;
            }
            i += len;
        }
        return i;
    }

    private static boolean isHex(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

    private static void append(StringBuilder b, String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!needsEscape(s, i)) {
                b.append(c);
                continue;
            }
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> b.append("\\u").append(HEX[(c >> 12) & 15]).append(HEX[(c >> 8) & 15])
                        .append(HEX[(c >> 4) & 15]).append(HEX[c & 15]);
            }
        }
    }

    /**
     * @return whether the char at {@code i} must be escaped: see the class comment. A surrogate is
     *     printed only as half of a well-formed pair whose code point needs no escape; both halves
     *     of a pair are escaped or neither is.
     */
    private static boolean needsEscape(String s, int i) {
        char c = s.charAt(i);
        if (c >= ' ' && c < 0x7f) {
            return false;
        }
        int cp = c;
        if (Character.isHighSurrogate(c)) {
            if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                return true;
            }
            cp = Character.toCodePoint(c, s.charAt(i + 1));
        } else if (Character.isLowSurrogate(c)) {
            if (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1))) {
                return true;
            }
            cp = Character.toCodePoint(s.charAt(i - 1), c);
        }
        int t = Character.getType(cp);
        return Character.isISOControl(cp) || t == Character.FORMAT || t == Character.LINE_SEPARATOR
                || t == Character.PARAGRAPH_SEPARATOR || t == Character.UNASSIGNED || t == Character.PRIVATE_USE;
    }
}
