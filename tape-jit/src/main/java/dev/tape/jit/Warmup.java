package dev.tape.jit;

import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

import static org.objectweb.asm.Opcodes.ACC_FINAL;
import static org.objectweb.asm.Opcodes.ACC_STATIC;
import static org.objectweb.asm.Opcodes.ACC_SUPER;
import static org.objectweb.asm.Opcodes.ACC_SYNTHETIC;
import static org.objectweb.asm.Opcodes.LCONST_0;
import static org.objectweb.asm.Opcodes.LRETURN;
import static org.objectweb.asm.Opcodes.V17;

/**
 * The compiled tier's one-time warm-up (issue 14, first runs): a daemon thread that makes the JVM
 * load and link (verify) the classes a first compile needs: ASM's ({@link Work#ASM_CLASSES}, about
 * 10 ms of CPU: ASM is class-file version 49, which HotSpot checks with its old type-inferring
 * verifier), and initialises those of them a compile needs initialised ({@link ClassInitList#ASM});
 * then it generates one tiny class with ASM, defines it as a hidden class and calls its
 * method through a method handle of a compiled method's erased type, which spins the method-handle
 * forms a first compiled run uses; then the generator's and the compiled tier's runtime's classes
 * ({@link Work#TAPE_CLASSES}). All this while the embedder's thread does other work (decoding,
 * verifying, binding, its own start-up): a first compile that comes later finds it done; one that
 * comes while the thread works loads what it needs itself (the JVM loads and links each class once,
 * whichever thread asks first).
 *
 * <p><b>No class of tape is initialised</b> by the thread (only loaded and linked, which runs no
 * code of the class), other than this one's {@link Work}, whose initialiser makes its three constants
 * and touches no other class of tape's: a thread that initialised classes beside the
 * embedder's could deadlock with it on a cycle of static initialisers (a class whose initialiser
 * needs another that is being initialised by the other thread, and the reverse). The classes it
 * does initialise, ASM's (whose initialisers each touch only their own class), its hidden class
 * (none) and the JDK's method-handle internals, have no such cycle with tape's.
 *
 * <p>Started at most once per JVM, or rather per class loader that loads tape-jit ({@link #start()},
 * from {@link Jit#warmUp()} and every {@link Jit#compile}); a daemon, so it never keeps a JVM alive.
 * Nothing depends on it: it changes no state of tape's (only what the JVM has loaded), so a VM's
 * outcomes are the same whether it has finished, is running, or never ran. Bounded: a fixed list of
 * classes and one class of one three-byte method. Failure-free: every {@link Throwable} it meets (a
 * class missing, no thread to be had, an {@code OutOfMemoryError}) ends that step or the thread
 * quietly. The system property
 * {@value #OFF_PROPERTY}{@code =false} turns it off.
 *
 * <p><b>This class has no static initialiser</b> (its constants are compile-time ones; the lists are
 * in {@link Work}, which only the thread's work initialises): the embedder's first compile
 * initialises it, and an initialiser that failed there (a {@link StackOverflowError} when that
 * thread is deep in its own recursion, an {@code OutOfMemoryError}) would leave the class unusable
 * for good, every later {@link Jit#compile} in that class loader throwing
 * {@code NoClassDefFoundError}. {@code WarmupTest} checks that it has none, and that such a call
 * breaks nothing.
 */
final class Warmup {
    private Warmup() {}

    /** the thread's name */
    static final String THREAD_NAME = "tape-jit-warmup";

    /** the system property that turns the warm-up off when it is {@code false} */
    static final String OFF_PROPERTY = "dev.tape.jit.warmup";

    /** set once the thread has been started (or its start attempted); written under the class's lock */
    private static volatile boolean started;

    /** set once {@link #run()} has initialised every class of {@link ClassInitList#ASM} */
    private static volatile boolean asmInitialised;

    /**
     * What the thread works through, in a class of its own so that {@link Warmup} needs no static
     * initialiser: initialised by the first {@link #run()} (on the thread), its initialiser makes these
     * three constants and touches no other class of tape's.
     */
    static final class Work {
        private Work() {}

        /**
         * ASM's classes that a first compile loads (from {@code -Xlog:class+load} of first runs of fib,
         * closure_loop and rules), which the thread loads and links first: they take longest, and a
         * first compile needs them after tape-jit's first few. {@code WarmupTest} checks that each exists.
         */
        static final String[] ASM_CLASSES = {
            "org.objectweb.asm.ClassVisitor", "org.objectweb.asm.ClassWriter",
            "org.objectweb.asm.RecordComponentVisitor", "org.objectweb.asm.RecordComponentWriter",
            "org.objectweb.asm.ModuleVisitor", "org.objectweb.asm.ModuleWriter", "org.objectweb.asm.AnnotationVisitor",
            "org.objectweb.asm.AnnotationWriter", "org.objectweb.asm.MethodVisitor", "org.objectweb.asm.MethodWriter",
            "org.objectweb.asm.FieldVisitor", "org.objectweb.asm.FieldWriter", "org.objectweb.asm.ComputeLimits",
            "org.objectweb.asm.LimitExceededException", "org.objectweb.asm.SymbolTable", "org.objectweb.asm.Symbol",
            "org.objectweb.asm.SymbolTable$Entry", "org.objectweb.asm.ByteVector", "org.objectweb.asm.Frame",
            "org.objectweb.asm.CurrentFrame", "org.objectweb.asm.Type", "org.objectweb.asm.Label",
            "org.objectweb.asm.Opcodes", "org.objectweb.asm.Handler", "org.objectweb.asm.Attribute",
            "org.objectweb.asm.ClassTooLargeException", "org.objectweb.asm.MethodTooLargeException",
        };

