package dev.tape.jit;

import dev.tape.verify.internal.LoweredFunction;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import dev.tape.vm.internal.Codegen;
import dev.tape.vm.internal.CompileView;
import dev.tape.vm.internal.Generated;

/**
 * The compiler's package-private parts, for the compiled tier's white-box tests, which live in
 * tape-core's package {@code dev.tape.vm} (they read the tier's state there) and run on the class
 * path. Test code only.
 */
public final class JitTestAccess {
    private JitTestAccess() {}

    /** @return the code generator {@link Jit} uses */
    public static Codegen codegen() {
        return JitCompiler.INSTANCE;
    }

    /**
     * @param view a VM as the generator reads it
     * @param func a function id
     * @return the function's class, or null when it is too large
     */
    public static Generated generate(CompileView view, int func) {
        return JitCompiler.generateClass(view, func, true);
    }

    /**
     * @param view a VM as the generator reads it
     * @param func a function id
     * @return the function's class as {@link dev.tape.jit.Jit#compileFramed} generates it (no leaf
     *     call inlined), or null when it is too large
     */
    public static Generated generateFramed(CompileView view, int func) {
        return JitCompiler.generateClass(view, func, false);
    }

    /**
     * Generates a function's class as {@link #generate} does, and tells how.
     *
     * @param view a VM as the generator reads it
     * @param func a function id
     * @return {@code {generations, step}}: the method generations made, and the step of the
     *     fallback whose method fit (0: everything inline, 7: nothing; -1: none fit)
     */
    public static int[] steps(CompileView view, int func) {
        int[] stats = new int[2];
        JitCompiler.generateClass(view, func, true, stats);
        return stats;
    }

    /** @return the most method generations one function's compile makes */
    public static int maxAttempts() {
        return JitCompiler.MAX_ATTEMPTS;
    }

    /**
     * @param view a VM as the generator reads it (a measuring view: no call sites)
     * @param func a function id
     * @return its method's size in bytes of bytecode, whatever it is
     */
    public static int measure(CompileView view, int func) {
        return JitCompiler.measure(view, func);
    }

    /** @return the most trips one chunk of a counted loop runs ({@code CountedLoop.CHUNK}) */
    public static int countedLoopChunk() {
        return CountedLoop.CHUNK;
    }

    /**
     * @param fn a lowered function
     * @return the compiler's upper bound on its method's bytecode
     */
    public static int sizeBound(LoweredFunction fn) {
        return MethodSize.bound(fn);
    }

    /** @return the largest method compiled, in bytes of bytecode */
    public static int maxMethodBytes() {
        return JitCompiler.MAX_METHOD_BYTES;
    }

    /**
     * @param regCount a register count
     * @return the Java stack words a method with that many registers may take
     */
    public static int stackCost(int regCount) {
        return JitCompiler.cost(regCount);
    }

    /**
     * @return the Java stack words a trampoline ({@code WordParams}) takes from what it passes on:
     *     the entry of a function that calls itself with word arguments nests that much less
     */
    public static int trampolineWords() {
        return WordParams.TRAMPOLINE_WORDS;
    }

    /**
     * Counts the method calls in a generated class: its {@code invoke*} instructions of method
     * {@code name} of class {@code owner}, in every method.
     *
     * @param classBytes a class file, as {@link Generated#bytes()} holds it
     * @param owner the called class's internal name, for example {@code "dev/tape/vm/JitRuntime"}
     * @param name the called method's name
     * @return how many call instructions name it (0 or more)
     */
    public static int methodCalls(byte[] classBytes, String owner, String name) {
        int[] n = {0};
        new ClassReader(classBytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String m, String desc, String sig, String[] ex) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int op, String o, String called, String d, boolean itf) {
                        if (o.equals(owner) && called.equals(name)) {
                            n[0]++;
                        }
                    }
                };
            }
        }, 0);
        return n[0];
    }

    /**
     * The constants of a generated class's fuel tests, in code order: each {@code long} constant
     * loaded ({@code ldc}) right before an {@code lcmp} (a block's fuel test compares the fuel
     * local with its block's length, or more when it covers its successors, {@code FuelCover}).
     *
     * @param classBytes a class file, as {@link Generated#bytes()} holds it
     * @return the constants (compares of a register with a constant are listed too)
     */
    public static java.util.List<Long> fuelTests(byte[] classBytes) {
        java.util.List<Long> tests = new java.util.ArrayList<>();
        new ClassReader(classBytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String m, String desc, String sig, String[] ex) {
                return new MethodVisitor(Opcodes.ASM9) {
                    private Long last;

                    @Override
                    public void visitLdcInsn(Object value) {
                        last = value instanceof Long l ? l : null;
                    }

                    @Override
                    public void visitInsn(int op) {
                        if (op == Opcodes.LCMP && last != null) {
                            tests.add(last);
                        }
                        last = null;
                    }

                    @Override
                    public void visitVarInsn(int op, int var) {
                        last = null;
                    }

                    @Override
                    public void visitJumpInsn(int op, org.objectweb.asm.Label label) {
                        last = null;
                    }
                };
            }
        }, 0);
        return tests;
    }

    /**
     * Counts the kept-closure tests ({@code if_acmpne}) in a generated class, telling a peeled
     * method's copies apart ({@code LoopPeel}): a test in the first copy jumps forward (to the
     * site's checks), one in the steady copy backward (to the same site in the first copy).
     *
     * @param classBytes a class file, as {@link Generated#bytes()} holds it
     * @param steady whether to count the steady copy's tests (backward) rather than the first's
     * @return how many (0 or more)
     */
    public static int closureTests(byte[] classBytes, boolean steady) {
        int[] n = {0};
        new ClassReader(classBytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String m, String desc, String sig, String[] ex) {
                java.util.Set<org.objectweb.asm.Label> seen = new java.util.HashSet<>();
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitLabel(org.objectweb.asm.Label label) {
                        seen.add(label);
                    }

                    @Override
                    public void visitJumpInsn(int op, org.objectweb.asm.Label label) {
                        if (op == Opcodes.IF_ACMPNE && seen.contains(label) == steady) {
                            n[0]++;
                        }
                    }
                };
            }
        }, 0);
        return n[0];
    }

    /**
     * Counts the zero-operand instructions of one opcode (for example {@code Opcodes.LALOAD}) in a
     * generated class, in every method.
     *
     * @param classBytes a class file, as {@link Generated#bytes()} holds it
     * @param opcode the opcode
     * @return how many (0 or more)
     */
    public static int insns(byte[] classBytes, int opcode) {
        int[] n = {0};
        new ClassReader(classBytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String m, String desc, String sig, String[] ex) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitInsn(int op) {
                        if (op == opcode) {
                            n[0]++;
                        }
                    }
                };
            }
        }, 0);
        return n[0];
    }

    /**
     * The loop of a callee {@link LoopInliner} may inline, as {@link LoopBounds} sees it.
     *
     * @param view a VM as the generator reads it
     * @param func a function id
     * @return null when the function is no looping callee or its loop has no reads that can go
     *     unchecked, else {@code "index R end R reads N"} (its index and end registers, and how
     *     many reads of the index go unchecked behind the entry test)
     */
    public static String loopBounds(CompileView view, int func) {
        LoopInliner.Loop loop = LoopInliner.of(view, func);
        LoopBounds.Plan p = loop == null ? null : loop.bounds();
        return p == null ? null : "index " + p.index() + " end " + p.end() + " reads " + p.reads().length;
    }
}
