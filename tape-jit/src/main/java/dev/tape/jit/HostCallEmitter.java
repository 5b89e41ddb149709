package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.program.ValueKind;
import dev.tape.program.ValueType;
import dev.tape.value.Aggregate;
import dev.tape.verify.internal.LOp;
import dev.tape.vm.internal.CompileView;
import dev.tape.vm.internal.CompileView;

import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

import static dev.tape.jit.JitCompiler.ARGS;
import static dev.tape.jit.JitCompiler.BASE;
import static dev.tape.jit.JitCompiler.C;
import static dev.tape.jit.JitCompiler.CALLS;
import static dev.tape.jit.JitCompiler.CLASS;
import static dev.tape.jit.JitCompiler.CTX;
import static dev.tape.jit.JitCompiler.DEPTH;
import static dev.tape.jit.JitCompiler.FUEL;
import static dev.tape.jit.JitCompiler.FUNC;
import static dev.tape.jit.JitCompiler.MH_T;
import static dev.tape.jit.JitCompiler.R;
import static dev.tape.jit.JitCompiler.RESULTS;
import static dev.tape.jit.JitCompiler.RT;
import static dev.tape.jit.JitCompiler.SITE;
import static dev.tape.jit.JitCompiler.SITE_N;
import static dev.tape.jit.JitCompiler.SITE_T;
import static dev.tape.jit.JitCompiler.STACK;
import static dev.tape.jit.JitCompiler.TMP;
import static dev.tape.jit.JitCompiler.UNWIND;
import static dev.tape.jit.JitCompiler.VALUE;
import static dev.tape.jit.JitCompiler.VALUES;
import static dev.tape.jit.JitCompiler.VM;
import static dev.tape.jit.JitCompiler.W;
import static org.objectweb.asm.Opcodes.AASTORE;
import static org.objectweb.asm.Opcodes.ALOAD;
import static org.objectweb.asm.Opcodes.ANEWARRAY;
import static org.objectweb.asm.Opcodes.ASTORE;
import static org.objectweb.asm.Opcodes.ATHROW;
import static org.objectweb.asm.Opcodes.CHECKCAST;
import static org.objectweb.asm.Opcodes.DUP;
import static org.objectweb.asm.Opcodes.GETFIELD;
import static org.objectweb.asm.Opcodes.GETSTATIC;
import static org.objectweb.asm.Opcodes.IASTORE;
import static org.objectweb.asm.Opcodes.ICONST_0;
import static org.objectweb.asm.Opcodes.IFEQ;
import static org.objectweb.asm.Opcodes.ILOAD;
import static org.objectweb.asm.Opcodes.INVOKESTATIC;
import static org.objectweb.asm.Opcodes.LADD;
import static org.objectweb.asm.Opcodes.LASTORE;
import static org.objectweb.asm.Opcodes.LCMP;
import static org.objectweb.asm.Opcodes.LCONST_0;
import static org.objectweb.asm.Opcodes.LLOAD;
import static org.objectweb.asm.Opcodes.LSTORE;
import static org.objectweb.asm.Opcodes.POP;

/**
 * The host calls of one function's method ({@code host_call}): each argument boxed by its static
 * kind through the interpreter's host ABI ({@code Calls.begin}, {@code invoke}, {@code result}),
 * or, for a word function ({@code WordCalls}), the words passed unboxed (a one-to-three-word
 * function's through a constant handle C2 inlines, without ending its block); the checks after a
 * call (a suspension, extra fuel charged); and the Java stack share a run the host function starts
 * reads. {@link CallSiteEmitter} extends it with the direct and indirect calls.
 */
abstract class HostCallEmitter extends CallEmitter {
    /**
     * @param view the program and tier
     * @param linking whether calls go through the tier's call sites
     * @param mv the method being generated
     * @param f its function
     * @param inline what may run inline or be kept in locals ({@link Inlining})
     */
    HostCallEmitter(CompileView view, boolean linking, MethodVisitor mv, int f, Inlining inline) {
        super(view, linking, mv, f, inline);
    }

    /**
     * Whether the method publishes its Java stack share once, in its prologue ({@link #publishOnce}),
     * instead of before each host call: when its function makes no {@code call} or
     * {@code call.indirect} (nothing but a host call's own nested run, which restores it, changes
     * the share while the method runs) and makes at least one host call.
     */
    private Boolean stackOnce;

    private boolean stackOnce() {
        if (stackOnce == null) {
            boolean host = false;
            boolean calls = false;
            int len = fn.code().length;
            int[] pcOf = fn.pcOf();
            for (int i = 0; i < len; i++) {
                if (pcOf[i] < 0) {
                    continue;
                }
                int op = code[entry + i];
                host |= op == Op.HOST_CALL;
                calls |= op == Op.CALL || op == LOp.CALL_INDIRECT_FUNC
                        || op == LOp.CALL_INDIRECT_CLOSURE;
            }
            stackOnce = host && !calls;
        }
        return stackOnce;
    }

