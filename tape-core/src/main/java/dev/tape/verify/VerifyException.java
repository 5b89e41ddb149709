package dev.tape.verify;

import dev.tape.TapeException;

/**
 * A program failed verification (spec section "Verification (normative)"). It carries the
 * reference verifier's error name ({@link #kind()}, for example {@code "UninitializedRead"}), the
 * function id, the byte pc and mnemonic of the offending instruction where there is one, and a
 * reason a person can act on.
 */
public final class VerifyException extends TapeException {
    private static final long serialVersionUID = 1L;

    /** The reference verifier's error name, for example {@code "TypeMismatch"}. */

    private final String kind;
    /** The function id, or -1 for a program-level error. */
    private final int func;
    /** The byte pc of the offending instruction, or -1. */
    private final int pc;
    /** The offending instruction's mnemonic, or {@code null}. */
    private final String mnemonic;
    /** What is wrong, without the location. */
    private final String reason;

    /**
     * Makes the error for one broken rule, at a place in the program where there is one.
     *
     * @param kind the error name, as the reference verifier names it
     * @param func the function id, or -1 for a program-level error
     * @param pc the byte offset of the instruction, or -1 when the error has no instruction
     * @param mnemonic the instruction's mnemonic, or {@code null}
     * @param reason what is wrong
     */
    public VerifyException(String kind, int func, int pc, String mnemonic, String reason) {
        super(message(kind, func, pc, mnemonic, reason));
        this.kind = kind;
        this.func = func;
        this.pc = pc;
        this.mnemonic = mnemonic;
        this.reason = reason;
    }

    private static String message(String kind, int func, int pc, String mnemonic, String reason) {
        StringBuilder b = new StringBuilder("verify error");
        if (func >= 0) {
            b.append(" in function ").append(func);
        }
        if (pc >= 0) {
            b.append(" at pc ").append(pc);
        }
        if (mnemonic != null) {
            b.append(" (").append(mnemonic).append(')');
        }
        return b.append(": ").append(reason).append(" [").append(kind).append(']').toString();
    }

    /**
     * The name of the broken rule, as the reference verifier names it.
     *
     * @return the error name, for example {@code "TypeMismatch"}
     */
    public String kind() {
        return kind;
    }

    /**
     * The function where the rule is broken.
     *
     * @return the function id, or -1 for a program-level error
     */
    public int func() {
        return func;
    }

    /**
     * Where the rule is broken, in the function's bytecode.
     *
     * @return the byte pc of the instruction, or -1
     */
    public int pc() {
        return pc;
    }

    /**
     * The mnemonic of the instruction that breaks the rule.
     *
     * @return the instruction's mnemonic, or {@code null}
     */
    public String mnemonic() {
        return mnemonic;
    }

    /**
     * The description of the problem alone, without function, pc or mnemonic.
     *
     * @return what is wrong, without the location
     */
    public String reason() {
        return reason;
    }
}
