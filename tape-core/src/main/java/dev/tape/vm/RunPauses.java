package dev.tape.vm;

import java.lang.ref.WeakReference;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The pause requests other threads make of one {@link Run}: {@link Run#interrupt()} and its
 * deadline ({@link Run#deadline}), which set the context's pause request
 * ({@link ExecutionContext#requestPause}) for the driver to see at its next poll, and the reason
 * the driver reports for it ({@link #take()}). Every field is guarded by this object's monitor,
 * which also orders the requests against the run's end ({@link #end()}): after it, none sets a
 * pause request (which could pause a run that took the context over).
 *
 * <p>Deadlines are kept by one shared daemon thread ({@code tape-run-deadlines}); its tasks hold
 * this object (and so the run) weakly.
 */
final class RunPauses {
    private static final PauseReason INTERRUPTED = new PauseReason.Interrupted();
    private static final PauseReason DEADLINE = new PauseReason.DeadlineReached();

    /** the run the requests are for: only its own requests reach the context */
    private final Run run;
    private final ExecutionContext c;
    /** the run has ended: requests do nothing */
    private boolean ended;
    /** the deadline passed and its pause is not yet reported */
    private boolean deadlineHit;
    /** the scheduled deadline, or null */
    private ScheduledFuture<?> task;
    /** which deadline is current (a stale task does nothing) */
    private long gen;

    /**
     * @param run the run the requests are for
     * @param c its context
     */
    RunPauses(Run run, ExecutionContext c) {
        this.run = run;
        this.c = c;
    }

    /** Requests a pause now, unless the run has ended ({@link Run#interrupt()}). */
    synchronized void interrupt() {
        if (!ended) {
            c.requestPause(run);
        }
    }

    /**
     * Replaces the deadline with one {@code nanos} from now (at once when 0 or less); does nothing
     * once the run has ended.
     *
     * @param nanos nanoseconds from now
     */
    synchronized void schedule(long nanos) {
        if (ended) {
            return;
        }
        cancel();
        long g = gen;
        if (nanos <= 0) {
            fire(g);
        } else {
            task = Deadlines.SCHEDULER.schedule(task(new WeakReference<>(this), g), nanos, TimeUnit.NANOSECONDS);
        }
    }

    /** Clears the deadline, if any (one that already passed still pauses the run once). */
    synchronized void clear() {
        cancel();
    }

    /**
     * Takes the pending request the driver found ({@code c.pauseRequested}): clears it and tells
     * what it was for.
     *
     * @return {@link PauseReason.DeadlineReached} when the deadline passed, else
     *     {@link PauseReason.Interrupted}
     */
    synchronized PauseReason take() {
        c.pauseRequested = false;
        PauseReason r = deadlineHit ? DEADLINE : INTERRUPTED;
        deadlineHit = false;
        return r;
    }

    /** The run ends: drops any pending request and the deadline; later requests do nothing. */
    synchronized void end() {
        ended = true;
        c.pauseRequested = false;
        cancel();
        deadlineHit = false;
    }

    /**
     * The deadline's task: it holds the requests weakly, so a paused run the embedder drops is not
     * kept (with its register files) by the deadline thread until its deadline passes.
     */
    private static Runnable task(WeakReference<RunPauses> pauses, long gen) {
        return () -> {
            RunPauses p = pauses.get();
            if (p != null) {
                p.fire(gen);
            }
        };
    }

    private synchronized void fire(long g) {
        if (!ended && g == gen) {
            deadlineHit = true;
            c.requestPause(run);
            task = null;
        }
    }

    /** Under this object's monitor: makes any scheduled deadline stale. */
    private void cancel() {
        gen++;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    /** The one daemon thread that keeps every run's deadline, made when the first deadline is set. */
    private static final class Deadlines {
        static final ScheduledThreadPoolExecutor SCHEDULER = make();

        private static ScheduledThreadPoolExecutor make() {
            ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "tape-run-deadlines");
                t.setDaemon(true);
                return t;
            });
            s.setRemoveOnCancelPolicy(true);
            return s;
        }
    }
}
