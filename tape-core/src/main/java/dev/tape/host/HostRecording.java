package dev.tape.host;

import dev.tape.format.ByteReader;
import dev.tape.format.DecodeException;
import dev.tape.value.Value;
import dev.tape.value.ValueLiteral;
import dev.tape.verify.internal.Sha256;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;

/**
 * A host-call recording read back from its bytes ({@code docs/RECORDING.md} describes the format):
 * the program it belongs to (its {@code VerifiedProgram.hash()}), which imports the recorded host
 * provided, the run's entry and arguments, and every host call in order with its arguments, its
 * answer (results, or the failure) and the fuel the host charged. {@link RecordingHost} writes one;
 * {@link ReplayHost} answers from one.
 *
 * <p>Reading checks everything: every length and count is bounded by the bytes left, every string
 * must be UTF-8, every value a valid literal at most {@link ValueLiteral#MAX_LENGTH} chars long
 * when formatted (as {@link RecordingHost} writes it), and the last record's SHA-256 digest must match the
 * bytes before it, so a damaged, truncated or edited file is refused with one line naming the byte
 * offset, never a Java exception. Immutable.
 */
public final class HostRecording {
    /** The file's first 7 bytes: {@code TAPEREC} in ASCII. */
    static final byte[] MAGIC = {'T', 'A', 'P', 'E', 'R', 'E', 'C'};
    /** The format version this class reads and {@link RecordingHost} writes (the 8th byte). */
    public static final int VERSION = 1;
    /** Record tags. */
    static final int RESOLVE = 1;
    static final int RUN = 2;
    static final int CALL = 3;
    static final int END = 0x7F;
    /** Outcomes of a call record. */
    static final int RETURNED = 0;
    static final int FAILED = 1;
    static final int ARITY = 2;
    /** Value tags: a slot the host left empty, and a value literal. */
    static final int NULL_VALUE = 0;
    static final int LITERAL = 1;

    /**
     * Whether the recorded host provided an import.
     *
     * @param symbol the import's symbol
     * @param sigHash its signature hash
     * @param provided whether the host resolved it to a function
     */
    public record Resolve(String symbol, long sigHash, boolean provided) {}

    /**
     * The recorded run's entry and arguments.
     *
     * @param entry the entry function id
     * @param args the arguments, in order
     */
    public record Run(int entry, List<Value> args) {}

    /**
     * One host call. Exactly one of the outcomes applies: {@code results} (a failure-free return,
     * entries null where the host left a slot empty), {@code failure} (the trap's detail of a host
     * that threw), or {@code arity} (a host that returned the wrong number of values:
     * {@code {expected, actual}}).
     *
     * @param offset the byte offset of the record in the file; -1 in an in-memory recording
     *     ({@link RecordingHost#RecordingHost(Host)})
     * @param symbol the symbol called
     * @param sigHash its signature hash
     * @param args the arguments, in order, as literals; null in an in-memory recording
     * @param results the results as literals (null entries for empty slots), or null (always in an
     *     in-memory recording, which keeps only {@code resultValues})
     * @param failure the failure's trap detail, or null
     * @param arity the arity failure's expected and actual counts, or null
     * @param fuel the fuel units the host charged ({@link HostContext#chargeFuel}), unsigned
     * @param resultValues the results as values (parsed once when read), or null
     */
    public record Call(long offset, String symbol, long sigHash, List<String> args, List<String> results,
                       String failure, int[] arity, long fuel, List<Value> resultValues) {}

    private final byte[] programHash;
    private final List<Resolve> resolves;
    private final Run run;
    private final List<Call> calls;

    private HostRecording(byte[] programHash, List<Resolve> resolves, Run run, List<Call> calls) {
        this.programHash = programHash;
        this.resolves = Collections.unmodifiableList(resolves);
        this.run = run;
        this.calls = Collections.unmodifiableList(calls);
    }

    /**
     * The hash of the program the recording was made against.
     *
     * @return a copy of the 32-byte SHA-256 of the recorded program ({@code VerifiedProgram.hash()})
     */
    public byte[] programHash() {
        return programHash.clone();
    }

    /**
     * The import resolutions the recording holds.
     *
     * @return the resolution records, in the order the VM asked
     */
    public List<Resolve> resolves() {
        return resolves;
    }

    /**
     * The run the recording was made from, if it holds one.
     *
     * @return the recorded run's entry and arguments, or null when the recording has none
     */
    public Run run() {
        return run;
    }

    /**
     * Every recorded host call with its arguments and answer.
     *
     * @return the host calls, in the order they were made
     */
    public List<Call> calls() {
        return calls;
    }

    /**
     * Checks that this recording was made with the program whose hash is given.
     *
     * @param hash the program's {@code VerifiedProgram.hash()}
     * @throws RecordingException when the hashes differ (the message shows both, shortened)
     */
    public void requireProgram(byte[] hash) {
        if (!MessageDigest.isEqual(programHash, hash)) {
            throw new RecordingException(-1, "the recording is of another program (recorded program "
                    + shortHex(programHash) + ", this one " + shortHex(hash) + ")");
        }
    }

    /** @return the first 12 hex digits of a hash, with an ellipsis */
    static String shortHex(byte[] hash) {
        return HexFormat.of().formatHex(hash, 0, Math.min(6, hash.length)) + "...";
    }

