package dev.tape.vm;

import dev.tape.TapeException;
import dev.tape.jfr.TapeEvents;
import dev.tape.host.Signature;

import java.util.List;

/**
 * Making a {@link Vm} with eager linking (the default, see {@link VmOptions#lazyLinking()}) found
 * host imports of the program (spec section "Host ABI") that its {@link dev.tape.host.Host} does
 * not provide. One exception lists every such import, in the order of the program's host
 * signature table, so an embedder fixes them all at once.
 *
 * <p>The message is one line: the count, then per problem the symbol, the signature the program
 * declares and the reason, for at most {@link #MESSAGE_PROBLEMS} problems (the rest are counted);
 * a symbol longer than {@link #MESSAGE_SYMBOL_CHARS} chars is shown by its first and last chars
 * around the count of chars left out ({@link TapeEvents#cut}), so the message stays within a few
 * KiB whatever the program; {@link #problems()}
 * holds them all, whole.
 */
public final class LinkException extends TapeException {
    private static final long serialVersionUID = 1L;

    /** The most problems the message spells out; {@link #problems()} has every one. */
    public static final int MESSAGE_PROBLEMS = 16;

    /** The longest symbol the message shows whole, in chars: 256 ({@link TapeEvents#MAX_TEXT}). */
    public static final int MESSAGE_SYMBOL_CHARS = TapeEvents.MAX_TEXT;

    /** Why an import did not link. */
    public enum Reason {
        /** The host provides nothing under the symbol. */
        MISSING,
        /** The host provides the symbol, but only with other signatures ({@link Problem#offered()}). */
        SIGNATURE_MISMATCH,
        /** The host's {@link dev.tape.host.Host#resolve resolve} threw ({@link Problem#cause()}). */
        RESOLVER_FAILED
    }

    /**
     * One host import that did not link.
     *
     * @param symbol the host symbol the program imports, for example {@code "app.minmax"}
     * @param expected the signature the program declares for it
     * @param reason why it did not link
     * @param offered the signatures the host provides under the symbol (empty unless
     *     {@link Reason#SIGNATURE_MISMATCH})
     * @param cause what the host's resolver threw ({@link Reason#RESOLVER_FAILED}), else null
     */
    public record Problem(String symbol, Signature expected, Reason reason, List<Signature> offered, Throwable cause) {
        /**
         * Copies the list.
         *
         * @param symbol the host symbol
         * @param expected the declared signature
         * @param reason why it did not link
         * @param offered the signatures the host provides under the symbol
         * @param cause what the resolver threw, or null
         */
        public Problem {
            offered = List.copyOf(offered);
        }

        /**
         * Describes the problem for a person, in one line.
         *
         * @return one line, for example {@code app.minmax (i64, i64) -> (i64, i64): signature
         *     mismatch, the host offers (i64) -> (i64)}; the symbol and a resolver's message are program- or
         *     host-controlled text, given as they are (escape them before printing to a terminal)
         */
        public String describe() {
            String head = symbol + " " + expected + ": ";
            return switch (reason) {
                case MISSING -> head + "the host does not provide it";
                case SIGNATURE_MISMATCH -> head + "signature mismatch, the host offers "
                        + String.join(" or ", offered.stream().map(Signature::toString).toList());
                // the generic rule, which never throws (a resolver's exception's getMessage may)
                case RESOLVER_FAILED -> head + "the host's resolver threw " + TapeException.classAndMessage(cause);
            };
        }
    }

    private final transient List<Problem> problems;

    /**
     * Makes the exception for the imports that did not link.
     *
     * @param problems the imports that did not link, at least one
     * @throws IllegalArgumentException when {@code problems} is empty
     */
    public LinkException(List<Problem> problems) {
        super(message(problems), problems.isEmpty() ? null : problems.get(0).cause(), true);
        this.problems = List.copyOf(problems);
    }

    private static String message(List<Problem> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a link exception needs at least one problem");
        }
        StringBuilder sb = new StringBuilder();
        sb.append(problems.size()).append(problems.size() == 1 ? " host import does" : " host imports do")
                .append(" not link: ");
        int n = Math.min(problems.size(), MESSAGE_PROBLEMS);
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append("; ");
            }
            Problem p = problems.get(i);
            String symbol = TapeEvents.cut(p.symbol());
            sb.append(symbol == p.symbol() ? p.describe()
                    : new Problem(symbol, p.expected(), p.reason(), p.offered(), p.cause()).describe());
        }
        if (problems.size() > n) {
            sb.append("; and ").append(problems.size() - n).append(" more");
        }
        return sb.toString();
    }

    /**
     * The imports that did not link, with why.
     *
     * @return every import that did not link, in the order of the program's host signature table
     */
    public List<Problem> problems() {
        return problems;
    }
}
