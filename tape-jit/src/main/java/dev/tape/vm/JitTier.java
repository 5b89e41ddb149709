package dev.tape.vm;

import java.lang.invoke.MethodHandle;

/** The compiled code of one program: a method handle per compiled function, null for the others. */
final class JitTier extends CompiledTier {
    /** per function id: {@code (Vm, ExecutionContext, int base, int depth, int stackWords) -> long}, or null */
    final MethodHandle[] handles;
    /** per function id: the Java stack its method may use, in words */
    final int[] costs;
    /** the most results any function returns (the size of the context's result arrays) */
    private final int maxResults;

    JitTier(MethodHandle[] handles, int[] costs, int maxResults) {
        this.handles = handles;
        this.costs = costs;
        this.maxResults = maxResults;
    }

    @Override
    boolean compiled(int func) {
        return handles[func] != null;
    }

    @Override
    int run(Vm vm, ExecutionContext c, int entry) {
        if (c.retW.length < maxResults) {
            c.retW = new long[maxResults];
            c.retR = new Object[maxResults];
        }
        try {
            // the entry's results stay in its registers (Vm reads them at its ret); the value is unused
            long ignored = (long) handles[entry].invokeExact(vm, c, 0, 1, JitRuntime.STACK_WORDS);
            c.consume(0);
            return Interpreter.DONE;
        } catch (JitRuntime.Unwind u) {
            c.consume(0);
            return c.tierStatus;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }
}
