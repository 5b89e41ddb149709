package dev.tape.jit;

import dev.tape.format.Op;
import dev.tape.verify.internal.LOp;
import dev.tape.verify.internal.LoweredFunction;

import java.util.List;

import static org.objectweb.asm.Opcodes.DOUBLE;
import static org.objectweb.asm.Opcodes.INTEGER;
import static org.objectweb.asm.Opcodes.LONG;

/**
 * Loops run in chunks while their method is new, so that HotSpot compiles it sooner (issue 14:
 * the first run). HotSpot compiles a method that is called often once it has been called about
 * 200 times (with its loops' back edges, {@code i >= 100 && i + b >= 2000}, scaled up while its
 * compile queue is busy), but a loop that runs in one call only by an on-stack replacement after
 * about 60,000 back edges (also scaled), all of them in its bytecode interpreter at some hundred
 * ns each. So, in a method that calls nothing (no call, {@code call.indirect} or host call) and
 * keeps no struct or array in locals, each loop header that the method can be resumed at
 * ({@code CompileView.entrances}) counts down a budget local: at zero the frame writes its
 * registers (and fuel and heap room) to the context, as the hand-over handler does, and the
 * method calls itself, resumed at that header, for the next {@link #ITERATIONS} trips; that
 * callee (a chunk: its {@code resume} argument has {@link #CHILD} set) returns at its own zero to
 * the caller, which calls the next chunk, and so on; any other exit of a chunk (its {@code ret},
 * a trap, a hand-over) is the frame's own, as the caller's would have been. The chunks of a
 * method's class are counted in a static field of the class; after {@link #CHUNKS} of them no
 * frame is armed any more (the budget starts at 0 and, going negative, is zero again only after
 * 2^32 trips, when the frame goes on unchunked), so the steady state pays one decrement and test
 * per trip. The counter is shared by threads without synchronisation: it decides speed, never a
 * result.
 *
 * <p>Nothing observable changes: a chunk starts at a resume point with the registers, fuel and
 * heap count the frame wrote, which is exactly how a paused frame is resumed ({@code JitResume}),
 * and the header block's fuel is charged by the chunk. The chunk's frame is a callee's on the
 * Java stack: it is given {@code stackWords} less the method's {@link JitCompiler#cost}, and a
 * frame with less than that left is not armed (and, when its budget comes round to zero, goes on
 * at the header itself).
 */
final class LoopChunks {
    private LoopChunks() {}

    /** the least fuel a chunk may use before it returns to its caller (more when a block is longer) */
    static final long FUEL = Long.getLong("chunkfuel", 128);
    /** the chunks a method's class runs in all before no frame of it is armed any more */
    static final int CHUNKS = Integer.getInteger("chunkn", 4096);
    /** the bit of the {@code resume} argument that makes the frame a chunk (code indices are below it) */
    static final int CHILD = 1 << 30;
    /** the name of the class's static {@code int} field that counts its chunks */
    static final String FIELD = "chunks";
    /**
     * the context's {@code tierStatus} as a chunk leaves it when it returns at its budget's end
     * (the caller sets it to 0 before each chunk; the field is otherwise read only after a
     * hand-over or trap has set it)
     */
    static final int CHUNKED = -2;

    /**
     * @param fn a function
     * @param inline what the method may run inline or keep in locals
     * @return whether its method may chunk its loops: it is compiled with inlining (not the framed
     *     compiler, whose Java stack shows one frame per VM frame), has a branch or jump, calls
     *     nothing and is shorter than {@link #CHILD} code indices
     */
    static boolean wanted(LoweredFunction fn, Inlining inline) {
        int[] code = fn.code();
        if (!inline.any() || code.length >= CHILD) {
            return false;
        }
        boolean jumps = false;
        for (int s = 0; s < fn.instructionCount(); s++) {
            int op = code[fn.instructionStart(s)];
            if (op == Op.CALL || op == LOp.CALL_INDIRECT_FUNC || op == LOp.CALL_INDIRECT_CLOSURE
                    || op == Op.HOST_CALL || op == LOp.NO_CODE) {
                return false;
            }
            jumps |= op == Op.BR || op == Op.JMP;
        }
        return jumps;
    }

    /**
     * Adds the budget's and the resume index's {@code int} locals to {@code types}.
     *
     * @return the budget's slot (the index's is the next), or -1 when not {@code wanted}
     */
    static int slot(boolean wanted, List<Object> types) {
        if (!wanted) {
            return -1;
        }
        int slot = 0;
        for (Object t : types) {
            slot += LONG.equals(t) || DOUBLE.equals(t) ? 2 : 1;
        }
        types.add(INTEGER);
        types.add(INTEGER);
        types.add(LONG);
        return slot;
    }

    /**
     * The loop headers a method counts at: the targets of reachable back edges (a {@code br} or
     * {@code jmp} to a block at or before itself) that are resume points. Linear in the code.
     *
     * @param code the image's code
     * @param entry the function's first global code index
     * @param pcOf per code index, the instruction's pc where one starts, else negative
     * @param leaders per code index, whether a block starts there
     * @param reachable per block start, whether the block is reachable
     * @param entrances per code index, whether the method can be resumed there
     * @return per code index, whether it is such a header; null when there is none
     */
    static boolean[] headers(int[] code, int entry, int[] pcOf, boolean[] leaders, boolean[] reachable,
            boolean[] entrances) {
        int len = leaders.length;
        boolean[] headers = new boolean[len];
        boolean any = false;
        boolean live = true;
        for (int i = 0; i < len; i++) {
            if (pcOf[i] < 0) {
                continue;
            }
            if (leaders[i]) {
                live = reachable[i];
            }
            int g = entry + i;
            int t1 = -1;
            int t2 = -1;
            if (code[g] == Op.BR) {
                t1 = code[g + 2] - entry;
                t2 = code[g + 3] - entry;
            } else if (code[g] == Op.JMP) {
                t1 = code[g + 1] - entry;
            }
            for (int t : new int[] {t1, t2}) {
                if (live && t >= 0 && t <= i && t < entrances.length && entrances[t] && reachable[t]) {
                    headers[t] = true;
                    any = true;
                }
            }
        }
        return any ? headers : null;
    }

    /**
     * @param fn a function
     * @return the most bytes of bytecode chunking adds to its method: a count-down per branch
     *     target, the exit's copy of every register and its self-call
     */
    static long bytes(LoweredFunction fn) {
        int[] code = fn.code();
        long branches = 0;
        for (int s = 0; s < fn.instructionCount(); s++) {
            int op = code[fn.instructionStart(s)];
            branches += op == Op.BR ? 2 : op == Op.JMP ? 1 : 0;
        }
        return 200 + 48L * fn.regCount() + 24 * branches;
    }
}
