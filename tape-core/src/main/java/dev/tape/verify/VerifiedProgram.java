package dev.tape.verify;

import dev.tape.program.Program;
import dev.tape.program.ProgramEncoder;
import dev.tape.program.ValueType;
import dev.tape.verify.internal.CodeImage;
import dev.tape.verify.internal.Lowered;
import dev.tape.verify.internal.LoweredFunction;
import dev.tape.verify.internal.Sha256;

import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * A program that passed verification, with every function lowered to its execution form. This is
 * the only thing the VM runs. Immutable and thread-safe: many VMs on many threads may share one.
 */
public final class VerifiedProgram {
    static {
        // lends the execution form to the VM and the compiled tier through the non-exported
        // package dev.tape.verify.internal, so it is no part of this class's API
        Lowered.install(new Lowered.Source() {
            @Override
            public LoweredFunction[] functions(VerifiedProgram program) {
                return program.functions;
            }

            @Override
            public CodeImage image(VerifiedProgram program) {
                return program.image;
            }
        });
    }

    private final Program program;
    private final LoweredFunction[] functions;
    private final int[] funcSigKey;
    private final int[] closureSigKey;
    private final int[] callSigKey;
    private final CodeImage image;
    /**
     * each function's name symbol when the names section names a function with a symbol the
     * program does not have (a built program), else null: {@link #functionName} then asks the
     * program's names index
     */
    private final int[] nameSymbols;
    /** the SHA-256 of the encoded program, made on first use */
    private volatile byte[] hash;
    /**
     * per function, its init facts, made on first use; the array itself is made on the first
     * {@link #initFacts(int)} call (most programs never snapshot or compile aggregates)
     */
    private volatile InitFacts[] initFacts;
    /** sets {@link #initFacts} once, without locking on the program */
    private static final AtomicReferenceFieldUpdater<VerifiedProgram, InitFacts[]> INIT_FACTS =
            AtomicReferenceFieldUpdater.newUpdater(VerifiedProgram.class, InitFacts[].class, "initFacts");

    VerifiedProgram(Program program, LoweredFunction[] functions, int[] funcSigKey, int[] closureSigKey,
                    int[] callSigKey, int[] nameSymbols) {
        this.program = program;
        this.nameSymbols = nameSymbols;
        this.functions = functions;
        this.funcSigKey = funcSigKey;
        // null when no function takes an aggregate first (every key -2): 4 bytes a function fewer
        this.closureSigKey = anyClosure(closureSigKey) ? closureSigKey : null;
        this.callSigKey = callSigKey;
        this.image = new CodeImage(functions);
    }

    /** @return whether some key is not -2: some function takes an aggregate first */
    private static boolean anyClosure(int[] closureSigKey) {
        for (int k : closureSigKey) {
            if (k != -2) {
                return true;
            }
        }
        return false;
    }

    /**
     * The program as decoded, before lowering.
     *
     * @return the verified container model
     */
    public Program program() {
        return program;
    }

    /**
     * The number of functions in the program.
     *
     * @return the number of functions
     */
    public int functionCount() {
        return functions.length;
    }

    /**
     * Counts the instructions of one function.
     *
     * @param func a function id, 0 to {@link #functionCount()} - 1
     * @return the number of v1 instructions in the function's body (0 for an empty body)
     * @throws IndexOutOfBoundsException when the id is out of range
     */
    public int instructionCount(int func) {
        return functions[func].instructionCount();
    }

    /**
     * The register count of one function.
     *
     * @param func a function id, 0 to {@link #functionCount()} - 1
     * @return the registers of one frame of the function, {@code r0} included (its {@code reg_count})
     * @throws IndexOutOfBoundsException when the id is out of range
     */
    public int registerCount(int func) {
        return functions[func].regCount();
    }

    /**
     * A register's type, fixed for the whole function by the verifier (spec section "Verification
     * (normative)").
     *
     * @param func a function id, 0 to {@link #functionCount()} - 1
     * @param reg a register, 0 to {@link #registerCount(int) registerCount(func)} - 1
     * @return its type
     * @throws IndexOutOfBoundsException when the function id or the register is out of range
     */
    public ValueType registerType(int func, int reg) {
        return functions[func].regType(reg);
    }

