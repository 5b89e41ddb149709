package dev.tape.debug;

import dev.tape.value.Value;
import dev.tape.vm.Trap;

import java.util.List;

/**
 * One run of a program as the debugger drives it: it runs a given number of instructions and
 * pauses, and while paused it shows its frames and registers. The one class that adapts the VM's
 * run API to it ({@link RunDebuggee}) is the debugger's only contact with how runs pause.
 *
 * <p>Positions are the instruction about to run: a function id and a byte pc. Frames are counted
 * from the innermost, frame 0; a caller's pc is that of its {@code call} instruction. Not
 * thread-safe: one thread drives a debuggee at a time.
 */
public interface Debuggee {
    /** Where a debuggee stands. */
    enum State {
        /** Stopped between two instructions, and can go on. */
        PAUSED,
        /** The entry function returned: {@link #results()} holds its values. */
        DONE,
        /** The run trapped: {@link #trap()} holds the trap. */
        TRAPPED
    }

    /**
     * Runs exactly {@code n} instructions, or fewer when the run returns or traps first.
     *
     * @param n instructions to run, 1 or more
     * @return the state afterwards
     * @throws IllegalStateException when the run has already ended
     */
    State step(long n);

    /**
     * An independent copy of this paused debuggee ({@link dev.tape.vm.Run#fork()}): paused at the
     * same position with the same frames, registers, fuel and counters, it runs on exactly as this
     * one would. Host calls it makes go to the same host.
     *
     * @return the copy, paused
     * @throws IllegalStateException when this debuggee is not paused
     * @throws dev.tape.vm.SnapshotException when the JVM runs out of memory making the copy
     */
    Debuggee fork();

    /**
     * The cost of {@link #fork()}, in registers copied.
     *
     * @return what {@link #fork()} copies, in registers (16 bytes each): the run's register
     *     high-water mark, frame records included; 0 once the run has ended
     */
    long footprint();

    /**
     * Whether the run is paused, done or trapped.
     *
     * @return the state
     */
    State state();

    /**
     * The number of frames of the paused run.
     *
     * @return frames on the call stack while paused, 1 or more (the entry frame is frame depth 1)
     */
    int depth();

    /**
     * The function one frame runs.
     *
     * @param frame a frame, 0 (innermost) to {@code depth() - 1}
     * @return its function id
     */
    int func(int frame);

    /**
     * Where one frame is in its function's bytecode.
     *
     * @param frame a frame, 0 (innermost) to {@code depth() - 1}
     * @return its byte pc: the next instruction of frame 0, the call instruction of a caller
     */
    int pc(int frame);

    /**
     * Reads one register of one frame.
     *
     * @param frame a frame, 0 (innermost) to {@code depth() - 1}
     * @param reg a register of its function, 0 to its register count - 1
     * @return the register's value, of the register's declared type; {@code null} for a reference
     *     register (str, bytes, aggregate, closure, obj) not written yet in this frame
     */
    Value register(int frame, int reg);

    /**
     * The fuel the run has left.
     *
     * @return fuel left, in fuel units (unsigned 64-bit)
     */
    long fuelRemaining();

    /**
     * Counts the host calls the run has made.
     *
     * @return host calls made so far
     */
    long hostCalls();

    /**
     * The values the run returned.
     *
     * @return the entry function's results once {@link State#DONE}, else an empty list
     */
    List<Value> results();

    /**
     * The trap that ended the run.
     *
     * @return the trap once {@link State#TRAPPED}, else {@code null}
     */
    Trap trap();
}
