package dev.tape.verify;

import dev.tape.asm.Assembler;
import org.junit.jupiter.api.Test;

import java.security.MessageDigest;
import java.security.MessageDigestSpi;
import java.security.Provider;
import java.security.Security;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link VerifiedProgram#hash()} (which every snapshot and recording of a new program computes) asks
 * the JCA for a SHA-256 digest at most once per class loader and clones it after that. The JCA makes
 * each digest through reflection ({@code Provider.Service.newInstance}, a
 * {@code Constructor.newInstance}); once a JVM has made 15 of them, the 16th generates an accessor
 * class and initialises {@code jdk.internal.reflect.ClassDefiner} on the caller's thread. Found by
 * {@code AttackRoundTenTogetherTest}: when that thread was an embedder's deep in its recursion the
 * initialiser overflowed the stack, {@code ClassDefiner} was left erroneous for the whole JVM, and
 * from then on every snapshot of a program not hashed before threw
 * {@code NoClassDefFoundError: Could not initialize class jdk.internal.reflect.ClassDefiner}, whatever
 * the stack. A provider put first counts the digests the JCA makes while 20 programs are hashed.
 */
class HashDigestReflectionTest {
    /** the digests the JCA has made through {@link Counting}'s constructor */
    static final AtomicInteger MADE = new AtomicInteger();

    /** SHA-256 through the platform's, counting its instances (made by the JCA through reflection). */
    public static final class Counting extends MessageDigestSpi implements Cloneable {
        private MessageDigest d;

        /**
         * @throws java.security.GeneralSecurityException never (every platform has SHA-256)
         */
        public Counting() throws java.security.GeneralSecurityException {
            MADE.incrementAndGet();
            d = MessageDigest.getInstance("SHA-256", "SUN");
        }

        @Override
        protected void engineUpdate(byte input) {
            d.update(input);
        }

        @Override
        protected void engineUpdate(byte[] input, int offset, int len) {
            d.update(input, offset, len);
        }

        @Override
        protected byte[] engineDigest() {
            return d.digest();
        }

        @Override
        protected void engineReset() {
            d.reset();
        }

        @Override
        public Object clone() throws CloneNotSupportedException {
            Counting c = (Counting) super.clone();
            c.d = (MessageDigest) d.clone();
            return c;
        }
    }

    @Test
    void hashingManyProgramsMakesOneDigestThroughReflection() throws Exception {
        Provider p = new Provider("AttackTenCounting", "1", "counts SHA-256 digests") {
            private static final long serialVersionUID = 1L;
        };
        p.put("MessageDigest.SHA-256", Counting.class.getName());
        assertTrue(Security.insertProviderAt(p, 1) > 0);
        try {
            for (int i = 0; i < 20; i++) {
                String source = "program p\nfunc main() -> (i64) {\n    const.i64 r1, " + i + "\n    ret r0, [r1]\n}\n";
                VerifiedProgram v = Verifier.verify(Assembler.assemble(source, "p.tasm"));
                byte[] expected = MessageDigest.getInstance("SHA-256", "SUN")
                        .digest(dev.tape.program.ProgramEncoder.encode(v.program()));
                assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(v.hash()), "program " + i);
            }
        } finally {
            Security.removeProvider(p.getName());
        }
        assertTrue(MADE.get() <= 1, "digests made through reflection: " + MADE.get());
    }
}