    /**
     * In the prologue: publishes the Java stack this frame has left when the method publishes it
     * once ({@link #stackOnce}). Every host call of such a method then finds the share holding
     * this frame's value, as when it was written before each call: the tier writes it before
     * entering or resuming the method, no callee frame runs while the method does, and a run a
     * host function starts puts the share back as it found it when it ends.
     */
    final void publishOnce() {
        if (stackOnce()) {
            writeStack();
        }
    }

    /** Publishes the Java stack this frame has left, for a run the host function may start. */
    private void publishStack() {
        if (!stackOnce()) {
            writeStack();
        }
    }

    private void writeStack() {
        mv.visitVarInsn(ALOAD, C);
        mv.visitFieldInsn(GETFIELD, CTX, "stackShare", "[I");
        mv.visitInsn(ICONST_0);
        mv.visitVarInsn(ILOAD, STACK);
        mv.visitInsn(IASTORE);
    }

    /**
     * Pushes the host-call runtime's leading arguments for the host call at code index {@code i}
     * of host signature {@code sig}: the VM, the context, the site (when {@code site}), the
     * signature id, the call's global ip and the fuel left: the context's (after
     * {@link #fuelOut}), or the method's fuel local plus {@code refund} (the fuel of the block's
     * instructions after the call, charged with the block) when {@code fuelLocal} (a call that
     * leaves the fuel in the local and does not end its block).
     */
    private void callHead(int i, int sig, boolean site, boolean fuelLocal, int refund) {
        mv.visitVarInsn(ALOAD, VM);
        mv.visitVarInsn(ALOAD, C);
        if (site) {
            mv.visitVarInsn(ALOAD, SITE);
        }
        push(sig);
        global(i);
        if (fuelLocal) {
            // the block was charged whole at its start: the interpreter's fuel left once the
            // host_call is paid for also has the block's later instructions' fuel
            mv.visitVarInsn(LLOAD, FUEL);
            if (refund != 0) {
                mv.visitLdcInsn((long) refund);
                mv.visitInsn(LADD);
            }
        } else {
            mv.visitVarInsn(ALOAD, C);
            mv.visitFieldInsn(GETFIELD, CTX, "fuel", "J");
        }
    }

    /**
     * A host call, specialised to its signature: each argument is boxed by its static kind, a
     * word result is unboxed after one type test, and the rest is the interpreter's own steps
     * ({@code Calls.begin}, {@code invoke}, {@code result}).
     */
    final void host(int i, int g, int refund) {
        int shape = view.hostWordShape(code[g + 1]);
        if (shape >= 0) {
            wordHost(i, g, refund, shape);
            return;
        }
        at(i, refund);
        fuelOut(true);
        int sig = code[g + 1];
        int argc = code[g + 2];
        mv.visitVarInsn(ALOAD, VM);
        mv.visitVarInsn(ALOAD, C);
        push(sig);
        mv.visitMethodInsn(INVOKESTATIC, CALLS, "begin", "(Ldev/tape/vm/Vm;L" + CTX + ";I)" + SITE_T, false);
        mv.visitVarInsn(ASTORE, SITE);
        ValueKind[] kinds = view.hostArgKinds(sig);
        int at = g + 3 + argc;
        int retc = code[at];
        // fresh argument and result arrays, as Calls.host uses (no GC card marking per call)
        values(argc, ARGS);
        for (int j = 0; j < argc; j++) {
            mv.visitVarInsn(ALOAD, ARGS);
            push(j);
            box(kinds[j], code[g + 3 + j]);
            mv.visitInsn(AASTORE);
        }
        values(retc, RESULTS);
        publishStack();
        callHead(i, sig, true, false, 0);
        mv.visitVarInsn(ALOAD, ARGS);
        mv.visitVarInsn(ALOAD, RESULTS);
        mv.visitMethodInsn(INVOKESTATIC, CALLS, "invoke",
                "(Ldev/tape/vm/Vm;L" + CTX + ";" + SITE_T + "IIJ" + VALUES + VALUES + ")V", false);
        suspendCheck(i);
        for (int j = 0; j < retc; j++) {
            int dst = code[at + 1 + j];
            ValueType t = view.hostRetTypes(sig)[j];
            // both helpers take (vm, c, site, sig, results, j, ...)
            mv.visitVarInsn(ALOAD, VM);
            mv.visitVarInsn(ALOAD, C);
            mv.visitVarInsn(ALOAD, SITE);
            push(sig);
            mv.visitVarInsn(ALOAD, RESULTS);
            push(j);
            if (Aggregate.isWord(t.kind()) && t == ValueType.of(t.kind()) && regClass(dst) == LOp.WORD_CLASS) {
                index(dst);
                mv.visitMethodInsn(INVOKESTATIC, RT, "resultWord",
                        "(Ldev/tape/vm/Vm;L" + CTX + ";" + SITE_T + "I" + VALUES + "II)J", false);
                storeW(dst);
                continue;
            }
            // the interpreter's check and store into the register files, then back into the local
            reloadFiles();
            mv.visitVarInsn(ALOAD, W);
            mv.visitVarInsn(ALOAD, R);
            index(dst);
            mv.visitMethodInsn(INVOKESTATIC, CALLS, "result",
                    "(Ldev/tape/vm/Vm;L" + CTX + ";" + SITE_T + "I" + VALUES + "I[J[Ljava/lang/Object;I)V", false);
            if (dst < fn.regCount()) {
                reload(dst);
            }
        }
        chargeCheck();
        fuelIn();
    }

