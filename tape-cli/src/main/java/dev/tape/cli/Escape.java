package dev.tape.cli;

import dev.tape.debug.Text;

/**
 * The one place in {@code tape-cli} that makes text from a program, a file or a command line safe
 * to print inside a CLI message: every message the {@code tape} command prints is one line, and
 * nothing a program's author wrote can break it into two lines, forge a {@code trap:} line, move
 * the cursor or colour the terminal. The escaping itself is {@link Text}'s (shared with the
 * debugger): C0 and C1 controls, DEL, format characters (bidirectional overrides among them), line
 * and paragraph separators, unassigned and private-use code points and unpaired surrogates become
 * escapes ({@code \n}, {@code \}{@code u001b}, ...); a backslash is kept, so escaping is
 * idempotent.
 *
 * <p>A piece of text longer than {@link #MAX_CHARS} characters (a 2 MB function name, say) is cut
 * in the middle: its first and last {@code MAX_CHARS / 2} characters are kept around
 * {@code ...(N chars)...}, so a message stays short and still ends with what came last (the
 * verifier's reason follows the names it quotes).
 */
final class Escape {
    private Escape() {}

    /** The most characters of one piece of text kept by {@link #text(String)} (before escaping). */
    static final int MAX_CHARS = Text.MAX_CHARS;

    /**
     * Escapes one piece of program-, file- or user-controlled text for a message, cutting it in the
     * middle when it is longer than {@link #MAX_CHARS}.
     *
     * @param s the text, or {@code null}
     * @return the escaped text ({@code ""} for {@code null}); at most about 6 x
     *     {@code MAX_CHARS} + 30 characters, with no character that needs escaping
     */
    static String text(String s) {
        return Text.escape(s);
    }

    /**
     * Escapes a whole line without cutting it: the last guard before a message is printed.
     *
     * @param s the line, or {@code null}
     * @return the escaped line ({@code ""} for {@code null}); {@code s} itself when nothing
     *     needed escaping
     */
    static String line(String s) {
        return Text.line(s);
    }

    /**
     * A program's name (a function's, a field's, a host symbol) as the disassembler spells it: an
     * identifier ({@code [A-Za-z_][A-Za-z0-9_.]*}) as it is, anything else as a quoted string
     * literal ({@link #quoted}). Uncut, so two different names never print the same: a listing
     * that prints names this way, each where only a name may stand, reads back to the names it
     * was made of (an identifier holds no space, quote or punctuation a listing puts around it, and
     * a quoted name ends at its first unescaped quote).
     *
     * @param s the name, not null
     * @return its spelling, one line
     */
    static String name(String s) {
        return isIdentifier(s) ? s : quoted(s);
    }

    /**
     * A string as a JSON string literal, uncut: a quote and a backslash each escaped with a
     * backslash, and every character {@link #text(String)} escapes escaped as it escapes them (a
     * newline as backslash n, ESC as backslash u001b, ...); other characters, non-ASCII printable
     * ones among them, as they are
     * (the disassembler's quoting of assembly strings). Injective: a backslash in the output always
     * begins an escape, so the literal reads back to exactly {@code s}.
     *
     * @param s the text, not null
     * @return the literal, one line, of length linear in {@code s}'s
     */
    static String quoted(String s) {
        return '"' + Text.line(s.replace("\\", "\\\\").replace("\"", "\\\"")) + '"';
    }

    /** @return whether {@code s} is an assembly identifier: {@code [A-Za-z_][A-Za-z0-9_.]*} */
    static boolean isIdentifier(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'
                    || (i > 0 && ((c >= '0' && c <= '9') || c == '.'));
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * Escapes a file path given on the command line or named in a manifest.
     *
     * @param file the path, or {@code null}
     * @return {@code text(file.toString())}
     */
    static String path(Object file) {
        return text(file == null ? null : file.toString());
    }
}
