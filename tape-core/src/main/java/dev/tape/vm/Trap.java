package dev.tape.vm;

import dev.tape.TapeException;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * A run stopped with a trap (spec section "Traps (v1)"). It says why ({@link #kind()}), where
 * (function id and name, byte pc, span id), for host failures which host function (symbol and
 * signature hash), the VM call stack innermost first, and the fuel left.
 *
 * <p><b>Spans.</b> A span id is an unsigned 64-bit number from 1 to 2^64-1, held in a {@code long}
 * by its bits: read it with {@link Long#toUnsignedString(long)} (2^63 is {@link Long#MIN_VALUE},
 * 2^64-1 is {@code -1L}). Span ids are never 0 (the format reserves 0, see
 * {@link dev.tape.program.SpanEntry}), so {@link #NO_SPAN}, 0, says that no span table entry
 * covers the pc, distinct from every id; {@link #hasSpan()} tests for it.
 *
 * <p><b>Call stack.</b> A trap holds at most {@code 2 * }{@link #STACK_EDGE} frames, whatever
 * the depth of the run: when there are more, it keeps the innermost {@link #STACK_EDGE} and the
 * outermost {@link #STACK_EDGE} and counts those in between in {@link #elidedFrames()}, as JVM
 * and wasmtime backtraces do. So a trap costs the same to build, keep and print at depth 100 or
 * 10 million.
 */
public final class Trap extends TapeException {
    /** 2 since the call stack is a {@code Frame[]} (the twenty-seventh round): a form-1 trap does not read back. */
    private static final long serialVersionUID = 2L;

    /** The span value that means "no span covers the pc": 0, which is never a span id. */
    public static final long NO_SPAN = 0;

    /**
     * Frames a trap keeps at each end of a deep call stack: the innermost 64 and the outermost 64
     * (see {@link #elidedFrames()}).
     */
    public static final int STACK_EDGE = 64;

    /** The execution context whose run built this trap (set by {@link Vm}), else null. */
    transient Object origin;

    /** Marks the trap as built by the run of {@code ctx}; returns it. */
    Trap from(ExecutionContext ctx) {
        origin = ctx;
        return this;
    }

    /**
     * One frame of the VM call stack (Serializable, as the trap that holds it is: its serialized form
     * is its four components, documented below; it is left off javadoc's serialized-form page, whose
     * JDK 17 doclet asks a record for field comments it does not take from the {@code @param}s).
     *
     * @param func the function id
     * @param name the function's name from the names section, or {@code null}
     * @param pc the byte pc (the trapping instruction, or the call being executed)
     * @param span the span id in force there (unsigned 64-bit), or {@link #NO_SPAN} (0) when none
     * @serial exclude
     */
    public record Frame(int func, String name, int pc, long span) implements Serializable {
        /**
         * Tells whether a span table entry covers this frame's pc.
         *
         * @return whether a span covers the frame's pc ({@link #span()} is then its id)
         */
        public boolean hasSpan() {
            return span != NO_SPAN;
        }
    }

    /** Why the run trapped. */

    private final TrapKind kind;
    /** The trap instruction's code (unsigned 32-bit) for {@link TrapKind#TRAP_CODE}, else 0. */
    private final long code;
    /** The trapping function id. */
    private final int func;
    /** The trapping function's name, or {@code null}. */
    private final String funcName;
    /** The byte pc of the trapping instruction. */
    private final int pc;
    /** The span id in force at the trapping pc (unsigned 64-bit), or {@link #NO_SPAN}. */
    private final long span;
    /** The host symbol of a failed host call, or {@code null}. */
    private final String hostSymbol;
    /** The signature hash of a failed host call, or 0. */
    private final long sigHash;
    /** More words on the cause, or {@code null}. */
    private final String detail;
    /**
     * The call stack, innermost frame first, with the middle elided past {@link #STACK_EDGE}: an
     * array, which serializes with the trap ({@code List} is not {@code Serializable} as a type).
     */
    private final Frame[] stack;
    /** How many frames were left out of {@link #stack}. */
    private final int elidedFrames;
    /** Fuel left when the run stopped, in fuel units (unsigned 64-bit). */
    private final long fuelRemaining;

    /**
     * A trap whose call stack is given whole (frames past {@code 2 * }{@link #STACK_EDGE} are
     * elided as {@link #Trap(TrapKind, long, int, String, int, long, String, long, String, List,
     * int, long)} describes).
     *
     * @param kind why
     * @param code the trap code for {@link TrapKind#TRAP_CODE} (an unsigned 32-bit number), else 0
     * @param func the trapping function id
     * @param funcName its name, or {@code null}
     * @param pc the byte pc of the trapping instruction
     * @param span the span id in force (unsigned 64-bit), or {@link #NO_SPAN}
     * @param hostSymbol the host symbol for host-call traps, else {@code null}
     * @param sigHash the host signature hash for host-call traps, else 0
     * @param detail more words on the cause, or {@code null}
     * @param stack the VM call stack, innermost frame first
     * @param fuelRemaining fuel left when the run stopped, in fuel units (unsigned 64-bit, as {@link Limits#fuel()})
     */
    public Trap(TrapKind kind, long code, int func, String funcName, int pc, long span, String hostSymbol, long sigHash,
                String detail, List<Frame> stack, long fuelRemaining) {
        this(kind, code, func, funcName, pc, span, hostSymbol, sigHash, detail, stack, 0, fuelRemaining);
    }

    /**
     * A trap whose call stack may already have frames elided.
     *
     * @param kind why
     * @param code the trap code for {@link TrapKind#TRAP_CODE} (an unsigned 32-bit number), else 0
     * @param func the trapping function id
     * @param funcName its name, or {@code null}
     * @param pc the byte pc of the trapping instruction
     * @param span the span id in force (unsigned 64-bit), or {@link #NO_SPAN}
     * @param hostSymbol the host symbol for host-call traps, else {@code null}
     * @param sigHash the host signature hash for host-call traps, else 0
     * @param detail more words on the cause, or {@code null}
     * @param stack the VM call stack, innermost frame first; when {@code elidedFrames} is above 0,
     *     the frames elided sit after its first {@link #STACK_EDGE}. A stack longer than
     *     {@code 2 * STACK_EDGE} keeps its first and last {@code STACK_EDGE} frames and adds the
     *     others to the elided count.
     * @param elidedFrames frames of the VM call stack left out of {@code stack}, 0 or more
     * @param fuelRemaining fuel left when the run stopped, in fuel units (unsigned 64-bit, as {@link Limits#fuel()})
     * @throws IllegalArgumentException when {@code elidedFrames} is negative, or is above 0 while
     *     {@code stack} holds {@code STACK_EDGE} frames or fewer
     */
    public Trap(TrapKind kind, long code, int func, String funcName, int pc, long span, String hostSymbol, long sigHash,
                String detail, List<Frame> stack, int elidedFrames, long fuelRemaining) {
        super(text(kind, code, func, funcName, pc, span, hostSymbol, detail), null, false);
        if (elidedFrames < 0 || (elidedFrames > 0 && stack.size() <= STACK_EDGE)) {
            throw new IllegalArgumentException("elidedFrames must be 0 or more, and only above 0 after "
                    + STACK_EDGE + " innermost frames");
        }
        this.kind = kind;
        this.code = code;
        this.func = func;
        this.funcName = funcName;
        this.pc = pc;
        this.span = span;
        this.hostSymbol = hostSymbol;
        this.sigHash = sigHash;
        this.detail = detail;
        int n = stack.size();
        if (n > 2 * STACK_EDGE) {
            List<Frame> kept = new ArrayList<>(2 * STACK_EDGE);
            kept.addAll(stack.subList(0, STACK_EDGE));
            kept.addAll(stack.subList(n - STACK_EDGE, n));
            this.stack = List.copyOf(kept).toArray(new Frame[0]);
            this.elidedFrames = (int) Math.min(Integer.MAX_VALUE, (long) elidedFrames + n - 2 * STACK_EDGE);
        } else {
            this.stack = List.copyOf(stack).toArray(new Frame[0]);
            this.elidedFrames = elidedFrames;
        }
        this.fuelRemaining = fuelRemaining;
    }

    private static String text(TrapKind kind, long code, int func, String name, int pc, long span, String symbol,
                               String detail) {
        StringBuilder b = new StringBuilder("trap: ").append(label(kind, code)).append(" at ").append(func);
        if (name != null) {
            b.append(" (").append(name).append(')');
        }
        b.append(" pc ").append(pc).append(" span ").append(spanText(span));
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

    /**
     * The trap's name as the conformance manifest writes it.
     *
     * @return the manifest's name of the trap, for example {@code "div_by_zero"} or {@code "trap_code(7)"}
     */
    public String label() {
        return label(kind, code);
    }

    /**
     * The kind of the trap.
     *
     * @return why the run trapped
     */
    public TrapKind kind() {
        return kind;
    }

    /**
     * The code a {@code trap} instruction gave.
     *
     * @return the trap instruction's code (unsigned 32-bit) for {@link TrapKind#TRAP_CODE}, else 0
     */
    public long code() {
        return code;
    }

    /**
     * The function the trap happened in.
     *
     * @return the trapping function id
     */
    public int func() {
        return func;
    }

    /**
     * The name the program gives the trapping function.
     *
     * @return the trapping function's name, or {@code null}
     */
    public String funcName() {
        return funcName;
    }

    /**
     * Where the trapping instruction is in its function's bytecode.
     *
     * @return the byte pc of the trapping instruction in its function's bytecode
     */
    public int pc() {
        return pc;
    }

    /**
     * The span id in force at the trapping pc.
     *
     * @return the span id in force at the pc, an unsigned 64-bit number (read it with
     *     {@link Long#toUnsignedString(long)}), or {@link #NO_SPAN} (0, never an id) when no span
     *     table entry covers the pc
     */
    public long span() {
        return span;
    }

    /**
     * Tells whether a span table entry covers the trapping pc.
     *
     * @return whether a span covers the trapping pc ({@link #span()} is then its id)
     */
    public boolean hasSpan() {
        return span != NO_SPAN;
    }

    /**
     * Writes a span id for a person, in decimal.
     *
     * @param span a span id (unsigned 64-bit) or {@link #NO_SPAN}
     * @return its decimal digits (1 to 18446744073709551615), or {@code "none"} for {@link #NO_SPAN}
     */
    public static String spanText(long span) {
        return span == NO_SPAN ? "none" : Long.toUnsignedString(span);
    }

    /**
     * The host symbol whose call failed, when a host call trapped.
     *
     * @return the host symbol of a failed host call, or {@code null}
     */
    public String hostSymbol() {
        return hostSymbol;
    }

    /**
     * The signature hash of the host call that failed, when a host call trapped.
     *
     * @return the signature hash of a failed host call, or 0
     */
    public long sigHash() {
        return sigHash;
    }

    /**
     * Details of the cause, when there are any (a host function's message, for example).
     *
     * @return more words on the cause, or {@code null}
     */
    public String detail() {
        return detail;
    }

    /**
     * The VM call stack at the trap, with its middle left out when it is deep.
     *
     * @return the VM call stack, innermost frame (the trapping one) first, at most
     *     {@code 2 * }{@link #STACK_EDGE} frames: when {@link #elidedFrames()} is above 0, the
     *     innermost {@link #STACK_EDGE} frames, then the outermost ones (the entry frame last), with
     *     the elided frames between them; unmodifiable, a new list on each call
     */
    public List<Frame> stack() {
        return List.of(stack);
    }

    /**
     * Counts the frames left out of the middle of {@link #stack()}.
     *
     * @return how many frames of the VM call stack sit between the innermost and the outermost
     *     {@link #STACK_EDGE} of {@link #stack()} and are left out; 0 when the stack is whole. The
     *     run's depth at the trap is {@code stack().size() + elidedFrames()}.
     */
    public int elidedFrames() {
        return elidedFrames;
    }

    /** How {@link #hostCallDetail()} begins a detail. */
    private static final String NESTED = "in nested run (depth ";

    /**
     * The nesting rule: the detail of the {@code host_call_failed} trap of a host function that
     * threw this trap (the trap of a run it nested, say). {@code "in nested run (depth 1): "} and
     * this trap's message; when this trap is itself such a trap (a {@link TrapKind#HOST_CALL_FAILED}
     * whose detail begins {@code "in nested run (depth k): "}, {@code k} at most 9 characters that
     * {@link Integer#parseInt(CharSequence, int, int, int)} reads as 1 to {@code Integer.MAX_VALUE - 1},
     * a sign or leading zeros allowed), depth {@code k + 1} and the rest of
     * its detail, so that a chain of runs nested through host functions that each throw the nested
     * trap on says the nesting once (the innermost trap's words and the depth), not once per level
     * (up to {@code Vm.MAX_RUN_NESTING} levels). A detail that only looks so (no such number) is
     * taken whole, as depth 1. The result is at most 34 characters longer than {@link #getMessage()}
     * (21 for the prefix, 10 digits, 3 for {@code "): "}). Both tiers' host calls and
     * {@code RecordingHost} (so a replay) give this detail ({@code RunApiTest},
     * {@code AttackNestedTrapRecordingTest}).
     *
     * @return the detail, never null
     */
    @Override
    public String hostCallDetail() {
        String d = detail;
        if (kind == TrapKind.HOST_CALL_FAILED && d != null && d.startsWith(NESTED)) {
            int close = d.indexOf("): ", NESTED.length());
            if (close > NESTED.length() && close <= NESTED.length() + 9) {
                try {
                    int k = Integer.parseInt(d, NESTED.length(), close, 10);
                    if (k >= 1 && k < Integer.MAX_VALUE) {
                        return NESTED + (k + 1) + d.substring(close);
                    }
                } catch (NumberFormatException notOurs) {
                    // a detail of the host's own words: taken whole below
                }
            }
        }
        return NESTED + "1): " + getMessage();
    }

    /**
     * The fuel the run had left when it trapped.
     *
     * @return fuel left when the run stopped, in fuel units: unsigned 64-bit, as {@link Limits#fuel()}
     */
    public long fuelRemaining() {
        return fuelRemaining;
    }
}
