package dev.tape.jfr;

import dev.tape.classinit.ClassInit;
import dev.tape.host.HostContext;
import dev.tape.host.HostFunction;
import dev.tape.value.Value;

import jdk.jfr.EventType;
import jdk.jfr.FlightRecorder;

/**
 * The hooks the VM and the compiled tier call to emit the {@code dev.tape.*} JFR events. Each makes
 * its event and returns at once when no recording has it enabled ({@code isEnabled()}), and commits
 * only what {@code shouldCommit()} accepts (enabled, past its threshold). None runs per instruction:
 * once per run, per trap, per host call, per compiled function and per pause and resume of a
 * {@code dev.tape.vm.Run} (a debugger stepping one instruction at a time pauses after each).
 *
 * <p><b>Best effort.</b> An event never changes a run: when an event class cannot be loaded or
 * registered ({@link LinkageError}) or there is no heap for an event ({@link OutOfMemoryError}),
 * each hook records nothing and the run goes on as unrecorded (a {@link StackOverflowError} is
 * still the callers' to handle, as {@code ClassInit} documents).
 *
 * <p><b>No JFR until a recording.</b> Each hook first checks {@link FlightRecorder#isInitialized()}
 * (false until something starts a recording, which is what makes it true): until then no event
 * class is made, since the first event object of a JVM sets up JFR's event machinery (about 0.1 s
 * of a cold {@code tape run}), and no event could be recorded anyway. The first hook to find it true
 * has the event classes loaded on a thread with a full stack ({@code ClassInit.events()}), since JFR
 * registers an event class on the thread that loads it, which may be deep in a program's recursion.
 *
 * <p><b>Text is cut.</b> Every string field from a program or a host (function names, host
 * symbols, pause reasons that name a symbol, trap details) is cut to at most {@link #MAX_TEXT}
 * chars ({@link #cut(String)}) before it is committed: JFR writes a long string into every event
 * that holds it, so a program with a 4 MB function name would otherwise add 4 MB to the recording
 * per pause and per resume, that is per instruction a debugger steps.
 */
public final class TapeEvents {
    private TapeEvents() {}

    /** The most chars of one string field of an event: 256. */
    public static final int MAX_TEXT = 256;

    /**
     * Cuts a string field to at most {@link #MAX_TEXT} chars: a longer one keeps its first and last
     * {@code (MAX_TEXT - 24) / 2} chars around {@code ...(N chars)...}, where N is the number of
     * chars left out (a surrogate pair is never split).
     *
     * @param s the text, or null
     * @return {@code s} itself when it is null or short enough, else the cut text
     */
    public static String cut(String s) {
        if (s == null || s.length() <= MAX_TEXT) {
            return s;
        }
        int keep = (MAX_TEXT - 24) / 2;
        int head = keep;
        if (Character.isHighSurrogate(s.charAt(head - 1))) {
            head--;
        }
        int tail = s.length() - keep;
        if (Character.isLowSurrogate(s.charAt(tail))) {
            tail++;
        }
        return s.substring(0, head) + "...(" + (tail - head) + " chars)..." + s.substring(tail);
    }

    /**
     * Whether JFR is initialised (a recording has been started in this JVM); the first time it is,
     * has the event classes loaded and initialised on a thread with a full stack first
     * ({@link ClassInit#events()}): JFR registers an event class on the thread that loads it, and one
     * loaded from deep in a recursion could stay unregistered for good.
     *
     * @throws StackOverflowError as {@link ClassInit#initialise}
     */
    private static boolean recording() {
        if (!FlightRecorder.isInitialized()) {
            return false;
        }
        ClassInit.events();
        return true;
    }

    /**
     * Starts a run's event.
     *
     * @return the begun event, or null when no recording has {@code dev.tape.Run} or {@code dev.tape.Trap}
     *     enabled
     */
    public static RunEvent runBegin() {
        try {
            if (!recording()) {
                return null;
            }
            RunEvent e = new RunEvent();
            if (!e.isEnabled() && !new TrapEvent().isEnabled()) {
                return null;
            }
            e.begin();
            return e;
        } catch (OutOfMemoryError | LinkageError x) {
            // an event class that cannot load or register, or no heap for an event: not recorded
            return null;
        }
    }

