package dev.tape.debug;

import dev.tape.value.Value;
import dev.tape.vm.Limits;
import dev.tape.vm.Outcome;
import dev.tape.vm.PauseReason;
import dev.tape.vm.Run;
import dev.tape.vm.Trap;
import dev.tape.vm.Vm;

import java.util.ArrayList;
import java.util.List;

/**
 * The one adapter between the debugger and the VM's run API ({@link Run}): a {@link Debuggee} that
 * is a {@link Run} started with {@link Vm#start(int, List, Limits)} and moved with
 * {@link Run#step(long)}. A pause for any reason but the step budget (the fuel ran out, say) is
 * resumed at once without more fuel, so the run ends as a one-shot run would ({@code fuel_exceeded}).
 * Frames and registers are read once per position and kept until the next step; the depth and the
 * innermost frame's function and pc, which the debugger reads after every instruction, come from
 * {@link Run#depth()} and {@link Run#position()} in O(1), so a step costs the same at any call
 * depth (the whole stack, {@link Run#frames()}, is built only for an outer frame).
 */
final class RunDebuggee implements Debuggee {
    /**
     * Frames whose registers were read ({@link Run#registers(int)}, O(the function's registers and
     * code) each), by every run of this class: for tests that check a watchpoint does not read them
     * after every instruction.
     */
    static final java.util.concurrent.atomic.AtomicLong FRAME_READS = new java.util.concurrent.atomic.AtomicLong();

    private final Run run;
    private State state = State.PAUSED;
    private List<Value> results = List.of();
    private Trap trap;
    private List<Trap.Frame> frames;
    /** the innermost position ({@link Run#position()}) and the depth, or -1 until read at this position */
    private long position = -1;
    private int depth = -1;
    private final List<List<Value>> registers = new ArrayList<>();

    private RunDebuggee(Run run) {
        this.run = run;
    }

    /**
     * Starts a run paused before its first instruction. An entry or arguments that do not fit end it
     * at once with their trap.
     */
    static Debuggee start(Vm vm, int entry, List<Value> args, Limits limits) {
        RunDebuggee d = new RunDebuggee(vm.start(entry, args, limits));
        d.settle(d.run.step(0));
        return d;
    }

    @Override
    public State step(long n) {
        if (state != State.PAUSED) {
            throw new IllegalStateException("the run has ended");
        }
        settle(run.step(n));
        return state;
    }

    /** Takes an outcome: a step pause stays paused; any other pause goes on as a one-shot run would. */
    private void settle(Outcome o) {
        frames = null;
        position = -1;
        depth = -1;
        registers.clear();
        while (o instanceof Outcome.Paused p && !(p.reason() instanceof PauseReason.StepsDone)) {
            o = run.resume();
        }
        if (o instanceof Outcome.Done d) {
            state = State.DONE;
            results = d.values();
        } else if (o instanceof Outcome.Trapped t) {
            state = State.TRAPPED;
            trap = t.trap();
        }
    }

    @Override
    public Debuggee fork() {
        if (state != State.PAUSED) {
            throw new IllegalStateException("the run has ended");
        }
        return new RunDebuggee(run.fork());
    }

    @Override
    public long footprint() {
        return state == State.PAUSED ? run.registersInUse() : 0;
    }

    @Override
    public State state() {
        return state;
    }

    private List<Trap.Frame> frames() {
        if (frames == null) {
            frames = run.frames();
        }
        return frames;
    }

    @Override
    public int depth() {
        if (depth < 0) {
            depth = run.depth();
        }
        return depth;
    }

    @Override
    public int func(int frame) {
        return frame == 0 ? (int) (position() >>> 32) : frames().get(frame).func();
    }

    @Override
    public int pc(int frame) {
        return frame == 0 ? (int) position() : frames().get(frame).pc();
    }

    private long position() {
        if (position < 0) {
            position = run.position();
        }
        return position;
    }

    @Override
    public Value register(int frame, int reg) {
        while (registers.size() <= frame) {
            registers.add(null);
        }
        List<Value> regs = registers.get(frame);
        if (regs == null) {
            regs = run.registers(frame);
            FRAME_READS.incrementAndGet();
            registers.set(frame, regs);
        }
        return regs.get(reg);
    }

    @Override
    public long fuelRemaining() {
        return run.fuelRemaining();
    }

    @Override
    public long hostCalls() {
        return run.hostCallsMade();
    }

    @Override
    public List<Value> results() {
        return results;
    }

    @Override
    public Trap trap() {
        return trap;
    }
}