        /**
         * The generator's and the compiled tier's runtime's classes that a first compile or run loads
         * (same source; completed in the fourteenth round from the classes the running thread still
         * loaded itself during first compiles of all twelve workloads: the loop inliner's, the block
         * flow's, {@code LOp}, {@code Generated}; {@code WarmupTest} checks that a first compile after
         * the warm-up loads none of the generator's, and spins no lambda of its: the call site's and
         * the aggregate reads' are the plain classes {@code CallSiteEmitter$RealCall} and
         * {@code InlineOps$ObjectRead}), less those {@link Jit#compile} needs before it
         * could start the thread, which the thread loads and links after the method-handle forms: those
         * a compile needs last first, so that a compile that starts while the thread works loads its
         * first ones itself, beside it. {@code WarmupTest} checks that each exists.
         */
        static final String[] TAPE_CLASSES = {
            "dev.tape.vm.internal.Generated", "dev.tape.jit.LoopPeel", "dev.tape.jit.BlockFlow",
            "dev.tape.jit.FuelCover", "dev.tape.jit.CallCover",
            "dev.tape.jit.WordParams", "dev.tape.jit.FastClone", "dev.tape.jit.FastClone$Sites",
            "dev.tape.jit.FastClone$Emitter", "dev.tape.jit.FastClone$Ops", "dev.tape.jit.WordOps", "dev.tape.vm.JitRuntime$Bail",
            "dev.tape.jit.CountedLoop$Plan", "dev.tape.jit.CountedLoop", "dev.tape.jit.F64Locals",
            "dev.tape.jit.F64Locals$Trip",
            "dev.tape.jit.HostCount", "dev.tape.jit.VirtualArrays", "dev.tape.jit.LoopInliner$LoopBody",
            "dev.tape.jit.LoopInliner$Loop",
            "dev.tape.jit.LoopBounds$Site", "dev.tape.jit.LoopBounds$Plan", "dev.tape.jit.LoopBounds",
            "dev.tape.jit.LoopInliner", "dev.tape.verify.internal.LOp",
            "dev.tape.jit.LeafInliner", "dev.tape.jit.LeafInliner$Leaf", "dev.tape.jit.LeafInliner$Body",
            "dev.tape.jit.InlineBody", "dev.tape.jit.InlineScan",
            "dev.tape.jit.HeapLocal", "dev.tape.jit.VirtualStructs", "dev.tape.jit.LeafRoom",
            "dev.tape.jit.DeadAggregates", "dev.tape.jit.CallSiteEmitter$RealCall", "dev.tape.jit.InlineOps$ObjectRead",
            "dev.tape.jit.InlineOps", "dev.tape.jit.ClosureCache",
            "dev.tape.jit.ValueOps", "dev.tape.vm.JitResume", "dev.tape.vm.JitRuntime", "dev.tape.vm.JitRuntime$Unwind",
            "dev.tape.vm.JitTier$Made", "dev.tape.vm.JitView", "dev.tape.vm.JitTier$Shape", "dev.tape.jit.ImageReads",
            "dev.tape.jit.LocalsEmitter", "dev.tape.jit.CallSiteEmitter", "dev.tape.jit.HostCallEmitter",
            "dev.tape.jit.CallEmitter", "dev.tape.jit.InlineOps$Emitter", "dev.tape.jit.InstructionEmitter",
            "dev.tape.jit.MethodEmitter", "dev.tape.verify.internal.LoweredFunction$Derived",
        };

        /** the erased type of a compiled method's entry: {@code (Vm, ExecutionContext, int x 5)long} */
        static final MethodType ENTRY_SHAPE = MethodType.methodType(long.class, Object.class, Object.class, int.class,
                int.class, int.class, int.class, int.class);
    }

    /**
     * Starts the warm-up thread the first time it is called in this JVM, unless the system property
     * {@value #OFF_PROPERTY} is {@code false}; later calls do nothing. Returns at once. Never throws.
     *
     * @return the thread it started, or null when it started none (turned off, a later call, or no
     *     thread to be had)
     */
    static Thread start() {
        try {
            if (started || "false".equals(System.getProperty(OFF_PROPERTY))) {
                return null;
            }
            synchronized (Warmup.class) {
                if (started) {
                    return null;
                }
                started = true;
            }
            return spawn();
        } catch (Throwable e) {
            // a security manager's refusal, no thread to be had: the first compile does the work itself
            return null;
        }
    }

