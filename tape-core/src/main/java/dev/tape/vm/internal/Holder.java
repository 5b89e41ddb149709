package dev.tape.vm.internal;

/** Holds the registered {@link CompilerAccess}. */
final class Holder {
    private Holder() {}

    /** the class of {@code dev.tape.vm} whose initialisation registers the instance */
    private static final String IMPL = "dev.tape.vm.JitAccess";

    private static volatile CompilerAccess access;

    static CompilerAccess get() {
        CompilerAccess a = access;
        if (a == null) {
            try {
                // initialising the implementing class registers it (it is package-private: no import)
                Class.forName(IMPL, true, Holder.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("tape-core is incomplete: " + IMPL + " is missing", e);
            }
            a = access;
        }
        return a;
    }

    static synchronized void register(CompilerAccess a) {
        if (access != null) {
            throw new IllegalStateException("the compiler access is registered already");
        }
        access = a;
    }
}
