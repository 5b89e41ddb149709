package dev.tape.cli;

import dev.tape.host.ConformanceHost;
import dev.tape.host.Host;
import dev.tape.program.Program;
import dev.tape.trace.TraceSink;
import dev.tape.verify.VerifiedProgram;
import dev.tape.jit.Jit;
import dev.tape.vm.Limits;
import dev.tape.vm.Vm;
import dev.tape.vm.VmOptions;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The options {@code tape run}, {@code tape bench} and {@code tape resume} share (a picocli
 * mixin; {@code tape run} binds them through {@link RunSpec} instead): the limits, the host, the
 * tier and tracing.
 */
public final class EngineOptions {
    /** Creates the options with their defaults; picocli fills them in. */
    public EngineOptions() {}

    /** {@code --fuel}'s description (here and in {@link RunSpec}). */
    static final String FUEL_HELP = "Fuel budget in fuel units, 0 to 2^64-1; every instruction costs 1 "
            + "(default: ${DEFAULT-VALUE}).";
    /** {@code --max-call-depth}'s description. */
    static final String DEPTH_HELP = "Most frames at once, the entry frame included, 0 to 2^64-1; only calls check "
            + "it, so 0 allows no call, like 1 (default: ${DEFAULT-VALUE}).";
    /** {@code --max-host-calls}'s description. */
    static final String HOST_CALLS_HELP = "Most host calls in the run, 0 to 2^64-1 (default: ${DEFAULT-VALUE}).";
    /** {@code --max-heap-bytes}'s description. */
    static final String HEAP_HELP = "Most bytes the run may allocate for strings, byte strings, closures and "
            + "aggregates, 0 to 2^63-1; a Java-only limit, the reference has none (default: ${DEFAULT-VALUE}).";
    /** {@code --max-registers}'s description. */
    static final String REGISTERS_HELP = "Most registers live at once across all frames, 1 to 2^31-1; a Java-only "
            + "limit, the reference has none (default: ${DEFAULT-VALUE}).";
    /** {@code --max-output-bytes}'s description. */
    static final String OUTPUT_BYTES_HELP = "Most bytes the std host may write to stdout, counted as UTF-8 with each "
            + "line's newline; a print that would pass it writes nothing and traps host_call_failed "
            + "(default: ${DEFAULT-VALUE}, 16 MiB).";
    /** {@code --host}'s description. */
    static final String HOST_HELP = "The host: std (std.print_str, std.print_i64, std.print_u64, std.print_f64, "
            + "std.print_bool print to stdout) or test (the conformance host's test.* functions) "
            + "(default: ${DEFAULT-VALUE}).";
    /** {@code --tier}'s description. */
    static final String TIER_HELP = "Run compiled code (jit) or interpret (interp); both give the same results, "
            + "traps and fuel use. Runs traced with call, host or instr are interpreted either way "
            + "(default: ${DEFAULT-VALUE}).";
    /** {@code --trace}'s description. */
    static final String TRACE_HELP = "Trace events to stderr, one line each: run, call, host, instr or all; "
            + "repeat or separate with commas.";

    @Option(names = "--fuel", paramLabel = "N", description = FUEL_HELP)
    String fuel = Long.toString(Limits.DEFAULT_FUEL);

    @Option(names = "--max-call-depth", paramLabel = "N", description = DEPTH_HELP)
    String maxCallDepth = Integer.toString(Limits.DEFAULT_CALL_DEPTH);

    @Option(names = "--max-host-calls", paramLabel = "N", description = HOST_CALLS_HELP)
    String maxHostCalls = Long.toString(Limits.DEFAULT_HOST_CALLS);

    @Option(names = "--max-heap-bytes", paramLabel = "N", description = HEAP_HELP)
    String maxHeapBytes = Long.toString(Limits.DEFAULT_HEAP_BYTES);

    @Option(names = "--max-registers", paramLabel = "N", description = REGISTERS_HELP)
    String maxRegisters = Integer.toString(Limits.DEFAULT_REGISTERS);

    @Option(names = "--max-output-bytes", paramLabel = "N", description = OUTPUT_BYTES_HELP)
    long maxOutputBytes = StdHost.DEFAULT_MAX_OUTPUT_BYTES;

