package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;

/**
 * How large a function's generated method can get, known without generating it. The compiler does
 * not read it (it generates and measures, {@code JitCompiler.generateClass}); tests use it as an
 * oracle: a function under the bound must compile ({@code JitFuzzTest}) and no generated method may
 * exceed it ({@code JitSizeBoundTest}).
 */
final class MethodSize {
    private MethodSize() {}

    /**
     * An upper bound on the bytes of bytecode a function's method takes, without generating it:
     * no lowered instruction emits more than 80 bytes per int of its lowered form (a call's or a
     * host call's argument, a slow op's operand spilled, a block's fuel check and
     * resume switch entry, a host call's suspension check), and the prologue, the hand-over
     * handler and the resumed entry take at most 64 bytes per register (a decimal register's two
     * locals are boxed and unboxed there), plus a fixed part; a method with a direct or indirect
     * call may hold inlined leaves ({@link LeafInliner}): their locals' set-up and at most
     * {@link LeafInliner#MAX_METHOD_BYTES} in all, and looping callees ({@link LoopInliner}) at most
     * {@link LoopInliner#MAX_METHOD_BYTES} and {@link LoopInliner#MAX_BOUNDS_BYTES}; a method
     * with a {@code struct.new} may keep structs in locals ({@link VirtualStructs}), at most
     * {@link VirtualStructs#MAX_BYTES} more, and one with an {@code array.new} arrays ({@link VirtualArrays}), at most {@link VirtualArrays#MAX_BYTES};
     * a method with a call reads the leaves' room ({@link LeafRoom}) in its prologue and after
     * each call, indirect call and host call, {@link LeafRoom#REFRESH_BYTES} each, and keeps the
     * closures its first {@link ClosureCache#MAX_SITES} indirect calls checked last,
     * {@link ClosureCache#SITE_BYTES} each; a method with a call and a branch or jump may have its
     * loops peeled ({@link LoopPeel}: its blocks from the first loop header on emitted twice), so
     * its bound is doubled; a method may run a loop in chunks at each {@code br} that branches back
     * at most {@link CountedLoop#MAX_INTS} ints (a latch of a loop of its form), at most {@link
     * CountedLoop#bytesAt} more each: a fixed part and so much per int of the loop's range, so a
     * function with a short loop stays under the limit it fits (before the nineteenth round's
     * review, every {@code br} was counted {@link CountedLoop#MAX_BYTES}, more than the limit); and
     * each direct call may enter a pure callee's fast clone, {@link CallSiteEmitter#fastEntryBytes}
     * more (the clones themselves are other methods, each under {@link FastClone#bytesBound}).
     *
     * @param fn the lowered function
     * @return the bound, in bytes, at most {@link Integer#MAX_VALUE}
     */
    static int bound(LoweredFunction fn) {
        long bound = 240 + 80L * fn.code().length + 64L * fn.regCount();
        int[] code = fn.code();
        for (int s = 0; s < fn.instructionCount(); s++) {
            int op = code[fn.instructionStart(s)];
            if (op == Op.CALL || op == LOp.CALL_INDIRECT_FUNC || op == LOp.CALL_INDIRECT_CLOSURE) {
                bound += LeafInliner.POOL_INIT_BYTES + LeafInliner.MAX_METHOD_BYTES + LoopInliner.MAX_METHOD_BYTES
                        + LoopInliner.MAX_BOUNDS_BYTES;
                bound += LeafRoom.REFRESH_BYTES * (1L + callOuts(fn));
                bound += (long) ClosureCache.SITE_BYTES * ClosureCache.MAX_SITES;
                break;
            }
        }
        for (int s = 0; s < fn.instructionCount(); s++) {
            int at = fn.instructionStart(s);
            if (code[at] == Op.CALL) {
                // a pure callee's fast entry (FastClone)
                bound += CallSiteEmitter.fastEntryBytes(code[at + 2]);
            }
        }
        boolean calls = false;
        boolean jumps = false;
        long latches = 0;
        for (int s = 0; s < fn.instructionCount(); s++) {
            int op = code[fn.instructionStart(s)];
            calls |= op == Op.CALL || op == LOp.CALL_INDIRECT_FUNC || op == LOp.CALL_INDIRECT_CLOSURE;
            jumps |= op == Op.BR || op == Op.JMP;
            latches += op == Op.BR ? CountedLoop.bytesAt(code, fn.instructionStart(s)) : 0;
        }
        for (int s = 0; s < fn.instructionCount(); s++) {
            int op = code[fn.instructionStart(s)];
            if (op == Op.STRUCT_NEW || op == LOp.TUPLE_NEW_W) {
                bound += VirtualStructs.MAX_BYTES;
                break;
            }
        }
        for (int s = 0; s < fn.instructionCount(); s++) {
            if (code[fn.instructionStart(s)] == Op.ARRAY_NEW) {
                bound += VirtualArrays.MAX_BYTES;
                break;
            }
        }
        long all = (calls && jumps ? 2 * bound : bound) + latches;
        return (int) Math.min(all, Integer.MAX_VALUE);
    }

    /** The calls, indirect calls and host calls of {@code fn}: where it reads the fuel back. */
    private static int callOuts(LoweredFunction fn) {
        int[] code = fn.code();
        int n = 0;
        for (int s = 0; s < fn.instructionCount(); s++) {
            int op = code[fn.instructionStart(s)];
            if (op == Op.CALL || op == LOp.CALL_INDIRECT_FUNC || op == LOp.CALL_INDIRECT_CLOSURE
                    || op == Op.HOST_CALL) {
                n++;
            }
        }
        return n;
    }
}
