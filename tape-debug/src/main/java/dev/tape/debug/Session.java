package dev.tape.debug;

import dev.tape.program.FunctionSig;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import dev.tape.verify.VerifiedProgram;
import dev.tape.vm.Trap;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The debugger: one program, its breakpoints and watchpoints, and the run being debugged, with
 * every way to move it: forward by instructions, over calls, out of a frame, to the next
 * breakpoint, and backward by an instruction or to the previous breakpoint. Both front ends,
 * {@link Shell} ({@code tape debug}) and the Debug Adapter Protocol server, drive one of these.
 *
 * <p><b>Positions.</b> The run stands between instructions; its position is the number of
 * instructions it has run ({@link #instructions()}). Moving forward runs one instruction at a time
 * and checks breakpoints and watchpoints after each, and keeps a copy of the run every few thousand
 * instructions (see {@code Checkpoints}). Moving backward goes on from the last copy before the earlier
 * position (or the program's start) to that position: the program is deterministic and the host's
 * answers are replayed (an in-memory {@link dev.tape.host.RecordingHost}), so the earlier state is
 * reached exactly, and a host function is never called twice for one call.
 *
 * <p>Not thread-safe, except {@link #requestPause()}, which any thread may call while another
 * moves the run.
 */
public final class Session {
    /** Why the run stopped. */
    public enum Reason {
        /** At the entry function's first instruction ({@code stopOnEntry}). */
        ENTRY,
        /** A step, next or reverse-step is done. */
        STEP,
        /** At a breakpoint: {@link Stop#breakpoint()}. */
        BREAKPOINT,
        /** A watched register changed: {@link Stop#breakpoint()}, with the old and new values. */
        WATCH,
        /** A watched register's frame returned; the watchpoint is deleted. */
        WATCH_SCOPE,
        /** The frame a {@code finish} started in returned. */
        FINISH,
        /** {@link #requestPause()} was called. */
        PAUSE,
        /** Moving backward reached the start of the run. */
        HISTORY_START,
        /** The entry function returned: {@link Session#results()}. */
        RETURNED,
        /** The run trapped: {@link Session#trap()}. */
        TRAPPED
    }

    /**
     * Where and why the run stopped.
     *
     * @param reason why
     * @param breakpoint the breakpoint or watchpoint, for {@link Reason#BREAKPOINT},
     *     {@link Reason#WATCH} and {@link Reason#WATCH_SCOPE}; else {@code null}
     * @param oldValue a watched register's value before the change ({@link Reason#WATCH})
     * @param newValue its value after
     */
    public record Stop(Reason reason, Breakpoint breakpoint, Value oldValue, Value newValue) {
        static Stop of(Reason r) {
            return new Stop(r, null, null, null);
        }
    }

    /**
     * One register of a frame.
     *
     * @param index the register number (r0, r1, ...)
     * @param name its name when it holds a named argument of the function's signature, else
     *     {@code null}
     * @param type its declared type
     * @param value its value, or {@code null} when a reference register has not been written
     */
    public record Register(int index, String name, ValueType type, Value value) {}

    private final Target target;
    private final Locator locator;
    private final List<Breakpoint> breakpoints = new ArrayList<>();
    private final Checkpoints checkpoints = new Checkpoints();
    private int nextId = 1;
    private Debuggee run;
    private long count;
    private int selected;
    private volatile boolean pauseRequested;

    /**
     * Makes a debugging session for a target.
     *
     * @param target what to debug; nothing runs until {@link #run()} or {@link #start()}
     */
    public Session(Target target) {
        this.target = Objects.requireNonNull(target, "target");
        this.locator = new Locator(target);
    }

    /** @return the run's checkpoints (for tests) */
    Checkpoints checkpoints() {
        return checkpoints;
    }

    /**
     * The program, entry and limits this session debugs.
     *
     * @return what is debugged
     */
    public Target target() {
        return target;
    }

    // ------------------------------------------------------------------ breakpoints

    /**
     * Sets a breakpoint on a location: see {@link Locator#resolve} for the forms.
     *
     * @param location the location as the user wrote it
     * @return the breakpoint
     * @throws DebugException when the location names nothing
     */
    public Breakpoint breakAt(String location) throws DebugException {
        Locator.Place p = locator.resolve(location);
        if (p.span() != 0) {
            return add(new Breakpoint(nextId, Breakpoint.Kind.SPAN, -1, -1, -1, p.span(), 0, -1,
                    "span " + Long.toUnsignedString(p.span())));
        }
        return breakAt(p.func(), p.pc());
    }

    /**
     * Sets a breakpoint on an instruction.
     *
     * @param func a function id
     * @param pc the byte pc of one of its instructions
     * @return the breakpoint
     */
    public Breakpoint breakAt(int func, int pc) {
        int line = target.lines().lineOf(func, pc);
        return add(new Breakpoint(nextId, Breakpoint.Kind.LOCATION, func, pc, line, 0, 0, -1, place(func, pc)));
    }

    /**
     * Sets a breakpoint on a source line: on its instruction, or the next line's with one.
     *
     * @param line a {@code .tasm} line, 1 or more
     * @return the breakpoint, or {@code null} when no instruction is on that line or after it
     */
    public Breakpoint breakAtLine(int line) {
        var e = target.lines().atOrAfter(line);
        return e == null ? null : breakAt(e.func(), e.pc());
    }

    /**
     * Watches a register of the selected frame: the run stops after an instruction changes it.
     *
     * @param register {@code rN}, or the name of one of the function's arguments
     * @return the watchpoint
     * @throws DebugException when no program is paused or the frame has no such register
     */
    public Breakpoint watch(String register) throws DebugException {
        Register r = register(selected, register);
        int depth = run.depth() - selected;
        Breakpoint b = new Breakpoint(nextId, Breakpoint.Kind.WATCH, run.func(selected), -1, -1, 0, depth, r.index(),
                regName(r) + " of " + Text.escape(target.functionName(run.func(selected))) + " at call depth " + depth);
        b.last = r.value();
        return add(b);
    }

    private Breakpoint add(Breakpoint b) {
        nextId++;
        breakpoints.add(b);
        return b;
    }

    /**
     * Deletes a breakpoint or watchpoint.
     *
     * @param id a breakpoint number
     * @return whether there was one to delete
     */
    public boolean delete(int id) {
        return breakpoints.removeIf(b -> b.id() == id);
    }

    /** Deletes every breakpoint and watchpoint. */
    public void deleteAll() {
        breakpoints.clear();
    }

    /**
     * Lists the breakpoints and watchpoints.
     *
     * @return the breakpoints and watchpoints, by number
     */
    public List<Breakpoint> breakpoints() {
        return Collections.unmodifiableList(breakpoints);
    }

    // ------------------------------------------------------------------ moving

    /**
     * Tells whether a run has been started.
     *
     * @return whether a run exists (paused or ended)
     */
    public boolean started() {
        return run != null;
    }

    /**
     * Tells whether the run is paused.
     *
     * @return whether a run is paused and can move forward
     */
    public boolean paused() {
        return run != null && run.state() == Debuggee.State.PAUSED;
    }

    /**
     * The state of the run.
     *
     * @return the run's state, or {@code null} before the first start
     */
    public Debuggee.State state() {
        return run == null ? null : run.state();
    }

    /**
     * Counts the instructions the run has executed.
     *
     * @return instructions the run has run (its position); a trapping instruction counts
     */
    public long instructions() {
        return count;
    }

    /**
     * Starts the program again from its start and stops before its first instruction.
     *
     * @return the {@link Reason#ENTRY} stop
     */
    public Stop start() {
        replayTo(0);
        return Stop.of(Reason.ENTRY);
    }

    /**
     * Starts the program again from its start and runs it to a breakpoint (one on the first
     * instruction included) or its end.
     *
     * @return the stop
     */
    public Stop run() {
        replayTo(0);
        Breakpoint b = hitAt(0);
        if (b != null) {
            b.hits++;
            return new Stop(Reason.BREAKPOINT, b, null, null);
        }
        return forward(Goal.CONTINUE, 0);
    }

    /**
     * Runs until a breakpoint, a watchpoint or the end.
     *
     * @return the stop at the next breakpoint or watchpoint, or the end
     * @throws DebugException when no run is paused
     */
    public Stop cont() throws DebugException {
        requirePaused();
        return forward(Goal.CONTINUE, 0);
    }

    /**
     * Runs a number of instructions.
     *
     * @param n instructions to run, 1 or more
     * @return the stop after them, or earlier at a breakpoint, a watchpoint or the end
     * @throws DebugException when no run is paused
     */
    public Stop step(long n) throws DebugException {
        requirePaused();
        return forward(Goal.STEP, Math.max(1, n));
    }

    /**
     * Runs one instruction; when it is a call, runs on until the call returns.
     *
     * @return the stop
     * @throws DebugException when no run is paused
     */
    public Stop next() throws DebugException {
        requirePaused();
        return forward(Goal.NEXT, 0);
    }

    /**
     * Runs until the selected frame returns to its caller (the entry frame: until the run ends).
     *
     * @return the stop
     * @throws DebugException when no run is paused
     */
    public Stop finish() throws DebugException {
        requirePaused();
        return forward(Goal.FINISH, selected);
    }

    /**
     * Moves back one instruction: to the state before the last instruction ran (after a trap,
     * before the trapping instruction).
     *
     * @return the stop; {@link Reason#HISTORY_START} at the start of the run
     * @throws DebugException when no program has run
     */
    public Stop reverseStep() throws DebugException {
        requireStarted();
        if (count == 0) {
            replayTo(0);
            return Stop.of(Reason.HISTORY_START);
        }
        replayTo(count - 1);
        return Stop.of(Reason.STEP);
    }

    /**
     * Moves back to the last position before this one where the run would have stopped at a
     * breakpoint or a watchpoint: runs the program again from each checkpoint before this position,
     * the last first, until a stretch has such a position. A pause ({@link #requestPause()}) stops
     * the search and leaves the run where it was.
     *
     * @return the stop; {@link Reason#HISTORY_START} at the start when there is none;
     *     {@link Reason#PAUSE} when paused
     * @throws DebugException when no program has run
     */
    public Stop reverseContinue() throws DebugException {
        requireStarted();
        long end = count;
        List<Long> starts = checkpoints.startsBefore(end);
        for (int i = starts.size() - 1; i >= 0; i--) {
            long to = i + 1 < starts.size() ? starts.get(i + 1) : end - 1;
            long[] at = {-1};
            Stop s = lastStopIn(starts.get(i), to, end, at);
            if (pauseRequested) {
                // a pause asked for while replaying: back where the move started
                pauseRequested = false;
                replayTo(end);
                return stopped(Stop.of(Reason.PAUSE));
            }
            if (s != null) {
                replayTo(at[0]);
                if (s.breakpoint() != null) {
                    s.breakpoint().hits++;
                }
                return s;
            }
        }
        replayTo(0);
        return Stop.of(Reason.HISTORY_START);
    }

    /**
     * The last stop a forward run would make at a position in {@code [from, to]} (0 only when
     * {@code from} is 0 and the run has moved on from there), and that position in {@code at[0]}.
     *
     * @param from where the stretch starts: 0 or a checkpoint's position
     * @param to its last position, below {@code end}
     * @param end the position the backward move started from
     */
    private Stop lastStopIn(long from, long to, long end, long[] at) {
        replayTo(from);
        Stop last = null;
        if (from == 0 && end > 0) {
            Breakpoint b = hitAt(0);
            if (b != null) {
                at[0] = 0;
                last = new Stop(Reason.BREAKPOINT, b, null, null);
            }
        }
        List<Value> before = watchValues();
        for (long k = from + 1; k <= to && !pauseRequested; k++) {
            long span = hasSpans() ? spanNow() : 0;
            int depthBefore = run.depth();
            int funcBefore = run.func(0);
            int pcBefore = run.pc(0);
            if (run.step(1) != Debuggee.State.PAUSED) {
                break;
            }
            count = k;
            List<Value> after = watchValues(before, depthBefore, funcBefore, pcBefore);
            Stop s = watchChange(before, after);
            before = after;
            Breakpoint b = s == null ? hitAt(span) : null;
            if (s != null || b != null) {
                at[0] = k;
                last = s != null ? s : new Stop(Reason.BREAKPOINT, b, null, null);
            }
        }
        return last;
    }

    /**
     * Asks a forward move in progress (on another thread), or the next one to start, to stop after
     * its current instruction; a {@link #reverseContinue()} stops searching and goes back to where
     * it started.
     */
    public void requestPause() {
        pauseRequested = true;
    }

    /** Forgets a pause asked for and not yet taken. */
    public void clearPause() {
        pauseRequested = false;
    }

    private enum Goal { CONTINUE, STEP, NEXT, FINISH }

    private Stop forward(Goal goal, long arg) {
        int startDepth = run.depth() - (goal == Goal.FINISH ? (int) arg : 0);
        long steps = 0;
        boolean spans = hasSpans();
        while (true) {
            if (pauseRequested) {
                pauseRequested = false;
                return stopped(Stop.of(Reason.PAUSE));
            }
            long span = spans ? spanNow() : 0;
            int depthBefore = run.depth();
            int funcBefore = run.func(0);
            int pcBefore = run.pc(0);
            Debuggee.State s = run.step(1);
            count++;
            if (s == Debuggee.State.DONE) {
                return stopped(Stop.of(Reason.RETURNED));
            }
            if (s == Debuggee.State.TRAPPED) {
                return stopped(Stop.of(Reason.TRAPPED));
            }
            checkpoints.offer(count, run);
            Stop w = checkWatches(depthBefore, funcBefore, pcBefore);
            if (w != null) {
                return stopped(w);
            }
            Breakpoint b = hitAt(span);
            if (b != null) {
                b.hits++;
                return stopped(new Stop(Reason.BREAKPOINT, b, null, null));
            }
            int depth = run.depth();
            switch (goal) {
                case STEP -> {
                    if (++steps >= arg) {
                        return stopped(Stop.of(Reason.STEP));
                    }
                }
                case NEXT -> {
                    if (depth <= startDepth) {
                        return stopped(Stop.of(Reason.STEP));
                    }
                }
                case FINISH -> {
                    if (depth < startDepth) {
                        return stopped(Stop.of(Reason.FINISH));
                    }
                }
                default -> { }
            }
        }
    }

    private Stop stopped(Stop s) {
        selected = 0;
        return s;
    }

    /**
     * Watchpoints whose value changed (the first, by number), or whose frame returned, after one
     * instruction that ran at {@code func} and {@code pc} with the stack {@code depthBefore} deep.
     */
    private Stop checkWatches(int depthBefore, int func, int pc) {
        for (int i = 0; i < breakpoints.size(); i++) {
            Breakpoint b = breakpoints.get(i);
            if (b.kind() != Breakpoint.Kind.WATCH) {
                continue;
            }
            int frame = run.depth() - b.depth();
            if (frame < 0) {
                breakpoints.remove(i);
                return new Stop(Reason.WATCH_SCOPE, b, null, null);
            }
            if (!touched(b, frame, depthBefore, func, pc)) {
                continue;
            }
            Value now = run.register(frame, b.reg());
            if (!Objects.equals(now, b.last)) {
                Value old = b.last;
                b.last = now;
                b.hits++;
                return new Stop(Reason.WATCH, b, old, now);
            }
        }
        return null;
    }

    /**
     * Whether one instruction may have changed a watched register, so that it must be read again:
     * reading a frame's registers costs O(its function's registers and code), too much for every
     * instruction of a wide function. It can have changed only when its frame is the innermost and
     * the instruction wrote it ({@link Target#writes}), or the depth changed: a return wrote results
     * into the frame, or a call made the frame (the depth changes by one per instruction, so a frame
     * that was not there before is the innermost when it appears).
     *
     * @param b the watchpoint
     * @param frame its frame's number now (0 is the innermost), 0 or more
     * @param depthBefore the depth before the instruction ran
     * @param func the function the instruction is in
     * @param pc its byte pc
     */
    private boolean touched(Breakpoint b, int frame, int depthBefore, int func, int pc) {
        if (frame != 0) {
            return false;
        }
        if (run.depth() != depthBefore) {
            return true;
        }
        for (int r : target.writes(func, pc)) {
            if (r == b.reg()) {
                return true;
            }
        }
        return false;
    }

    /** Per watchpoint, its register's value now ({@code null} when its frame is not there). */
    private List<Value> watchValues() {
        List<Value> out = new ArrayList<>();
        for (Breakpoint b : breakpoints) {
            if (b.kind() == Breakpoint.Kind.WATCH) {
                int frame = run.depth() - b.depth();
                out.add(frame < 0 ? null : run.register(frame, b.reg()));
            }
        }
        return out;
    }

    /**
     * {@link #watchValues()} after one instruction, from the values before it: reads again only the
     * registers it may have changed ({@link #touched}).
     */
    private List<Value> watchValues(List<Value> before, int depthBefore, int func, int pc) {
        List<Value> out = new ArrayList<>(before.size());
        int i = 0;
        for (Breakpoint b : breakpoints) {
            if (b.kind() == Breakpoint.Kind.WATCH) {
                Value was = before.get(i++);
                int frame = run.depth() - b.depth();
                out.add(frame < 0 ? null : touched(b, frame, depthBefore, func, pc)
                        ? run.register(frame, b.reg()) : was);
            }
        }
        return out;
    }

    private Stop watchChange(List<Value> before, List<Value> after) {
        int i = 0;
        for (Breakpoint b : breakpoints) {
            if (b.kind() == Breakpoint.Kind.WATCH) {
                Value x = before.get(i);
                Value y = after.get(i);
                i++;
                if (x != null && y != null && !x.equals(y)) {
                    return new Stop(Reason.WATCH, b, x, y);
                }
            }
        }
        return null;
    }

    /**
     * The location or span breakpoint the run stands at, the first by number, or {@code null}.
     *
     * @param prevSpan the span the previous position was in (a span breakpoint hits on entering)
     */
    private Breakpoint hitAt(long prevSpan) {
        if (run.state() != Debuggee.State.PAUSED) {
            return null;
        }
        int func = run.func(0);
        int pc = run.pc(0);
        long span = -2;
        for (Breakpoint b : breakpoints) {
            if (b.kind() == Breakpoint.Kind.LOCATION && b.func() == func && b.pc() == pc) {
                return b;
            }
            if (b.kind() == Breakpoint.Kind.SPAN) {
                if (span == -2) {
                    span = spanNow();
                }
                if (span == b.span() && prevSpan != b.span()) {
                    return b;
                }
            }
        }
        return null;
    }

    private boolean hasSpans() {
        for (Breakpoint b : breakpoints) {
            if (b.kind() == Breakpoint.Kind.SPAN) {
                return true;
            }
        }
        return false;
    }

    private long spanNow() {
        return run.state() == Debuggee.State.PAUSED ? span(run.func(0), run.pc(0)) : 0;
    }

    /**
     * Finds the span id in force at a pc.
     *
     * @param func a function id
     * @param pc a byte pc in it
     * @return the span id in force there (unsigned 64-bit), or 0 for none
     */
    public long span(int func, int pc) {
        return target.program().spanAt(func, pc);
    }

    /**
     * Runs the program again to position {@code position}, which a run reached before: from the
     * last checkpoint at or before it, or from its start.
     */
    private void replayTo(long position) {
        var checkpoint = checkpoints.atOrBefore(position);
        if (checkpoint == null) {
            run = target.start();
            count = 0;
        } else {
            run = target.resume(checkpoint.getValue());
            count = checkpoint.getKey();
        }
        if (position > count) {
            run.step(position - count);
            count = position;
        }
        selected = 0;
        // watchpoints compare with the values at the new position
        for (Breakpoint b : breakpoints) {
            if (b.kind() == Breakpoint.Kind.WATCH && paused()) {
                int frame = run.depth() - b.depth();
                b.last = frame < 0 ? null : run.register(frame, b.reg());
            }
        }
    }

    private void requirePaused() throws DebugException {
        if (!paused()) {
            throw new DebugException("The program is not being run.");
        }
    }

    private void requireStarted() throws DebugException {
        if (run == null) {
            throw new DebugException("The program is not being run.");
        }
    }

    // ------------------------------------------------------------------ inspecting

    /**
     * The number of frames of the paused run.
     *
     * @return frames of the paused run, 1 or more; 0 when no run is paused
     */
    public int depth() {
        return paused() ? run.depth() : 0;
    }

    /**
     * The frame that register commands and watchpoints read.
     *
     * @return the selected frame (0 is the innermost), the one registers and watch use
     */
    public int selectedFrame() {
        return selected;
    }

    /**
     * Chooses the frame that register commands and watchpoints read.
     *
     * @param frame a frame number, 0 (innermost) to {@code depth() - 1}
     * @throws DebugException when no run is paused or the frame does not exist
     */
    public void selectFrame(int frame) throws DebugException {
        requirePaused();
        if (frame < 0 || frame >= run.depth()) {
            throw new DebugException("No frame at level " + frame + ".");
        }
        selected = frame;
    }

    /**
     * The function a frame runs.
     *
     * @param frame a frame number of the paused run
     * @return its function id
     */
    public int frameFunc(int frame) {
        return run.func(frame);
    }

    /**
     * Where a frame is in its function's bytecode.
     *
     * @param frame a frame number of the paused run
     * @return its byte pc (a caller's: its call instruction)
     */
    public int framePc(int frame) {
        return run.pc(frame);
    }

    /**
     * The source line a frame is at.
     *
     * @param frame a frame number of the paused run
     * @return its source line, or -1 when none is known
     */
    public int frameLine(int frame) {
        return target.lines().lineOf(run.func(frame), run.pc(frame));
    }

    /**
     * Names a place in the program for a person.
     *
     * @param func a function id
     * @param pc a byte pc
     * @return how the debugger names that place, escaped: {@code fib pc 3 (fib.tasm:7)}, without the
     *     parenthesis when no source line is known
     */
    public String place(int func, int pc) {
        int line = target.lines().lineOf(func, pc);
        return Text.escape(target.functionName(func)) + " pc " + pc
                + (line > 0 ? " (" + Text.escape(target.sourceName()) + ":" + line + ")" : "");
    }

    /**
     * Reads the registers of a frame.
     *
     * @param frame a frame number of the paused run
     * @return the registers of its function, r0 first
     * @throws DebugException when no run is paused or the frame does not exist
     */
    public List<Register> registers(int frame) throws DebugException {
        return registers(frame, 0, registerCount(frame));
    }

    /**
     * Counts the registers of a frame's function.
     *
     * @param frame a frame number of the paused run
     * @return how many registers its function has (r0 included)
     * @throws DebugException when no run is paused or the frame does not exist
     */
    public int registerCount(int frame) throws DebugException {
        requirePaused();
        if (frame < 0 || frame >= run.depth()) {
            throw new DebugException("No frame at level " + frame + ".");
        }
        return target.program().registerCount(run.func(frame));
    }

    /**
     * Some of a frame's registers: the work is proportional to how many, not to the frame's size.
     *
     * @param frame a frame number of the paused run
     * @param from the first register's index, 0 or more
     * @param to one past the last register's index, at most {@link #registerCount}
     * @return the registers {@code from} to {@code to - 1}, in order (none when {@code to <= from})
     * @throws DebugException when no run is paused or the frame does not exist
     * @throws IndexOutOfBoundsException when {@code from} is negative or {@code to} past the count
     */
    public List<Register> registers(int frame, int from, int to) throws DebugException {
        int regs = registerCount(frame);
        if (from < 0 || to > regs) {
            throw new IndexOutOfBoundsException("registers " + from + " to " + to + " of " + regs);
        }
        int func = run.func(frame);
        VerifiedProgram program = target.program();
        String[] names = argNames(func);
        List<Register> out = new ArrayList<>(Math.max(0, to - from));
        for (int r = from; r < to; r++) {
            out.add(new Register(r, r < names.length ? names[r] : null, program.registerType(func, r),
                    run.register(frame, r)));
        }
        return out;
    }

    /**
     * Finds a register of a frame by its name.
     *
     * @param frame a frame number of the paused run
     * @param name {@code rN} or an argument's name
     * @return the register
     * @throws DebugException when no run is paused, or the frame has no such register
     */
    public Register register(int frame, String name) throws DebugException {
        List<Register> regs = registers(frame);
        if (name.matches("r[0-9]{1,9}")) {
            int r = Integer.parseInt(name.substring(1));
            if (r < regs.size()) {
                return regs.get(r);
            }
            throw new DebugException("No register " + name + " in " + Text.escape(target.functionName(run.func(frame)))
                    + " (it has r0 to r" + (regs.size() - 1) + ").");
        }
        for (Register r : regs) {
            if (name.equals(r.name())) {
                return r;
            }
        }
        throw new DebugException("No register named \"" + Text.escape(name) + "\" in "
                + Text.escape(target.functionName(run.func(frame))) + ".");
    }

    /**
     * Names a register for a person.
     *
     * @param r a register
     * @return how the debugger names it, escaped: {@code r1 (n)} or {@code r2}
     */
    public static String regName(Register r) {
        return "r" + r.index() + (r.name() == null ? "" : " (" + Text.escape(r.name()) + ")");
    }

    /**
     * Shows a value for a person, cut to a readable length.
     *
     * @param v a register's or result's value, or {@code null} for a register not written
     * @return how the debugger shows it, escaped: its value literal cut to at most
     *     {@link Shell#MAX_VALUE_CHARS} characters, where none of its escapes is split
     *     ({@link Text#boundary}), and {@code ...}; or {@code <not set>}
     */
    public static String valueText(Value v) {
        if (v == null) {
            return "<not set>";
        }
        String literal = ValueLiteral.format(v, Shell.MAX_VALUE_CHARS);
        // a whole literal never ends with '.': this one was cut, maybe inside an escape
        if (literal.endsWith(ValueLiteral.CUT_MARK)) {
            String kept = literal.substring(0, literal.length() - ValueLiteral.CUT_MARK.length());
            literal = kept.substring(0, Text.boundary(kept, kept.length())) + ValueLiteral.CUT_MARK;
        }
        return Text.escape(literal);
    }

    /**
     * The line that reports the entry function's results.
     *
     * @return the line that says the entry function returned: {@code Program returned i64:3, i64:4}
     *     ({@link #valueText}), or {@code Program returned no values}
     */
    public String returnedLine() {
        List<Value> rs = results();
        if (rs.isEmpty()) {
            return "Program returned no values";
        }
        StringBuilder line = new StringBuilder("Program returned");
        for (int i = 0; i < rs.size(); i++) {
            line.append(i == 0 ? " " : ", ").append(valueText(rs.get(i)));
        }
        return line.toString();
    }

    /** Argument names from the function's signature, indexed by register (r0 has none). */
    private String[] argNames(int func) {
        FunctionSig sig = target.program().program().functions().get(func).sig();
        List<Integer> ids = sig.argNames();
        String[] out = new String[ids == null ? 0 : ids.size() + 1];
        List<String> symbols = target.program().program().symbols();
        for (int i = 0; ids != null && i < ids.size(); i++) {
            int s = ids.get(i);
            out[i + 1] = s > 0 && s < symbols.size() ? symbols.get(s) : null;
        }
        return out;
    }

    /**
     * The fuel the run has left.
     *
     * @return fuel left in the run (unsigned 64-bit); the limit before the first start
     */
    public long fuelRemaining() {
        return run == null ? target.limits().fuel() : run.fuelRemaining();
    }

    /**
     * Counts the host calls the run has made.
     *
     * @return host calls the run has made
     */
    public long hostCalls() {
        return run == null ? 0 : run.hostCalls();
    }

    /**
     * The values the entry function returned.
     *
     * @return the entry function's results once the run returned, else an empty list
     */
    public List<Value> results() {
        return run == null ? List.of() : run.results();
    }

    /**
     * The trap that ended the run.
     *
     * @return the trap once the run trapped, else {@code null}
     */
    public Trap trap() {
        return run == null ? null : run.trap();
    }
}