    /**
     * Reads a recording.
     *
     * @param bytes the file's bytes
     * @return the recording
     * @throws RecordingException (one line, with the byte offset) when the bytes are not a complete,
     *     undamaged recording of format version {@link #VERSION}
     */
    public static HostRecording read(byte[] bytes) {
        ByteReader in = new ByteReader(bytes, "recording");
        try {
            return read(in, bytes);
        } catch (DecodeException e) {
            throw new RecordingException(e.offset(), "damaged recording at byte " + e.offset() + ": " + e.reason());
        }
    }

    private static HostRecording read(ByteReader in, byte[] bytes) throws DecodeException {
        if (bytes.length < MAGIC.length + 1 || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw in.error("not a tape recording (it does not start with TAPEREC)");
        }
        in.bytes(MAGIC.length);
        int version = in.u8();
        if (version != VERSION) {
            throw in.errorAt(MAGIC.length, "format version " + version + " is not supported (this reads "
                    + VERSION + ")");
        }
        byte[] hash = in.bytes(32);
        List<Resolve> resolves = new ArrayList<>();
        List<Call> calls = new ArrayList<>();
        Run run = null;
        while (true) {
            if (in.atEnd()) {
                throw in.error("truncated: the recording has no end record");
            }
            int at = in.position();
            int tag = in.u8();
            switch (tag) {
                case RESOLVE -> resolves.add(new Resolve(in.utf8(), in.u64le(), in.bool()));
                case RUN -> {
                    if (run != null || !calls.isEmpty()) {
                        throw in.errorAt(at, "a run record must come once, before the calls");
                    }
                    int entry = in.index("entry");
                    List<String> texts = values(in, "argument");
                    run = new Run(entry, parse(in, texts, at));
                }
                case CALL -> calls.add(call(in, at));
                case END -> {
                    long count = in.uleb64();
                    if (count != calls.size()) {
                        throw in.errorAt(at, "the end record counts " + Long.toUnsignedString(count)
                                + " calls, the file holds " + calls.size());
                    }
                    byte[] digest = in.bytes(32);
                    if (!MessageDigest.isEqual(digest, sha256(bytes, at))) {
                        throw in.errorAt(at, "the digest does not match the bytes before it (the file was changed)");
                    }
                    if (!in.atEnd()) {
                        throw in.error(in.remaining() + " bytes follow the end record");
                    }
                    return new HostRecording(hash, resolves, run, calls);
                }
                default -> throw in.errorAt(at, "unknown record tag " + tag);
            }
        }
    }

    private static Call call(ByteReader in, int at) throws DecodeException {
        String symbol = in.utf8();
        long sigHash = in.u64le();
        List<String> args = values(in, "argument");
        int outcomeAt = in.position();
        int outcome = in.u8();
        List<String> results = null;
        List<Value> resultValues = null;
        String failure = null;
        int[] arity = null;
        switch (outcome) {
            case RETURNED -> {
                results = values(in, "result");
                resultValues = parse(in, results, at);
            }
            case FAILED -> failure = in.utf8();
            case ARITY -> arity = new int[] {in.index("expected count"), in.index("actual count")};
            default -> throw in.errorAt(outcomeAt, "unknown call outcome " + outcome);
        }
        long fuel = in.uleb64();
        // arguments are compared as text; check they are literals all the same
        parse(in, args, at);
        return new Call(at, symbol, sigHash, Collections.unmodifiableList(args), results == null ? null
                : Collections.unmodifiableList(results), failure, arity, fuel, resultValues);
    }

    /** Reads a count and that many values (null for an empty slot), as literal texts. */
    private static List<String> values(ByteReader in, String what) throws DecodeException {
        int n = in.count(what, 1);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int at = in.position();
            int tag = in.u8();
            if (tag == NULL_VALUE) {
                out.add(null);
            } else if (tag == LITERAL) {
                out.add(in.utf8());
            } else {
                throw in.errorAt(at, "unknown value tag " + tag);
            }
        }
        return out;
    }

    private static List<Value> parse(ByteReader in, List<String> texts, int recordAt) throws DecodeException {
        List<Value> out = new ArrayList<>(texts.size());
        for (String t : texts) {
            if (t == null) {
                out.add(null);
                continue;
            }
            Value v;
            try {
                v = ValueLiteral.parse(t);
            } catch (IllegalArgumentException e) {
                throw in.errorAt(recordAt, "a value of the record is not a literal");
            }
            // a literal written without escapes can be longer written as RecordingHost writes it
            // (each C1 control char takes 6): one that would not fit is not one it wrote
            if (ValueLiteral.format(v, ValueLiteral.MAX_LENGTH).endsWith(ValueLiteral.CUT_MARK)) {
                throw in.errorAt(recordAt, "a value of the record is longer than " + ValueLiteral.MAX_LENGTH
                        + " chars as a literal");
            }
            out.add(v);
        }
        return Collections.unmodifiableList(out);
    }

    static byte[] sha256(byte[] bytes, int length) {
        MessageDigest d = Sha256.newDigest();
        d.update(bytes, 0, length);
        return d.digest();
    }
}