    /**
     * Finds the span in force at a byte pc of a function: the last span-table entry whose cumulative
     * pc is at most {@code pc} (spec section "Span table encoding (compact)"), in O(log entries).
     *
     * @param func a function id, 0 to {@link #functionCount()} - 1
     * @param pc a byte offset in the function
     * @return the span id, an unsigned 64-bit number (2^63 and up are negative as a {@code long}),
     *     or 0 when no entry covers the pc: span ids are never 0
     * @throws IndexOutOfBoundsException when the function id is out of range
     */
    public long spanAt(int func, int pc) {
        return functions[func].spanAt(pc);
    }

    /**
     * A function's name from the names section: as {@link Program#functionName(int)}, O(log n) in
     * the section's size through the index {@code Names} keeps, and a string made from the symbol
     * table (the program keeps no string per name); O(1) through an array made at verification
     * when the section names a function with a symbol the program does not have (a built
     * program's: the index would step over such entries on each call).
     *
     * @param id a function id
     * @return the same as {@code program().functionName(id)}: the name of the first names-section
     *     entry for that function, or {@code null} when it has none or the id is out of range
     */
    public String functionName(int id) {
        if (id < 0 || id >= functions.length) {
            return null;
        }
        if (nameSymbols != null) {
            int sym = nameSymbols[id];
            return sym < 0 ? null : program.symbols().get(sym);
        }
        return program.functionName(id);
    }

    /**
     * The program's identity: the SHA-256 digest of its encoded form ({@link ProgramEncoder#encode}),
     * which is the same bytes the program was decoded from when it came from a file (the format
     * round-trips byte for byte). Snapshots and recordings name their program by it. Computed on
     * first use, in time linear in the program's size, then kept.
     *
     * @return a fresh copy of the 32-byte digest
     * @throws IllegalArgumentException with the message {@link ProgramEncoder#TOO_LARGE} when the
     *     program's encoding does not fit in memory (more than 2^31 - 9 bytes); snapshots report it
     *     as running out of memory
     */
    public byte[] hash() {
        byte[] h = hash;
        if (h == null) {
            // cloned, not asked of the JCA each time (see Sha256)
            h = Sha256.newDigest().digest(ProgramEncoder.encode(program));
            hash = h;
        }
        return h.clone();
    }

    /**
     * The key that decides whether a {@code func} value can be called through a given call signature.
     *
     * @param func a function id
     * @return a key equal to {@link #callSigKey(int)} exactly when the function's signature equals
     *     that call signature (for {@code call.indirect} on a func)
     */
    public int funcSigKey(int func) {
        return funcSigKey[func];
    }

    /**
     * The key that decides whether a closure over a function can be called through a given call signature.
     *
     * @param func a function id
     * @return a key equal to {@link #callSigKey(int)} exactly when the function takes an {@code agg}
     *     first and the rest of its signature equals that call signature (for a closure); -2 when
     *     its first argument is not an aggregate
     */
    public int closureSigKey(int func) {
        int[] keys = closureSigKey;
        if (keys == null) {
            if (func < 0 || func >= functions.length) {
                // as the array would
                throw new ArrayIndexOutOfBoundsException(func);
            }
            return -2;
        }
        return keys[func];
    }

    /**
     * The key of a call signature, to compare with {@link #funcSigKey(int)} and {@link #closureSigKey(int)}.
     *
     * @param callSig a call signature id
     * @return its key
     */
    public int callSigKey(int callSig) {
        return callSigKey[callSig];
    }

    /**
     * Which registers of a function are written on every path to each of its instructions, for
     * snapshots of paused runs. Built on first use per function (in time like the verifier's own
     * analysis of it) and kept; thread-safe.
     *
     * @param func a function id, 0 to {@link #functionCount()} - 1
     * @return its init facts
     * @throws IndexOutOfBoundsException when the id is out of range
     */
    public InitFacts initFacts(int func) {
        LoweredFunction lf = functions[func];
        InitFacts[] all = initFacts;
        if (all == null) {
            // no lock on this object, which an embedder may hold: the first array set wins
            INIT_FACTS.compareAndSet(this, null, new InitFacts[functions.length]);
            all = initFacts;
        }
        InitFacts f = all[func];
        if (f == null) {
            // a race computes it twice at worst; the object is immutable with final fields
            f = InitFacts.compute(program, lf);
            all[func] = f;
        }
        return f;
    }
}
