package dev.tape.jit;

import dev.tape.vm.internal.ClassInit;

/**
 * The classes with static initialisers that the compiled tier uses, which {@link ClassInit}
 * initialises up front on a thread of its own (see there why): tape-core's runtime's and
 * {@link JitCompiler} when a VM is made ({@link #compile()}, from {@link Jit#compile}), the rest,
 * ASM's among them, when the first function is generated ({@link #generate()}), so that making a VM
 * does not wait for ASM to load (the warm-up thread loads it meanwhile). This class has no static
 * initialiser (compile-time constants, flags that start false); {@code ClassInitGuardTest} keeps the
 * lists complete.
 */
final class ClassInitList {
    private ClassInitList() {}

    /** initialised by {@link #compile()}, after {@link ClassInit#JIT}: space-separated binary names */
    static final String COMPILE = "dev.tape.jit.JitCompiler";

    /** initialised by {@link #generate()}, with {@link ClassInit#JIT_CODE}: space-separated binary names */
    static final String GENERATE = "org.objectweb.asm.Opcodes org.objectweb.asm.Type org.objectweb.asm.Label "
            + "org.objectweb.asm.MethodWriter dev.tape.jit.JitCompiler$TooLarge dev.tape.jit.ImageReads$NeedsImage "
            + "dev.tape.jit.CallEmitter$1";

    /** set once {@link #COMPILE}'s classes have been initialised */
    private static volatile boolean compileDone;
    /** set once {@link #GENERATE}'s classes have been initialised */
    private static volatile boolean generateDone;

    /**
     * Initialises tape-core's classes, {@link ClassInit#JIT} and {@link #COMPILE}, once.
     *
     * @throws StackOverflowError as {@link ClassInit#initialise}
     */
    static void compile() {
        ClassInit.core();
        if (!compileDone) {
            compileDone = ClassInit.initialise(ClassInitList.class, ClassInit.JIT, COMPILE);
        }
    }

    /**
     * Initialises {@link #GENERATE}'s classes once.
     *
     * @throws StackOverflowError as {@link ClassInit#initialise}
     */
    static void generate() {
        if (!generateDone) {
            generateDone = ClassInit.initialise(ClassInitList.class, ClassInit.JIT_CODE, GENERATE);
        }
    }
}