    /** After a host call: when its function asked to suspend, hands over at this host_call, its results not stored. */
    private void suspendCheck(int i) {
        Label go = new Label();
        mv.visitVarInsn(ALOAD, C);
        mv.visitFieldInsn(GETFIELD, CTX, "hostSuspended", "Z");
        mv.visitJumpInsn(IFEQ, go);
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(ALOAD, SITE);
        mv.visitVarInsn(ILOAD, FUNC);
        push(i);
        mv.visitVarInsn(ILOAD, BASE);
        mv.visitVarInsn(ILOAD, DEPTH);
        mv.visitMethodInsn(INVOKESTATIC, RT, "suspended", "(L" + CTX + ";" + SITE_T + "IIII)" + UNWIND, false);
        mv.visitInsn(ATHROW);
        mv.visitLabel(go);
        frame();
    }

    /** After a host call: applies the extra fuel its function charged, if any. */
    private void chargeCheck() {
        Label none = new Label();
        mv.visitVarInsn(ALOAD, SITE);
        mv.visitFieldInsn(GETFIELD, SITE_N, "charged", "J");
        mv.visitVarInsn(LSTORE, TMP);
        mv.visitVarInsn(LLOAD, TMP);
        mv.visitInsn(LCONST_0);
        mv.visitInsn(LCMP);
        mv.visitJumpInsn(IFEQ, none);
        mv.visitVarInsn(ALOAD, C);
        mv.visitVarInsn(LLOAD, TMP);
        mv.visitMethodInsn(INVOKESTATIC, RT, "charge", "(L" + CTX + ";J)V", false);
        mv.visitLabel(none);
        frame();
    }

    /** The runtime of word functions' host calls. */
    private static final String WORDS = "dev/tape/vm/WordCalls";

    /**
     * A host call of a word function ({@code WordCalls}), no value boxed: the argument registers'
     * words passed as {@code long}s with the function as a constant handle (one to three words:
     * C2 inlines the function, {@link #fewWords}) or through the site's word array after
     * {@code Calls.begin}, each result's word stored in its register (a bool's as 0 or 1). A
     * one-to-three-word function has no context, so it can neither suspend the run nor charge
     * fuel: only a {@code WORDS} function's call checks for both afterwards.
     */
    private void wordHost(int i, int g, int refund, int shape) {
        at(i, refund);
        int sig = code[g + 1];
        int argc = code[g + 2];
        int at = g + 3 + argc;
        int retc = code[at];
        if (shape != 0) {
            fewWords(i, g, shape, refund);
            return;
        }
        fuelOut(true);
        mv.visitVarInsn(ALOAD, VM);
        mv.visitVarInsn(ALOAD, C);
        push(sig);
        mv.visitMethodInsn(INVOKESTATIC, CALLS, "begin", "(Ldev/tape/vm/Vm;L" + CTX + ";I)" + SITE_T, false);
        mv.visitVarInsn(ASTORE, SITE);
        publishStack();
        mv.visitVarInsn(ALOAD, SITE);
        mv.visitMethodInsn(INVOKESTATIC, WORDS, "words", "(" + SITE_T + ")[J", false);
        for (int j = 0; j < argc; j++) {
            mv.visitInsn(DUP);
            push(j);
            loadW(code[g + 3 + j]);
            mv.visitInsn(LASTORE);
        }
        mv.visitInsn(POP);
        callHead(i, sig, true, false, 0);
        mv.visitMethodInsn(INVOKESTATIC, WORDS, "callWords", "(Ldev/tape/vm/Vm;L" + CTX + ";" + SITE_T + "IIJ)V",
                false);
        suspendCheck(i);
        for (int j = 0; j < retc; j++) {
            mv.visitVarInsn(ALOAD, VM);
            mv.visitVarInsn(ALOAD, SITE);
            push(sig);
            push(j);
            mv.visitMethodInsn(INVOKESTATIC, WORDS, "result", "(Ldev/tape/vm/Vm;" + SITE_T + "II)J", false);
            wordResult(code[at + 1 + j]);
        }
        chargeCheck();
        fuelIn();
    }

