package dev.tape.jit;

import dev.tape.classinit.ClassInit;
import dev.tape.host.Host;
import dev.tape.verify.VerifiedProgram;
import dev.tape.vm.LinkException;
import dev.tape.vm.Vm;
import dev.tape.vm.VmOptions;
import dev.tape.vm.internal.CompilerAccess;

/**
 * The compiled tier ({@code tape-jit}): makes a {@link Vm} whose runs execute JVM bytecode
 * compiled from the program's verified functions instead of interpreting them.
 *
 * <p>A compiled run is indistinguishable from an interpreted one: same results, the same traps
 * at the same function, pc and span, the same fuel left, host calls and limits. The compiled code
 * works on the interpreter's state and hands the rest of a run to the interpreter whenever it must
 * (a basic block with less fuel left than it has instructions, a call deeper than the Java stack
 * allows, or a function too large to compile), so these never change an outcome. Runs traced
 * with call, host or instruction events are interpreted; run-level tracing works with either.
 *
 * <p>Compilation is on demand: {@link #compile} compiles nothing; a function gets JVM bytecode
 * when it first runs in a compiled run (as a run's entry, or called from compiled code), and the
 * interpreter runs it until then. Functions that share a code blob and signature share one method.
 * Each compile defines one small hidden class; a VM defines at most 2,048 classes of at most
 * 64 KiB each and 8 MiB in all, and past that interprets; past its first 64 classes, one more per
 * 20,000 fuel units its runs have used (docs/PERFORMANCE.md, "The compiled tier"). Any error the JVM raises while a class is generated or defined
 * ({@code OutOfMemoryError} of metaspace, {@code LinkageError}, {@code ClassFormatError}, ...)
 * leaves that function to the interpreter; none reaches the embedder. So does one the JVM raises
 * while it loads, links or initialises the compiled tier's own classes (a class it fails to load
 * once for want of memory): the VM being made, or the function being compiled, is interpreted, and
 * a later {@link #compile} or compile tries again. The classes are unloaded
 * with the VM. The returned VM is like any other: it holds no run state and may run on many
 * threads at once; compiles are serialised per VM and never change an outcome.
 *
 * <p>Design note: this module holds the code generator only (ASM). The compiled tier's runtime (the
 * budgets, the call sites, the hand-over to the interpreter) lives in tape-core beside the
 * interpreter, whose package-private state it works on; the generator reaches the program through
 * the narrow internal interface {@code dev.tape.vm.internal}, which the module {@code dev.tape.core}
 * exports to this module alone, and tape-core defines the generated classes in its own package. So no
 * package is split between the two modules, and both work on the module path and the class path.
 */
public final class Jit {
    private Jit() {}

    /**
     * Makes a VM for a program whose functions are compiled as they first run. Costs time and
     * memory proportional to the number of functions (a few arrays), nothing per instruction.
     *
     * @param program the verified program
     * @param host the host that provides the program's host functions ({@link Host#NONE} for none)
     * @return a VM that runs compiled code where it can (a function the compiler cannot or may not
     *     compile is interpreted, and so is every function of a VM made while the JVM could not
     *     load the compiled tier's classes: outcomes are the same either way, and
     *     {@link #compiledFunctions} tells)
     * @throws IllegalArgumentException when an argument is null
     * @throws LinkException when the host does not provide one or more of the program's host
     *     imports (all are listed), or its resolver threw
     * @throws StackOverflowError when the calling thread has too little Java stack left to have the
     *     compiled tier's classes initialised (only while they are not yet, in this class loader)
     */
    public static Vm compile(VerifiedProgram program, Host host) {
        return compile(program, host, VmOptions.DEFAULT);
    }

    /**
     * Makes a VM as {@link #compile(VerifiedProgram, Host)} does, with options (for example lazy
     * linking).
     *
     * @param program the verified program
     * @param host the host that provides the program's host functions ({@link Host#NONE} for none)
     * @param options how to make the VM ({@link VmOptions#lazyLinking()})
     * @return a VM that runs compiled code where it can
     * @throws IllegalArgumentException when an argument is null
     * @throws LinkException with eager linking, when the host does not provide one or more of the
     *     program's host imports (all are listed), or its resolver threw
     * @throws StackOverflowError when the calling thread has too little Java stack left to have the
     *     compiled tier's classes initialised (only while they are not yet, in this class loader)
     */
    public static Vm compile(VerifiedProgram program, Host host, VmOptions options) {
        return make(program, host, options, false);
    }

