package dev.tape.host;

import dev.tape.format.ByteWriter;
import dev.tape.program.ValueType;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import dev.tape.verify.internal.Sha256;

import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A host that records what another host answers ({@code docs/RECORDING.md}): which imports it
 * provides, and for every host call the symbol, signature hash, arguments, the results or the
 * failure, and the fuel the host charged, written to a stream as each call returns. Replaying the
 * file with {@link ReplayHost} reproduces the run exactly without the recorded host.
 *
 * <p>Recording never changes the run: the wrapped host sees the same arguments and its answers and
 * failures go to the VM unchanged. A problem of the recording itself (the stream fails, a value's
 * literal is longer than {@link ValueLiteral#MAX_LENGTH} chars, a failure's detail holds an unpaired
 * surrogate, which UTF-8 cannot carry, the file would grow past its byte limit) stops the recording, lets the run go on, and is reported by {@link #finish()}. Each call
 * costs formatting its values as literals, in time and bytes linear in their literals' length.
 *
 * <p><b>Size.</b> A file is at most {@code maxBytes} long ({@link #DEFAULT_MAX_BYTES}, 1 GiB,
 * unless the constructor is given another limit): a host call that passes the same 8 MiB string
 * costs the run one instruction and its host nothing, but 16 MiB of recording (the argument and the
 * result), so without a limit a run within the default limits could write terabytes. Formatting
 * stops at the limit too, so a recording costs at most about {@code maxBytes} of work however
 * large the values are. Once stopped, the later calls go to the host unrecorded.
 *
 * <p>Usage: make the host, make the VM with it (the VM resolves the imports, which records them),
 * optionally {@link #run(int, List)}, run, then {@link #finish()}. Not thread-safe: one run at a
 * time.
 *
 * <p><b>In memory</b> ({@link #RecordingHost(Host)}): for running a program again and again from
 * its start (a debugger stepping backward does), the calls are kept in memory as values, not
 * written, and answered again: after {@link #rewind()}, call k of the new run gets the answer call k
 * of an earlier run got (the same results, the same fuel charged, the same failure, as
 * {@link ReplayHost} gives them) when an earlier run made it, and only a call no run has made yet
 * reaches the wrapped host, which is so asked each call once. The program is deterministic and the
 * host's answers are its only input, so call k of every run with the same entry and arguments is
 * the same call. Memory: one record per distinct call, holding its result values (shared, not
 * copied); the runs' {@code maxHostCalls} bound their count.
 */
public final class RecordingHost implements Host {
    /** The default most bytes of a recording file, end record included: 1 GiB. */
    public static final long DEFAULT_MAX_BYTES = 1L << 30;

    /** The end record's most bytes: its tag, a call count (at most 10 bytes) and the digest. */
    private static final int END_BYTES = 1 + 10 + 32;

    private final Host delegate;
    private final long maxBytes;
    /** bytes written so far */
    private long written;
    private final OutputStream out;
    private final MessageDigest digest;
    /** the calls of an in-memory recording (null when writing to a stream) */
    private final List<HostRecording.Call> memory;
    /** in memory: the number of the next call of the current run */
    private int next;
    private long calls;
    private String problem;
    private boolean finished;

    /**
     * Starts a recording of at most {@link #DEFAULT_MAX_BYTES} bytes: writes the header (magic,
     * version, program hash).
     *
     * @param delegate the host whose answers are recorded
     * @param programHash the program's {@code VerifiedProgram.hash()}, 32 bytes
     * @param out where the recording goes (not closed by this class; buffer it)
     * @throws IllegalArgumentException when an argument is null or the hash is not 32 bytes
     * @throws RecordingException when the header cannot be written
     */
    public RecordingHost(Host delegate, byte[] programHash, OutputStream out) {
        this(delegate, programHash, out, DEFAULT_MAX_BYTES);
    }

    /**
     * Starts a recording of at most {@code maxBytes} bytes: writes the header (magic, version,
     * program hash). A record that would make the file longer (counting the end record still to
     * come) is not written: the recording stops there and {@link #finish()} reports it.
     *
     * @param delegate the host whose answers are recorded
     * @param programHash the program's {@code VerifiedProgram.hash()}, 32 bytes
     * @param out where the recording goes (not closed by this class; buffer it)
     * @param maxBytes the most bytes the file may take, 1 or more
     * @throws IllegalArgumentException when an argument is null, the hash is not 32 bytes or
     *     {@code maxBytes} is below 1
     * @throws RecordingException when the header cannot be written or does not fit in {@code maxBytes}
     */
    public RecordingHost(Host delegate, byte[] programHash, OutputStream out, long maxBytes) {
        if (delegate == null || out == null || programHash == null || programHash.length != 32) {
            throw new IllegalArgumentException("a host, a 32-byte program hash and a stream are required");
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("a recording's byte limit must be 1 or more, got " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.delegate = delegate;
        this.out = out;
        this.memory = null;
        this.digest = Sha256.newDigest();
        ByteWriter w = new ByteWriter();
        w.bytes(HostRecording.MAGIC);
        w.u8(HostRecording.VERSION);
        w.bytes(programHash);
        emit(w);
        if (problem != null) {
            throw new RecordingException(-1, problem);
        }
    }

    /**
     * Starts an in-memory recording that answers repeated runs (see "In memory" above); nothing is
     * written, and {@link #run} and {@link #finish()} are not for it.
     *
     * @param delegate the host that answers the calls no run has made yet
     * @throws IllegalArgumentException when the host is null
     */
    public RecordingHost(Host delegate) {
        if (delegate == null) {
            throw new IllegalArgumentException("a host is required");
        }
        this.delegate = delegate;
        this.maxBytes = Long.MAX_VALUE;
        this.out = null;
        this.digest = null;
        this.memory = new ArrayList<>();
    }

    /**
     * In memory: numbers host calls from the first again, for a new run from the program's start;
     * its calls get the answers recorded so far, in order.
     *
     * @throws IllegalStateException when this host writes to a stream
     */
    public void rewind() {
        if (memory == null) {
            throw new IllegalStateException("only an in-memory recording rewinds");
        }
        next = 0;
    }

    /**
     * In memory: numbers host calls from call {@code call} (counted from 0) on, for a run resumed
     * from a copy of an earlier run taken after that many host calls ({@link dev.tape.vm.Run#fork()}
     * of a run whose {@code hostCallsMade()} was {@code call}): its next call gets the answer call
     * {@code call} got, and so on, as after {@link #rewind()}.
     *
     * @param call the number of host calls the resumed run has made, 0 to {@link #callsRecorded()}
     * @throws IllegalStateException when this host writes to a stream
     * @throws IllegalArgumentException when {@code call} is out of that range (nothing changes)
     */
    public void rewind(long call) {
        if (memory == null) {
            throw new IllegalStateException("only an in-memory recording rewinds");
        }
        if (call < 0 || call > memory.size()) {
            throw new IllegalArgumentException("host call " + call + " is not recorded (" + memory.size()
                    + " calls are)");
        }
        next = (int) call;
    }

    /**
     * Counts the host calls recorded so far.
     *
     * @return host calls recorded so far (in memory: distinct calls, whatever the runs)
     */
    public long callsRecorded() {
        return memory == null ? calls : memory.size();
    }

    @Override
    public HostFunction resolve(String symbol, long sigHash, List<ValueType> args, List<ValueType> rets) {
        HostFunction fn = delegate.resolve(symbol, sigHash, args, rets);
        ByteWriter w = new ByteWriter();
        w.u8(HostRecording.RESOLVE);
        w.utf8(symbol);
        w.u64le(sigHash);
        w.u8(fn == null ? 0 : 1);
        emit(w);
        return fn == null ? null : (a, r, ctx) -> call(fn, a, r, ctx);
    }

    /**
     * Records the run's entry and arguments (optional; at most once, before the run).
     *
     * @param entry the entry function id
     * @param args the arguments
     */
    public void run(int entry, List<Value> args) {
        if (memory != null) {
            return;
        }
        ByteWriter w = new ByteWriter();
        w.u8(HostRecording.RUN);
        w.uleb(entry);
        w.uleb(args.size());
        for (Value v : args) {
            if (!value(w, v)) {
                return;
            }
        }
        emit(w);
    }

    private void call(HostFunction fn, Value[] args, Value[] results, HostContext ctx) throws Exception {
        if (memory != null) {
            remembered(fn, args, results, ctx);
            return;
        }
        if (problem != null || finished) {
            fn.call(args, results, ctx);
            return;
        }
        ByteWriter w = new ByteWriter();
        w.u8(HostRecording.CALL);
        w.utf8(ctx.symbol());
        w.u64le(ctx.sigHash());
        w.uleb(args.length);
        boolean ok = true;
        for (Value v : args) {
            ok = ok && value(w, v);
        }
        Charging charging = new Charging(ctx);
        try {
            fn.call(args, results, charging);
        } catch (HostReturnArityException e) {
            w.u8(HostRecording.ARITY);
            w.uleb(e.expected());
            w.uleb(e.actual());
            end(w, ok, charging.charged);
            throw e;
        } catch (Throwable e) {
            String d = detail(e);
            if (!wellFormed(d)) {
                // UTF-8 cannot carry it: the file would replay another detail ('?' for the surrogate)
                if (ok && problem == null) {
                    problem = "cannot record a host failure: its detail holds an unpaired surrogate (at host call "
                            + (calls + 1) + "), which UTF-8 cannot carry; it stops there";
                }
                throw e;
            }
            w.u8(HostRecording.FAILED);
            w.utf8(d);
            end(w, ok, charging.charged);
            throw e;
        }
        w.u8(HostRecording.RETURNED);
        w.uleb(results.length);
        for (Value v : results) {
            ok = ok && value(w, v);
        }
        end(w, ok, charging.charged);
    }

    /** In memory: answers call {@code next} again, or asks the host and keeps its answer. */
    private void remembered(HostFunction fn, Value[] args, Value[] results, HostContext ctx) throws Exception {
        int k = next++;
        if (k < memory.size()) {
            ReplayHost.answer(memory.get(k), k, results, ctx);
            return;
        }
        Charging charging = new Charging(ctx);
        try {
            fn.call(args, results, charging);
        } catch (HostReturnArityException e) {
            memory.add(new HostRecording.Call(-1, ctx.symbol(), ctx.sigHash(), null, null, null,
                    new int[] {e.expected(), e.actual()}, charging.charged, null));
            throw e;
        } catch (Throwable e) {
            memory.add(new HostRecording.Call(-1, ctx.symbol(), ctx.sigHash(), null, null, detail(e), null,
                    charging.charged, null));
            throw e;
        }
        memory.add(new HostRecording.Call(-1, ctx.symbol(), ctx.sigHash(), null, null, null, null, charging.charged,
                Collections.unmodifiableList(Arrays.asList(results.clone()))));
    }

    private void end(ByteWriter w, boolean ok, long fuel) {
        if (!ok) {
            return;
        }
        w.uleb(fuel);
        calls++;
        emit(w);
    }

    /**
     * The trap detail the VM makes of what a host function threw ({@link HostFailedException#detailOf},
     * the VM's own rule), so that the replayed {@code host_call_failed} is the recorded run's (a run's
     * trap, a nested run's thrown on, says {@code "in nested run (depth N): "} and its words).
     */
    static String detail(Throwable e) {
        return HostFailedException.detailOf(e);
    }

    /**
     * @param s a failure's detail
     * @return whether {@code s} is well-formed UTF-16 (no unpaired surrogate), so that its UTF-8
     *     bytes decode to it again; linear in its length
     */
    static boolean wellFormed(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private boolean value(ByteWriter w, Value v) {
        if (v == null) {
            w.u8(HostRecording.NULL_VALUE);
            return true;
        }
        if (problem != null) {
            return false;
        }
        // a literal of more chars than bytes left cannot fit (each char is at least one byte): stop
        // formatting there, so a value far too large costs no more than the bytes left
        long left = maxBytes - END_BYTES - written - w.size();
        int limit = (int) Math.max(0, Math.min(ValueLiteral.MAX_LENGTH, left));
        String text = ValueLiteral.format(v, limit);
        if (text.endsWith(ValueLiteral.CUT_MARK)) {
            problem = limit == ValueLiteral.MAX_LENGTH
                    ? "cannot record a host value: its literal is longer than " + ValueLiteral.MAX_LENGTH + " chars"
                    : tooLarge();
            return false;
        }
        w.u8(HostRecording.LITERAL);
        w.utf8(text);
        return true;
    }

    private String tooLarge() {
        return "the recording would be larger than its limit of " + maxBytes + " bytes (at host call " + (calls + 1)
                + "); it stops there";
    }

    private void emit(ByteWriter w) {
        if (memory != null || problem != null || finished) {
            return;
        }
        byte[] b = w.toByteArray();
        if (b.length > maxBytes - END_BYTES - written) {
            problem = tooLarge();
            return;
        }
        try {
            out.write(b);
            digest.update(b);
            written += b.length;
        } catch (IOException e) {
            problem = "cannot write the recording: " + e.getMessage();
        }
    }

    /**
     * Ends the recording: writes the end record (the call count and the SHA-256 of every byte before
     * it) and flushes the stream. Later calls are not recorded.
     *
     * @return the number of host calls recorded
     * @throws RecordingException when the recording could not be made whole (a stream failure, a value
     *     too large to record); the file is then incomplete and {@link HostRecording#read} refuses it
     */
    public long finish() {
        if (memory != null) {
            throw new IllegalStateException("an in-memory recording is not finished: it writes nothing");
        }
        if (finished) {
            throw new RecordingException(-1, "the recording is already finished");
        }
        if (problem == null) {
            ByteWriter w = new ByteWriter();
            w.u8(HostRecording.END);
            w.uleb(calls);
            byte[] head = w.toByteArray();
            byte[] sum = digest.digest();
            try {
                out.write(head);
                out.write(sum);
                out.flush();
            } catch (IOException e) {
                problem = "cannot write the recording: " + e.getMessage();
            }
        }
        finished = true;
        if (problem != null) {
            throw new RecordingException(-1, problem);
        }
        return calls;
    }

    /** The context a recorded function sees: the VM's, with its fuel charges counted. */
    private static final class Charging extends ForwardingHostContext {
        long charged;

        Charging(HostContext ctx) {
            super(ctx);
        }

        @Override
        public void chargeFuel(long units) {
            long sum = charged + units;
            charged = Long.compareUnsigned(sum, charged) < 0 ? -1L : sum;
            delegate().chargeFuel(units);
        }
    }
}