    /**
     * The host call at code index {@code i} (global index {@code g}) of a one-to-three-word
     * function ({@code WordFunction.OF1..OF3}, {@code shape} 1 to 3): counted in a local
     * ({@link HostCount}, limit tested at the block's start; at most four values never reach the
     * copy budget), the words as arguments of {@code WordCalls.call<shape>} with the function's
     * constant handle, the result's word into its register.
     *
     * <p>The fuel stays in the method's local (no write to the context and no read back): such a
     * function sees no context, so it cannot charge fuel or suspend, and nothing the call runs
     * reads the context's fuel (a traced or recorded call's site takes the fuel left as an
     * argument, and a run the function starts on the same context is refused as in use). Were the
     * call to trap (a function that throws), the handler writes the local to the
     * context, as it is after {@link #fuelOut}, and adds the block's unrun fuel, {@code refund}.
     * So the call does not end its block ({@link #fewWordHost}): the instructions after it are
     * charged with it at the block's start.
     */
    private void fewWords(int i, int g, int shape, int refund) {
        int sig = code[g + 1];
        int argc = code[g + 2];
        int dst = code[g + 4 + argc];
        heapOut(true); // a traced call's site may show the run's counters; the function cannot allocate
        countHost(); // the limit was tested at the block's start (HostCount)
        publishStack();
        callHead(i, sig, false, true, refund);
        int k = hostLinked.indexOf(sig);
        if (k < 0) {
            k = hostLinked.size();
            hostLinked.add(sig);
        }
        mv.visitFieldInsn(GETSTATIC, CLASS, "H" + k, MH_T);
        for (int j = 0; j < argc; j++) {
            loadW(code[g + 3 + j]);
        }
        mv.visitMethodInsn(INVOKESTATIC, WORDS, "call" + shape,
                "(Ldev/tape/vm/Vm;L" + CTX + ";IIJ" + MH_T + "J".repeat(argc) + ")J", false);
        if (view.hostRetTypes(sig)[0].kind() == ValueKind.BOOL) {
            mv.visitMethodInsn(INVOKESTATIC, WORDS, "bool", "(J)J", false);
        }
        wordResult(dst);
    }

    /** Stores the {@code long} on the stack, a word result, in register {@code dst}. */
    private void wordResult(int dst) {
        if (regClass(dst) == LOp.WORD_CLASS) {
            storeW(dst);
            return;
        }
        // a register without a word local: into the word file, then back into its local
        mv.visitVarInsn(LSTORE, TMP);
        reloadFiles();
        mv.visitVarInsn(ALOAD, W);
        index(dst);
        mv.visitVarInsn(LLOAD, TMP);
        mv.visitInsn(LASTORE);
        if (dst < fn.regCount()) {
            reload(dst);
        }
    }

    /** Stores a new {@code Value[n]} (the shared empty array when n is 0) in local {@code local}. */
    private void values(int n, int local) {
        if (n == 0) {
            mv.visitFieldInsn(GETSTATIC, CALLS, "NO_VALUES", VALUES);
        } else {
            push(n);
            mv.visitTypeInsn(ANEWARRAY, VALUE);
        }
        mv.visitVarInsn(ASTORE, local);
    }

    /** Pushes register {@code reg}, of kind {@code k}, as a {@code Value}. */
    private void box(ValueKind k, int reg) {
        switch (k) {
            case I64 -> {
                loadW(reg);
                mv.visitMethodInsn(INVOKESTATIC, VALUE, "i64", "(J)Ldev/tape/value/Value$I64;", true);
            }
            case U64 -> {
                loadW(reg);
                mv.visitMethodInsn(INVOKESTATIC, VALUE, "u64", "(J)Ldev/tape/value/Value$U64;", true);
            }
            case F64 -> {
                loadW(reg);
                mv.visitMethodInsn(INVOKESTATIC, VALUE, "f64Bits", "(J)Ldev/tape/value/Value$F64;", true);
            }
            case BOOL, FUNC -> {
                mv.visitFieldInsn(GETSTATIC, "dev/tape/program/ValueKind", k.name(), "Ldev/tape/program/ValueKind;");
                loadW(reg);
                mv.visitMethodInsn(INVOKESTATIC, "dev/tape/value/Aggregate", "fromWord",
                        "(Ldev/tape/program/ValueKind;J)L" + VALUE + ";", false);
            }
            case UNIT -> mv.visitFieldInsn(GETSTATIC, VALUE, "UNIT", "Ldev/tape/value/Value$Unit;");
            default -> {
                loadR(reg);
                mv.visitTypeInsn(CHECKCAST, VALUE);
            }
        }
    }
}
