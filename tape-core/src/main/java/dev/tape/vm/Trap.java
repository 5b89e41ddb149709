package dev.tape.vm;

import java.util.List;

/**
 * A run stopped with a trap (spec section "Traps (v1)"). It says why ({@link #kind()}), where
 * (function id and name, byte pc, span id), for host failures which host function (symbol and
 * signature hash), the VM call stack innermost first, and the fuel left.
 */
public final class Trap extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * One frame of the VM call stack.
     *
     * @param func the function id
     * @param name the function's name from the names section, or {@code null}
     * @param pc the byte pc (the trapping instruction, or the call being executed)
     * @param span the span id in force there, or -1
     */
    public record Frame(int func, String name, int pc, long span) {}

    private final TrapKind kind;
    private final long code;
    private final int func;
    private final String funcName;
    private final int pc;
    private final long span;
    private final String hostSymbol;
    private final long sigHash;
    private final String detail;
    private final List<Frame> stack;
    private final long fuelRemaining;

    /**
     * @param kind why
     * @param code the trap code for {@link TrapKind#TRAP_CODE} (an unsigned 32-bit number), else 0
     * @param func the trapping function id
     * @param funcName its name, or {@code null}
     * @param pc the byte pc of the trapping instruction
     * @param span the span id in force, or -1
     * @param hostSymbol the host symbol for host-call traps, else {@code null}
     * @param sigHash the host signature hash for host-call traps, else 0
     * @param detail more words on the cause, or {@code null}
     * @param stack the VM call stack, innermost frame first
     * @param fuelRemaining fuel left when the run stopped, in fuel units
     */
    public Trap(TrapKind kind, long code, int func, String funcName, int pc, long span, String hostSymbol, long sigHash,
                String detail, List<Frame> stack, long fuelRemaining) {
        super(text(kind, code, func, funcName, pc, span, hostSymbol, detail), null, false, false);
        this.kind = kind;
        this.code = code;
        this.func = func;
        this.funcName = funcName;
        this.pc = pc;
        this.span = span;
        this.hostSymbol = hostSymbol;
        this.sigHash = sigHash;
        this.detail = detail;
        this.stack = List.copyOf(stack);
        this.fuelRemaining = fuelRemaining;
    }

    private static String text(TrapKind kind, long code, int func, String name, int pc, long span, String symbol,
                               String detail) {
        StringBuilder b = new StringBuilder("trap: ").append(label(kind, code)).append(" at ").append(func);
        if (name != null) {
            b.append(" (").append(name).append(')');
        }
        b.append(" pc ").append(pc).append(" span ").append(span < 0 ? "none" : Long.toUnsignedString(span));
        if (symbol != null) {
            b.append(" host ").append(symbol);
        }
        if (detail != null) {
            b.append(": ").append(detail);
        }
        return b.toString();
    }

    private static String label(TrapKind kind, long code) {
        return kind == TrapKind.TRAP_CODE ? "trap_code(" + code + ")" : kind.label();
    }

    /** @return the manifest's name of the trap, for example {@code "div_by_zero"} or {@code "trap_code(7)"} */
    public String label() {
        return label(kind, code);
    }

    /** @return why the run trapped */
    public TrapKind kind() {
        return kind;
    }

    /** @return the trap instruction's code (unsigned 32-bit) for {@link TrapKind#TRAP_CODE}, else 0 */
    public long code() {
        return code;
    }

    /** @return the trapping function id */
    public int func() {
        return func;
    }

    /** @return the trapping function's name, or {@code null} */
    public String funcName() {
        return funcName;
    }

    /** @return the byte pc of the trapping instruction in its function's bytecode */
    public int pc() {
        return pc;
    }

    /** @return the span id in force at the pc, or -1 when none */
    public long span() {
        return span;
    }

    /** @return the host symbol of a failed host call, or {@code null} */
    public String hostSymbol() {
        return hostSymbol;
    }

    /** @return the signature hash of a failed host call, or 0 */
    public long sigHash() {
        return sigHash;
    }

    /** @return more words on the cause, or {@code null} */
    public String detail() {
        return detail;
    }

    /** @return the VM call stack, innermost frame (the trapping one) first */
    public List<Frame> stack() {
        return stack;
    }

    /** @return fuel left when the run stopped, in fuel units */
    public long fuelRemaining() {
        return fuelRemaining;
    }
}
