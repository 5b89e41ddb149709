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
     * Escapes a file path given on the command line or named in a manifest.
     *
     * @param file the path, or {@code null}
     * @return {@code text(file.toString())}
     */
    static String path(Object file) {
        return text(file == null ? null : file.toString());
    }
}
