package dev.tape.host;

import dev.tape.program.Program;

import java.util.Objects;

/**
 * A {@link HostContext} that forwards every method to another one: the base of a host wrapper that
 * watches what a host function does with its context (counts its fuel charges, for example) and
 * overrides only that. Every method, {@link #suspend()} and {@link #canSuspend()} included, goes
 * to the wrapped context unless overridden, so a wrapped host function can do all an unwrapped one
 * can. Valid only as long as the wrapped context (during the one call it was passed to).
 */
public class ForwardingHostContext implements HostContext {
    private final HostContext ctx;

    /**
     * Makes a context that forwards every call to {@code ctx}.
     *
     * @param ctx the context to forward to
     * @throws NullPointerException when {@code ctx} is null
     */
    public ForwardingHostContext(HostContext ctx) {
        this.ctx = Objects.requireNonNull(ctx, "ctx");
    }

    /**
     * The context every call is forwarded to.
     *
     * @return the wrapped context
     */
    protected final HostContext delegate() {
        return ctx;
    }

    @Override
    public Program program() {
        return ctx.program();
    }

    @Override
    public String symbol() {
        return ctx.symbol();
    }

    @Override
    public long sigHash() {
        return ctx.sigHash();
    }

    @Override
    public int callerFunction() {
        return ctx.callerFunction();
    }

    @Override
    public int callerPc() {
        return ctx.callerPc();
    }

    @Override
    public long fuelRemaining() {
        return ctx.fuelRemaining();
    }

    @Override
    public void chargeFuel(long units) {
        ctx.chargeFuel(units);
    }

    @Override
    public boolean canSuspend() {
        return ctx.canSuspend();
    }

    @Override
    public void suspend() {
        ctx.suspend();
    }
}
