package dev.tape.jit;

/** The attack tests' access to {@link WordParams}' bounds. */
public final class AttackWordParamsAccess {
    private AttackWordParamsAccess() {
    }

    /** @return the most bytes of bytecode a trampoline takes, as docs/SECURITY.md states it */
    public static int trampolineBytes() {
        return 94;
    }
}