    /**
     * Starts a daemon thread named {@link #THREAD_NAME} that runs {@link #run()} (for {@link #start()}
     * and tests).
     *
     * @return the started thread
     * @throws OutOfMemoryError when the JVM has no thread to give (other errors as
     *     {@link Thread#start()})
     */
    static Thread spawn() {
        // an anonymous class, not a lambda: no invokedynamic call site to link on the caller's thread
        Thread t = new Thread(new Runnable() {
            @Override
            public void run() {
                Warmup.run();
            }
        }, THREAD_NAME);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * The thread's work, also callable on any thread (tests): loads and links {@link Work#ASM_CLASSES},
     * initialises {@link ClassInitList#ASM}'s ({@link #initialiseAsm}), spins the entry's method-handle
     * forms ({@link #spinEntryShape()}), then loads and links {@link Work#TAPE_CLASSES}. Never throws.
     *
     * @return how many of its steps succeeded: one per class, one for ASM's initialisers, one for the
     *     forms
     */
    static int run() {
        try {
            int done = 0;
            ClassLoader loader = Warmup.class.getClassLoader();
            for (String name : Work.ASM_CLASSES) {
                done += link(name, loader) ? 1 : 0;
            }
            done += initialiseAsm(loader) ? 1 : 0;
            done += spinEntryShape() ? 1 : 0;
            for (String name : Work.TAPE_CLASSES) {
                done += link(name, loader) ? 1 : 0;
            }
            return done;
        } catch (Throwable e) {
            // Work's initialiser failed (no memory): nothing was done
            return 0;
        }
    }

    /**
     * Initialises ASM's classes that the generator needs initialised ({@link ClassInitList#ASM}, whose
     * initialisers touch only their own class), once they are loaded, so that a compile need not wait
     * for {@link dev.tape.classinit.ClassInit}'s thread to do it ({@link ClassInitList#generate()}
     * reads {@link #asmInitialised()}). This thread has the stack of a new thread, as that one does.
     * Never throws.
     *
     * @param loader the loader of tape-jit (and so of its ASM)
     * @return whether every one of them was initialised (then {@link #asmInitialised()} is true)
     */
    static boolean initialiseAsm(ClassLoader loader) {
        try {
            String names = ClassInitList.ASM;
            int from = 0;
            while (from < names.length()) {
                int end = names.indexOf(' ', from);
                end = end < 0 ? names.length() : end;
                Class.forName(names.substring(from, end), true, loader);
                from = end + 1;
            }
            asmInitialised = true;
            return true;
        } catch (Throwable e) {
            // missing or failed: a compile initialises what is left on ClassInit's thread
            return false;
        }
    }

    /**
     * @return whether the warm-up has initialised every class of {@link ClassInitList#ASM} (in this
     *     class loader)
     */
    static boolean asmInitialised() {
        return asmInitialised;
    }

    /**
     * Loads and links a class without initialising it. Never throws.
     *
     * @param name its binary name
     * @param loader the loader to load it with
     * @return whether it was loaded and linked
     */
    static boolean link(String name, ClassLoader loader) {
        try {
            // HotSpot links (and so verifies) a class before it lists its members; no initialiser runs
            return Class.forName(name, false, loader).getDeclaredConstructors() != null;
        } catch (Throwable e) {
            return false;
        }
    }

    /**
     * Generates with ASM a hidden class whose one static method has {@link Work#ENTRY_SHAPE} (initialising
     * ASM's writer classes), defines it, and calls the method through {@code invokeExact}: the JDK
     * makes the method-handle forms per erased type, so these are the forms of a compiled entry's
     * handle and of {@code JitTier.run}'s call of it. Never throws.
     *
     * @return whether it all ran
     */
    static boolean spinEntryShape() {
        try {
            ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_MAXS);
            cw.visit(V17, ACC_FINAL | ACC_SUPER | ACC_SYNTHETIC, "dev/tape/jit/WarmupShape", null, "java/lang/Object",
                    null);
            MethodVisitor mv = cw.visitMethod(ACC_STATIC, "entry", Work.ENTRY_SHAPE.toMethodDescriptorString(), null,
                    null);
            mv.visitCode();
            mv.visitInsn(LCONST_0);
            mv.visitInsn(LRETURN);
            mv.visitMaxs(0, 0);
            mv.visitEnd();
            cw.visitEnd();
            MethodHandles.Lookup l = MethodHandles.lookup().defineHiddenClass(cw.toByteArray(), true);
            MethodHandle h = l.findStatic(l.lookupClass(), "entry", Work.ENTRY_SHAPE);
            long r = (long) h.invokeExact((Object) null, (Object) null, 0, 0, 0, 0, 0);
            return r == 0;
        } catch (Throwable e) {
            return false;
        }
    }
}
