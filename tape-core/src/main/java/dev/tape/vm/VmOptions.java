package dev.tape.vm;

/**
 * How a {@link Vm} is made. Immutable; start from {@link #DEFAULT} and change with the
 * {@code with...} methods.
 *
 * <pre>
 * Vm vm = new Vm(program, host, VmOptions.DEFAULT.withLazyLinking(true));
 * </pre>
 */
public final class VmOptions {
    /** Eager linking. */
    public static final VmOptions DEFAULT = new VmOptions(false);

    private final boolean lazyLinking;

    private VmOptions(boolean lazyLinking) {
        this.lazyLinking = lazyLinking;
    }

    /**
     * Tells how host imports link: all when the VM is made, or each at its first call.
     *
     * @return whether host imports link lazily. {@code false} (the default): making the VM fails with
     *     one {@link LinkException} listing every host import the host does not provide (or whose
     *     resolver threw). {@code true}: making the VM never fails for that; calling an import that
     *     did not link traps {@code host_call_failed}, the trap's detail saying why (missing,
     *     signature mismatch with the signatures offered, or what the resolver threw)
     */
    public boolean lazyLinking() {
        return lazyLinking;
    }

    /**
     * Changes how host imports link.
     *
     * @param lazy whether host imports link lazily (see {@link #lazyLinking()})
     * @return options like these with that setting
     */
    public VmOptions withLazyLinking(boolean lazy) {
        return lazy == lazyLinking ? this : new VmOptions(lazy);
    }

    @Override
    public String toString() {
        return "VmOptions[lazyLinking=" + lazyLinking + "]";
    }
}
