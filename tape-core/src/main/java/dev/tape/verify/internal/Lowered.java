package dev.tape.verify.internal;

import dev.tape.verify.VerifiedProgram;

import java.util.List;

/**
 * The one way to a {@link VerifiedProgram}'s execution form, for the interpreter
 * ({@code dev.tape.vm}) and the compiled tier ({@code dev.tape.jit}): the program keeps its lowered
 * functions and code image private, and lends them through the {@link Source} its class
 * initializer installs here (the JDK's {@code SharedSecrets} pattern), so the execution form is no
 * part of the exported API. A VM reads them once when it is made; nothing here is on a hot path.
 */
public final class Lowered {
    private Lowered() {}

    /** What {@link VerifiedProgram} lends; installed once by its class initializer. */
    public interface Source {
        /**
         * Gives a verified program's functions in execution form.
         *
         * @param program a verified program
         * @return its functions in execution form, by id (the program's own array: do not modify)
         */
        LoweredFunction[] functions(VerifiedProgram program);

        /**
         * Gives a verified program's code image.
         *
         * @param program a verified program
         * @return its code image
         */
        CodeImage image(VerifiedProgram program);
    }

    private static volatile Source source;

    /**
     * Installs the program's source. Called once, by {@link VerifiedProgram}'s class initializer.
     *
     * @param s the source
     * @throws IllegalStateException when a source is already installed
     */
    public static synchronized void install(Source s) {
        if (source != null) {
            throw new IllegalStateException("the lowered-form source is already installed");
        }
        source = s;
    }

    /**
     * One function of a verified program in execution form.
     *
     * @param program a verified program (its class is initialized, so the source is installed)
     * @param id a function id, 0 to {@code program.functionCount() - 1}
     * @return the function in execution form
     * @throws IndexOutOfBoundsException when the id is out of range
     */
    public static LoweredFunction function(VerifiedProgram program, int id) {
        return source.functions(program)[id];
    }

    /**
     * All functions of a verified program in execution form.
     *
     * @param program a verified program
     * @return all its functions in execution form, by id, unmodifiable
     */
    public static List<LoweredFunction> functions(VerifiedProgram program) {
        return List.of(source.functions(program));
    }

    /**
     * A verified program's code image: every function's lowered code in one array.
     *
     * @param program a verified program
     * @return all its functions' code in one relocated array, as the interpreter runs it
     */
    public static CodeImage image(VerifiedProgram program) {
        return source.image(program);
    }
}