    /**
     * Ends a run's event and commits it.
     *
     * @param e the event from {@link #runBegin()}, or null (then nothing happens)
     * @param entry the entry function id
     * @param entryName its name, or null
     * @param fuelUsed fuel used (unsigned)
     * @param hostCalls host calls made
     * @param outcome {@code ok} or the trap's label
     */
    public static void runEnd(RunEvent e, int entry, String entryName, long fuelUsed, long hostCalls, String outcome) {
        try {
            if (ended(e)) {
                e.entry = entry;
                e.entryName = cut(entryName);
                e.fuelUsed = fuelUsed;
                e.hostCalls = hostCalls;
                e.outcome = cut(outcome);
                e.commit();
            }
        } catch (OutOfMemoryError | LinkageError x) {
            // an event class that cannot load or register, or no heap for an event: not recorded
            return;
        }
    }

    /**
     * Ends a begun event ({@link #runBegin()}'s, {@link #compileBegin()}'s). Called inside the
     * caller's guard (the class comment's best effort).
     *
     * <p>Its parameter is an {@code Object}, cast here, and not a {@code jdk.jfr.Event}: the JVM's
     * verifier would load the callers' event classes (and JFR's {@code Event}) with
     * {@code TapeEvents} itself, to check that they are one, before any recording and outside the
     * callers' guards ({@code LateRecordingTest}, {@code AttackRecorderLookTest}).
     *
     * @param e the event ({@code jdk.jfr.Event}), or null (nothing begun)
     * @return whether to set its fields and commit it ({@code shouldCommit()}); false for null
     */
    private static boolean ended(Object e) {
        if (e == null) {
            return false;
        }
        jdk.jfr.Event event = (jdk.jfr.Event) e;
        event.end();
        return event.shouldCommit();
    }

    /**
     * Emits a trap event (when enabled).
     *
     * @param kind the trap's label
     * @param function the function id
     * @param functionName its name, or null
     * @param pc the byte pc
     * @param span the span id, 0 for none
     * @param hostSymbol the host symbol of a host-call trap, or null
     * @param detail why
     */
    public static void trap(String kind, int function, String functionName, int pc, long span, String hostSymbol,
                            String detail) {
        try {
            if (!recording()) {
                return;
            }
            TrapEvent e = new TrapEvent();
            if (e.shouldCommit()) {
                e.kind = cut(kind);
                e.function = function;
                e.functionName = cut(functionName);
                e.pc = pc;
                e.span = span;
                e.hostSymbol = cut(hostSymbol);
                e.detail = cut(detail);
                e.commit();
            }
        } catch (OutOfMemoryError | LinkageError x) {
            // an event class that cannot load or register, or no heap for an event: not recorded
            return;
        }
    }

    /**
     * The host-call event's type, looked up once JFR is initialised (never before: it would initialise
     * it), or null until then. Not an on-demand holder class: a holder whose initialiser failed (a
     * {@code StackOverflowError} on a thread with no stack left) would stay erroneous for good; a
     * failed look-up here is simply made again (a race makes at most a second look-up of the same type).
     */
    private static volatile EventType hostCallType;

    /** @return the host-call event's type, looked up on the first call that succeeds */
    private static EventType hostCallType() {
        EventType t = hostCallType;
        if (t == null) {
            t = EventType.getEventType(HostCallEvent.class);
            hostCallType = t;
        }
        return t;
    }

    /**
     * Whether a recording wants {@code dev.tape.HostCall} events now. Cheap enough for every host
     * call: one static read while JFR is not initialised, and makes no event object (the VM calls
     * it before each host call and goes through {@link #hostCall} only when it is true).
     *
     * @return whether to record the next host call
     */
    public static boolean hostCallsRecorded() {
        try {
            return recording() && hostCallType().isEnabled();
        } catch (OutOfMemoryError | LinkageError x) {
            // an event class that cannot load or register, or no heap for an event: not recorded
            return false;
        }
    }

    /**
     * Calls a host function inside a {@code dev.tape.HostCall} event (symbol, signature hash,
     * duration, whether it threw).
     *
     * @param fn the function
     * @param args its arguments
     * @param results its result slots
     * @param ctx its context
     * @param symbol the symbol
     * @param sigHash the signature hash
     * @throws Exception whatever the function throws, after the event is committed
     */
    public static void hostCall(HostFunction fn, Value[] args, Value[] results, HostContext ctx, String symbol,
                                long sigHash) throws Exception {
        HostCallEvent e;
        try {
            e = new HostCallEvent();
            e.begin();
        } catch (OutOfMemoryError | LinkageError x) {
            // no event (as in the other hooks): the call itself still runs
            fn.call(args, results, ctx);
            return;
        }
        try {
            fn.call(args, results, ctx);
        } catch (Throwable t) {
            e.failed = true;
            throw t;
        } finally {
            try {
                e.end();
                if (e.shouldCommit()) {
                    e.symbol = cut(symbol);
                    e.sigHash = sigHash;
                    e.commit();
                }
            } catch (OutOfMemoryError | LinkageError x) {
                // the event is lost; the call's own outcome stands
            }
        }
    }