    @Option(names = "--host", paramLabel = "std|test", description = HOST_HELP)
    HostChoice host = HostChoice.std;

    @Option(names = "--tier", paramLabel = "jit|interp", description = TIER_HELP)
    Tier tier = Tier.jit;

    @Option(names = "--trace", paramLabel = "GROUP", split = ",", description = TRACE_HELP)
    List<TraceGroup> trace = new ArrayList<>();

    /**
     * @throws CliException (exit 2) when an option other than a limit is out of range
     */
    void check() throws CliException {
        if (maxOutputBytes < 0) {
            throw new CliException("tape: --max-output-bytes must be 0 or more");
        }
    }

    /**
     * The VM of a verified program with the chosen host and tier.
     *
     * @param verified the program
     * @param out the command's stdout (where the std host prints)
     * @return the VM
     */
    Vm vm(VerifiedProgram verified, PrintWriter out) {
        return vm(verified, host(out));
    }

    /**
     * The VM of a verified program with the given host and the chosen tier, linked lazily: a host
     * function the host does not provide traps {@code host_call_failed} when called, as the
     * reference does, instead of refusing the whole program.
     *
     * @param verified the program
     * @param h the host
     * @return the VM
     */
    Vm vm(VerifiedProgram verified, Host h) {
        VmOptions lazy = VmOptions.DEFAULT.withLazyLinking(true);
        if (tier != Tier.jit) {
            return new Vm(verified, h, lazy);
        }
        return framed ? Jit.compileFramed(verified, h, lazy) : Jit.compile(verified, h, lazy);
    }

    /**
     * Set by {@code tape profile --measure wall} before it makes its VM: the compiled tier keeps
     * one JVM frame per VM frame ({@link Jit#compileFramed}), so the stack sampler sees every
     * function, leaf functions that would otherwise run inline in their callers included.
     */
    boolean framed;

    /**
     * Set by a command before it makes its host when the std host's prints must fail once the
     * command line's stdout has failed ({@link StdHost}, "A failed standard output"): {@code tape
     * run} without {@code --record}, {@code tape resume}, {@code tape bench} and {@code tape debug}.
     * Not an option.
     */
    boolean stopPrints;

    /**
     * @param out the command's stdout (where the std host prints); with {@link #stopPrints}, the std
     *     host's stop check is bound to its stream
     * @return the host the {@code --host} option names
     */
    Host host(PrintWriter out) {
        return host == HostChoice.test ? new ConformanceHost() : StdHost.create(out, maxOutputBytes, stopPrints);
    }

    /**
     * @param err the command's stderr (where traces go)
     * @param program the program, for names
     * @return the trace sink the {@code --trace} groups ask for, or {@code null} for none
     */
    TraceSink sink(PrintWriter err, Program program) {
        int mask = 0;
        for (TraceGroup g : trace) {
            mask |= g.mask();
        }
        return mask == 0 ? null : new TextTrace(err, mask, program);
    }

    /**
     * The limits the options name, each checked against its range.
     *
     * @return the limits
     * @throws CliException (exit 2) naming the first option out of its range
     */
    Limits limits() throws CliException {
        long f = unsigned(fuel, "--fuel");
        long depth = unsigned(maxCallDepth, "--max-call-depth");
        long calls = unsigned(maxHostCalls, "--max-host-calls");
        long heap = unsigned(maxHeapBytes, "--max-heap-bytes");
        if (heap < 0) {
            throw new CliException("tape: --max-heap-bytes must be at most 9223372036854775807 (2^63-1)");
        }
        long regs = unsigned(maxRegisters, "--max-registers");
        if (regs < 1 || regs > Integer.MAX_VALUE) {
            throw new CliException("tape: --max-registers must be from 1 to 2147483647 (2^31-1)");
        }
        return new Limits(f, depth, calls, heap, (int) regs);
    }

    /**
     * @param text an option's value
     * @param option the option's name, for the message
     * @return the value as an unsigned 64-bit number (0 to 2^64-1)
     * @throws CliException (exit 2) when the text is not one, quoting it escaped
     */
    static long unsigned(String text, String option) throws CliException {
        try {
            return Limits.parseUnsigned(text, option);
        } catch (IllegalArgumentException e) {
            throw new CliException("tape: " + e.getMessage() + ", got '" + Escape.text(text) + "'");
        }
    }
}
