package dev.tape.asm;

/**
 * Reads assembly source on demand for the parser: words, strings, punctuation, with line and
 * column tracking. Comments run from {@code ;} or {@code #} to the end of the line. Newlines are
 * significant; {@link #skipWs()} skips them where a list may span lines.
 */
final class Scanner {
    /** A place in the source: line and column, both from 1 (the column in code points). */
    record Pos(int line, int column) {}

    private static final String DELIMITERS = ",[](){}<>;#/=\":";

    private final String src;
    private final String file;
    private int pos;
    private int line = 1;
    private int lineStart;
    /** A column already counted on the current line, so that long lines are not recounted. */
    private int colPos = -1;
    private int colValue;

    Scanner(String src, String file) {
        this.src = src;
        this.file = file;
        if (src.startsWith("\uFEFF")) {
            pos = 1; // a byte-order mark is not part of the text
            lineStart = 1;
        }
    }

    String file() {
        return file;
    }

    /** @return the reading state, for {@link #restore(int[])} */
    int[] save() {
        return new int[] {pos, line, lineStart};
    }

    /** @param state a state from {@link #save()}: read again from there */
    void restore(int[] state) {
        pos = state[0];
        line = state[1];
        lineStart = state[2];
        colPos = -1;
    }

    /** @return the current place, after skipping blanks and comments */
    Pos mark() {
        skipBlanks();
        return here();
    }

    /** @return the current place, without skipping anything */
    Pos here() {
        if (colPos < lineStart || colPos > pos) {
            colPos = lineStart;
            colValue = 1;
        }
        colValue += src.codePointCount(colPos, pos);
        colPos = pos;
        return new Pos(line, colValue);
    }

    boolean eof() {
        return pos >= src.length();
    }

    /** @return the next character, or NUL at the end */
    char peek() {
        return pos < src.length() ? src.charAt(pos) : '\0';
    }

    /** @return the character {@code k} after the next, or NUL past the end */
    char peek(int k) {
        return pos + k < src.length() ? src.charAt(pos + k) : '\0';
    }

