package dev.tape.verify.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 digests for program hashes and recordings, cloned from one the JCA made: the JCA makes each
 * digest through reflection, and once a JVM has made 15 of them the next generates an accessor class,
 * initialising {@code jdk.internal.reflect.ClassDefiner} on the caller's thread; on an embedder's
 * thread deep in its recursion that initialiser can overflow the stack and leave the class
 * erroneous for the whole JVM (then every snapshot of a new program threw
 * {@code NoClassDefFoundError}). Cloning uses no reflection, so tape asks the JCA once per class
 * loader (again only when the first ask failed). This class has no static initialiser. Not API (see
 * the package comment).
 */
public final class Sha256 {
    private Sha256() {}

    /** the digest the others are cloned from, once made (never updated) */
    private static volatile MessageDigest prototype;

    /**
     * Makes a SHA-256 digest.
     *
     * @return a new SHA-256 digest, reset
     * @throws IllegalStateException when the platform has no SHA-256 (every Java platform has)
     */
    public static MessageDigest newDigest() {
        MessageDigest p = prototype;
        try {
            if (p == null) {
                p = MessageDigest.getInstance("SHA-256");
                try {
                    MessageDigest copy = (MessageDigest) p.clone();
                    prototype = p;
                    return copy;
                } catch (CloneNotSupportedException e) {
                    // a provider whose digest does not clone: ask the JCA every time, as before
                    return p;
                }
            }
            return (MessageDigest) p.clone();
        } catch (NoSuchAlgorithmException | CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
