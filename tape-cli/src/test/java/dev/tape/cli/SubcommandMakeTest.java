package dev.tape.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * {@link TapeCli#make}: what a subcommand's constructor throws reaches the CLI's report as a
 * {@code new} would throw it, not wrapped in the reflective call's exception (attack-c26: the
 * report read "IllegalStateException: cannot make the NAME command:
 * java.lang.reflect.InvocationTargetException" where the base named the cause).
 */
class SubcommandMakeTest {
    /** A command whose constructor throws an unchecked exception. */
    public static final class ThrowsRuntime {
        static final IllegalArgumentException THROWN = new IllegalArgumentException("no room");

        /** Throws {@link #THROWN}. */
        public ThrowsRuntime() {
            throw THROWN;
        }
    }

    /** A command whose constructor throws an error. */
    public static final class ThrowsError {
        static final OutOfMemoryError THROWN = new OutOfMemoryError("Java heap space");

        /** Throws {@link #THROWN}. */
        public ThrowsError() {
            throw THROWN;
        }
    }

    /** A command without a public no-argument constructor. */
    public static final class NoConstructor {
        /** @param x anything */
        public NoConstructor(int x) {
        }
    }

    @Test
    void theConstructorsThrowableIsThrownUnwrapped() {
        assertSame(ThrowsRuntime.THROWN, assertThrows(IllegalArgumentException.class,
                () -> TapeCli.make(ThrowsRuntime.class, "x")));
        assertSame(ThrowsError.THROWN, assertThrows(OutOfMemoryError.class,
                () -> TapeCli.make(ThrowsError.class, "x")));
    }

    @Test
    void aClassThatCannotBeMadeIsAnIllegalState() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TapeCli.make(NoConstructor.class, "nc"));
        assertTrue(e.getMessage().startsWith("cannot make the nc command: "), e.getMessage());
        assertEquals(NoSuchMethodException.class, e.getCause().getClass());
    }
}
