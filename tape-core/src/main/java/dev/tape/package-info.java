/**
 * The root of the library: {@link dev.tape.TapeException}, the supertype of every error the
 * library reports. This package imports no other {@code dev.tape} package, and every other package
 * may use it.
 */
package dev.tape;
