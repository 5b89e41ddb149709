package dev.tape.vm;

/** Internal signal thrown by instruction helpers; the run loop turns it into a {@link Trap}. */
final class VmTrap extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final TrapKind kind;
    final long code;
    final String symbol;
    final long sigHash;

    VmTrap(TrapKind kind, String detail) {
        this(kind, 0, detail, null, 0);
    }

    VmTrap(TrapKind kind, long code, String detail, String symbol, long sigHash) {
        super(detail, null, false, false);
        this.kind = kind;
        this.code = code;
        this.symbol = symbol;
        this.sigHash = sigHash;
    }
}
