package dev.tape.asm;

import dev.tape.asm.Scanner.Pos;

import java.math.BigInteger;
import java.util.List;

/**
 * The symbol table of the program being assembled: symbols interned in text order (symbol 0 is
 * the empty one), the optional {@code symbols} block that fixes the first ids, references written
 * as strings, identifiers or {@code $N}, and the program's name line. Split out of
 * {@link AsmParser}, which reads every other declaration through it.
 */
final class AsmSymbols {
    private final Scanner s;
    /** the symbols by id, from the empty symbol 0 */
    private final AsmPool<String> symbols = new AsmPool<>();
    private boolean symbolsBlock;
    private int programName = -1;
    private Pos programPos;

    /** @param s the scanner every method reads from and reports positions of */
    AsmSymbols(Scanner s) {
        this.s = s;
        symbols.add("");
    }

    /**
     * @param id a symbol id below {@link #list()}'s size
     * @return the symbol
     */
    String get(int id) {
        return symbols.get(id);
    }

    /** @return the symbols so far, by id (the list itself, not a copy) */
    List<String> list() {
        return symbols.list();
    }

    /** @return the program name's symbol id, or -1 when there is no program line */
    int programName() {
        return programName;
    }

    /**
     * Parses the rest of a {@code program NAME} line.
     *
     * @param p where the line starts
     * @throws AsmException on a second program line or a malformed or empty name
     */
    void programLine(Pos p) throws AsmException {
        if (programPos != null) {
            throw s.error(p, "expected one program line, found a second (the first is at line " + programPos.line()
                    + ")");
        }
        programPos = p;
        programName = name("the program's name (a string, an identifier or $N)");
        s.endLine("");
    }

    /**
     * Parses the rest of a {@code symbols { ... }} block: the symbols, in order from 1.
     *
     * @param p where the block's line starts
     * @throws AsmException when a symbol was named before it or it is the second block, or on a
     *     malformed block
     */
    void block(Pos p) throws AsmException {
        if (symbolsBlock || symbols.size() > 1) {
            throw s.error(p, "expected the symbols block before anything that names a symbol (put it first),"
                    + " found it after " + (symbolsBlock ? "another symbols block" : "symbol "
                    + Syntax.quote(symbols.get(symbols.size() - 1))));
        }
        symbolsBlock = true;
        s.expect('{', "'{' after symbols");
        s.block(p, "the symbols block", "a symbol", () -> {
            symbols.add(s.string());
        });
    }

    /**
     * @param sym a symbol
     * @return its id: the first equal symbol's, else a new one's
     */
    int intern(String sym) {
        return symbols.intern(sym);
    }

    /**
     * Parses a symbol id {@code $N}.
     *
     * @param w the word, starting with '$'
     * @param p where it is
     * @param unbounded whether N may be past the symbols so far, up to 2^32-1 (a u32, as a host
     *     signature's symbol id may be declared); unless so, it must name one
     * @return N
     */
    long id(String w, Pos p, boolean unbounded) throws AsmException {
        String digits = w.substring(1);
        if (digits.isEmpty() || !Scanner.allDigits(digits)) {
            throw s.error(p, "expected a symbol id like $3, found '" + w + "'");
        }
        BigInteger v = AsmValues.integer(digits, 10);
        if (v.bitLength() > (unbounded ? 32 : 31)) {
            throw s.error(p, "expected a symbol id $0 to $" + (unbounded ? "4294967295" : "2147483647") + ", found '"
                    + w + "'");
        }
        if (!unbounded && v.longValue() >= symbols.size()) {
            throw s.error(p, "expected a symbol id below $" + symbols.size() + " (the symbols so far), found '" + w
                    + "'");
        }
        return v.longValue();
    }

    /**
     * Reads a symbol written as a string, {@code $N} or (when allowed) an identifier.
     *
     * @param allowIdent whether an identifier stands for itself
     * @param unbounded as {@link #id}
     * @param what what is expected, for the error
     * @return the symbol's id (0 to 2^32-1 when {@code unbounded}, else an existing symbol's)
     */
    long ref(boolean allowIdent, boolean unbounded, String what) throws AsmException {
        Pos p = s.mark();
        if (s.peek() == '"') {
            return intern(s.string());
        }
        if (s.atWord()) {
            String w = s.peekWord();
            if (w.startsWith("$")) {
                s.word();
                return id(w, p, unbounded);
            }
            if (allowIdent && Syntax.isIdentifier(w)) {
                s.word();
                return intern(w);
            }
        }
        throw s.expected(what);
    }

    /**
     * Reads a name for the names section: a string, an identifier or {@code $N}, never symbol 0.
     *
     * @param what what is expected, for the error
     * @return the name's symbol id
     */
    int name(String what) throws AsmException {
        Pos p = s.mark();
        int sym = (int) ref(true, false, what);
        if (sym == 0) {
            throw s.error(p, "expected " + what + ", found the empty symbol 0 (names must not be empty)");
        }
        return sym;
    }
}
