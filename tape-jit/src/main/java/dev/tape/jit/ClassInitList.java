package dev.tape.jit;

import dev.tape.classinit.ClassInit;

/**
 * The classes with static initialisers that the compiled tier uses, which {@link ClassInit}
 * initialises up front on a thread of its own (see there why). Tape's are one group, initialised
 * when a VM is made ({@link #compile()}, from {@link Jit#compile}): tape-core's runtime's, then
 * {@link JitCompiler} and the generator's. ASM's ({@link #ASM}) are initialised by the warm-up
 * thread ({@link Warmup}, started just before, on a thread of its own as well) right after it has
 * loaded them, beside the caller's own work, and each compile ({@link #generate()}) checks that it
 * has: only when it has not (turned off, not done yet, failed) does the compile wait for
 * {@link ClassInit}'s thread to do it. So a first compiled run waits once, not twice (a second wait
 * cost a first run about as much as the classes: a thread's start or wake-up, and the caller's, on
 * a loaded machine), and not for ASM, whose loading (class-file version 49, the JVM's slow old
 * verifier) the caller's own work overlaps. This class has no static initialiser (compile-time
 * constants, flags that start false); {@code ClassInitGuardTest} keeps the lists complete.
 */
final class ClassInitList {
    private ClassInitList() {}

    /** initialised by {@link #compile()}, after {@link ClassInit#JIT}: space-separated binary names */
    static final String COMPILE = "dev.tape.jit.JitCompiler";

    /**
     * the generator's, initialised by {@link #compile()} with {@link ClassInit#JIT_CODE} (again by
     * {@link #generate()} if that could not start its thread): space-separated binary names
     */
    static final String GENERATE = "dev.tape.jit.JitCompiler$TooLarge dev.tape.jit.ImageReads$NeedsImage "
            + "dev.tape.jit.HostCallEmitter$1 dev.tape.jit.Inlining";

    /**
     * ASM's classes with static initialisers that the generator uses (their initialisers touch only
     * their own class): initialised by the warm-up thread, else by {@link #generate()} on
     * {@link ClassInit}'s; space-separated binary names
     */
    static final String ASM = "org.objectweb.asm.Opcodes org.objectweb.asm.Type org.objectweb.asm.Label "
            + "org.objectweb.asm.MethodWriter";

    /** set once {@link #COMPILE}'s classes have been initialised */
    private static volatile boolean compileDone;
    /** set once {@link #GENERATE}'s classes have been initialised */
    private static volatile boolean generateDone;
    /** set once {@link #ASM}'s classes have been initialised */
    private static volatile boolean asmDone;

    /**
     * Initialises tape-core's classes, {@link ClassInit#JIT}, {@link #COMPILE}, {@link ClassInit#JIT_CODE}
     * and {@link #GENERATE}, once, in one call of {@link ClassInit}'s.
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
     * Makes sure {@link ClassInit#JIT_CODE}'s, {@link #GENERATE}'s and {@link #ASM}'s classes are
     * initialised, off the caller's thread: returns at once when {@link #compile()} and the warm-up
     * thread have done it, else initialises the rest on {@link ClassInit}'s thread and waits.
     *
     * @throws StackOverflowError as {@link ClassInit#initialise}
     */
    static void generate() {
        if (!asmDone && Warmup.asmInitialised()) {
            asmDone = true;
        }
        if (!generateDone || !asmDone) {
            boolean done = ClassInit.initialise(ClassInitList.class, generateDone ? "" : ClassInit.JIT_CODE,
                    generateDone ? "" : GENERATE, asmDone ? "" : ASM);
            generateDone |= done;
            asmDone |= done;
        }
    }
}