    /** Skips spaces, tabs and a comment, but not a newline. */
    void skipBlanks() {
        while (pos < src.length()) {
            char c = src.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
                pos++;
            } else if (c == ';' || c == '#') {
                while (pos < src.length() && src.charAt(pos) != '\n') {
                    pos++;
                }
            } else {
                break;
            }
        }
    }

    /** Skips blanks, comments and newlines. */
    void skipWs() {
        while (true) {
            skipBlanks();
            if (pos < src.length() && src.charAt(pos) == '\n') {
                newline();
            } else {
                return;
            }
        }
    }

    private void newline() {
        pos++;
        line++;
        lineStart = pos;
    }

    /** @return whether only blanks and a comment are left on this line */
    boolean atEol() {
        skipBlanks();
        return pos >= src.length() || src.charAt(pos) == '\n';
    }

    /** Consumes the rest of the line, which must be empty. */
    void endLine(String after) throws AsmException {
        if (!atEol()) {
            throw expected("end of line" + after);
        }
        if (pos < src.length()) {
            newline();
        }
    }

    static boolean isDelimiter(char c) {
        return Character.isWhitespace(c) || DELIMITERS.indexOf(c) >= 0 || c == '\0';
    }

    /** @return whether the next character starts a word */
    boolean atWord() {
        skipBlanks();
        return pos < src.length() && !isDelimiter(src.charAt(pos));
    }

    /** @return the next word (a run of non-delimiters), possibly empty */
    String word() {
        skipBlanks();
        int start = pos;
        while (pos < src.length() && !isDelimiter(src.charAt(pos))) {
            pos++;
        }
        return src.substring(start, pos);
    }

    /** @return the run of non-delimiters right here, without skipping blanks first */
    String wordHere() {
        int start = pos;
        while (pos < src.length() && !isDelimiter(src.charAt(pos))) {
            pos++;
        }
        return src.substring(start, pos);
    }

    /** @return the next word, left unread */
    String peekWord() {
        skipBlanks();
        int start = pos;
        int end = pos;
        while (end < src.length() && !isDelimiter(src.charAt(end))) {
            end++;
        }
        return src.substring(start, end);
    }

    /** Consumes {@code c} if it comes next (after blanks). */
    boolean accept(char c) {
        skipBlanks();
        if (pos < src.length() && src.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    /** Consumes {@code c} if it is the very next character. */
    boolean acceptHere(char c) {
        if (pos < src.length() && src.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    /** Consumes {@code ->} if it comes next. */
    boolean acceptArrow() {
        skipBlanks();
        if (src.startsWith("->", pos)) {
            pos += 2;
            return true;
        }
        return false;
    }

    void expect(char c, String what) throws AsmException {
        if (!accept(c)) {
            throw expected(what);
        }
    }

    /** @return words like {@code 'fib'}, {@code end of line} or {@code ','} for what comes next */
    String describe() {
        skipBlanks();
        if (pos >= src.length()) {
            return "end of file";
        }
        char c = src.charAt(pos);
        if (c == '\n') {
            return "end of line";
        }
        if (c == '"') {
            int end = src.indexOf('"', pos + 1);
            int nl = src.indexOf('\n', pos);
            if (end < 0 || (nl >= 0 && nl < end) || end - pos > 40) {
                return "a string";
            }
            return "'" + src.substring(pos, end + 1) + "'";
        }
        if (src.startsWith("->", pos)) {
            return "'->'";
        }
        if (!isDelimiter(c)) {
            String w = peekWord();
            return "'" + (w.length() > 40 ? w.substring(0, 40) + "..." : w) + "'";
        }
        return "'" + c + "'";
    }

    /** @return an {@code expected WHAT, found ...} error at the next token */
    AsmException expected(String what) {
        skipBlanks();
        return error(here(), "expected " + what + ", found " + describe());
    }

    AsmException error(Pos p, String message) {
        return new AsmException(file, p.line(), p.column(), message);
    }

    /**
     * Reads a JSON string literal (the opening quote comes next).
     *
     * @return its value
     * @throws AsmException on a missing quote, a bad escape, a raw control character or an unpaired surrogate
     */
    String string() throws AsmException {
        skipBlanks();
        if (peek() != '"') {
            throw expected("a string in double quotes");
        }
        Pos open = here();
        pos++;
        StringBuilder b = new StringBuilder();
        while (true) {
            if (pos >= src.length() || src.charAt(pos) == '\n' || src.startsWith("\r\n", pos)) {
                throw error(here(), "expected '\"' to close the string opened at column " + open.column()
                        + ", found " + (pos >= src.length() ? "end of file" : "end of line"));
            }
            char c = src.charAt(pos);
            if (c == '"') {
                pos++;
                break;
            }
            if (c == '\\') {
                Pos at = here();
                pos++;
                char e = peek();
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'u' -> {
                        if (pos + 5 > src.length()) {
                            throw error(at, "expected four hex digits after \\u, found end of line");
                        }
                        String hex = src.substring(pos + 1, pos + 5);
                        if (!allHex(hex)) {
                            throw error(at, "expected four hex digits after \\u, found '" + hex + "'");
                        }
                        b.append((char) Integer.parseInt(hex, 16));
                        pos += 4;
                    }
                    default -> throw error(at, "expected an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX), found '\\"
                            + (e == '\0' || e == '\n' ? "" : String.valueOf(e)) + "'");
                }
                pos++;
                continue;
            }
            if (c < 0x20) {
                throw error(here(), String.format("expected a printable character in the string, found control character"
                        + " U+%04X (write it as \\u%04x)", (int) c, (int) c));
            }
            b.append(c);
            pos++;
        }
        String s = b.toString();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw error(open, String.format("expected a string that UTF-8 can hold, found an unpaired surrogate"
                        + " \\u%04x", (int) c));
            }
        }
        return s;
    }

    /** Reads one entry of a block in braces ({@link #block}). */
    interface BlockEntry {
        /** @throws AsmException on a malformed entry */
        void read() throws AsmException;
    }

    /**
     * Reads the entries of a block in braces, after its '{', through the '}' and the end of its
     * line; entries are separated by ',' or line breaks.
     *
     * @param open where the block starts, for the error at the end of the file
     * @param block the block as the errors name it ({@code the struct})
     * @param entry one entry as the errors name it ({@code a field})
     * @param reader reads one entry
     */
    void block(Pos open, String block, String entry, BlockEntry reader) throws AsmException {
        while (true) {
            skipWs();
            if (eof()) {
                throw error(here(), "expected '}' to close " + block + " opened at line " + open.line()
                        + ", found end of file");
            }
            if (accept('}')) {
                break;
            }
            reader.read();
            if (!accept(',') && !atEol() && peek() != '}') {
                throw expected("',' or '}' after " + entry);
            }
        }
        endLine(" after '}'");
    }

    static boolean isHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    // The two below are loops, not chars().allMatch(...): the assembler was the only user of
    // java.util.stream in a cold tape run (43 classes loaded and their pipeline interpreted).

    /**
     * @param w a word
     * @return whether every char of {@code w} is an ASCII digit 0-9 (true for an empty word)
     */
    static boolean allDigits(String w) {
        for (int i = 0; i < w.length(); i++) {
            char c = w.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /**
     * @param w a word
     * @return whether every char of {@code w} is an ASCII hex digit ({@link #isHex}; true for an
     *     empty word)
     */
    static boolean allHex(String w) {
        for (int i = 0; i < w.length(); i++) {
            if (!isHex(w.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