    /**
     * Starts a compilation's event.
     *
     * @return the begun event, or null when not enabled
     */
    public static CompileEvent compileBegin() {
        try {
            if (!recording()) {
                return null;
            }
            CompileEvent e = new CompileEvent();
            if (!e.isEnabled()) {
                return null;
            }
            e.begin();
            return e;
        } catch (OutOfMemoryError | LinkageError x) {
            // an event class that cannot load or register, or no heap for an event: not recorded
            return null;
        }
    }

    /**
     * Ends a compilation's event and commits it.
     *
     * @param e the event from {@link #compileBegin()}, or null (then nothing happens)
     * @param function the function id
     * @param functionName its name, or null
     * @param bytes the class file's size, 0 when none was generated
     * @param compiled whether the function got a compiled method
     */
    public static void compileEnd(CompileEvent e, int function, String functionName, int bytes, boolean compiled) {
        try {
            if (ended(e)) {
                e.function = function;
                e.functionName = cut(functionName);
                e.bytes = bytes;
                e.compiled = compiled;
                e.commit();
            }
        } catch (OutOfMemoryError | LinkageError x) {
            // an event class that cannot load or register, or no heap for an event: not recorded
            return;
        }
    }

    /**
     * The fields a pause and a resume share (the run's place), set on {@code event} when a recording
     * wants it ({@code shouldCommit()}: enabled, past its threshold); the caller sets its own and
     * commits. Called inside the caller's guard (the class comment's best effort); its parameter is
     * an {@code Object} for the reason {@link #ended} gives.
     *
     * @param event the event, a {@link RunPlaceEvent}
     * @return whether to commit {@code event}
     */
    private static boolean at(Object event, int function, String functionName, int pc, long fuelUsed) {
        RunPlaceEvent e = (RunPlaceEvent) event;
        if (!e.shouldCommit()) {
            return false;
        }
        e.function = function;
        e.functionName = cut(functionName);
        e.pc = pc;
        e.fuelUsed = fuelUsed;
        return true;
    }

    /**
     * Tells whether pause events are being recorded.
     *
     * @return whether a recording has {@code dev.tape.Pause} enabled (check before gathering its fields)
     */
    public static boolean pauseEnabled() {
        try {
            return recording() && new PauseEvent().isEnabled();
        } catch (OutOfMemoryError | LinkageError x) {
            // an event class that cannot load or register, or no heap for an event: not recorded
            return false;
        }
    }

    /**
     * Emits a pause event (when enabled).
     *
     * @param reason why ({@link PauseEvent#reason})
     * @param function the function id of the next instruction
     * @param functionName its name, or null
     * @param pc the next instruction's byte pc
     * @param fuelUsed fuel used so far (unsigned)
     * @param hostCalls host calls made so far
     */
    public static void pause(String reason, int function, String functionName, int pc, long fuelUsed, long hostCalls) {
        try {
            if (!recording()) {
                return;
            }
            PauseEvent e = new PauseEvent();
            if (at(e, function, functionName, pc, fuelUsed)) {
                e.reason = cut(reason);
                e.hostCalls = hostCalls;
                e.commit();
            }
        } catch (OutOfMemoryError | LinkageError x) {
            // an event class that cannot load or register, or no heap for an event: not recorded
            return;
        }
    }

    /**
     * Tells whether resume events are being recorded.
     *
     * @return whether a recording has {@code dev.tape.Resume} enabled
     */
    public static boolean resumeEnabled() {
        try {
            return recording() && new ResumeEvent().isEnabled();
        } catch (OutOfMemoryError | LinkageError x) {
            // an event class that cannot load or register, or no heap for an event: not recorded
            return false;
        }
    }

    /**
     * Emits a resume event (when enabled).
     *
     * @param function the function id of the next instruction
     * @param functionName its name, or null
     * @param pc the next instruction's byte pc
     * @param fuelUsed fuel used so far (unsigned)
     */
    public static void resume(int function, String functionName, int pc, long fuelUsed) {
        try {
            if (!recording()) {
                return;
            }
            ResumeEvent e = new ResumeEvent();
            if (at(e, function, functionName, pc, fuelUsed)) {
                e.commit();
            }
        } catch (OutOfMemoryError | LinkageError x) {
            // an event class that cannot load or register, or no heap for an event: not recorded
            return;
        }
    }
}
