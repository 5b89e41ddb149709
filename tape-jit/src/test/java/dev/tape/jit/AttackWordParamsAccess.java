package dev.tape.jit;

/** The attack tests' access to {@link WordParams}' bounds. */
public final class AttackWordParamsAccess {
    private AttackWordParamsAccess() {
    }

    /** @return {@link WordParams#TRAMPOLINE_BYTES}, the most bytes of bytecode a trampoline takes (docs/SECURITY.md) */
    public static int trampolineBytes() {
        return WordParams.TRAMPOLINE_BYTES;
    }
}
