package dev.tape.debug;

/**
 * Makes text from a program, a source file or a user safe to print in one line of debugger
 * output: control characters, format characters (bidirectional overrides among them), line and
 * paragraph separators, unassigned and private-use code points and unpaired surrogates are written
 * as escapes ({@code \n}, {@code \t}, {@code \}{@code u001b}), the same set {@code tape}'s other
 * commands escape; text longer than {@link #MAX_CHARS} is cut in the middle.
 */
public final class Text {
    private Text() {}

    /** The most characters of one piece of text kept (before escaping). */
    public static final int MAX_CHARS = 2000;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /**
     * @param s text, or {@code null}
     * @return the text escaped and cut to about {@link #MAX_CHARS} characters; {@code ""} for
     *     {@code null}
     */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        int n = s.length();
        StringBuilder b = new StringBuilder(Math.min(n, MAX_CHARS) + 16);
        if (n <= MAX_CHARS) {
            append(b, s, 0, n);
            return b.toString();
        }
        int head = MAX_CHARS / 2;
        if (Character.isHighSurrogate(s.charAt(head - 1))) {
            head--;
        }
        int tail = n - MAX_CHARS / 2;
        if (Character.isLowSurrogate(s.charAt(tail))) {
            tail++;
        }
        append(b, s, 0, head);
        b.append("...(").append(tail - head).append(" chars)...");
        append(b, s, tail, n);
        return b.toString();
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
