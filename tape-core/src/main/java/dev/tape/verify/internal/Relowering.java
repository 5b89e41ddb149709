package dev.tape.verify.internal;

/**
 * Lowers one function of a verified program again, on demand, to the same execution form the
 * verifier made for it (verification and lowering are deterministic functions of the program and
 * the function id). A verified program keeps its functions' code once, in the {@link CodeImage},
 * and drops what only traps, traces, snapshots and the compiled tier read (each instruction's code
 * index, the positions the image relocates); {@link LoweredFunction} gets them back from here on
 * first use, in time and memory linear in that function's code (the lowering reads the register
 * types the verifier's analysis fixed, {@link LoweredFunction#regType(int)}, not the analysis).
 */
public interface Relowering {
    /**
     * Lowers one function of the verified program again.
     *
     * @param func the id of a function of the verified program, 0 to the function count - 1
     * @return its execution form as the lowering pass made it, not placed in an image: its own
     *     {@link LoweredFunction#code()}, with code indices relative to the function
     * @throws IllegalStateException when the function no longer verifies (never: the program is
     *     immutable and was verified)
     */
    LoweredFunction lower(int func);
}
