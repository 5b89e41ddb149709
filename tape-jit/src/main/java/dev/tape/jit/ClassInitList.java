package dev.tape.jit;

import dev.tape.vm.internal.ClassInit;

/**
 * The classes with static initialisers that the compiled tier uses, which {@link ClassInit}
 * initialises up front on a thread of its own (see there why), all in one group when a VM is made
 * ({@link #compile()}, from {@link Jit#compile}): tape-core's runtime's and {@link JitCompiler}
 * first, then the generator's, ASM's among them, which the warm-up thread (started just before) has
 * begun to load meanwhile. A first run waits once, not twice: a first compile comes a millisecond or
 * two after the VM is made, and a second wait cost a first run about as much as the classes (a
 * thread's start, or wake-up, and the caller's, on a loaded machine). {@link #generate()}, at each
 * compile, is only the gate of the generator's classes for a VM made before a failed start. This class has no static
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
     * Initialises tape-core's classes, {@link ClassInit#JIT}, {@link #COMPILE}, {@link ClassInit#JIT_CODE}
     * and {@link #GENERATE}, once, on one thread.
     *
     * @throws StackOverflowError as {@link ClassInit#initialise}
     */
    static void compile() {
        ClassInit.core();
        if (!compileDone) {
            boolean done = ClassInit.initialise(ClassInitList.class, ClassInit.JIT, COMPILE,
                    generateDone ? "" : ClassInit.JIT_CODE, generateDone ? "" : GENERATE);
            generateDone |= done;
            compileDone = done;
        }
    }

    /**
     * Initialises {@link #GENERATE}'s classes once, unless {@link #compile()} has.
     *
     * @throws StackOverflowError as {@link ClassInit#initialise}
     */
    static void generate() {
        if (!generateDone) {
            generateDone = ClassInit.initialise(ClassInitList.class, ClassInit.JIT_CODE, GENERATE);
        }
    }
}