    /**
     * Makes a VM as {@link #compile(VerifiedProgram, Host, VmOptions)} does, whose compiled code
     * keeps one JVM frame per VM frame: every call is a real call, none of a small leaf function
     * or of a small function looping over an array its caller keeps out of the heap runs inline in
     * its caller's method. For a sampling profiler ({@link dev.tape.vm.StackSampler}), which reads
     * the functions a run is in from the Java stack: in a VM from {@link #compile}, time spent in
     * an inlined callee, a whole loop's included, is seen in its caller. Outcomes are the same either way; calls of
     * small functions are slower.
     *
     * @param program the verified program
     * @param host the host that provides the program's host functions ({@link Host#NONE} for none)
     * @param options how to make the VM ({@link VmOptions#lazyLinking()})
     * @return a VM that runs compiled code where it can, one JVM frame per VM frame
     * @throws IllegalArgumentException when an argument is null
     * @throws LinkException with eager linking, when the host does not provide one or more of the
     *     program's host imports (all are listed), or its resolver threw
     * @throws StackOverflowError when the calling thread has too little Java stack left to have the
     *     compiled tier's classes initialised (only while they are not yet, in this class loader)
     */
    public static Vm compileFramed(VerifiedProgram program, Host host, VmOptions options) {
        return make(program, host, options, true);
    }

    /**
     * {@link #compile} and {@link #compileFramed}: a VM whose runs execute compiled code, or, when
     * the compiled tier cannot be set up now (the JVM fails to load, link or initialise one of its
     * classes, or has no memory for them), one that interprets; a later call tries again.
     *
     * @throws StackOverflowError when the caller has too little Java stack left to have the
     *     compiled tier's classes initialised (see {@link ClassInit#initialise}), before any is
     */
    private static Vm make(VerifiedProgram program, Host host, VmOptions options, boolean framed) {
        // the warm-up first, so that it loads ASM while the compiled tier's classes are initialised
        // up front (see ClassInitList), which ends with ASM's
        warmUp();
        CompilerAccess access;
        // not the interface's type: linking this class then loads no class of tape-core's
        JitCompiler codegen;
        try {
            ClassInitList.compile();
            access = CompilerAccess.get();
            codegen = framed ? JitCompiler.FRAMED : JitCompiler.INSTANCE;
        } catch (StackOverflowError e) {
            // the caller's stack is too short to have the classes initialised (ClassInit#initialise)
            throw e;
        } catch (RuntimeException | LinkageError | VirtualMachineError e) {
            // the compiled tier cannot be had now: this VM interprets (outcomes are the same)
            return new Vm(program, host, options);
        }
        // never throws but for the VM's own errors: it interprets when its compiled tier fails
        return access.compile(program, host, options, codegen);
    }

    /**
     * Starts, once per class loader of this module (once per JVM for most embedders), the compiled
     * tier's warm-up on a background daemon thread and returns at once: the thread loads and links
     * the classes a first compile needs (ASM's, this module's, the compiled tier's runtime's; it
     * initialises none of tape's) and spins the method-handle forms a first compiled run uses,
     * while the calling thread goes on. {@link #compile} and
     * {@link #compileFramed} start it too; an embedder that calls this earlier (at start-up, before
     * reading, decoding and verifying its program) gives it time to finish before the first compiled
     * run, which then pays little of that. Optional and harmless: outcomes never depend on it (it
     * changes no state of tape's, and a first compile that comes before it is done loads what it
     * needs itself); any failure ends it quietly; later calls do nothing; the system property
     * {@code dev.tape.jit.warmup=false} turns it off. It costs the JVM that work once (about 8 to
     * 12 ms of CPU on the build machine, class loading a first compile would otherwise do), on the
     * other thread.
     */
    public static void warmUp() {
        try {
            Warmup.start();
        } catch (RuntimeException | LinkageError | VirtualMachineError e) {
            // the JVM could not load or run it (no memory): the warm-up is optional
        }
    }

    /**
     * Compiles every function of a compiled-tier VM now, within its budgets, instead of as each
     * first runs (for an embedder that wants no compile during runs, and for tests).
     *
     * @param vm a VM from {@link #compile}; any other is left alone
     * @return how many of its program's functions have compiled code after it
     */
    public static int precompile(Vm vm) {
        CompilerAccess access = access();
        return access == null ? 0 : access.precompile(vm);
    }

    /**
     * Counts the functions of a VM that have compiled code.
     *
     * @param vm a VM
     * @return how many of its program's functions have compiled code so far (0 for an
     *     interpreting VM); it grows as functions first run
     */
    public static int compiledFunctions(Vm vm) {
        CompilerAccess access = access();
        return access == null ? 0 : access.compiledFunctions(vm);
    }

    /**
     * @return the compiled tier's access, or null when the JVM cannot load or initialise it now
     *     (then no VM has a compiled tier yet: the access is registered before the first one is made)
     */
    private static CompilerAccess access() {
        try {
            return CompilerAccess.get();
        } catch (RuntimeException | LinkageError | VirtualMachineError e) {
            return null;
        }
    }
}
