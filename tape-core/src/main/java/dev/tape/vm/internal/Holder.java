package dev.tape.vm.internal;

/** Holds the registered {@link CompilerAccess}. */
final class Holder {
    private Holder() {}

    /** the class of {@code dev.tape.vm} whose initialisation registers the instance */
    private static final String IMPL = "dev.tape.vm.JitAccess";

    private static volatile CompilerAccess access;

    /**
     * @return the registered instance
     * @throws IllegalStateException when tape-core lacks the implementing class
     * @throws LinkageError or {@link VirtualMachineError} when the JVM cannot load or initialise it
     *     now (a later call tries again)
     */
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
            if (a == null) {
                a = make();
            }
        }
        return a;
    }

    /**
     * Makes and registers the instance by reflection: only when the implementing class's
     * initialiser ran but could not register it (the JVM failed to load this class then, for want of
     * memory), which it never tries again.
     */
    private static synchronized CompilerAccess make() {
        if (access == null) {
            try {
                java.lang.reflect.Constructor<?> k = Class.forName(IMPL, false, Holder.class.getClassLoader())
                        .getDeclaredConstructor();
                // the same module's: always allowed
                k.setAccessible(true);
                access = (CompilerAccess) k.newInstance();
            } catch (ReflectiveOperationException | ClassCastException e) {
                throw new IllegalStateException("tape-core is incomplete: " + IMPL + " cannot be made", e);
            }
        }
        return access;
    }

    static synchronized void register(CompilerAccess a) {
        if (access != null) {
            throw new IllegalStateException("the compiler access is registered already");
        }
        access = a;
    }
}
